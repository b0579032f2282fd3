// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax_masked (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`
//
// Softmax with scale and additive mask, as attention uses it: out[r, i] = softmax(x[r, :] * scale +
// mask[r % maskRows, :])[i]. Shapes: x, out (rows, n); mask (maskRows, n), -inf where a position is hidden
// (the causal mask); one mask row serves every head of a token when rows = heads * maskRows in that order.
// Reference: engine/reference/ops.ts softmax after the scale and mask; ggml counterpart: ggml_soft_max_ext.

extern "C" __global__ void __launch_bounds__(256) softmax_masked(
    const float* __restrict__ x,
    const float* __restrict__ mask,
    float* __restrict__ out,
    unsigned int n,
    float scale,
    unsigned int maskRows) {
  __shared__ float wg_scratch[256];
  const unsigned int row = blockIdx.x * n;
  const unsigned int maskRow = blockIdx.x % maskRows * n;
  float m = -3.4028234663852886e+38f;
  for (unsigned int i = threadIdx.x; i < n; i += 256u) {
    const float v = x[row + i] * scale + mask[maskRow + i];
    out[row + i] = v;
    m = fmaxf(m, v);
  }
  // workgroupMax: tree reduction over 256 invocations in shared memory [line 52]
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
    // a masked value is -inf, and exp(-inf) is 0 [line 56]
    const float e = expf(out[row + i_1] - rowMax);
    out[row + i_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 60]
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
  for (unsigned int i_2 = threadIdx.x; i_2 < n; i_2 += 256u) {
    out[row + i_2] = out[row + i_2] * inv;
  }
}
