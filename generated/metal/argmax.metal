// GENERATED — do not edit; source: engine/kernels/argmax.kernel.ts
// kernel argmax (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct argmax_params {
  uint n;
};

kernel void argmax(
    device const float* x [[buffer(0)]],
    device uint* out [[buffer(1)]],
    constant argmax_params& params [[buffer(2)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  threadgroup float bestValue[256];
  threadgroup uint bestIndex[256];
  const uint row = workgroupId.x * n;
  // each invocation scans a strided slice; ascending order keeps its lowest index on ties
  // `at === n` marks "nothing seen yet", so the first value is taken whatever it is [line 15]
  float best = 0.0f;
  uint at = n;
  for (uint i = localId.x; i < n; i += 256u) {
    const float v = x[row + i];
    if (at == n || v > best) {
      best = v;
      at = i;
    }
  }
  bestValue[localId.x] = best;
  bestIndex[localId.x] = at;
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  // a tree over the workgroup: the larger value wins, the lower index breaks ties [line 28]
  for (uint stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (localId.x < stride) {
      const float v_1 = bestValue[localId.x + stride];
      const uint j = bestIndex[localId.x + stride];
      const float mine = bestValue[localId.x];
      if (j < n && (bestIndex[localId.x] == n || v_1 > mine || (v_1 == mine && j < bestIndex[localId.x]))) {
        bestValue[localId.x] = v_1;
        bestIndex[localId.x] = j;
      }
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  if (localId.x == 0u) {
    out[workgroupId.x] = bestIndex[0u];
  }
}
