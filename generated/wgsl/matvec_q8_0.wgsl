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
  let blocksPerRow: u32 = (k / 32u);
  let firstBlock: u32 = workgroupId.x * blocksPerRow;
  // each invocation takes every workgroupSize-th block of the row [line 26]
  var acc: f32 = 0.0f;
  for (var b: u32 = localId.x; b < blocksPerRow; b += 64u) {
    let blk: u32 = firstBlock + b;
    var dot_: f32 = 0.0f;
    for (var j: u32 = 0u; j < 32u; j += 1u) {
      dot_ += f32((i32((W[(blk * 34u + 2u + j) >> 2u] >> (((blk * 34u + 2u + j) & 3u) << 3u)) & 255u) << 24u) >> 24u) * x[b * 32u + j];
    }
    // one scale per block: multiply once, after the integer-valued dot [line 34]
    acc += unpack2x16float((W[(blk * 34u) >> 2u] >> (((blk * 34u) & 2u) << 3u)) & 65535u).x * dot_;
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 36]
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
    out[workgroupId.x] = total;
  }
}
