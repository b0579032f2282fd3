// GENERATED — do not edit; source: engine/kernels/rope_table.kernel.ts
// kernel rope (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> step: array<u32>;

struct rope_params {
  nHeads: u32,
  headDim: u32,
  nRot: u32,
  neox: u32,
}
@group(0) @binding(3) var<uniform> params: rope_params;

@compute @workgroup_size(64, 1, 1)
fn rope(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let nHeads: u32 = params.nHeads;
  let headDim: u32 = params.headDim;
  let nRot: u32 = params.nRot;
  let neox: u32 = params.neox;
  let half_: u32 = nRot >> 1u;
  let idx: u32 = globalId.x;
  if (idx < (nHeads * half_)) {
    let h: u32 = (idx / half_);
    let i: u32 = idx - h * half_;
    var a: u32 = h * headDim + 2u * i;
    var b: u32 = a + 1u;
    if (neox == 1u) {
      // NeoX rotates the first half of the head against the second [line 32]
      a = h * headDim + i;
      b = a + half_;
    }
    let t: u32 = (step[0u] * half_ + i) * 2u;
    let c: f32 = table[t];
    let s: f32 = table[t + 1u];
    let x0: f32 = x[a];
    let x1: f32 = x[b];
    x[a] = x0 * c - x1 * s;
    x[b] = x0 * s + x1 * c;
  }
}
