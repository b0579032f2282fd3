// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_bf16 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

#include <metal_stdlib>
using namespace metal;

struct get_rows_bf16_params {
  uint k;
};

kernel void get_rows_bf16(
    device const uint* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_bf16_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint e = src * k + i;
    const float w = as_type<float>(((W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u) << 16u);
    out[workgroupId.x * k + i] = w;
  }
}
