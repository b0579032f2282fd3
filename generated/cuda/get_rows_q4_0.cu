// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q4_0 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_0: x = d * (q - 8), q the nibble of value j

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_q4_0(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 32u) + (i / 32u);
    const unsigned int j = i % 32u;
    // values 0..15 are the low nibbles of qs, 16..31 the high ones [line 63]
    const unsigned int byte = (unsigned int)*(W + blk * 18u + 2u + (j & 15u));
    unsigned int q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    const float w = (float)((int)(q) - 8) * __half2float(*(const __half*)(W + blk * 18u));
    out[blockIdx.x * k + i] = w;
  }
}
