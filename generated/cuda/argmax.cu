// GENERATED — do not edit; source: engine/kernels/argmax.kernel.ts
// kernel argmax (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) argmax(
    const float* __restrict__ x,
    unsigned int* __restrict__ out,
    unsigned int n) {
  __shared__ float bestValue[256];
  __shared__ unsigned int bestIndex[256];
  const unsigned int row = blockIdx.x * n;
  // each invocation scans a strided slice; ascending order keeps its lowest index on ties
  // `at === n` marks "nothing seen yet", so the first value is taken whatever it is [line 15]
  float best = 0.0f;
  unsigned int at = n;
  for (unsigned int i = threadIdx.x; i < n; i += 256u) {
    const float v = x[row + i];
    if (at == n || v > best) {
      best = v;
      at = i;
    }
  }
  bestValue[threadIdx.x] = best;
  bestIndex[threadIdx.x] = at;
  __syncthreads();
  // a tree over the workgroup: the larger value wins, the lower index breaks ties [line 28]
  for (unsigned int stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (threadIdx.x < stride) {
      const float v_1 = bestValue[threadIdx.x + stride];
      const unsigned int j = bestIndex[threadIdx.x + stride];
      const float mine = bestValue[threadIdx.x];
      if (j < n && (bestIndex[threadIdx.x] == n || v_1 > mine || (v_1 == mine && j < bestIndex[threadIdx.x]))) {
        bestValue[threadIdx.x] = v_1;
        bestIndex[threadIdx.x] = j;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0u) {
    out[blockIdx.x] = bestIndex[0u];
  }
}
