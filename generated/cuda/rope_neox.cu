// GENERATED — do not edit; source: engine/kernels/rope.kernel.ts
// kernel rope_neox (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(64) rope_neox(
    const float* __restrict__ x,
    const unsigned int* __restrict__ pos,
    float* __restrict__ out,
    unsigned int nHeads,
    unsigned int headDim,
    unsigned int nRot,
    float freqBase,
    float freqScale) {
  const unsigned int base = (blockIdx.y * nHeads + blockIdx.x) * headDim;
  const float p = (float)(pos[blockIdx.y]);
  const unsigned int half_ = nRot >> 1u;
  for (unsigned int i = threadIdx.x; i < half_; i += 64u) {
    const float freq = powf(freqBase, (float)(i) * -2.0f / (float)(nRot));
    const float theta = p * freq * freqScale;
    const float c = cosf(theta);
    const float s = sinf(theta);
    // NeoX rotates the first half of the head against the second [line 53]
    const float x0 = x[base + i];
    const float x1 = x[base + i + half_];
    out[base + i] = x0 * c - x1 * s;
    out[base + i + half_] = x0 * s + x1 * c;
  }
  for (unsigned int d = nRot + threadIdx.x; d < headDim; d += 64u) {
    out[base + d] = x[base + d];
  }
}
