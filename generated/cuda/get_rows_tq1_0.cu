// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq1_0 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq1_0: x = d * t, t in {-1, 0, 1}; qs bytes hold five base-3 digits scaled to 0..255 (values 0..159 by
// 32-byte runs, 160..239 by 16-byte runs), qh bytes four more (values 240..255)

#include <cuda_fp16.h>

__constant__ unsigned int POW3[5] = {
    1u, 3u, 9u, 27u, 81u
};

extern "C" __global__ void __launch_bounds__(64) get_rows_tq1_0(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    unsigned int byte = 0u;
    unsigned int digit = 0u;
    if (j < 160u) {
      byte = (unsigned int)*(W + blk * 54u + (j & 31u));
      digit = j >> 5u;
    } else {
      if (j < 240u) {
        byte = (unsigned int)*(W + blk * 54u + (32u + ((j - 160u) & 15u)));
        digit = (j - 160u) >> 4u;
      } else {
        byte = (unsigned int)*(W + blk * 54u + 48u + ((j - 240u) & 3u));
        digit = (j - 240u) >> 2u;
      }
    }
    // multiplying by 3^digit moves the digit to the top; * 3 >> 8 reads it back as 0, 1 or 2 [line 399]
    const int t = (int)((((byte * POW3[digit]) & 255u) * 3u) >> 8u) - 1;
    out[blockIdx.x * k + i] = (float)(t) * __half2float(*(const __half*)(W + blk * 54u + 52u));
  }
}
