// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_q5_1 (WGSL), workgroup 16x16x1; regenerate with `npm run codegen`
//
// q5_1: x = d * q + m, q's 5th bit from qh

@group(0) @binding(0) var<storage, read> W: array<u32>; // q5_1 blocks of 24 bytes, read as words
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matmul_q5_1_params {
  k: u32,
  rows: u32,
  tokens: u32,
}
@group(0) @binding(3) var<uniform> params: matmul_q5_1_params;
var<workgroup> wTile: array<f32, 512>;
var<workgroup> xTile: array<f32, 512>;

@compute @workgroup_size(16, 16, 1)
fn matmul_q5_1(
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
    // 256 invocations fill 512 slots of each tile, two each [line 338]
    {
      let slot_0: u32 = flat;
      let r_0: u32 = workgroupId.x * 16u + (slot_0 >> 5u);
      let i_0: u32 = k0 + (slot_0 & 31u);
      var wv_0: f32 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 344]
      if (r_0 < rows && i_0 < k) {
        let blk_0: u32 = r_0 * (k / 32u) + (i_0 / 32u);
        let j_0: u32 = i_0 % 32u;
        let byte_0: u32 = (W[(blk_0 * 24u + 8u + (j_0 & 15u)) >> 2u] >> (((blk_0 * 24u + 8u + (j_0 & 15u)) & 3u) << 3u)) & 255u;
        var q_0: u32 = byte_0 & 15u;
        if (j_0 >= 16u) {
          q_0 = byte_0 >> 4u;
        }
        q_0 = q_0 | (((((W[(blk_0 * 24u + 4u + (j_0 >> 3u)) >> 2u] >> (((blk_0 * 24u + 4u + (j_0 >> 3u)) & 3u) << 3u)) & 255u) >> (j_0 & 7u)) & 1u) << 4u);
        let w_0: f32 = f32(q_0) * unpack2x16float((W[(blk_0 * 24u) >> 2u] >> (((blk_0 * 24u) & 2u) << 3u)) & 65535u).x + unpack2x16float((W[(blk_0 * 24u + 2u) >> 2u] >> (((blk_0 * 24u + 2u) & 2u) << 3u)) & 65535u).x;
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
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 344]
      if (r_1 < rows && i_1 < k) {
        let blk_1: u32 = r_1 * (k / 32u) + (i_1 / 32u);
        let j_1: u32 = i_1 % 32u;
        let byte_1: u32 = (W[(blk_1 * 24u + 8u + (j_1 & 15u)) >> 2u] >> (((blk_1 * 24u + 8u + (j_1 & 15u)) & 3u) << 3u)) & 255u;
        var q_1: u32 = byte_1 & 15u;
        if (j_1 >= 16u) {
          q_1 = byte_1 >> 4u;
        }
        q_1 = q_1 | (((((W[(blk_1 * 24u + 4u + (j_1 >> 3u)) >> 2u] >> (((blk_1 * 24u + 4u + (j_1 >> 3u)) & 3u) << 3u)) & 255u) >> (j_1 & 7u)) & 1u) << 4u);
        let w_1: f32 = f32(q_1) * unpack2x16float((W[(blk_1 * 24u) >> 2u] >> (((blk_1 * 24u) & 2u) << 3u)) & 65535u).x + unpack2x16float((W[(blk_1 * 24u + 2u) >> 2u] >> (((blk_1 * 24u + 2u) & 2u) << 3u)) & 65535u).x;
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
    // the next iteration overwrites the tiles [line 369]
    storageBarrier();
    workgroupBarrier();
  }
  let row: u32 = workgroupId.x * 16u + localId.x;
  let tok_1: u32 = workgroupId.y * 16u + localId.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
