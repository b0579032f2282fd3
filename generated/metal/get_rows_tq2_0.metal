// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq2_0 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq2_0: x = d * (q - 1), q a 2-bit code; each byte holds values m, m + 32, m + 64, m + 96 of its 128

#include <metal_stdlib>
using namespace metal;

struct get_rows_tq2_0_params {
  uint k;
};

kernel void get_rows_tq2_0(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_tq2_0_params& params [[buffer(3)]],
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
    const uint q = (uint(*(W + blk * 66u + ((j >> 7u) * 32u + (j & 31u)))) >> (((j & 127u) >> 5u) * 2u)) & 3u;
    out[workgroupId.x * k + i] = float(int(q) - 1) * float(*((device const half*)(W + blk * 66u + 64u)));
  }
}
