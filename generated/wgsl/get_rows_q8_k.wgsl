// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q8_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_k: x = d * q with an f32 scale per 256 values (the k-quants' activation type)

@group(0) @binding(0) var<storage, read> W: array<u32>; // q8_k blocks of 292 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_q8_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_q8_k_params;

@compute @workgroup_size(64, 1, 1)
fn get_rows_q8_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let src: u32 = ids[workgroupId.x];
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = src * (k / 256u) + (i / 256u);
    out[workgroupId.x * k + i] = bitcast<f32>(W[(blk * 292u) >> 2u]) * f32((i32((W[(blk * 292u + 4u + i % 256u) >> 2u] >> (((blk * 292u + 4u + i % 256u) & 3u) << 3u)) & 255u) << 24u) >> 24u);
  }
}
