// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q8_0 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_0: 32 values a block, each qs[j] * d.

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) matvec_q8_0(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int blocksPerRow = (k / 32u);
  const unsigned int firstBlock = blockIdx.x * blocksPerRow;
  // each invocation takes every workgroupSize-th block of the row [line 26]
  float acc = 0.0f;
  for (unsigned int b = threadIdx.x; b < blocksPerRow; b += 64u) {
    const unsigned int blk = firstBlock + b;
    float dot_ = 0.0f;
    for (unsigned int j = 0u; j < 32u; j += 1u) {
      dot_ += (float)((int)*(const signed char*)(W + blk * 34u + 2u + j)) * x[b * 32u + j];
    }
    // one scale per block: multiply once, after the integer-valued dot [line 34]
    acc += __half2float(*(const __half*)(W + blk * 34u)) * dot_;
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 36]
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
    out[blockIdx.x] = total;
  }
}
