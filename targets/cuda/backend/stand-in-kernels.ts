// CUDA for the model-graph steps the generated kernels do not cover (rope from the host's angle table,
// softcap, kv_store_f32, round_f16; see targets/wgsl/backend/stand-in-kernels.ts for why): the counterparts of targets/wgsl/backend/stand-in-kernels.ts, with the same descriptors
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
  softcap: /* cuda */ `
extern "C" __global__ void __launch_bounds__(256) softcap(float* __restrict__ x, unsigned int n, float cap) {
  const unsigned int i = blockIdx.x * 256u + threadIdx.x;
  if (i < n) x[i] = cap * tanhf(x[i] / cap);
}
`,
  kv_store_f32: /* cuda */ `
// K or V of the current token into row step[0] of the cache
extern "C" __global__ void __launch_bounds__(256) kv_store_f32(
    const float* __restrict__ src, float* __restrict__ dst, const unsigned int* __restrict__ step, unsigned int n) {
  const unsigned int i = blockIdx.x * 256u + threadIdx.x;
  if (i < n) dst[step[0] * n + i] = src[i];
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
