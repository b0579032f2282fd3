// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel attention_f32 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// naive, f32 KV cache

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> kCache: array<f32>;
@group(0) @binding(2) var<storage, read> vCache: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

struct attention_f32_params {
  nHead: u32,
  nKvHead: u32,
  headDim: u32,
  nPast: u32,
  scale: f32,
  softcap: f32,
  window: u32,
}
@group(0) @binding(4) var<uniform> params: attention_f32_params;
var<workgroup> probs: array<f32, 2048>;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn attention_f32(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let nHead: u32 = params.nHead;
  let nKvHead: u32 = params.nKvHead;
  let headDim: u32 = params.headDim;
  let nPast: u32 = params.nPast;
  let scale: f32 = params.scale;
  let softcap: f32 = params.softcap;
  let window: u32 = params.window;
  let h: u32 = workgroupId.x;
  let t: u32 = workgroupId.y;
  let pos: u32 = nPast + t;
  // grouped-query attention: consecutive query heads share a KV head [line 32]
  let kvOffset: u32 = (h / (nHead / nKvHead)) * headDim;
  let kvDim: u32 = nKvHead * headDim;
  let qOffset: u32 = (t * nHead + h) * headDim;
  // causal, and (window > 0) only the last `window` positions [line 36]
  var first: u32 = 0u;
  if (window > 0u && (pos + 1u) > window) {
    first = pos + 1u - window;
  }
  let n: u32 = pos + 1u - first;
  var m: f32 = -3.4028234663852886e+38f;
  for (var j: u32 = localId.x; j < n; j += 64u) {
    var s: f32 = 0.0f;
    for (var i: u32 = 0u; i < headDim; i += 1u) {
      let kv: f32 = kCache[(first + j) * kvDim + kvOffset + i];
      s += q[qOffset + i] * kv;
    }
    s = s * scale;
    // gemma2's soft-capping of the scores [line 50]
    if (softcap > 0.0f) {
      s = softcap * tanh(s / softcap);
    }
    probs[j] = s;
    m = max(m, s);
  }
  // workgroupMax: tree reduction over 64 invocations in shared memory [line 56]
  wg_scratch[localId.x] = m;
  storageBarrier();
  workgroupBarrier();
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
  for (var j_1: u32 = localId.x; j_1 < n; j_1 += 64u) {
    let e: f32 = exp(probs[j_1] - rowMax);
    probs[j_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 63]
  wg_scratch[localId.x] = sum;
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
  // every invocation reads every probability below [line 65]
  storageBarrier();
  workgroupBarrier();
  for (var d: u32 = localId.x; d < headDim; d += 64u) {
    var acc: f32 = 0.0f;
    for (var j_2: u32 = 0u; j_2 < n; j_2 += 1u) {
      let vv: f32 = vCache[(first + j_2) * kvDim + kvOffset + d];
      acc += probs[j_2] * vv;
    }
    out[qOffset + d] = acc / total;
  }
}
