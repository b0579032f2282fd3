// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_q3_k (WGSL), workgroup 16x16x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

@group(0) @binding(0) var<storage, read> W: array<u32>; // q3_k blocks of 110 bytes, read as words
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matmul_q3_k_params {
  k: u32,
  rows: u32,
  tokens: u32,
}
@group(0) @binding(3) var<uniform> params: matmul_q3_k_params;
var<workgroup> wTile: array<f32, 512>;
var<workgroup> xTile: array<f32, 512>;

@compute @workgroup_size(16, 16, 1)
fn matmul_q3_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let rows: u32 = params.rows;
  let tokens: u32 = params.tokens;
  let flat: u32 = localId.y * 16u + localId.x;
  var acc: f32 = 0.0f;
  for (var k0: u32 = 0u; k0 < k; k0 += 32u) {
    // 256 invocations fill 512 slots of each tile, two each [line 498]
    {
      let slot_0: u32 = flat;
      let r_0: u32 = workgroupId.x * 16u + (slot_0 >> 5u);
      let i_0: u32 = k0 + (slot_0 & 31u);
      var wv_0: f32 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 504]
      if (r_0 < rows && i_0 < k) {
        let blk_0: u32 = r_0 * (k / 256u) + (i_0 / 256u);
        let j_0: u32 = i_0 % 256u;
        let half_0: u32 = j_0 >> 7u;
        let plane_0: u32 = (j_0 & 127u) >> 5u;
        let p_0: u32 = j_0 & 31u;
        let is_0: u32 = half_0 * 8u + plane_0 * 2u + (p_0 >> 4u);
        // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 512]
        var lo_0: u32 = 0u;
        if (is_0 < 8u) {
          lo_0 = ((W[(blk_0 * 110u + 96u + is_0) >> 2u] >> (((blk_0 * 110u + 96u + is_0) & 3u) << 3u)) & 255u) & 15u;
        } else {
          lo_0 = ((W[(blk_0 * 110u + 96u + (is_0 - 8u)) >> 2u] >> (((blk_0 * 110u + 96u + (is_0 - 8u)) & 3u) << 3u)) & 255u) >> 4u;
        }
        let hi_0: u32 = (((W[(blk_0 * 110u + 96u + (8u + (is_0 & 3u))) >> 2u] >> (((blk_0 * 110u + 96u + (8u + (is_0 & 3u))) & 3u) << 3u)) & 255u) >> ((is_0 >> 2u) * 2u)) & 3u;
        let dl_0: f32 = unpack2x16float((W[(blk_0 * 110u + 108u) >> 2u] >> (((blk_0 * 110u + 108u) & 2u) << 3u)) & 65535u).x * f32(i32(lo_0 | (hi_0 << 4u)) - 32i);
        // a clear high bit subtracts 4 [line 521]
        var q_0: i32 = i32((((W[(blk_0 * 110u + 32u + (half_0 * 32u + p_0)) >> 2u] >> (((blk_0 * 110u + 32u + (half_0 * 32u + p_0)) & 3u) << 3u)) & 255u) >> (plane_0 * 2u)) & 3u);
        if (((((W[(blk_0 * 110u + p_0) >> 2u] >> (((blk_0 * 110u + p_0) & 3u) << 3u)) & 255u) >> (half_0 * 4u + plane_0)) & 1u) == 0u) {
          q_0 = q_0 - 4i;
        }
        let w_0: f32 = dl_0 * f32(q_0);
        wv_0 = w_0;
      }
      wTile[slot_0] = wv_0;
      let tok_0: u32 = workgroupId.y * 16u + (slot_0 >> 5u);
      var xv_0: f32 = 0.0f;
      if (tok_0 < tokens && i_0 < k) {
        xv_0 = X[tok_0 * k + i_0];
      }
      xTile[slot_0] = xv_0;
    }
    {
      let slot_1: u32 = flat + 256u;
      let r_1: u32 = workgroupId.x * 16u + (slot_1 >> 5u);
      let i_1: u32 = k0 + (slot_1 & 31u);
      var wv_1: f32 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 504]
      if (r_1 < rows && i_1 < k) {
        let blk_1: u32 = r_1 * (k / 256u) + (i_1 / 256u);
        let j_1: u32 = i_1 % 256u;
        let half_1: u32 = j_1 >> 7u;
        let plane_1: u32 = (j_1 & 127u) >> 5u;
        let p_1: u32 = j_1 & 31u;
        let is_1: u32 = half_1 * 8u + plane_1 * 2u + (p_1 >> 4u);
        // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 512]
        var lo_1: u32 = 0u;
        if (is_1 < 8u) {
          lo_1 = ((W[(blk_1 * 110u + 96u + is_1) >> 2u] >> (((blk_1 * 110u + 96u + is_1) & 3u) << 3u)) & 255u) & 15u;
        } else {
          lo_1 = ((W[(blk_1 * 110u + 96u + (is_1 - 8u)) >> 2u] >> (((blk_1 * 110u + 96u + (is_1 - 8u)) & 3u) << 3u)) & 255u) >> 4u;
        }
        let hi_1: u32 = (((W[(blk_1 * 110u + 96u + (8u + (is_1 & 3u))) >> 2u] >> (((blk_1 * 110u + 96u + (8u + (is_1 & 3u))) & 3u) << 3u)) & 255u) >> ((is_1 >> 2u) * 2u)) & 3u;
        let dl_1: f32 = unpack2x16float((W[(blk_1 * 110u + 108u) >> 2u] >> (((blk_1 * 110u + 108u) & 2u) << 3u)) & 65535u).x * f32(i32(lo_1 | (hi_1 << 4u)) - 32i);
        // a clear high bit subtracts 4 [line 521]
        var q_1: i32 = i32((((W[(blk_1 * 110u + 32u + (half_1 * 32u + p_1)) >> 2u] >> (((blk_1 * 110u + 32u + (half_1 * 32u + p_1)) & 3u) << 3u)) & 255u) >> (plane_1 * 2u)) & 3u);
        if (((((W[(blk_1 * 110u + p_1) >> 2u] >> (((blk_1 * 110u + p_1) & 3u) << 3u)) & 255u) >> (half_1 * 4u + plane_1)) & 1u) == 0u) {
          q_1 = q_1 - 4i;
        }
        let w_1: f32 = dl_1 * f32(q_1);
        wv_1 = w_1;
      }
      wTile[slot_1] = wv_1;
      let tok_1: u32 = workgroupId.y * 16u + (slot_1 >> 5u);
      var xv_1: f32 = 0.0f;
      if (tok_1 < tokens && i_1 < k) {
        xv_1 = X[tok_1 * k + i_1];
      }
      xTile[slot_1] = xv_1;
    }
    storageBarrier();
    workgroupBarrier();
    for (var kk: u32 = 0u; kk < 32u; kk += 1u) {
      acc += wTile[localId.x * 32u + kk] * xTile[localId.y * 32u + kk];
    }
    // the next iteration overwrites the tiles [line 541]
    storageBarrier();
    workgroupBarrier();
  }
  let row: u32 = workgroupId.x * 16u + localId.x;
  let tok_1: u32 = workgroupId.y * 16u + localId.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
