// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel geglu (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct geglu_params {
  uint n;
};

kernel void geglu(
    device const float* gate [[buffer(0)]],
    device const float* up [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant geglu_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const uint i = globalId.x;
  if (i < n) {
    const float g = gate[i];
    out[i] = 0.5f * g * (1.0f + precise::tanh(0.7978845834732056f * (g + 0.044714998453855515f * g * g * g))) * up[i];
  }
}
