// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax_masked (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`
//
// Softmax with scale and additive mask, as attention uses it: out[r, i] = softmax(x[r, :] * scale +
// mask[r % maskRows, :])[i]. Shapes: x, out (rows, n); mask (maskRows, n), -inf where a position is hidden
// (the causal mask); one mask row serves every head of a token when rows = heads * maskRows in that order.
// Reference: engine/reference/ops.ts softmax after the scale and mask; ggml counterpart: ggml_soft_max_ext.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct softmax_masked_params {
  n: u32,
  scale: f32,
  maskRows: u32,
}
@group(0) @binding(3) var<uniform> params: softmax_masked_params;
var<workgroup> wg_scratch: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn softmax_masked(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let scale: f32 = params.scale;
  let maskRows: u32 = params.maskRows;
  let row: u32 = workgroupId.x * n;
  let maskRow: u32 = workgroupId.x % maskRows * n;
  var m: f32 = -3.4028234663852886e+38f;
  for (var i: u32 = localId.x; i < n; i += 256u) {
    let v: f32 = x[row + i] * scale + mask[maskRow + i];
    out[row + i] = v;
    m = max(m, v);
  }
  // workgroupMax: tree reduction over 256 invocations in shared memory [line 52]
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
    // a masked value is -inf, and exp(-inf) is 0 [line 56]
    let e: f32 = exp(out[row + i_1] - rowMax);
    out[row + i_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 60]
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
  for (var i_2: u32 = localId.x; i_2 < n; i_2 += 256u) {
    out[row + i_2] = out[row + i_2] * inv;
  }
}
