// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_bf16 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_bf16_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_bf16_params;

@compute @workgroup_size(64, 1, 1)
fn get_rows_bf16(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let src: u32 = ids[workgroupId.x];
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let e: u32 = src * k + i;
    let w: f32 = bitcast<f32>(((W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u) << 16u);
    out[workgroupId.x * k + i] = w;
  }
}
