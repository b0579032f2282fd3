// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q2_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16

@group(0) @binding(0) var<storage, read> W: array<u32>; // q2_k blocks of 84 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_q2_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_q2_k_params;

@compute @workgroup_size(64, 1, 1)
fn get_rows_q2_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let src: u32 = ids[workgroupId.x];
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = src * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values [line 157]
    let half_: u32 = j >> 7u;
    let plane: u32 = (j & 127u) >> 5u;
    let p: u32 = j & 31u;
    let sc: u32 = (W[(blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u))) >> 2u] >> (((blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u))) & 3u) << 3u)) & 255u;
    let dl: f32 = unpack2x16float((W[(blk * 84u + 80u) >> 2u] >> (((blk * 84u + 80u) & 2u) << 3u)) & 65535u).x * f32(sc & 15u);
    let ml: f32 = unpack2x16float((W[(blk * 84u + 82u) >> 2u] >> (((blk * 84u + 82u) & 2u) << 3u)) & 65535u).x * f32(sc >> 4u);
    let w: f32 = dl * f32((((W[(blk * 84u + 16u + (half_ * 32u + p)) >> 2u] >> (((blk * 84u + 16u + (half_ * 32u + p)) & 3u) << 3u)) & 255u) >> (plane * 2u)) & 3u) - ml;
    out[workgroupId.x * k + i] = w;
  }
}
