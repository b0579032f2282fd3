// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q2_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) matvec_q2_k(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 244]
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = row * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values [line 248]
    const unsigned int half_ = j >> 7u;
    const unsigned int plane = (j & 127u) >> 5u;
    const unsigned int p = j & 31u;
    const unsigned int sc = (unsigned int)*(W + blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u)));
    const float dl = __half2float(*(const __half*)(W + blk * 84u + 80u)) * (float)(sc & 15u);
    const float ml = __half2float(*(const __half*)(W + blk * 84u + 82u)) * (float)(sc >> 4u);
    const float w = dl * (float)(((unsigned int)*(W + blk * 84u + 16u + (half_ * 32u + p)) >> (plane * 2u)) & 3u) - ml;
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 257]
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
