// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel add (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = a[i] + b[i]; one invocation per value.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct add_params {
  n: u32,
}
@group(0) @binding(3) var<uniform> params: add_params;

@compute @workgroup_size(256, 1, 1)
fn add(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let i: u32 = globalId.x;
  // the last workgroup may run past n [line 12]
  if (i < n) {
    out[i] = a[i] + b[i];
  }
}
