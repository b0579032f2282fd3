// WGSL for the few model-graph steps the generated kernels do not cover, written by hand, small and
// plain, following engine/reference/forward.ts (its ops.ts is their reference):
// - rope: RoPE from an angle table the host computes in f64 with the reference's own ropeAngles. The
//   generated rope_norm/rope_neox compute cos/sin of pos * freq on the GPU, where Vulkan bounds sin/cos
//   error only on [-pi, pi] (angles here reach n_ctx radians), and know neither YaRN, llama3 scaling
//   nor rope_freqs; the table is exact for all of them.
// - softcap: gemma2's tanh soft-cap of the logits.
// - kv_store_f32 / kv_store_f16 / round_f16: K and V into the cache row of the position (f16 stored as
//   f16 where the adapter has shader-f16, else rounded to f16 and kept in f32).
// Everything else the graph runs (get_rows, matvec, rmsnorm, add, scale, swiglu/geglu, flash attention)
// is generated code. node-library.ts looks these names up here first, since graph.ts binds them by
// these binding names. The descriptors have the shape of generated/manifest.json's entries so the
// backend binds both alike. Position-dependent kernels read the position from `step[0]`, a storage
// word the command stream itself writes before each token (a buffer copy), so one submission can
// carry many tokens.

import type { KernelDesc } from "./kernel-desc.js";

const ROPE = /* wgsl */ `
// RoPE in place on nHeads heads of headDim values; pairs (2i, 2i+1) ("norm") or (i, i + nRot/2) ("neox").
// table[pos][i] = (cos, sin) of pair i, computed on the host in f64 exactly as engine/reference does.
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> step: array<u32>;
struct rope_params { nHeads: u32, headDim: u32, nRot: u32, neox: u32 }
@group(0) @binding(3) var<uniform> params: rope_params;

@compute @workgroup_size(64, 1, 1)
fn rope(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let half = params.nRot / 2u;
  let idx = globalId.x;
  if (idx >= params.nHeads * half) { return; }
  let h = idx / half;
  let i = idx % half;
  var a = h * params.headDim + 2u * i;
  var b = a + 1u;
  if (params.neox == 1u) {
    a = h * params.headDim + i;
    b = a + half;
  }
  let t = (step[0] * half + i) * 2u;
  let c = table[t];
  let s = table[t + 1u];
  let x0 = x[a];
  let x1 = x[b];
  x[a] = x0 * c - x1 * s;
  x[b] = x0 * s + x1 * c;
}
`;

const SOFTCAP = /* wgsl */ `
// x = cap * tanh(x / cap) in place (gemma2's final_logit_softcapping).
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
struct softcap_params { n: u32, cap: f32 }
@group(0) @binding(1) var<uniform> params: softcap_params;

@compute @workgroup_size(256, 1, 1)
fn softcap(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let i = globalId.x;
  if (i >= params.n) { return; }
  x[i] = params.cap * tanh(clamp(x[i] / params.cap, -15.0, 15.0));
}
`;

const KV_STORE_F16 = /* wgsl */ `enable f16;
// K or V of the current token into row step[0] of an f16 cache (shader-f16: half the memory of f32).
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f16>;
@group(0) @binding(2) var<storage, read> step: array<u32>;
struct kv_store_f16_params { n: u32 }
@group(0) @binding(3) var<uniform> params: kv_store_f16_params;

@compute @workgroup_size(256, 1, 1)
fn kv_store_f16(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let i = globalId.x;
  if (i >= params.n) { return; }
  dst[step[0] * params.n + i] = f16(src[i]);
}
`;

const KV_STORE_F32 = /* wgsl */ `
// K or V of the current token into row step[0] of an f32 cache (a dispatch rather than a buffer copy,
// so a token's layers stay in one compute pass).
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> step: array<u32>;
struct kv_store_f32_params { n: u32 }
@group(0) @binding(3) var<uniform> params: kv_store_f32_params;

@compute @workgroup_size(256, 1, 1)
fn kv_store_f32(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let i = globalId.x;
  if (i >= params.n) { return; }
  dst[step[0] * params.n + i] = src[i];
}
`;

const ROUND_F16 = /* wgsl */ `
// x rounded to the nearest half in place: what an f16 KV cache holds (kept in f32 storage).
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
struct round_f16_params { n: u32 }
@group(0) @binding(1) var<uniform> params: round_f16_params;

@compute @workgroup_size(256, 1, 1)
fn round_f16(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let i = globalId.x;
  if (i >= params.n) { return; }
  x[i] = unpack2x16float(pack2x16float(vec2<f32>(x[i], 0.0))).x;
}
`;

function desc(
  name: string,
  workgroup: number,
  buffers: [string, "f32" | "f16" | "u32", "read" | "read_write"][],
  uniforms: [string, "u32" | "f32"][],
): KernelDesc {
  const bytes = uniforms.length * 4;
  return {
    name,
    entry: name,
    workgroupSize: [workgroup, 1, 1],
    buffers: buffers.map(([n, type, access], binding) => ({ name: n, binding, type, access })),
    uniforms: uniforms.map(([n, type], i) => ({ name: n, type, offset: i * 4 })),
    uniformBinding: buffers.length,
    uniformBytes: Math.ceil(bytes / 16) * 16,
  };
}

/** The hand-written kernels by name, with their WGSL. */
export const STAND_IN_KERNELS: ReadonlyMap<string, { kernel: KernelDesc; code: string }> = new Map([
  ["rope", {
    kernel: desc("rope", 64, [["x", "f32", "read_write"], ["table", "f32", "read"], ["step", "u32", "read"]],
      [["nHeads", "u32"], ["headDim", "u32"], ["nRot", "u32"], ["neox", "u32"]]),
    code: ROPE,
  }],
  ["kv_store_f32", {
    kernel: desc("kv_store_f32", 256, [["src", "f32", "read"], ["dst", "f32", "read_write"], ["step", "u32", "read"]], [["n", "u32"]]),
    code: KV_STORE_F32,
  }],
  ["kv_store_f16", {
    kernel: desc("kv_store_f16", 256, [["src", "f32", "read"], ["dst", "f16", "read_write"], ["step", "u32", "read"]], [["n", "u32"]]),
    code: KV_STORE_F16,
  }],
  ["softcap", { kernel: desc("softcap", 256, [["x", "f32", "read_write"]], [["n", "u32"], ["cap", "f32"]]), code: SOFTCAP }],
  ["round_f16", { kernel: desc("round_f16", 256, [["x", "f32", "read_write"]], [["n", "u32"]]), code: ROUND_F16 }],
]);
