// WGSL for the model-graph steps that engine/kernels does not generate yet: RoPE from a host-computed
// angle table, single-token attention over the KV cache, the gated FFN non-linearity (SwiGLU/GeGLU),
// tanh soft-capping, and an f16 KV cache: stored as f16 where the adapter has shader-f16, else
// rounded to f16 and kept in f32. They are written by hand, small and plain, and follow
// engine/reference/forward.ts step for step (its ops.ts is their reference); each is replaced by its
// generated counterpart once engine/kernels has one (node-library.ts looks these names up here first,
// since graph.ts binds them by these binding names). Everything else the graph runs (get_rows, matvec, rmsnorm, add, scale) is generated code.
//
// The descriptors have the shape of generated/manifest.json's entries so the backend binds both alike.
// Every kernel reads the current position from `step[0]`, a storage word the command stream itself
// writes before each token (a buffer copy), so one submission can carry many tokens.

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

/** Attention over an f32 KV cache, or (shader-f16) one stored as f16, read back widened to f32. */
const attention = (kv: "f32" | "f16"): string => /* wgsl */ `${kv === "f16" ? "enable f16;\n" : ""}
// One query head per workgroup: scores q·k over the visible positions (scaled, optionally soft-capped),
// softmax, then the weighted sum of the values. Grouped-query: head h reads KV head h / groupSize.
// Visible: positions first..pos, first = pos + 1 - window when a window is set (sliding-window layers).
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> kCache: array<${kv}>;
@group(0) @binding(2) var<storage, read> vCache: array<${kv}>;
@group(0) @binding(3) var<storage, read_write> att: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read> step: array<u32>;
struct attention_params {
  headK: u32, headV: u32, kvDimK: u32, kvDimV: u32,
  groupSize: u32, nCtx: u32, window: u32, scale: f32,
  softcap: f32,
}
@group(0) @binding(6) var<uniform> params: attention_params;
var<workgroup> red: array<f32, 64>;

fn capped(s: f32) -> f32 {
  if (params.softcap > 0.0) {
    // clamped: some drivers' tanh overflows to NaN for large arguments
    return params.softcap * tanh(clamp(s / params.softcap, -15.0, 15.0));
  }
  return s;
}

@compute @workgroup_size(64, 1, 1)
fn ${kv === "f16" ? "attention_f16kv" : "attention"}(@builtin(local_invocation_id) localId: vec3<u32>, @builtin(workgroup_id) workgroupId: vec3<u32>) {
  let h = workgroupId.x;
  let lid = localId.x;
  let kvh = h / params.groupSize;
  let pos = step[0];
  var first = 0u;
  if (params.window > 0u && pos + 1u > params.window) { first = pos + 1u - params.window; }
  let n = pos + 1u - first;
  let base = h * params.nCtx;

  var mx = -3.0e38;
  for (var t = lid; t < n; t += 64u) {
    let ko = (first + t) * params.kvDimK + kvh * params.headK;
    var s = 0.0;
    for (var i = 0u; i < params.headK; i += 1u) { s += q[h * params.headK + i] * f32(kCache[ko + i]); }
    s = capped(s * params.scale);
    att[base + t] = s;
    mx = max(mx, s);
  }
  red[lid] = mx;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { red[lid] = max(red[lid], red[lid + w]); }
    workgroupBarrier();
  }
  mx = red[0];
  workgroupBarrier();

  var sum = 0.0;
  for (var t = lid; t < n; t += 64u) {
    let e = exp(att[base + t] - mx);
    att[base + t] = e;
    sum += e;
  }
  red[lid] = sum;
  storageBarrier();
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { red[lid] = red[lid] + red[lid + w]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];

  for (var i = lid; i < params.headV; i += 64u) {
    var acc = 0.0;
    for (var t = 0u; t < n; t += 1u) {
      acc += att[base + t] * f32(vCache[(first + t) * params.kvDimV + kvh * params.headV + i]);
    }
    out[h * params.headV + i] = acc * inv;
  }
}
`;

const GLU = /* wgsl */ `
// out[i] = act(gate[gateOff + i]) * up[upOff + i]; act = SiLU (SwiGLU) or tanh-GELU (gemma2's GeGLU).
@group(0) @binding(0) var<storage, read> gate: array<f32>;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
struct glu_params { n: u32, gateOff: u32, upOff: u32, gelu: u32 }
@group(0) @binding(3) var<uniform> params: glu_params;

@compute @workgroup_size(256, 1, 1)
fn glu(@builtin(global_invocation_id) globalId: vec3<u32>) {
  let i = globalId.x;
  if (i >= params.n) { return; }
  let g = gate[params.gateOff + i];
  var a = g / (1.0 + exp(-g));
  if (params.gelu == 1u) {
    let inner = 0.7978845608028654 * (g + 0.044715 * g * g * g);
    a = 0.5 * g * (1.0 + tanh(clamp(inner, -15.0, 15.0)));
  }
  out[i] = a * up[params.upOff + i];
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
  ...(["f32", "f16"] as const).map((kv): [string, { kernel: KernelDesc; code: string }] => {
    const name = kv === "f16" ? "attention_f16kv" : "attention";
    return [name, {
      kernel: desc(name, 64,
        [["q", "f32", "read"], ["kCache", kv, "read"], ["vCache", kv, "read"], ["att", "f32", "read_write"],
          ["out", "f32", "read_write"], ["step", "u32", "read"]],
        [["headK", "u32"], ["headV", "u32"], ["kvDimK", "u32"], ["kvDimV", "u32"], ["groupSize", "u32"], ["nCtx", "u32"],
          ["window", "u32"], ["scale", "f32"], ["softcap", "f32"]]),
      code: attention(kv),
    }];
  }),
  ["kv_store_f16", {
    kernel: desc("kv_store_f16", 256, [["src", "f32", "read"], ["dst", "f16", "read_write"], ["step", "u32", "read"]], [["n", "u32"]]),
    code: KV_STORE_F16,
  }],
  ["glu", {
    kernel: desc("glu", 256, [["gate", "f32", "read"], ["up", "f32", "read"], ["out", "f32", "read_write"]],
      [["n", "u32"], ["gateOff", "u32"], ["upOff", "u32"], ["gelu", "u32"]]),
    code: GLU,
  }],
  ["softcap", { kernel: desc("softcap", 256, [["x", "f32", "read_write"]], [["n", "u32"], ["cap", "f32"]]), code: SOFTCAP }],
  ["round_f16", { kernel: desc("round_f16", 256, [["x", "f32", "read_write"]], [["n", "u32"]]), code: ROUND_F16 }],
]);
