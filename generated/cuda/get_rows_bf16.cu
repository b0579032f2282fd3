// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_bf16 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

extern "C" __global__ void __launch_bounds__(64) get_rows_bf16(
    const unsigned int* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int e = src * k + i;
    const unsigned int h = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
    // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 58]
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
    out[blockIdx.x * k + i] = w;
  }
}
