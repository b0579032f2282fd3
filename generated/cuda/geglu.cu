// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel geglu (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) geglu(
    const float* __restrict__ gate,
    const float* __restrict__ up,
    float* __restrict__ out,
    unsigned int n) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    const float g = gate[i];
    out[i] = 0.5f * g * (1.0f + tanhf(0.7978845834732056f * (g + 0.044714998453855515f * g * g * g))) * up[i];
  }
}
