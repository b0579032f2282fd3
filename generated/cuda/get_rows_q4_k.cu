// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q4_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_q4_k(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high [line 210]
    const unsigned int is_ = j >> 5u;
    const unsigned int l = j & 31u;
    // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes [line 213]
    unsigned int sc = 0u;
    unsigned int mn = 0u;
    if (is_ < 4u) {
      sc = (unsigned int)*(W + blk * 144u + 4u + is_) & 63u;
      mn = (unsigned int)*(W + blk * 144u + 4u + (is_ + 4u)) & 63u;
    } else {
      sc = ((unsigned int)*(W + blk * 144u + 4u + (is_ + 4u)) & 15u) | (((unsigned int)*(W + blk * 144u + 4u + (is_ - 4u)) >> 6u) << 4u);
      mn = ((unsigned int)*(W + blk * 144u + 4u + (is_ + 4u)) >> 4u) | (((unsigned int)*(W + blk * 144u + 4u + is_) >> 6u) << 4u);
    }
    const unsigned int byte = (unsigned int)*(W + blk * 144u + 16u + ((is_ >> 1u) * 32u + l));
    unsigned int q = byte & 15u;
    if ((is_ & 1u) == 1u) {
      q = byte >> 4u;
    }
    const float w = __half2float(*(const __half*)(W + blk * 144u)) * (float)(sc) * (float)(q) - __half2float(*(const __half*)(W + blk * 144u + 2u)) * (float)(mn);
    out[blockIdx.x * k + i] = w;
  }
}
