// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel geglu (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> gate: array<f32>;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct geglu_params {
  n: u32,
}
@group(0) @binding(3) var<uniform> params: geglu_params;

@compute @workgroup_size(256, 1, 1)
fn geglu(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let i: u32 = globalId.x;
  if (i < n) {
    let g: f32 = gate[i];
    out[i] = 0.5f * g * (1.0f + tanh(0.7978845834732056f * (g + 0.044714998453855515f * g * g * g))) * up[i];
  }
}
