// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel scale (Metal), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = x[i] * scale; one invocation per value.

#include <metal_stdlib>
using namespace metal;

struct scale_params {
  uint n;
  float scale;
};

kernel void scale(
    device const float* x [[buffer(0)]],
    device float* out [[buffer(1)]],
    constant scale_params& params [[buffer(2)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const float scale = params.scale;
  const uint i = globalId.x;
  if (i < n) {
    out[i] = x[i] * scale;
  }
}
