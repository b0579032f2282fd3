// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q4_0 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_0: x = d * (q - 8), q the nibble of value j

#include <metal_stdlib>
using namespace metal;

struct get_rows_q4_0_params {
  uint k;
};

kernel void get_rows_q4_0(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_q4_0_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = src * (k / 32u) + (i / 32u);
    const uint j = i % 32u;
    // values 0..15 are the low nibbles of qs, 16..31 the high ones [line 63]
    const uint byte = uint(*(W + blk * 18u + 2u + (j & 15u)));
    uint q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    const float w = float(int(q) - 8) * float(*((device const half*)(W + blk * 18u)));
    out[workgroupId.x * k + i] = w;
  }
}
