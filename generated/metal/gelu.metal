// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel gelu (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct gelu_params {
  uint n;
};

kernel void gelu(
    device const float* x [[buffer(0)]],
    device float* out [[buffer(1)]],
    constant gelu_params& params [[buffer(2)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const uint i = globalId.x;
  if (i < n) {
    const float v = x[i];
    // sqrt(2 / pi) = 0.7978845608 [line 27]
    out[i] = 0.5f * v * (1.0f + precise::tanh(0.7978845834732056f * (v + 0.044714998453855515f * v * v * v)));
  }
}
