// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q6_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) matvec_q6_k(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 363]
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = row * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh [line 367]
    const unsigned int half_ = j >> 7u;
    const unsigned int quarter = (j & 127u) >> 5u;
    const unsigned int l = j & 31u;
    const unsigned int lowByte = (unsigned int)*(W + blk * 210u + (half_ * 64u + l + (quarter & 1u) * 32u));
    unsigned int low = lowByte & 15u;
    if (quarter >= 2u) {
      low = lowByte >> 4u;
    }
    const unsigned int high = ((unsigned int)*(W + blk * 210u + 128u + (half_ * 32u + l)) >> (quarter * 2u)) & 3u;
    const int q = (int)(low | (high << 4u)) - 32;
    const float w = __half2float(*(const __half*)(W + blk * 210u + 208u)) * (float)((int)*(const signed char*)(W + blk * 210u + 192u + (half_ * 8u + (l >> 4u) + quarter * 2u))) * (float)(q);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 380]
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
