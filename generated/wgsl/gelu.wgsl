// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel gelu (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

struct gelu_params {
  n: u32,
}
@group(0) @binding(2) var<uniform> params: gelu_params;

@compute @workgroup_size(256, 1, 1)
fn gelu(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let i: u32 = globalId.x;
  if (i < n) {
    let v: f32 = x[i];
    // sqrt(2 / pi) = 0.7978845608 [line 27]
    out[i] = 0.5f * v * (1.0f + tanh(0.7978845834732056f * (v + 0.044714998453855515f * v * v * v)));
  }
}
