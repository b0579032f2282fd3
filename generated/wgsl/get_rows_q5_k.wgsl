// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q5_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_k: x = d * sc * q - dmin * m, q's 5th bit from qh

@group(0) @binding(0) var<storage, read> W: array<u32>; // q5_k blocks of 176 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_q5_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_q5_k_params;

@compute @workgroup_size(64, 1, 1)
fn get_rows_q5_k(
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
    // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high [line 242]
    let is_: u32 = j >> 5u;
    let l: u32 = j & 31u;
    // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes [line 245]
    var sc: u32 = 0u;
    var mn: u32 = 0u;
    if (is_ < 4u) {
      sc = ((W[(blk * 176u + 4u + is_) >> 2u] >> (((blk * 176u + 4u + is_) & 3u) << 3u)) & 255u) & 63u;
      mn = ((W[(blk * 176u + 4u + (is_ + 4u)) >> 2u] >> (((blk * 176u + 4u + (is_ + 4u)) & 3u) << 3u)) & 255u) & 63u;
    } else {
      sc = (((W[(blk * 176u + 4u + (is_ + 4u)) >> 2u] >> (((blk * 176u + 4u + (is_ + 4u)) & 3u) << 3u)) & 255u) & 15u) | ((((W[(blk * 176u + 4u + (is_ - 4u)) >> 2u] >> (((blk * 176u + 4u + (is_ - 4u)) & 3u) << 3u)) & 255u) >> 6u) << 4u);
      mn = (((W[(blk * 176u + 4u + (is_ + 4u)) >> 2u] >> (((blk * 176u + 4u + (is_ + 4u)) & 3u) << 3u)) & 255u) >> 4u) | ((((W[(blk * 176u + 4u + is_) >> 2u] >> (((blk * 176u + 4u + is_) & 3u) << 3u)) & 255u) >> 6u) << 4u);
    }
    let byte: u32 = (W[(blk * 176u + 48u + ((is_ >> 1u) * 32u + l)) >> 2u] >> (((blk * 176u + 48u + ((is_ >> 1u) * 32u + l)) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if ((is_ & 1u) == 1u) {
      q = byte >> 4u;
    }
    q = q | (((((W[(blk * 176u + 16u + l) >> 2u] >> (((blk * 176u + 16u + l) & 3u) << 3u)) & 255u) >> is_) & 1u) << 4u);
    let w: f32 = unpack2x16float((W[(blk * 176u) >> 2u] >> (((blk * 176u) & 2u) << 3u)) & 65535u).x * f32(sc) * f32(q) - unpack2x16float((W[(blk * 176u + 2u) >> 2u] >> (((blk * 176u + 2u) & 2u) << 3u)) & 65535u).x * f32(mn);
    out[workgroupId.x * k + i] = w;
  }
}
