// GENERATED — do not edit; source: engine/kernels/rope_table.kernel.ts
// kernel rope (Metal), workgroup 64x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct rope_params {
  uint nHeads;
  uint headDim;
  uint nRot;
  uint neox;
};

kernel void rope(
    device float* x [[buffer(0)]],
    device const float* table [[buffer(1)]],
    device const uint* step [[buffer(2)]],
    constant rope_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint nHeads = params.nHeads;
  const uint headDim = params.headDim;
  const uint nRot = params.nRot;
  const uint neox = params.neox;
  const uint half_ = nRot >> 1u;
  const uint idx = globalId.x;
  if (idx < (nHeads * half_)) {
    const uint h = (idx / half_);
    const uint i = idx - h * half_;
    uint a = h * headDim + 2u * i;
    uint b = a + 1u;
    if (neox == 1u) {
      // NeoX rotates the first half of the head against the second [line 32]
      a = h * headDim + i;
      b = a + half_;
    }
    const uint t = (step[0u] * half_ + i) * 2u;
    const float c = table[t];
    const float s = table[t + 1u];
    const float x0 = x[a];
    const float x1 = x[b];
    x[a] = x0 * c - x1 * s;
    x[b] = x0 * s + x1 * c;
  }
}
