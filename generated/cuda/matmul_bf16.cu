// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_bf16 (CUDA), workgroup 16x16x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

extern "C" __global__ void __launch_bounds__(256) matmul_bf16(
    const unsigned int* __restrict__ W,
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
    // 256 invocations fill 512 slots of each tile, two each [line 131]
    {
      const unsigned int slot_0 = flat;
      const unsigned int r_0 = blockIdx.x * 16u + (slot_0 >> 5u);
      const unsigned int i_0 = k0 + (slot_0 & 31u);
      float wv_0 = 0.0f;
      if (r_0 < rows) {
        const unsigned int e_0 = r_0 * k + i_0;
        const unsigned int h_0 = (W[e_0 >> 1u] >> ((e_0 & 1u) * 16u)) & 65535u;
        // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 140]
        const unsigned int expo_0 = (h_0 >> 7u) & 255u;
        float mag_0 = (float)((h_0 & 127u) | 128u);
        if (expo_0 == 0u) {
          mag_0 = 0.0f;
        }
        int t_0 = (int)(expo_0) - 134;
        {
          if (t_0 > 30) {
            mag_0 = mag_0 * 1073741824.0f;
            t_0 = t_0 - 30;
          } else {
            if (t_0 < -30) {
              mag_0 = mag_0 * 9.313225746154785e-10f;
              t_0 = t_0 + 30;
            }
          }
        }
        {
          if (t_0 > 30) {
            mag_0 = mag_0 * 1073741824.0f;
            t_0 = t_0 - 30;
          } else {
            if (t_0 < -30) {
              mag_0 = mag_0 * 9.313225746154785e-10f;
              t_0 = t_0 + 30;
            }
          }
        }
        {
          if (t_0 > 30) {
            mag_0 = mag_0 * 1073741824.0f;
            t_0 = t_0 - 30;
          } else {
            if (t_0 < -30) {
              mag_0 = mag_0 * 9.313225746154785e-10f;
              t_0 = t_0 + 30;
            }
          }
        }
        {
          if (t_0 > 30) {
            mag_0 = mag_0 * 1073741824.0f;
            t_0 = t_0 - 30;
          } else {
            if (t_0 < -30) {
              mag_0 = mag_0 * 9.313225746154785e-10f;
              t_0 = t_0 + 30;
            }
          }
        }
        {
          if (t_0 > 30) {
            mag_0 = mag_0 * 1073741824.0f;
            t_0 = t_0 - 30;
          } else {
            if (t_0 < -30) {
              mag_0 = mag_0 * 9.313225746154785e-10f;
              t_0 = t_0 + 30;
            }
          }
        }
        if (t_0 >= 0) {
          mag_0 = mag_0 * (float)(1 << (unsigned int)(t_0));
        } else {
          mag_0 = mag_0 / (float)(1 << (unsigned int)(-t_0));
        }
        float w_0 = mag_0;
        if ((h_0 >> 15u) == 1u) {
          w_0 = -mag_0;
        }
        wv_0 = w_0;
      }
      wTile[slot_0] = wv_0;
      const unsigned int tok_0 = blockIdx.y * 16u + (slot_0 >> 5u);
      float xv_0 = 0.0f;
      if (tok_0 < tokens) {
        xv_0 = X[tok_0 * k + i_0];
      }
      xTile[slot_0] = xv_0;
    }
    {
      const unsigned int slot_1 = flat + 256u;
      const unsigned int r_1 = blockIdx.x * 16u + (slot_1 >> 5u);
      const unsigned int i_1 = k0 + (slot_1 & 31u);
      float wv_1 = 0.0f;
      if (r_1 < rows) {
        const unsigned int e_1 = r_1 * k + i_1;
        const unsigned int h_1 = (W[e_1 >> 1u] >> ((e_1 & 1u) * 16u)) & 65535u;
        // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 140]
        const unsigned int expo_1 = (h_1 >> 7u) & 255u;
        float mag_1 = (float)((h_1 & 127u) | 128u);
        if (expo_1 == 0u) {
          mag_1 = 0.0f;
        }
        int t_1 = (int)(expo_1) - 134;
        {
          if (t_1 > 30) {
            mag_1 = mag_1 * 1073741824.0f;
            t_1 = t_1 - 30;
          } else {
            if (t_1 < -30) {
              mag_1 = mag_1 * 9.313225746154785e-10f;
              t_1 = t_1 + 30;
            }
          }
        }
        {
          if (t_1 > 30) {
            mag_1 = mag_1 * 1073741824.0f;
            t_1 = t_1 - 30;
          } else {
            if (t_1 < -30) {
              mag_1 = mag_1 * 9.313225746154785e-10f;
              t_1 = t_1 + 30;
            }
          }
        }
        {
          if (t_1 > 30) {
            mag_1 = mag_1 * 1073741824.0f;
            t_1 = t_1 - 30;
          } else {
            if (t_1 < -30) {
              mag_1 = mag_1 * 9.313225746154785e-10f;
              t_1 = t_1 + 30;
            }
          }
        }
        {
          if (t_1 > 30) {
            mag_1 = mag_1 * 1073741824.0f;
            t_1 = t_1 - 30;
          } else {
            if (t_1 < -30) {
              mag_1 = mag_1 * 9.313225746154785e-10f;
              t_1 = t_1 + 30;
            }
          }
        }
        {
          if (t_1 > 30) {
            mag_1 = mag_1 * 1073741824.0f;
            t_1 = t_1 - 30;
          } else {
            if (t_1 < -30) {
              mag_1 = mag_1 * 9.313225746154785e-10f;
              t_1 = t_1 + 30;
            }
          }
        }
        if (t_1 >= 0) {
          mag_1 = mag_1 * (float)(1 << (unsigned int)(t_1));
        } else {
          mag_1 = mag_1 / (float)(1 << (unsigned int)(-t_1));
        }
        float w_1 = mag_1;
        if ((h_1 >> 15u) == 1u) {
          w_1 = -mag_1;
        }
        wv_1 = w_1;
      }
      wTile[slot_1] = wv_1;
      const unsigned int tok_1 = blockIdx.y * 16u + (slot_1 >> 5u);
      float xv_1 = 0.0f;
      if (tok_1 < tokens) {
        xv_1 = X[tok_1 * k + i_1];
      }
      xTile[slot_1] = xv_1;
    }
    __syncthreads();
    for (unsigned int kk = 0u; kk < 32u; kk += 1u) {
      acc += wTile[threadIdx.x * 32u + kk] * xTile[threadIdx.y * 32u + kk];
    }
    // the next iteration overwrites the tiles [line 179]
    __syncthreads();
  }
  const unsigned int row = blockIdx.x * 16u + threadIdx.x;
  const unsigned int tok_1 = blockIdx.y * 16u + threadIdx.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
