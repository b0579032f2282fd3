// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q8_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_k: x = d * q with an f32 scale per 256 values (the k-quants' activation type)

#include <metal_stdlib>
using namespace metal;

struct get_rows_q8_k_params {
  uint k;
};

kernel void get_rows_q8_k(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_q8_k_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = src * (k / 256u) + (i / 256u);
    out[workgroupId.x * k + i] = *((device const float*)(W + blk * 292u)) * float(int(*((device const char*)(W + blk * 292u + 4u + i % 256u))));
  }
}
