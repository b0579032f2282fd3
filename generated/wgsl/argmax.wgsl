// GENERATED — do not edit; source: engine/kernels/argmax.kernel.ts
// kernel argmax (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

struct argmax_params {
  n: u32,
}
@group(0) @binding(2) var<uniform> params: argmax_params;
var<workgroup> bestValue: array<f32, 256>;
var<workgroup> bestIndex: array<u32, 256>;

@compute @workgroup_size(256, 1, 1)
fn argmax(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let row: u32 = workgroupId.x * n;
  // each invocation scans a strided slice; ascending order keeps its lowest index on ties
  // `at === n` marks "nothing seen yet", so the first value is taken whatever it is [line 15]
  var best: f32 = 0.0f;
  var at: u32 = n;
  for (var i: u32 = localId.x; i < n; i += 256u) {
    let v: f32 = x[row + i];
    if (at == n || v > best) {
      best = v;
      at = i;
    }
  }
  bestValue[localId.x] = best;
  bestIndex[localId.x] = at;
  storageBarrier();
  workgroupBarrier();
  // a tree over the workgroup: the larger value wins, the lower index breaks ties [line 28]
  for (var stride: u32 = 128u; stride > 0u; stride = stride >> 1u) {
    if (localId.x < stride) {
      let v_1: f32 = bestValue[localId.x + stride];
      let j: u32 = bestIndex[localId.x + stride];
      let mine: f32 = bestValue[localId.x];
      if (j < n && (bestIndex[localId.x] == n || v_1 > mine || (v_1 == mine && j < bestIndex[localId.x]))) {
        bestValue[localId.x] = v_1;
        bestIndex[localId.x] = j;
      }
    }
    storageBarrier();
    workgroupBarrier();
  }
  if (localId.x == 0u) {
    out[workgroupId.x] = bestIndex[0u];
  }
}
