// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q6_k (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales

@group(0) @binding(0) var<storage, read> W: array<u32>; // q6_k blocks of 210 bytes, read as words
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_q6_k_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_q6_k_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_q6_k(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 363]
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = row * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh [line 367]
    let half_: u32 = j >> 7u;
    let quarter: u32 = (j & 127u) >> 5u;
    let l: u32 = j & 31u;
    let lowByte: u32 = (W[(blk * 210u + (half_ * 64u + l + (quarter & 1u) * 32u)) >> 2u] >> (((blk * 210u + (half_ * 64u + l + (quarter & 1u) * 32u)) & 3u) << 3u)) & 255u;
    var low: u32 = lowByte & 15u;
    if (quarter >= 2u) {
      low = lowByte >> 4u;
    }
    let high: u32 = (((W[(blk * 210u + 128u + (half_ * 32u + l)) >> 2u] >> (((blk * 210u + 128u + (half_ * 32u + l)) & 3u) << 3u)) & 255u) >> (quarter * 2u)) & 3u;
    let q: i32 = i32(low | (high << 4u)) - 32i;
    let w: f32 = unpack2x16float((W[(blk * 210u + 208u) >> 2u] >> (((blk * 210u + 208u) & 2u) << 3u)) & 65535u).x * f32((i32((W[(blk * 210u + 192u + (half_ * 8u + (l >> 4u) + quarter * 2u)) >> 2u] >> (((blk * 210u + 192u + (half_ * 8u + (l >> 4u) + quarter * 2u)) & 3u) << 3u)) & 255u) << 24u) >> 24u) * f32(q);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 380]
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
