// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q2_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_q2_k(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values [line 157]
    const unsigned int half_ = j >> 7u;
    const unsigned int plane = (j & 127u) >> 5u;
    const unsigned int p = j & 31u;
    const unsigned int sc = (unsigned int)*(W + blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u)));
    const float dl = __half2float(*(const __half*)(W + blk * 84u + 80u)) * (float)(sc & 15u);
    const float ml = __half2float(*(const __half*)(W + blk * 84u + 82u)) * (float)(sc >> 4u);
    const float w = dl * (float)(((unsigned int)*(W + blk * 84u + 16u + (half_ * 32u + p)) >> (plane * 2u)) & 3u) - ml;
    out[blockIdx.x * k + i] = w;
  }
}
