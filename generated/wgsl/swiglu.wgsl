// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel swiglu (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> gate: array<f32>;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct swiglu_params {
  n: u32,
}
@group(0) @binding(3) var<uniform> params: swiglu_params;

@compute @workgroup_size(256, 1, 1)
fn swiglu(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let i: u32 = globalId.x;
  if (i < n) {
    let g: f32 = gate[i];
    // silu(g) = g * sigmoid(g); exp(-g) overflowing to +inf gives the right limit, -0 [line 15]
    out[i] = g / (1.0f + exp(-g)) * up[i];
  }
}
