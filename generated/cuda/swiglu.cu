// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel swiglu (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) swiglu(
    const float* __restrict__ gate,
    const float* __restrict__ up,
    float* __restrict__ out,
    unsigned int n) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    const float g = gate[i];
    // silu(g) = g * sigmoid(g); exp(-g) overflowing to +inf gives the right limit, -0 [line 15]
    out[i] = g / (1.0f + expf(-g)) * up[i];
  }
}
