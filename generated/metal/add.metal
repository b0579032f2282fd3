// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel add (Metal), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = a[i] + b[i]; one invocation per value.

#include <metal_stdlib>
using namespace metal;

struct add_params {
  uint n;
};

kernel void add(
    device const float* a [[buffer(0)]],
    device const float* b [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant add_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const uint i = globalId.x;
  // the last workgroup may run past n [line 12]
  if (i < n) {
    out[i] = a[i] + b[i];
  }
}
