// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_mxfp4 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// mxfp4: x = kvalues_mxfp4[q] * 2^(e-128), e the block's e8m0 exponent byte (ggml's
// GGML_E8M0_TO_FP32_HALF: the halving pairs with the doubled levels; e = 0 and 1 give the f32 subnormals
// 2^-128 and 2^-127). Values 0..15 are the low nibbles of qs, 16..31 the high ones, as in q4_0.

@group(0) @binding(0) var<storage, read> W: array<u32>; // mxfp4 blocks of 17 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_mxfp4_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_mxfp4_params;
var<private> KVALUES_MXFP4: array<i32, 16> = array<i32, 16>(
  0i, 1i, 2i, 3i, 4i, 6i, 8i, 12i, 0i, -1i, -2i, -3i, -4i, -6i, -8i, -12i
);

@compute @workgroup_size(64, 1, 1)
fn get_rows_mxfp4(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let src: u32 = ids[workgroupId.x];
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = src * (k / 32u) + (i / 32u);
    let e: u32 = (W[(blk * 17u) >> 2u] >> (((blk * 17u) & 3u) << 3u)) & 255u;
    var bits: u32 = (e - 1u) << 23u;
    if (e < 2u) {
      bits = 2097152u << e;
    }
    let j: u32 = i % 32u;
    let byte: u32 = (W[(blk * 17u + 1u + (j & 15u)) >> 2u] >> (((blk * 17u + 1u + (j & 15u)) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    out[workgroupId.x * k + i] = f32(KVALUES_MXFP4[q]) * bitcast<f32>(bits);
  }
}
