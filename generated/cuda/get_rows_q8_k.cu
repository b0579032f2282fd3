// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q8_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_k: x = d * q with an f32 scale per 256 values (the k-quants' activation type)

extern "C" __global__ void __launch_bounds__(64) get_rows_q8_k(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    out[blockIdx.x * k + i] = *(const float*)(W + blk * 292u) * (float)((int)*(const signed char*)(W + blk * 292u + 4u + i % 256u));
  }
}
