// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_iq4_xs (WGSL), workgroup 16x16x1; regenerate with `npm run codegen`
//
// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales

@group(0) @binding(0) var<storage, read> W: array<u32>; // iq4_xs blocks of 136 bytes, read as words
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matmul_iq4_xs_params {
  k: u32,
  rows: u32,
  tokens: u32,
}
@group(0) @binding(3) var<uniform> params: matmul_iq4_xs_params;
var<workgroup> wTile: array<f32, 512>;
var<workgroup> xTile: array<f32, 512>;
var<private> KVALUES_IQ4NL: array<i32, 16> = array<i32, 16>(
  -127i, -104i, -83i, -65i, -49i, -35i, -22i, -10i, 1i, 13i, 25i, 38i, 53i, 69i, 89i, 113i
);

@compute @workgroup_size(16, 16, 1)
fn matmul_iq4_xs(
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
    // 256 invocations fill 512 slots of each tile, two each [line 814]
    {
      let slot_0: u32 = flat;
      let r_0: u32 = workgroupId.x * 16u + (slot_0 >> 5u);
      let i_0: u32 = k0 + (slot_0 & 31u);
      var wv_0: f32 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 820]
      if (r_0 < rows && i_0 < k) {
        let blk_0: u32 = r_0 * (k / 256u) + (i_0 / 256u);
        let j_0: u32 = i_0 % 256u;
        let ib_0: u32 = j_0 >> 5u;
        let l_0: u32 = j_0 & 31u;
        let ls_0: u32 = ((((W[(blk_0 * 136u + 4u + (ib_0 >> 1u)) >> 2u] >> (((blk_0 * 136u + 4u + (ib_0 >> 1u)) & 3u) << 3u)) & 255u) >> ((ib_0 & 1u) * 4u)) & 15u) | (((((W[(blk_0 * 136u + 2u) >> 2u] >> (((blk_0 * 136u + 2u) & 2u) << 3u)) & 65535u) >> (ib_0 * 2u)) & 3u) << 4u);
        let dl_0: f32 = unpack2x16float((W[(blk_0 * 136u) >> 2u] >> (((blk_0 * 136u) & 2u) << 3u)) & 65535u).x * f32(i32(ls_0) - 32i);
        let byte_0: u32 = (W[(blk_0 * 136u + 8u + (ib_0 * 16u + (l_0 & 15u))) >> 2u] >> (((blk_0 * 136u + 8u + (ib_0 * 16u + (l_0 & 15u))) & 3u) << 3u)) & 255u;
        var q_0: u32 = byte_0 & 15u;
        if (l_0 >= 16u) {
          q_0 = byte_0 >> 4u;
        }
        let w_0: f32 = dl_0 * f32(KVALUES_IQ4NL[q_0]);
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
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 820]
      if (r_1 < rows && i_1 < k) {
        let blk_1: u32 = r_1 * (k / 256u) + (i_1 / 256u);
        let j_1: u32 = i_1 % 256u;
        let ib_1: u32 = j_1 >> 5u;
        let l_1: u32 = j_1 & 31u;
        let ls_1: u32 = ((((W[(blk_1 * 136u + 4u + (ib_1 >> 1u)) >> 2u] >> (((blk_1 * 136u + 4u + (ib_1 >> 1u)) & 3u) << 3u)) & 255u) >> ((ib_1 & 1u) * 4u)) & 15u) | (((((W[(blk_1 * 136u + 2u) >> 2u] >> (((blk_1 * 136u + 2u) & 2u) << 3u)) & 65535u) >> (ib_1 * 2u)) & 3u) << 4u);
        let dl_1: f32 = unpack2x16float((W[(blk_1 * 136u) >> 2u] >> (((blk_1 * 136u) & 2u) << 3u)) & 65535u).x * f32(i32(ls_1) - 32i);
        let byte_1: u32 = (W[(blk_1 * 136u + 8u + (ib_1 * 16u + (l_1 & 15u))) >> 2u] >> (((blk_1 * 136u + 8u + (ib_1 * 16u + (l_1 & 15u))) & 3u) << 3u)) & 255u;
        var q_1: u32 = byte_1 & 15u;
        if (l_1 >= 16u) {
          q_1 = byte_1 >> 4u;
        }
        let w_1: f32 = dl_1 * f32(KVALUES_IQ4NL[q_1]);
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
    // the next iteration overwrites the tiles [line 848]
    storageBarrier();
    workgroupBarrier();
  }
  let row: u32 = workgroupId.x * 16u + localId.x;
  let tok_1: u32 = workgroupId.y * 16u + localId.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
