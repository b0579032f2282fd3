// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q5_0 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_0: x = d * (q - 16), q's 5th bit from qh

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_q5_0(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 32u) + (i / 32u);
    const unsigned int j = i % 32u;
    const unsigned int byte = (unsigned int)*(W + blk * 22u + 6u + (j & 15u));
    unsigned int q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    // bit j of the little-endian qh word [line 107]
    q = q | ((((unsigned int)*(W + blk * 22u + 2u + (j >> 3u)) >> (j & 7u)) & 1u) << 4u);
    const float w = (float)((int)(q) - 16) * __half2float(*(const __half*)(W + blk * 22u));
    out[blockIdx.x * k + i] = w;
  }
}
