// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel flash_attention_f16 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// flash, f16 KV cache (IEEE halves, two per u32 word, low half first)

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> kCache: array<u32>;
@group(0) @binding(2) var<storage, read> vCache: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

struct flash_attention_f16_params {
  nHead: u32,
  nKvHead: u32,
  headDim: u32,
  nPast: u32,
  scale: f32,
  softcap: f32,
  window: u32,
}
@group(0) @binding(4) var<uniform> params: flash_attention_f16_params;
var<workgroup> tile: array<f32, 64>;
var<workgroup> acc: array<f32, 256>;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn flash_attention_f16(
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
  // grouped-query attention: consecutive query heads share a KV head [line 231]
  let kvOffset: u32 = (h / (nHead / nKvHead)) * headDim;
  let kvDim: u32 = nKvHead * headDim;
  let qOffset: u32 = (t * nHead + h) * headDim;
  // causal, and (window > 0) only the last `window` positions [line 235]
  var first: u32 = 0u;
  if (window > 0u && (pos + 1u) > window) {
    first = pos + 1u - window;
  }
  let n: u32 = pos + 1u - first;
  for (var d: u32 = localId.x; d < headDim; d += 64u) {
    acc[d] = 0.0f;
  }
  // the running max and sum of the online softmax (the same in every invocation) [line 244]
  var m: f32 = -3.4028234663852886e+38f;
  var l: f32 = 0.0f;
  for (var j0: u32 = 0u; j0 < n; j0 += 64u) {
    // each invocation scores one position of the tile [line 248]
    let j: u32 = j0 + localId.x;
    var s: f32 = -3.4028234663852886e+38f;
    if (j < n) {
      var dot_: f32 = 0.0f;
      for (var i: u32 = 0u; i < headDim; i += 1u) {
        let kv: f32 = unpack2x16float(kCache[((first + j) * kvDim + kvOffset + i) >> 1u] >> ((((first + j) * kvDim + kvOffset + i) & 1u) * 16u)).x;
        dot_ += q[qOffset + i] * kv;
      }
      s = dot_ * scale;
      // gemma2's soft-capping of the scores [line 258]
      if (softcap > 0.0f) {
        s = softcap * tanh(s / softcap);
      }
    }
    // workgroupMax: tree reduction over 64 invocations in shared memory [line 262]
    wg_scratch[localId.x] = s;
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
    let tileMax: f32 = wg_scratch[0u];
    storageBarrier();
    workgroupBarrier();
    let mNew: f32 = max(m, tileMax);
    // rescale what was summed under the old max [line 265]
    let correction: f32 = exp(m - mNew);
    var p: f32 = 0.0f;
    if (j < n) {
      p = exp(s - mNew);
    }
    tile[localId.x] = p;
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 271]
    wg_scratch[localId.x] = p;
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
    let tileSum: f32 = wg_scratch[0u];
    storageBarrier();
    workgroupBarrier();
    l = l * correction + tileSum;
    m = mNew;
    storageBarrier();
    workgroupBarrier();
    let tileLen: u32 = min(n - j0, 64u);
    for (var d_1: u32 = localId.x; d_1 < headDim; d_1 += 64u) {
      var a: f32 = acc[d_1] * correction;
      for (var jj: u32 = 0u; jj < tileLen; jj += 1u) {
        let vv: f32 = unpack2x16float(vCache[((first + j0 + jj) * kvDim + kvOffset + d_1) >> 1u] >> ((((first + j0 + jj) * kvDim + kvOffset + d_1) & 1u) * 16u)).x;
        a += tile[jj] * vv;
      }
      acc[d_1] = a;
    }
    // the next tile overwrites `tile` [line 285]
    storageBarrier();
    workgroupBarrier();
  }
  for (var d_2: u32 = localId.x; d_2 < headDim; d_2 += 64u) {
    out[qOffset + d_2] = acc[d_2] / l;
  }
}
