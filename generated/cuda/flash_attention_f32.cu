// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel flash_attention_f32 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// flash, f32 KV cache

extern "C" __global__ void __launch_bounds__(64) flash_attention_f32(
    const float* __restrict__ q,
    const float* __restrict__ kCache,
    const float* __restrict__ vCache,
    float* __restrict__ out,
    unsigned int nHead,
    unsigned int nKvHead,
    unsigned int headDim,
    unsigned int nPast,
    float scale,
    float softcap,
    unsigned int window) {
  __shared__ float tile[64];
  __shared__ float acc[256];
  __shared__ float wg_scratch[64];
  const unsigned int h = blockIdx.x;
  const unsigned int t = blockIdx.y;
  const unsigned int pos = nPast + t;
  // grouped-query attention: consecutive query heads share a KV head [line 153]
  const unsigned int kvOffset = (h / (nHead / nKvHead)) * headDim;
  const unsigned int kvDim = nKvHead * headDim;
  const unsigned int qOffset = (t * nHead + h) * headDim;
  // causal, and (window > 0) only the last `window` positions [line 157]
  unsigned int first = 0u;
  if (window > 0u && (pos + 1u) > window) {
    first = pos + 1u - window;
  }
  const unsigned int n = pos + 1u - first;
  for (unsigned int d = threadIdx.x; d < headDim; d += 64u) {
    acc[d] = 0.0f;
  }
  // the running max and sum of the online softmax (the same in every invocation) [line 166]
  float m = -3.4028234663852886e+38f;
  float l = 0.0f;
  for (unsigned int j0 = 0u; j0 < n; j0 += 64u) {
    // each invocation scores one position of the tile [line 170]
    const unsigned int j = j0 + threadIdx.x;
    float s = -3.4028234663852886e+38f;
    if (j < n) {
      float dot_ = 0.0f;
      for (unsigned int i = 0u; i < headDim; i += 1u) {
        const float kv = kCache[(first + j) * kvDim + kvOffset + i];
        dot_ += q[qOffset + i] * kv;
      }
      s = dot_ * scale;
      // gemma2's soft-capping of the scores [line 180]
      if (softcap > 0.0f) {
        s = softcap * tanhf(s / softcap);
      }
    }
    // workgroupMax: tree reduction over 64 invocations in shared memory [line 184]
    wg_scratch[threadIdx.x] = s;
    __syncthreads();
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
    const float tileMax = wg_scratch[0u];
    __syncthreads();
    const float mNew = fmaxf(m, tileMax);
    // rescale what was summed under the old max [line 187]
    const float correction = expf(m - mNew);
    float p = 0.0f;
    if (j < n) {
      p = expf(s - mNew);
    }
    tile[threadIdx.x] = p;
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 193]
    wg_scratch[threadIdx.x] = p;
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
    const float tileSum = wg_scratch[0u];
    __syncthreads();
    l = l * correction + tileSum;
    m = mNew;
    __syncthreads();
    const unsigned int tileLen = min(n - j0, 64u);
    for (unsigned int d_1 = threadIdx.x; d_1 < headDim; d_1 += 64u) {
      float a = acc[d_1] * correction;
      for (unsigned int jj = 0u; jj < tileLen; jj += 1u) {
        const float vv = vCache[(first + j0 + jj) * kvDim + kvOffset + d_1];
        a += tile[jj] * vv;
      }
      acc[d_1] = a;
    }
    // the next tile overwrites `tile` [line 207]
    __syncthreads();
  }
  for (unsigned int d_2 = threadIdx.x; d_2 < headDim; d_2 += 64u) {
    out[qOffset + d_2] = acc[d_2] / l;
  }
}
