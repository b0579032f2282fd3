// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel scale (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = x[i] * scale; one invocation per value.

extern "C" __global__ void __launch_bounds__(256) scale(
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int n,
    float scale) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    out[i] = x[i] * scale;
  }
}
