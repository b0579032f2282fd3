// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_q6_k (CUDA), workgroup 16x16x1; regenerate with `npm run codegen`
//
// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(256) matmul_q6_k(
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
    // 256 invocations fill 512 slots of each tile, two each [line 700]
    {
      const unsigned int slot_0 = flat;
      const unsigned int r_0 = blockIdx.x * 16u + (slot_0 >> 5u);
      const unsigned int i_0 = k0 + (slot_0 & 31u);
      float wv_0 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 706]
      if (r_0 < rows && i_0 < k) {
        const unsigned int blk_0 = r_0 * (k / 256u) + (i_0 / 256u);
        const unsigned int j_0 = i_0 % 256u;
        // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh [line 710]
        const unsigned int half_0 = j_0 >> 7u;
        const unsigned int quarter_0 = (j_0 & 127u) >> 5u;
        const unsigned int l_0 = j_0 & 31u;
        const unsigned int lowByte_0 = (unsigned int)*(W + blk_0 * 210u + (half_0 * 64u + l_0 + (quarter_0 & 1u) * 32u));
        unsigned int low_0 = lowByte_0 & 15u;
        if (quarter_0 >= 2u) {
          low_0 = lowByte_0 >> 4u;
        }
        const unsigned int high_0 = ((unsigned int)*(W + blk_0 * 210u + 128u + (half_0 * 32u + l_0)) >> (quarter_0 * 2u)) & 3u;
        const int q_0 = (int)(low_0 | (high_0 << 4u)) - 32;
        const float w_0 = __half2float(*(const __half*)(W + blk_0 * 210u + 208u)) * (float)((int)*(const signed char*)(W + blk_0 * 210u + 192u + (half_0 * 8u + (l_0 >> 4u) + quarter_0 * 2u))) * (float)(q_0);
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
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 706]
      if (r_1 < rows && i_1 < k) {
        const unsigned int blk_1 = r_1 * (k / 256u) + (i_1 / 256u);
        const unsigned int j_1 = i_1 % 256u;
        // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh [line 710]
        const unsigned int half_1 = j_1 >> 7u;
        const unsigned int quarter_1 = (j_1 & 127u) >> 5u;
        const unsigned int l_1 = j_1 & 31u;
        const unsigned int lowByte_1 = (unsigned int)*(W + blk_1 * 210u + (half_1 * 64u + l_1 + (quarter_1 & 1u) * 32u));
        unsigned int low_1 = lowByte_1 & 15u;
        if (quarter_1 >= 2u) {
          low_1 = lowByte_1 >> 4u;
        }
        const unsigned int high_1 = ((unsigned int)*(W + blk_1 * 210u + 128u + (half_1 * 32u + l_1)) >> (quarter_1 * 2u)) & 3u;
        const int q_1 = (int)(low_1 | (high_1 << 4u)) - 32;
        const float w_1 = __half2float(*(const __half*)(W + blk_1 * 210u + 208u)) * (float)((int)*(const signed char*)(W + blk_1 * 210u + 192u + (half_1 * 8u + (l_1 >> 4u) + quarter_1 * 2u))) * (float)(q_1);
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
    // the next iteration overwrites the tiles [line 736]
    __syncthreads();
  }
  const unsigned int row = blockIdx.x * 16u + threadIdx.x;
  const unsigned int tok_1 = blockIdx.y * 16u + threadIdx.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
