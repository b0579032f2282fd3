// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q2_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16

@group(0) @binding(0) var<storage, read> W: array<u32>; // q2_k blocks of 84 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_q2_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_q2_k_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_q2_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 244]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values [line 248]
    let half_: u32 = j >> 7u;
    let plane: u32 = (j & 127u) >> 5u;
    let p: u32 = j & 31u;
    let sc: u32 = (W[(blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u))) >> 2u] >> (((blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u))) & 3u) << 3u)) & 255u;
    let dl: f32 = unpack2x16float((W[(blk * 84u + 80u) >> 2u] >> (((blk * 84u + 80u) & 2u) << 3u)) & 65535u).x * f32(sc & 15u);
    let ml: f32 = unpack2x16float((W[(blk * 84u + 82u) >> 2u] >> (((blk * 84u + 82u) & 2u) << 3u)) & 65535u).x * f32(sc >> 4u);
    let w: f32 = dl * f32((((W[(blk * 84u + 16u + (half_ * 32u + p)) >> 2u] >> (((blk * 84u + 16u + (half_ * 32u + p)) & 3u) << 3u)) & 255u) >> (plane * 2u)) & 3u) - ml;
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 257]
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
