// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q4_1 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_1: x = d * q + m

@group(0) @binding(0) var<storage, read> W: array<u32>; // q4_1 blocks of 20 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_q4_1_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_q4_1_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_q4_1(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 163]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 32u) + (i / 32u);
    let j: u32 = i % 32u;
    let byte: u32 = (W[(blk * 20u + 4u + (j & 15u)) >> 2u] >> (((blk * 20u + 4u + (j & 15u)) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    let w: f32 = f32(q) * unpack2x16float((W[(blk * 20u) >> 2u] >> (((blk * 20u) & 2u) << 3u)) & 65535u).x + unpack2x16float((W[(blk * 20u + 2u) >> 2u] >> (((blk * 20u + 2u) & 2u) << 3u)) & 65535u).x;
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 174]
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
