// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f32 (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> step: array<u32>;

struct kv_store_f32_params {
  n: u32,
}
@group(0) @binding(3) var<uniform> params: kv_store_f32_params;

@compute @workgroup_size(256, 1, 1)
fn kv_store_f32(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let i: u32 = globalId.x;
  if (i < n) {
    dst[step[0u] * n + i] = src[i];
  }
}
