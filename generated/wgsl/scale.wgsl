// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel scale (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = x[i] * scale; one invocation per value.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

struct scale_params {
  n: u32,
  scale: f32,
}
@group(0) @binding(2) var<uniform> params: scale_params;

@compute @workgroup_size(256, 1, 1)
fn scale(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let scale: f32 = params.scale;
  let i: u32 = globalId.x;
  if (i < n) {
    out[i] = x[i] * scale;
  }
}
