// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q8_0 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_0: 32 values a block, each qs[j] * d.

@group(0) @binding(0) var<storage, read> W: array<u32>; // q8_0 blocks of 34 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_q8_0_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_q8_0_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_q8_0(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read one block's 32 values together [line 60]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 32u) + (i / 32u);
    acc += f32((i32((W[(blk * 34u + 2u + i % 32u) >> 2u] >> (((blk * 34u + 2u + i % 32u) & 3u) << 3u)) & 255u) << 24u) >> 24u) * unpack2x16float((W[(blk * 34u) >> 2u] >> (((blk * 34u) & 2u) << 3u)) & 65535u).x * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 64]
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
