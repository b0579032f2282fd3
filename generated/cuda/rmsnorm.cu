// GENERATED — do not edit; source: engine/kernels/norm.kernel.ts
// kernel rmsnorm (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) rmsnorm(
    const float* __restrict__ x,
    const float* __restrict__ w,
    float* __restrict__ out,
    unsigned int n,
    float eps) {
  __shared__ float wg_scratch[256];
  const unsigned int row = blockIdx.x * n;
  // each invocation sums the squares of a strided slice of the row [line 16]
  float ss = 0.0f;
  for (unsigned int i = threadIdx.x; i < n; i += 256u) {
    const float v = x[row + i];
    ss += v * v;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 21]
  wg_scratch[threadIdx.x] = ss;
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
  const float scale = rsqrtf(total / (float)(n) + eps);
  for (unsigned int i_1 = threadIdx.x; i_1 < n; i_1 += 256u) {
    out[row + i_1] = x[row + i_1] * scale * w[i_1];
  }
}
