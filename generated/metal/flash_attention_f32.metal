// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel flash_attention_f32 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// flash, f32 KV cache

#include <metal_stdlib>
using namespace metal;

struct flash_attention_f32_params {
  uint nHead;
  uint nKvHead;
  uint headDim;
  uint nPast;
  float scale;
  float softcap;
  uint window;
};

kernel void flash_attention_f32(
    device const float* q [[buffer(0)]],
    device const float* kCache [[buffer(1)]],
    device const float* vCache [[buffer(2)]],
    device float* out [[buffer(3)]],
    constant flash_attention_f32_params& params [[buffer(4)]],
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
  threadgroup float tile[64];
  threadgroup float acc[256];
  threadgroup float wg_scratch[64];
  const uint h = workgroupId.x;
  const uint t = workgroupId.y;
  const uint pos = nPast + t;
  // grouped-query attention: consecutive query heads share a KV head [line 153]
  const uint kvOffset = (h / (nHead / nKvHead)) * headDim;
  const uint kvDim = nKvHead * headDim;
  const uint qOffset = (t * nHead + h) * headDim;
  // causal, and (window > 0) only the last `window` positions [line 157]
  uint first = 0u;
  if (window > 0u && (pos + 1u) > window) {
    first = pos + 1u - window;
  }
  const uint n = pos + 1u - first;
  for (uint d = localId.x; d < headDim; d += 64u) {
    acc[d] = 0.0f;
  }
  // the running max and sum of the online softmax (the same in every invocation) [line 166]
  float m = -3.4028234663852886e+38f;
  float l = 0.0f;
  for (uint j0 = 0u; j0 < n; j0 += 64u) {
    // each invocation scores one position of the tile [line 170]
    const uint j = j0 + localId.x;
    float s = -3.4028234663852886e+38f;
    if (j < n) {
      float dot_ = 0.0f;
      for (uint i = 0u; i < headDim; i += 1u) {
        const float kv = kCache[(first + j) * kvDim + kvOffset + i];
        dot_ += q[qOffset + i] * kv;
      }
      s = dot_ * scale;
      // gemma2's soft-capping of the scores [line 180]
      if (softcap > 0.0f) {
        s = softcap * precise::tanh(s / softcap);
      }
    }
    // workgroupMax: tree reduction over 64 invocations in shared memory [line 184]
    wg_scratch[localId.x] = s;
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
    const float tileMax = wg_scratch[0u];
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
    const float mNew = fmax(m, tileMax);
    // rescale what was summed under the old max [line 187]
    const float correction = precise::exp(m - mNew);
    float p = 0.0f;
    if (j < n) {
      p = precise::exp(s - mNew);
    }
    tile[localId.x] = p;
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 193]
    wg_scratch[localId.x] = p;
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
    const float tileSum = wg_scratch[0u];
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
    l = l * correction + tileSum;
    m = mNew;
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
    const uint tileLen = min(n - j0, 64u);
    for (uint d_1 = localId.x; d_1 < headDim; d_1 += 64u) {
      float a = acc[d_1] * correction;
      for (uint jj = 0u; jj < tileLen; jj += 1u) {
        const float vv = vCache[(first + j0 + jj) * kvDim + kvOffset + d_1];
        a += tile[jj] * vv;
      }
      acc[d_1] = a;
    }
    // the next tile overwrites `tile` [line 207]
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  for (uint d_2 = localId.x; d_2 < headDim; d_2 += 64u) {
    out[qOffset + d_2] = acc[d_2] / l;
  }
}
