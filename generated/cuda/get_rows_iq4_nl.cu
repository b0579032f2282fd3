// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_iq4_nl (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid

#include <cuda_fp16.h>

__constant__ int KVALUES_IQ4NL[16] = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
};

extern "C" __global__ void __launch_bounds__(64) get_rows_iq4_nl(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 32u) + (i / 32u);
    const unsigned int j = i % 32u;
    const unsigned int byte = (unsigned int)*(W + blk * 18u + 2u + (j & 15u));
    unsigned int q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    const float w = __half2float(*(const __half*)(W + blk * 18u)) * (float)(KVALUES_IQ4NL[q]);
    out[blockIdx.x * k + i] = w;
  }
}
