// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q4_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32

@group(0) @binding(0) var<storage, read> W: array<u32>; // q4_k blocks of 144 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_q4_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_q4_k_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_q4_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 278]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high [line 282]
    let is_: u32 = j >> 5u;
    let l: u32 = j & 31u;
    // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes [line 285]
    var sc: u32 = 0u;
    var mn: u32 = 0u;
    if (is_ < 4u) {
      sc = ((W[(blk * 144u + 4u + is_) >> 2u] >> (((blk * 144u + 4u + is_) & 3u) << 3u)) & 255u) & 63u;
      mn = ((W[(blk * 144u + 4u + (is_ + 4u)) >> 2u] >> (((blk * 144u + 4u + (is_ + 4u)) & 3u) << 3u)) & 255u) & 63u;
    } else {
      sc = (((W[(blk * 144u + 4u + (is_ + 4u)) >> 2u] >> (((blk * 144u + 4u + (is_ + 4u)) & 3u) << 3u)) & 255u) & 15u) | ((((W[(blk * 144u + 4u + (is_ - 4u)) >> 2u] >> (((blk * 144u + 4u + (is_ - 4u)) & 3u) << 3u)) & 255u) >> 6u) << 4u);
      mn = (((W[(blk * 144u + 4u + (is_ + 4u)) >> 2u] >> (((blk * 144u + 4u + (is_ + 4u)) & 3u) << 3u)) & 255u) >> 4u) | ((((W[(blk * 144u + 4u + is_) >> 2u] >> (((blk * 144u + 4u + is_) & 3u) << 3u)) & 255u) >> 6u) << 4u);
    }
    let byte: u32 = (W[(blk * 144u + 16u + ((is_ >> 1u) * 32u + l)) >> 2u] >> (((blk * 144u + 16u + ((is_ >> 1u) * 32u + l)) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if ((is_ & 1u) == 1u) {
      q = byte >> 4u;
    }
    let w: f32 = unpack2x16float((W[(blk * 144u) >> 2u] >> (((blk * 144u) & 2u) << 3u)) & 65535u).x * f32(sc) * f32(q) - unpack2x16float((W[(blk * 144u + 2u) >> 2u] >> (((blk * 144u + 2u) & 2u) << 3u)) & 65535u).x * f32(mn);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 302]
  wg_scratch[localId.x] = acc;
  storageBarrier();
  workgroupBarrier();
  {
    if (localId.x < 32u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 32u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 16u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 16u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 8u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 8u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 4u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 4u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 2u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 2u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 1u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 1u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  let total: f32 = wg_scratch[0u];
  storageBarrier();
  workgroupBarrier();
  if (localId.x == 0u) {
    out[row] = total;
  }
}
