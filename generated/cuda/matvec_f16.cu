// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_f16 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

extern "C" __global__ void __launch_bounds__(64) matvec_f16(
    const unsigned int* __restrict__ W,
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int k) {
  __shared__ float wg_scratch[64];
  const unsigned int row = blockIdx.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th run of 32 values (one scale each in every type) [line 69]
  for (unsigned int g = threadIdx.x; g < (k >> 5u); g += 64u) {
    for (unsigned int jj = 0u; jj < 32u; jj += 1u) {
      const unsigned int i = g * 32u + jj;
      const unsigned int e = row * k + i;
      const unsigned int h = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
      // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 75]
      const unsigned int expo = (h >> 10u) & 31u;
      const unsigned int mant = h & 1023u;
      float mag = (float)(mant) * 5.960464477539063e-8f;
      if (expo > 0u) {
        mag = (float)(mant | 1024u) * ((float)(1 << expo) * 2.9802322387695312e-8f);
      }
      float w = mag;
      if ((h >> 15u) == 1u) {
        w = -mag;
      }
      acc += w * x[i];
    }
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 88]
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
