// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q8_1 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_1: x = d * q (s = d * sum(q) is a cached sum the value does not need)

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_q8_1(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 32u) + (i / 32u);
    out[blockIdx.x * k + i] = (float)((int)*(const signed char*)(W + blk * 36u + 4u + i % 32u)) * __half2float(*(const __half*)(W + blk * 36u));
  }
}
