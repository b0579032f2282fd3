// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q3_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) matvec_q3_k(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 272]
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = row * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    const unsigned int half_ = j >> 7u;
    const unsigned int plane = (j & 127u) >> 5u;
    const unsigned int p = j & 31u;
    const unsigned int is_ = half_ * 8u + plane * 2u + (p >> 4u);
    // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 280]
    unsigned int lo = 0u;
    if (is_ < 8u) {
      lo = (unsigned int)*(W + blk * 110u + 96u + is_) & 15u;
    } else {
      lo = (unsigned int)*(W + blk * 110u + 96u + (is_ - 8u)) >> 4u;
    }
    const unsigned int hi = ((unsigned int)*(W + blk * 110u + 96u + (8u + (is_ & 3u))) >> ((is_ >> 2u) * 2u)) & 3u;
    const float dl = __half2float(*(const __half*)(W + blk * 110u + 108u)) * (float)((int)(lo | (hi << 4u)) - 32);
    // a clear high bit subtracts 4 [line 289]
    int q = (int)(((unsigned int)*(W + blk * 110u + 32u + (half_ * 32u + p)) >> (plane * 2u)) & 3u);
    if ((((unsigned int)*(W + blk * 110u + p) >> (half_ * 4u + plane)) & 1u) == 0u) {
      q = q - 4;
    }
    const float w = dl * (float)(q);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 296]
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
