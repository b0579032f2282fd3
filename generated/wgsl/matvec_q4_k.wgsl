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
  // subgroup) read 32 consecutive values, one scale's run, together [line 311]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    let is_: u32 = j >> 5u;
    let l: u32 = j & 31u;
    // inlined scaleK4() [line 15]
    let is_1: u32 = is_;
    var sc: u32 = 0u;
    if (is_1 < 4u) {
      sc = ((W[(blk * 144u + 4u + is_1) >> 2u] >> (((blk * 144u + 4u + is_1) & 3u) << 3u)) & 255u) & 63u;
    } else {
      sc = (((W[(blk * 144u + 4u + (is_1 + 4u)) >> 2u] >> (((blk * 144u + 4u + (is_1 + 4u)) & 3u) << 3u)) & 255u) & 15u) | ((((W[(blk * 144u + 4u + (is_1 - 4u)) >> 2u] >> (((blk * 144u + 4u + (is_1 - 4u)) & 3u) << 3u)) & 255u) >> 6u) << 4u);
    }
    let scaleK4: u32 = sc;
    let sc_1: u32 = scaleK4;
    // inlined minK4() [line 25]
    let is_2: u32 = is_;
    var mn: u32 = 0u;
    if (is_2 < 4u) {
      mn = ((W[(blk * 144u + 4u + (is_2 + 4u)) >> 2u] >> (((blk * 144u + 4u + (is_2 + 4u)) & 3u) << 3u)) & 255u) & 63u;
    } else {
      mn = (((W[(blk * 144u + 4u + (is_2 + 4u)) >> 2u] >> (((blk * 144u + 4u + (is_2 + 4u)) & 3u) << 3u)) & 255u) >> 4u) | ((((W[(blk * 144u + 4u + is_2) >> 2u] >> (((blk * 144u + 4u + is_2) & 3u) << 3u)) & 255u) >> 6u) << 4u);
    }
    let minK4: u32 = mn;
    let mn_1: u32 = minK4;
    // inlined nibbleK4() [line 37]
    let is_3: u32 = is_;
    let l_1: u32 = l;
    let byte: u32 = (W[(blk * 144u + 16u + ((is_3 >> 1u) * 32u + l_1)) >> 2u] >> (((blk * 144u + 16u + ((is_3 >> 1u) * 32u + l_1)) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if ((is_3 & 1u) == 1u) {
      q = byte >> 4u;
    }
    let nibbleK4: u32 = q;
    let q_1: u32 = nibbleK4;
    let w: f32 = unpack2x16float((W[(blk * 144u) >> 2u] >> (((blk * 144u) & 2u) << 3u)) & 65535u).x * f32(sc_1) * f32(q_1) - unpack2x16float((W[(blk * 144u + 2u) >> 2u] >> (((blk * 144u + 2u) & 2u) << 3u)) & 65535u).x * f32(mn_1);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 322]
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
