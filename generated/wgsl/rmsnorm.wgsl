// GENERATED — do not edit; source: engine/kernels/norm.kernel.ts
// kernel rmsnorm (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct rmsnorm_params {
  n: u32,
  eps: f32,
}
@group(0) @binding(3) var<uniform> params: rmsnorm_params;
var<workgroup> wg_scratch: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn rmsnorm(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let eps: f32 = params.eps;
  let row: u32 = workgroupId.x * n;
  // each invocation sums the squares of a strided slice of the row [line 16]
  var ss: f32 = 0.0f;
  for (var i: u32 = localId.x; i < n; i += 256u) {
    let v: f32 = x[row + i];
    ss += v * v;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 21]
  wg_scratch[localId.x] = ss;
  storageBarrier();
  workgroupBarrier();
  {
    if (localId.x < 128u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 128u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 64u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 64u];
    }
    storageBarrier();
    workgroupBarrier();
  }
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
  let scale: f32 = inverseSqrt(total / f32(n) + eps);
  for (var i_1: u32 = localId.x; i_1 < n; i_1 += 256u) {
    out[row + i_1] = x[row + i_1] * scale * w[i_1];
  }
}
