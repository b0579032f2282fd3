// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

struct softmax_params {
  n: u32,
}
@group(0) @binding(2) var<uniform> params: softmax_params;
var<workgroup> wg_scratch: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn softmax(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let row: u32 = workgroupId.x * n;
  // the lowest finite f32 stands in for -inf, which WGSL cannot spell [line 11]
  var m: f32 = -3.4028234663852886e+38f;
  for (var i: u32 = localId.x; i < n; i += 256u) {
    m = max(m, x[row + i]);
  }
  // subtracting the row max keeps exp() from overflowing
  // workgroupMax: tree reduction over 256 invocations in shared memory [line 16]
  wg_scratch[localId.x] = m;
  storageBarrier();
  workgroupBarrier();
  {
    if (localId.x < 128u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 128u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 64u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 64u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 32u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 32u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 16u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 16u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 8u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 8u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 4u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 4u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 2u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 2u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 1u) {
      wg_scratch[localId.x] = max(wg_scratch[localId.x], wg_scratch[localId.x + 1u]);
    }
    storageBarrier();
    workgroupBarrier();
  }
  let rowMax: f32 = wg_scratch[0u];
  storageBarrier();
  workgroupBarrier();
  var sum: f32 = 0.0f;
  for (var i_1: u32 = localId.x; i_1 < n; i_1 += 256u) {
    let e: f32 = exp(x[row + i_1] - rowMax);
    out[row + i_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 23]
  wg_scratch[localId.x] = sum;
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
  let inv: f32 = 1.0f / total;
  // each invocation rescales only the values it wrote, so no barrier is needed [line 26]
  for (var i_2: u32 = localId.x; i_2 < n; i_2 += 256u) {
    out[row + i_2] = out[row + i_2] * inv;
  }
}
