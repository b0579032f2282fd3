// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q3_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_q3_k(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    const unsigned int half_ = j >> 7u;
    const unsigned int plane = (j & 127u) >> 5u;
    const unsigned int p = j & 31u;
    const unsigned int is_ = half_ * 8u + plane * 2u + (p >> 4u);
    // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 182]
    unsigned int lo = 0u;
    if (is_ < 8u) {
      lo = (unsigned int)*(W + blk * 110u + 96u + is_) & 15u;
    } else {
      lo = (unsigned int)*(W + blk * 110u + 96u + (is_ - 8u)) >> 4u;
    }
    const unsigned int hi = ((unsigned int)*(W + blk * 110u + 96u + (8u + (is_ & 3u))) >> ((is_ >> 2u) * 2u)) & 3u;
    const float dl = __half2float(*(const __half*)(W + blk * 110u + 108u)) * (float)((int)(lo | (hi << 4u)) - 32);
    // a clear high bit subtracts 4 [line 191]
    int q = (int)(((unsigned int)*(W + blk * 110u + 32u + (half_ * 32u + p)) >> (plane * 2u)) & 3u);
    if ((((unsigned int)*(W + blk * 110u + p) >> (half_ * 4u + plane)) & 1u) == 0u) {
      q = q - 4;
    }
    const float w = dl * (float)(q);
    out[blockIdx.x * k + i] = w;
  }
}
