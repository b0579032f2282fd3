// GENERATED — do not edit; source: engine/kernels/softcap_inplace.kernel.ts
// kernel softcap_inplace (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct softcap_inplace_params {
  uint n;
  float cap;
};

kernel void softcap_inplace(
    device float* x [[buffer(0)]],
    constant softcap_inplace_params& params [[buffer(1)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const float cap = params.cap;
  const uint i = globalId.x;
  if (i < n) {
    // tanh(15) is 1.0 in f32, so the clamp changes no result; it keeps GPU tanh spelled as
    // (e^2t - 1) / (e^2t + 1) from giving inf / inf = NaN on large logits [line 16]
    x[i] = cap * precise::tanh(clamp(x[i] / cap, -15.0f, 15.0f));
  }
}
