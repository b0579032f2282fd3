// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f32 (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct kv_store_f32_params {
  uint n;
};

kernel void kv_store_f32(
    device const float* src [[buffer(0)]],
    device float* dst [[buffer(1)]],
    device const uint* step [[buffer(2)]],
    constant kv_store_f32_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const uint i = globalId.x;
  if (i < n) {
    dst[step[0u] * n + i] = src[i];
  }
}
