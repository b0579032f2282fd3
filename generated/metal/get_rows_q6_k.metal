// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q6_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales

#include <metal_stdlib>
using namespace metal;

struct get_rows_q6_k_params {
  uint k;
};

kernel void get_rows_q6_k(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_q6_k_params& params [[buffer(3)]],
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
    // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh [line 275]
    const uint half_ = j >> 7u;
    const uint quarter = (j & 127u) >> 5u;
    const uint l = j & 31u;
    const uint lowByte = uint(*(W + blk * 210u + (half_ * 64u + l + (quarter & 1u) * 32u)));
    uint low = lowByte & 15u;
    if (quarter >= 2u) {
      low = lowByte >> 4u;
    }
    const uint high = (uint(*(W + blk * 210u + 128u + (half_ * 32u + l))) >> (quarter * 2u)) & 3u;
    const int q = int(low | (high << 4u)) - 32;
    const float w = float(*((device const half*)(W + blk * 210u + 208u))) * float(int(*((device const char*)(W + blk * 210u + 192u + (half_ * 8u + (l >> 4u) + quarter * 2u))))) * float(q);
    out[workgroupId.x * k + i] = w;
  }
}
