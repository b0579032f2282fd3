// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q3_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

@group(0) @binding(0) var<storage, read> W: array<u32>; // q3_k blocks of 110 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_q3_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_q3_k_params;

@compute @workgroup_size(64, 1, 1)
fn get_rows_q3_k(
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
    let half_: u32 = j >> 7u;
    let plane: u32 = (j & 127u) >> 5u;
    let p: u32 = j & 31u;
    let is_: u32 = half_ * 8u + plane * 2u + (p >> 4u);
    // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 182]
    var lo: u32 = 0u;
    if (is_ < 8u) {
      lo = ((W[(blk * 110u + 96u + is_) >> 2u] >> (((blk * 110u + 96u + is_) & 3u) << 3u)) & 255u) & 15u;
    } else {
      lo = ((W[(blk * 110u + 96u + (is_ - 8u)) >> 2u] >> (((blk * 110u + 96u + (is_ - 8u)) & 3u) << 3u)) & 255u) >> 4u;
    }
    let hi: u32 = (((W[(blk * 110u + 96u + (8u + (is_ & 3u))) >> 2u] >> (((blk * 110u + 96u + (8u + (is_ & 3u))) & 3u) << 3u)) & 255u) >> ((is_ >> 2u) * 2u)) & 3u;
    let dl: f32 = unpack2x16float((W[(blk * 110u + 108u) >> 2u] >> (((blk * 110u + 108u) & 2u) << 3u)) & 65535u).x * f32(i32(lo | (hi << 4u)) - 32i);
    // a clear high bit subtracts 4 [line 191]
    var q: i32 = i32((((W[(blk * 110u + 32u + (half_ * 32u + p)) >> 2u] >> (((blk * 110u + 32u + (half_ * 32u + p)) & 3u) << 3u)) & 255u) >> (plane * 2u)) & 3u);
    if (((((W[(blk * 110u + p) >> 2u] >> (((blk * 110u + p) & 3u) << 3u)) & 255u) >> (half_ * 4u + plane)) & 1u) == 0u) {
      q = q - 4i;
    }
    let w: f32 = dl * f32(q);
    out[workgroupId.x * k + i] = w;
  }
}
