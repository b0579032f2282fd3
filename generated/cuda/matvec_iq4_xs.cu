// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_iq4_xs (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales

#include <cuda_fp16.h>

__constant__ int KVALUES_IQ4NL[16] = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
};

extern "C" __global__ void __launch_bounds__(64) matvec_iq4_xs(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 421]
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = row * (k / 256u) + (i / 256u);
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
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 436]
  wg_scratch[threadIdx.x] = acc;
  __syncthreads();
  {
    if (threadIdx.x < 32u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 32u];
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 16u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 16u];
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 8u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 8u];
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 4u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 4u];
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 2u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 2u];
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 1u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 1u];
    }
    __syncthreads();
  }
  const float total = wg_scratch[0u];
  __syncthreads();
  if (threadIdx.x == 0u) {
    out[row] = total;
  }
}
