// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_bf16 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

extern "C" __global__ void __launch_bounds__(64) matvec_bf16(
    const unsigned int* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th run of 32 values (one scale each in every type) [line 102]
  for (unsigned int g = threadIdx.x; g < (k >> 5u); g += 64u) {
    for (unsigned int jj = 0u; jj < 32u; jj += 1u) {
      const unsigned int i = g * 32u + jj;
      const unsigned int e = row * k + i;
      const unsigned int h = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
      // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 108]
      const unsigned int expo = (h >> 7u) & 255u;
      float mag = (float)((h & 127u) | 128u);
      if (expo == 0u) {
        mag = 0.0f;
      }
      int t = (int)(expo) - 134;
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      if (t >= 0) {
        mag = mag * (float)(1 << (unsigned int)(t));
      } else {
        mag = mag / (float)(1 << (unsigned int)(-t));
      }
      float w = mag;
      if ((h >> 15u) == 1u) {
        w = -mag;
      }
      acc += w * x[i];
    }
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 135]
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
