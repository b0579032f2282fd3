// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_iq4_xs (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales

#include <cuda_fp16.h>

__constant__ int KVALUES_IQ4NL[16] = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
};

extern "C" __global__ void __launch_bounds__(64) get_rows_iq4_xs(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    const unsigned int ib = j >> 5u;
    const unsigned int l = j & 31u;
    const unsigned int ls = (((unsigned int)*(W + blk * 136u + 4u + (ib >> 1u)) >> ((ib & 1u) * 4u)) & 15u) | ((((unsigned int)*(const unsigned short*)(W + blk * 136u + 2u) >> (ib * 2u)) & 3u) << 4u);
    const float dl = __half2float(*(const __half*)(W + blk * 136u)) * (float)((int)(ls) - 32);
    const unsigned int byte = (unsigned int)*(W + blk * 136u + 8u + (ib * 16u + (l & 15u)));
    unsigned int q = byte & 15u;
    if (l >= 16u) {
      q = byte >> 4u;
    }
    const float w = dl * (float)(KVALUES_IQ4NL[q]);
    out[blockIdx.x * k + i] = w;
  }
}
