// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_f32 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f32: plain f32

extern "C" __global__ void __launch_bounds__(64) get_rows_f32(
    const float* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int e = src * k + i;
    const float w = W[e];
    out[blockIdx.x * k + i] = w;
  }
}
