// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel gelu (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) gelu(
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int n) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    const float v = x[i];
    // sqrt(2 / pi) = 0.7978845608 [line 27]
    out[i] = 0.5f * v * (1.0f + tanhf(0.7978845834732056f * (v + 0.044714998453855515f * v * v * v)));
  }
}
