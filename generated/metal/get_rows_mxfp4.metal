// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_mxfp4 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// mxfp4: x = kvalues_mxfp4[q] * 2^(e-128), e the block's e8m0 exponent byte (ggml's
// GGML_E8M0_TO_FP32_HALF: the halving pairs with the doubled levels; e = 0 and 1 give the f32 subnormals
// 2^-128 and 2^-127). Values 0..15 are the low nibbles of qs, 16..31 the high ones, as in q4_0.

#include <metal_stdlib>
using namespace metal;

struct get_rows_mxfp4_params {
  uint k;
};

constant int KVALUES_MXFP4[16] = {
    0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12
};

kernel void get_rows_mxfp4(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_mxfp4_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = src * (k / 32u) + (i / 32u);
    const uint e = uint(*(W + blk * 17u));
    uint bits = (e - 1u) << 23u;
    if (e < 2u) {
      bits = 2097152u << e;
    }
    const uint j = i % 32u;
    const uint byte = uint(*(W + blk * 17u + 1u + (j & 15u)));
    uint q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    out[workgroupId.x * k + i] = float(KVALUES_MXFP4[q]) * as_type<float>(bits);
  }
}
