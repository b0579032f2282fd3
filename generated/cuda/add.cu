// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel add (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = a[i] + b[i]; one invocation per value.

extern "C" __global__ void __launch_bounds__(256) add(
    const float* __restrict__ a,
    const float* __restrict__ b,
    float* __restrict__ out,
    unsigned int n) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  // the last workgroup may run past n [line 12]
  if (i < n) {
    out[i] = a[i] + b[i];
  }
}
