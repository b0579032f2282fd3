// GENERATED — do not edit; source: engine/kernels/rope.kernel.ts
// kernel rope_neox (Metal), workgroup 64x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct rope_neox_params {
  uint nHeads;
  uint headDim;
  uint nRot;
  float freqBase;
  float freqScale;
};

kernel void rope_neox(
    device const float* x [[buffer(0)]],
    device const uint* pos [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant rope_neox_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint nHeads = params.nHeads;
  const uint headDim = params.headDim;
  const uint nRot = params.nRot;
  const float freqBase = params.freqBase;
  const float freqScale = params.freqScale;
  const uint base = (workgroupId.y * nHeads + workgroupId.x) * headDim;
  const float p = float(pos[workgroupId.y]);
  const uint half_ = nRot >> 1u;
  for (uint i = localId.x; i < half_; i += 64u) {
    const float freq = precise::pow(freqBase, float(i) * -2.0f / float(nRot));
    const float theta = p * freq * freqScale;
    const float c = precise::cos(theta);
    const float s = precise::sin(theta);
    // NeoX rotates the first half of the head against the second [line 53]
    const float x0 = x[base + i];
    const float x1 = x[base + i + half_];
    out[base + i] = x0 * c - x1 * s;
    out[base + i + half_] = x0 * s + x1 * c;
  }
  for (uint d = nRot + localId.x; d < headDim; d += 64u) {
    out[base + d] = x[base + d];
  }
}
