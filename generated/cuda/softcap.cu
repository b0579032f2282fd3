// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel softcap (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`
//
// gemma2's soft-cap of the final logits: out = cap * tanh(x / cap). Reference: engine/reference/ops.ts
// softcap; ggml counterpart: ggml_softcap (ggml_scale, ggml_tanh, ggml_scale).

extern "C" __global__ void __launch_bounds__(256) softcap(
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int n,
    float cap) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    out[i] = cap * tanhf(x[i] / cap);
  }
}
