// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) softmax(
    const float* __restrict__ x,
    float* __restrict__ out,
    unsigned int n) {
  __shared__ float wg_scratch[256];
  const unsigned int row = blockIdx.x * n;
  // the lowest finite f32 stands in for -inf, which WGSL cannot spell [line 11]
  float m = -3.4028234663852886e+38f;
  for (unsigned int i = threadIdx.x; i < n; i += 256u) {
    m = fmaxf(m, x[row + i]);
  }
  // subtracting the row max keeps exp() from overflowing
  // workgroupMax: tree reduction over 256 invocations in shared memory [line 16]
  wg_scratch[threadIdx.x] = m;
  __syncthreads();
  {
    if (threadIdx.x < 128u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 128u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 64u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 64u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 32u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 32u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 16u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 16u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 8u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 8u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 4u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 4u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 2u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 2u]);
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 1u) {
      wg_scratch[threadIdx.x] = fmaxf(wg_scratch[threadIdx.x], wg_scratch[threadIdx.x + 1u]);
    }
    __syncthreads();
  }
  const float rowMax = wg_scratch[0u];
  __syncthreads();
  float sum = 0.0f;
  for (unsigned int i_1 = threadIdx.x; i_1 < n; i_1 += 256u) {
    const float e = expf(x[row + i_1] - rowMax);
    out[row + i_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 23]
  wg_scratch[threadIdx.x] = sum;
  __syncthreads();
  {
    if (threadIdx.x < 128u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 128u];
    }
    __syncthreads();
  }
  {
    if (threadIdx.x < 64u) {
      wg_scratch[threadIdx.x] = wg_scratch[threadIdx.x] + wg_scratch[threadIdx.x + 64u];
    }
    __syncthreads();
  }
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
  const float inv = 1.0f / total;
  // each invocation rescales only the values it wrote, so no barrier is needed [line 26]
  for (unsigned int i_2 = threadIdx.x; i_2 < n; i_2 += 256u) {
    out[row + i_2] = out[row + i_2] * inv;
  }
}
