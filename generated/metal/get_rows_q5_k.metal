// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q5_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_k: x = d * sc * q - dmin * m, q's 5th bit from qh

#include <metal_stdlib>
using namespace metal;

struct get_rows_q5_k_params {
  uint k;
};

kernel void get_rows_q5_k(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_q5_k_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = src * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high [line 242]
    const uint is_ = j >> 5u;
    const uint l = j & 31u;
    // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes [line 245]
    uint sc = 0u;
    uint mn = 0u;
    if (is_ < 4u) {
      sc = uint(*(W + blk * 176u + 4u + is_)) & 63u;
      mn = uint(*(W + blk * 176u + 4u + (is_ + 4u))) & 63u;
    } else {
      sc = (uint(*(W + blk * 176u + 4u + (is_ + 4u))) & 15u) | ((uint(*(W + blk * 176u + 4u + (is_ - 4u))) >> 6u) << 4u);
      mn = (uint(*(W + blk * 176u + 4u + (is_ + 4u))) >> 4u) | ((uint(*(W + blk * 176u + 4u + is_)) >> 6u) << 4u);
    }
    const uint byte = uint(*(W + blk * 176u + 48u + ((is_ >> 1u) * 32u + l)));
    uint q = byte & 15u;
    if ((is_ & 1u) == 1u) {
      q = byte >> 4u;
    }
    q = q | (((uint(*(W + blk * 176u + 16u + l)) >> is_) & 1u) << 4u);
    const float w = float(*((device const half*)(W + blk * 176u))) * float(sc) * float(q) - float(*((device const half*)(W + blk * 176u + 2u))) * float(mn);
    out[workgroupId.x * k + i] = w;
  }
}
