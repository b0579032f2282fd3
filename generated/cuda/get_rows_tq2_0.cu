// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq2_0 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq2_0: x = d * (q - 1), q a 2-bit code; each byte holds values m, m + 32, m + 64, m + 96 of its 128

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_tq2_0(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    const unsigned int q = ((unsigned int)*(W + blk * 66u + ((j >> 7u) * 32u + (j & 31u))) >> (((j & 127u) >> 5u) * 2u)) & 3u;
    out[blockIdx.x * k + i] = (float)((int)(q) - 1) * __half2float(*(const __half*)(W + blk * 66u + 64u));
  }
}
