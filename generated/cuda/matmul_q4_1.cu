// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_q4_1 (CUDA), workgroup 16x16x1; regenerate with `npm run codegen`
//
// q4_1: x = d * q + m

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(256) matmul_q4_1(
    const unsigned char* __restrict__ W,
    const float* __restrict__ X,
    float* __restrict__ out,
    unsigned int k,
    unsigned int rows,
    unsigned int tokens) {
  __shared__ float wTile[512];
  __shared__ float xTile[512];
  const unsigned int flat = threadIdx.y * 16u + threadIdx.x;
  float acc = 0.0f;
  for (unsigned int k0 = 0u; k0 < k; k0 += 32u) {
    // 256 invocations fill 512 slots of each tile, two each [line 228]
    {
      const unsigned int slot_0 = flat;
      const unsigned int r_0 = blockIdx.x * 16u + (slot_0 >> 5u);
      const unsigned int i_0 = k0 + (slot_0 & 31u);
      float wv_0 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 234]
      if (r_0 < rows && i_0 < k) {
        const unsigned int blk_0 = r_0 * (k / 32u) + (i_0 / 32u);
        const unsigned int j_0 = i_0 % 32u;
        const unsigned int byte_0 = (unsigned int)*(W + blk_0 * 20u + 4u + (j_0 & 15u));
        unsigned int q_0 = byte_0 & 15u;
        if (j_0 >= 16u) {
          q_0 = byte_0 >> 4u;
        }
        const float w_0 = (float)(q_0) * __half2float(*(const __half*)(W + blk_0 * 20u)) + __half2float(*(const __half*)(W + blk_0 * 20u + 2u));
        wv_0 = w_0;
      }
      wTile[slot_0] = wv_0;
      const unsigned int tok_0 = blockIdx.y * 16u + (slot_0 >> 5u);
      float xv_0 = 0.0f;
      if (tok_0 < tokens && i_0 < k) {
        xv_0 = X[tok_0 * k + i_0];
      }
      xTile[slot_0] = xv_0;
    }
    {
      const unsigned int slot_1 = flat + 256u;
      const unsigned int r_1 = blockIdx.x * 16u + (slot_1 >> 5u);
      const unsigned int i_1 = k0 + (slot_1 & 31u);
      float wv_1 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 234]
      if (r_1 < rows && i_1 < k) {
        const unsigned int blk_1 = r_1 * (k / 32u) + (i_1 / 32u);
        const unsigned int j_1 = i_1 % 32u;
        const unsigned int byte_1 = (unsigned int)*(W + blk_1 * 20u + 4u + (j_1 & 15u));
        unsigned int q_1 = byte_1 & 15u;
        if (j_1 >= 16u) {
          q_1 = byte_1 >> 4u;
        }
        const float w_1 = (float)(q_1) * __half2float(*(const __half*)(W + blk_1 * 20u)) + __half2float(*(const __half*)(W + blk_1 * 20u + 2u));
        wv_1 = w_1;
      }
      wTile[slot_1] = wv_1;
      const unsigned int tok_1 = blockIdx.y * 16u + (slot_1 >> 5u);
      float xv_1 = 0.0f;
      if (tok_1 < tokens && i_1 < k) {
        xv_1 = X[tok_1 * k + i_1];
      }
      xTile[slot_1] = xv_1;
    }
    __syncthreads();
    for (unsigned int kk = 0u; kk < 32u; kk += 1u) {
      acc += wTile[threadIdx.x * 32u + kk] * xTile[threadIdx.y * 32u + kk];
    }
    // the next iteration overwrites the tiles [line 258]
    __syncthreads();
  }
  const unsigned int row = blockIdx.x * 16u + threadIdx.x;
  const unsigned int tok_1 = blockIdx.y * 16u + threadIdx.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
