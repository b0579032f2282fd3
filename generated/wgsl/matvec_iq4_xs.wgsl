// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_iq4_xs (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales

@group(0) @binding(0) var<storage, read> W: array<u32>; // iq4_xs blocks of 136 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_iq4_xs_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_iq4_xs_params;
var<workgroup> wg_scratch: array<f32, 64>;
var<private> KVALUES_IQ4NL: array<i32, 16> = array<i32, 16>(
  -127i, -104i, -83i, -65i, -49i, -35i, -22i, -10i, 1i, 13i, 25i, 38i, 53i, 69i, 89i, 113i
);

@compute @workgroup_size(64, 1, 1)
fn matvec_iq4_xs(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 421]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    let ib: u32 = j >> 5u;
    let l: u32 = j & 31u;
    let ls: u32 = ((((W[(blk * 136u + 4u + (ib >> 1u)) >> 2u] >> (((blk * 136u + 4u + (ib >> 1u)) & 3u) << 3u)) & 255u) >> ((ib & 1u) * 4u)) & 15u) | (((((W[(blk * 136u + 2u) >> 2u] >> (((blk * 136u + 2u) & 2u) << 3u)) & 65535u) >> (ib * 2u)) & 3u) << 4u);
    let dl: f32 = unpack2x16float((W[(blk * 136u) >> 2u] >> (((blk * 136u) & 2u) << 3u)) & 65535u).x * f32(i32(ls) - 32i);
    let byte: u32 = (W[(blk * 136u + 8u + (ib * 16u + (l & 15u))) >> 2u] >> (((blk * 136u + 8u + (ib * 16u + (l & 15u))) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if (l >= 16u) {
      q = byte >> 4u;
    }
    let w: f32 = dl * f32(KVALUES_IQ4NL[q]);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 436]
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
