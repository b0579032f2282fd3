// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_iq4_nl (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid

#include <metal_stdlib>
using namespace metal;

struct get_rows_iq4_nl_params {
  uint k;
};

constant int KVALUES_IQ4NL[16] = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
};

kernel void get_rows_iq4_nl(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_iq4_nl_params& params [[buffer(3)]],
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
    const uint byte = uint(*(W + blk * 18u + 2u + (j & 15u)));
    uint q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    const float w = float(*((device const half*)(W + blk * 18u))) * float(KVALUES_IQ4NL[q]);
    out[workgroupId.x * k + i] = w;
  }
}
