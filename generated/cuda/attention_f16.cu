// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel attention_f16 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// naive, f16 KV cache (IEEE halves, two per u32 word, low half first)

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) attention_f16(
    const float* __restrict__ q,
    const unsigned int* __restrict__ kCache,
    const unsigned int* __restrict__ vCache,
    float* __restrict__ out,
    unsigned int nHead,
    unsigned int nKvHead,
    unsigned int headDim,
    unsigned int nPast,
    float scale,
    float softcap,
    unsigned int window) {
  __shared__ float probs[2048];
  __shared__ float wg_scratch[64];
  const unsigned int h = blockIdx.x;
  const unsigned int t = blockIdx.y;
  const unsigned int pos = nPast + t;
  // grouped-query attention: consecutive query heads share a KV head [line 92]
  const unsigned int kvOffset = (h / (nHead / nKvHead)) * headDim;
  const unsigned int kvDim = nKvHead * headDim;
  const unsigned int qOffset = (t * nHead + h) * headDim;
  // causal, and (window > 0) only the last `window` positions [line 96]
  unsigned int first = 0u;
  if (window > 0u && (pos + 1u) > window) {
    first = pos + 1u - window;
  }
  const unsigned int n = pos + 1u - first;
  float m = -3.4028234663852886e+38f;
  for (unsigned int j = threadIdx.x; j < n; j += 64u) {
    float s = 0.0f;
    for (unsigned int i = 0u; i < headDim; i += 1u) {
      const float kv = __half2float(__ushort_as_half((unsigned short)(kCache[((first + j) * kvDim + kvOffset + i) >> 1u] >> ((((first + j) * kvDim + kvOffset + i) & 1u) * 16u))));
      s += q[qOffset + i] * kv;
    }
    s = s * scale;
    // gemma2's soft-capping of the scores [line 110]
    if (softcap > 0.0f) {
      s = softcap * tanhf(s / softcap);
    }
    probs[j] = s;
    m = fmaxf(m, s);
  }
  // workgroupMax: tree reduction over 64 invocations in shared memory [line 116]
  wg_scratch[threadIdx.x] = m;
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
  const float rowMax = wg_scratch[0u];
  __syncthreads();
  float sum = 0.0f;
  for (unsigned int j_1 = threadIdx.x; j_1 < n; j_1 += 64u) {
    const float e = expf(probs[j_1] - rowMax);
    probs[j_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 123]
  wg_scratch[threadIdx.x] = sum;
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
  // every invocation reads every probability below [line 125]
  __syncthreads();
  for (unsigned int d = threadIdx.x; d < headDim; d += 64u) {
    float acc = 0.0f;
    for (unsigned int j_2 = 0u; j_2 < n; j_2 += 1u) {
      const float vv = __half2float(__ushort_as_half((unsigned short)(vCache[((first + j_2) * kvDim + kvOffset + d) >> 1u] >> ((((first + j_2) * kvDim + kvOffset + d) & 1u) * 16u))));
      acc += probs[j_2] * vv;
    }
    out[qOffset + d] = acc / total;
  }
}
