// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q5_1 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_1: x = d * q + m, q's 5th bit from qh

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) matvec_q5_1(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 217]
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = row * (k / 32u) + (i / 32u);
    const unsigned int j = i % 32u;
    const unsigned int byte = (unsigned int)*(W + blk * 24u + 8u + (j & 15u));
    unsigned int q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    q = q | ((((unsigned int)*(W + blk * 24u + 4u + (j >> 3u)) >> (j & 7u)) & 1u) << 4u);
    const float w = (float)(q) * __half2float(*(const __half*)(W + blk * 24u)) + __half2float(*(const __half*)(W + blk * 24u + 2u));
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 229]
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
