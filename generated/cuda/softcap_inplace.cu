// GENERATED — do not edit; source: engine/kernels/softcap_inplace.kernel.ts
// kernel softcap_inplace (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) softcap_inplace(
    float* __restrict__ x,
    unsigned int n,
    float cap) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    // tanh(15) is 1.0 in f32, so the clamp changes no result; it keeps GPU tanh spelled as
    // (e^2t - 1) / (e^2t + 1) from giving inf / inf = NaN on large logits [line 16]
    x[i] = cap * tanhf(fminf(fmaxf(x[i] / cap, -15.0f), 15.0f));
  }
}
