// CUDA for the model-graph steps engine/kernels does not generate yet (rope, attention, glu, softcap,
// round_f16): the counterparts of targets/wgsl/backend/stand-in-kernels.ts, with the same descriptors
// (buffers in binding order, then the uniforms by value in the same order), so the launch planner
// packs their arguments exactly as it packs a generated kernel's. Reference: engine/reference/ops.ts.

import type { KernelDesc } from "../../wgsl/backend/kernel-desc.js";
import { STAND_IN_KERNELS as WGSL_STAND_INS } from "../../wgsl/backend/stand-in-kernels.js";

const SOURCES: Readonly<Record<string, string>> = {
  rope: /* cuda */ `
// RoPE in place; table[pos][i] = (cos, sin) of pair i, computed on the host in f64
extern "C" __global__ void __launch_bounds__(64) rope(
    float* __restrict__ x, const float* __restrict__ table, const unsigned int* __restrict__ step,
    unsigned int nHeads, unsigned int headDim, unsigned int nRot, unsigned int neox) {
  const unsigned int half = nRot / 2u;
  const unsigned int idx = blockIdx.x * 64u + threadIdx.x;
  if (idx >= nHeads * half) return;
  const unsigned int h = idx / half, i = idx % half;
  const unsigned int a = neox ? h * headDim + i : h * headDim + 2u * i;
  const unsigned int b = neox ? a + half : a + 1u;
  const unsigned int t = (step[0] * half + i) * 2u;
  const float c = table[t], s = table[t + 1u];
  const float x0 = x[a], x1 = x[b];
  x[a] = x0 * c - x1 * s;
  x[b] = x0 * s + x1 * c;
}
`,
  attention: /* cuda */ `
// one query head per block: scores over the visible positions, softmax, weighted sum of the values
extern "C" __global__ void __launch_bounds__(64) attention(
    const float* __restrict__ q, const float* __restrict__ kCache, const float* __restrict__ vCache,
    float* __restrict__ att, float* __restrict__ out, const unsigned int* __restrict__ step,
    unsigned int headK, unsigned int headV, unsigned int kvDimK, unsigned int kvDimV,
    unsigned int groupSize, unsigned int nCtx, unsigned int window, float scale, float softcap) {
  __shared__ float red[64];
  const unsigned int h = blockIdx.x, lid = threadIdx.x, kvh = h / groupSize;
  const unsigned int pos = step[0];
  const unsigned int first = (window > 0u && pos + 1u > window) ? pos + 1u - window : 0u;
  const unsigned int n = pos + 1u - first;
  float* a = att + h * nCtx;
  float mx = -3.0e38f;
  for (unsigned int t = lid; t < n; t += 64u) {
    const float* k = kCache + (first + t) * kvDimK + kvh * headK;
    float s = 0.0f;
    for (unsigned int i = 0u; i < headK; i++) s += q[h * headK + i] * k[i];
    s *= scale;
    if (softcap > 0.0f) s = softcap * tanhf(s / softcap);
    a[t] = s;
    mx = fmaxf(mx, s);
  }
  red[lid] = mx;
  __syncthreads();
  for (unsigned int w = 32u; w > 0u; w >>= 1) {
    if (lid < w) red[lid] = fmaxf(red[lid], red[lid + w]);
    __syncthreads();
  }
  mx = red[0];
  __syncthreads();
  float sum = 0.0f;
  for (unsigned int t = lid; t < n; t += 64u) {
    const float e = expf(a[t] - mx);
    a[t] = e;
    sum += e;
  }
  red[lid] = sum;
  __syncthreads();
  for (unsigned int w = 32u; w > 0u; w >>= 1) {
    if (lid < w) red[lid] += red[lid + w];
    __syncthreads();
  }
  const float inv = 1.0f / red[0];
  for (unsigned int i = lid; i < headV; i += 64u) {
    float acc = 0.0f;
    for (unsigned int t = 0u; t < n; t++) acc += a[t] * vCache[(first + t) * kvDimV + kvh * headV + i];
    out[h * headV + i] = acc * inv;
  }
}
`,
  glu: /* cuda */ `
// out[i] = act(gate[gateOff + i]) * up[upOff + i]; SiLU, or tanh-GELU when gelu is set
extern "C" __global__ void __launch_bounds__(256) glu(
    const float* __restrict__ gate, const float* __restrict__ up, float* __restrict__ out,
    unsigned int n, unsigned int gateOff, unsigned int upOff, unsigned int gelu) {
  const unsigned int i = blockIdx.x * 256u + threadIdx.x;
  if (i >= n) return;
  const float g = gate[gateOff + i];
  const float act = gelu ? 0.5f * g * (1.0f + tanhf(0.7978845608028654f * (g + 0.044715f * g * g * g)))
                         : g / (1.0f + expf(-g));
  out[i] = act * up[upOff + i];
}
`,
  softcap: /* cuda */ `
extern "C" __global__ void __launch_bounds__(256) softcap(float* __restrict__ x, unsigned int n, float cap) {
  const unsigned int i = blockIdx.x * 256u + threadIdx.x;
  if (i < n) x[i] = cap * tanhf(x[i] / cap);
}
`,
  round_f16: /* cuda */ `
#include <cuda_fp16.h>
extern "C" __global__ void __launch_bounds__(256) round_f16(float* __restrict__ x, unsigned int n) {
  const unsigned int i = blockIdx.x * 256u + threadIdx.x;
  if (i < n) x[i] = __half2float(__float2half_rn(x[i]));
}
`,
};

/** The CUDA stand-ins by name: the wgsl descriptor and the CUDA source. */
// (the cuda backend keeps an f16 KV cache rounded in f32 storage, so it needs no f16-storage kernels)
export const CUDA_STAND_IN_KERNELS: ReadonlyMap<string, { kernel: KernelDesc; code: string }> = new Map(
  [...WGSL_STAND_INS].filter(([name]) => SOURCES[name] !== undefined).map(([name, { kernel }]) => [name, { kernel, code: SOURCES[name]! }]),
);
