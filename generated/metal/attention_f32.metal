// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel attention_f32 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// naive, f32 KV cache

#include <metal_stdlib>
using namespace metal;

struct attention_f32_params {
  uint nHead;
  uint nKvHead;
  uint headDim;
  uint nPast;
  float scale;
  float softcap;
  uint window;
};

kernel void attention_f32(
    device const float* q [[buffer(0)]],
    device const float* kCache [[buffer(1)]],
    device const float* vCache [[buffer(2)]],
    device float* out [[buffer(3)]],
    constant attention_f32_params& params [[buffer(4)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint nHead = params.nHead;
  const uint nKvHead = params.nKvHead;
  const uint headDim = params.headDim;
  const uint nPast = params.nPast;
  const float scale = params.scale;
  const float softcap = params.softcap;
  const uint window = params.window;
  threadgroup float probs[2048];
  threadgroup float wg_scratch[64];
  const uint h = workgroupId.x;
  const uint t = workgroupId.y;
  const uint pos = nPast + t;
  // grouped-query attention: consecutive query heads share a KV head [line 32]
  const uint kvOffset = (h / (nHead / nKvHead)) * headDim;
  const uint kvDim = nKvHead * headDim;
  const uint qOffset = (t * nHead + h) * headDim;
  // causal, and (window > 0) only the last `window` positions [line 36]
  uint first = 0u;
  if (window > 0u && (pos + 1u) > window) {
    first = pos + 1u - window;
  }
  const uint n = pos + 1u - first;
  float m = -3.4028234663852886e+38f;
  for (uint j = localId.x; j < n; j += 64u) {
    float s = 0.0f;
    for (uint i = 0u; i < headDim; i += 1u) {
      const float kv = kCache[(first + j) * kvDim + kvOffset + i];
      s += q[qOffset + i] * kv;
    }
    s = s * scale;
    // gemma2's soft-capping of the scores [line 50]
    if (softcap > 0.0f) {
      s = softcap * precise::tanh(s / softcap);
    }
    probs[j] = s;
    m = fmax(m, s);
  }
  // workgroupMax: tree reduction over 64 invocations in shared memory [line 56]
  wg_scratch[localId.x] = m;
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  {
    if (localId.x < 32u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 32u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 16u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 16u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 8u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 8u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 4u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 4u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 2u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 2u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 1u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 1u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  const float rowMax = wg_scratch[0u];
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  float sum = 0.0f;
  for (uint j_1 = localId.x; j_1 < n; j_1 += 64u) {
    const float e = precise::exp(probs[j_1] - rowMax);
    probs[j_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 63]
  wg_scratch[localId.x] = sum;
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  {
    if (localId.x < 32u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 32u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 16u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 16u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 8u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 8u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 4u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 4u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 2u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 2u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 1u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 1u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  const float total = wg_scratch[0u];
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  // every invocation reads every probability below [line 65]
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  for (uint d = localId.x; d < headDim; d += 64u) {
    float acc = 0.0f;
    for (uint j_2 = 0u; j_2 < n; j_2 += 1u) {
      const float vv = vCache[(first + j_2) * kvDim + kvOffset + d];
      acc += probs[j_2] * vv;
    }
    out[qOffset + d] = acc / total;
  }
}
