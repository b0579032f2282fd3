// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q4_k (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) matvec_q4_k(
    const unsigned char* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 311]
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = row * (k / 256u) + (i / 256u);
    const unsigned int j = i % 256u;
    const unsigned int is_ = j >> 5u;
    const unsigned int l = j & 31u;
    // inlined scaleK4() [line 15]
    const unsigned int is_1 = is_;
    unsigned int sc = 0u;
    if (is_1 < 4u) {
      sc = (unsigned int)*(W + blk * 144u + 4u + is_1) & 63u;
    } else {
      sc = ((unsigned int)*(W + blk * 144u + 4u + (is_1 + 4u)) & 15u) | (((unsigned int)*(W + blk * 144u + 4u + (is_1 - 4u)) >> 6u) << 4u);
    }
    const unsigned int scaleK4 = sc;
    const unsigned int sc_1 = scaleK4;
    // inlined minK4() [line 25]
    const unsigned int is_2 = is_;
    unsigned int mn = 0u;
    if (is_2 < 4u) {
      mn = (unsigned int)*(W + blk * 144u + 4u + (is_2 + 4u)) & 63u;
    } else {
      mn = ((unsigned int)*(W + blk * 144u + 4u + (is_2 + 4u)) >> 4u) | (((unsigned int)*(W + blk * 144u + 4u + is_2) >> 6u) << 4u);
    }
    const unsigned int minK4 = mn;
    const unsigned int mn_1 = minK4;
    // inlined nibbleK4() [line 37]
    const unsigned int is_3 = is_;
    const unsigned int l_1 = l;
    const unsigned int byte = (unsigned int)*(W + blk * 144u + 16u + ((is_3 >> 1u) * 32u + l_1));
    unsigned int q = byte & 15u;
    if ((is_3 & 1u) == 1u) {
      q = byte >> 4u;
    }
    const unsigned int nibbleK4 = q;
    const unsigned int q_1 = nibbleK4;
    const float w = __half2float(*(const __half*)(W + blk * 144u)) * (float)(sc_1) * (float)(q_1) - __half2float(*(const __half*)(W + blk * 144u + 2u)) * (float)(mn_1);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 322]
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
