// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f32 (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) kv_store_f32(
    const float* __restrict__ src,
    float* __restrict__ dst,
    const unsigned int* __restrict__ step,
    unsigned int n) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    dst[step[0u] * n + i] = src[i];
  }
}
