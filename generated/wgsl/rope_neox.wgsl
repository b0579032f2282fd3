// GENERATED — do not edit; source: engine/kernels/rope.kernel.ts
// kernel rope_neox (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> pos: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct rope_neox_params {
  nHeads: u32,
  headDim: u32,
  nRot: u32,
  freqBase: f32,
  freqScale: f32,
}
@group(0) @binding(3) var<uniform> params: rope_neox_params;

@compute @workgroup_size(64, 1, 1)
fn rope_neox(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let nHeads: u32 = params.nHeads;
  let headDim: u32 = params.headDim;
  let nRot: u32 = params.nRot;
  let freqBase: f32 = params.freqBase;
  let freqScale: f32 = params.freqScale;
  let base: u32 = (workgroupId.y * nHeads + workgroupId.x) * headDim;
  let p: f32 = f32(pos[workgroupId.y]);
  let half_: u32 = nRot >> 1u;
  for (var i: u32 = localId.x; i < half_; i += 64u) {
    let freq: f32 = pow(freqBase, f32(i) * -2.0f / f32(nRot));
    let theta: f32 = p * freq * freqScale;
    let c: f32 = cos(theta);
    let s: f32 = sin(theta);
    // NeoX rotates the first half of the head against the second [line 53]
    let x0: f32 = x[base + i];
    let x1: f32 = x[base + i + half_];
    out[base + i] = x0 * c - x1 * s;
    out[base + i + half_] = x0 * s + x1 * c;
  }
  for (var d: u32 = nRot + localId.x; d < headDim; d += 64u) {
    out[base + d] = x[base + d];
  }
}
