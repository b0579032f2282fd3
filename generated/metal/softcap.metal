// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel softcap (Metal), workgroup 256x1x1; regenerate with `npm run codegen`
//
// gemma2's soft-cap of the final logits: out = cap * tanh(x / cap). Reference: engine/reference/ops.ts
// softcap; ggml counterpart: ggml_softcap (ggml_scale, ggml_tanh, ggml_scale).

#include <metal_stdlib>
using namespace metal;

struct softcap_params {
  uint n;
  float cap;
};

kernel void softcap(
    device const float* x [[buffer(0)]],
    device float* out [[buffer(1)]],
    constant softcap_params& params [[buffer(2)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const float cap = params.cap;
  const uint i = globalId.x;
  if (i < n) {
    out[i] = cap * precise::tanh(x[i] / cap);
  }
}
