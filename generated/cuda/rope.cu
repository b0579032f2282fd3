// GENERATED — do not edit; source: engine/kernels/rope_table.kernel.ts
// kernel rope (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(64) rope(
    float* __restrict__ x,
    const float* __restrict__ table,
    const unsigned int* __restrict__ step,
    unsigned int nHeads,
    unsigned int headDim,
    unsigned int nRot,
    unsigned int neox) {
  const unsigned int half_ = nRot >> 1u;
  const unsigned int idx = (blockIdx.x * blockDim.x + threadIdx.x);
  if (idx < (nHeads * half_)) {
    const unsigned int h = (idx / half_);
    const unsigned int i = idx - h * half_;
    unsigned int a = h * headDim + 2u * i;
    unsigned int b = a + 1u;
    if (neox == 1u) {
      // NeoX rotates the first half of the head against the second [line 32]
      a = h * headDim + i;
      b = a + half_;
    }
    const unsigned int t = (step[0u] * half_ + i) * 2u;
    const float c = table[t];
    const float s = table[t + 1u];
    const float x0 = x[a];
    const float x1 = x[b];
    x[a] = x0 * c - x1 * s;
    x[b] = x0 * s + x1 * c;
  }
}
