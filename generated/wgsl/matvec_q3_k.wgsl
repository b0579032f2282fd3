// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q3_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

@group(0) @binding(0) var<storage, read> W: array<u32>; // q3_k blocks of 110 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_q3_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_q3_k_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_q3_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 272]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    let half_: u32 = j >> 7u;
    let plane: u32 = (j & 127u) >> 5u;
    let p: u32 = j & 31u;
    let is_: u32 = half_ * 8u + plane * 2u + (p >> 4u);
    // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 280]
    var lo: u32 = 0u;
    if (is_ < 8u) {
      lo = ((W[(blk * 110u + 96u + is_) >> 2u] >> (((blk * 110u + 96u + is_) & 3u) << 3u)) & 255u) & 15u;
    } else {
      lo = ((W[(blk * 110u + 96u + (is_ - 8u)) >> 2u] >> (((blk * 110u + 96u + (is_ - 8u)) & 3u) << 3u)) & 255u) >> 4u;
    }
    let hi: u32 = (((W[(blk * 110u + 96u + (8u + (is_ & 3u))) >> 2u] >> (((blk * 110u + 96u + (8u + (is_ & 3u))) & 3u) << 3u)) & 255u) >> ((is_ >> 2u) * 2u)) & 3u;
    let dl: f32 = unpack2x16float((W[(blk * 110u + 108u) >> 2u] >> (((blk * 110u + 108u) & 2u) << 3u)) & 65535u).x * f32(i32(lo | (hi << 4u)) - 32i);
    // a clear high bit subtracts 4 [line 289]
    var q: i32 = i32((((W[(blk * 110u + 32u + (half_ * 32u + p)) >> 2u] >> (((blk * 110u + 32u + (half_ * 32u + p)) & 3u) << 3u)) & 255u) >> (plane * 2u)) & 3u);
    if (((((W[(blk * 110u + p) >> 2u] >> (((blk * 110u + p) & 3u) << 3u)) & 255u) >> (half_ * 4u + plane)) & 1u) == 0u) {
      q = q - 4i;
    }
    let w: f32 = dl * f32(q);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 296]
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
