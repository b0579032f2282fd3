// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax_masked (Metal), workgroup 256x1x1; regenerate with `npm run codegen`
//
// Softmax with scale and additive mask, as attention uses it: out[r, i] = softmax(x[r, :] * scale +
// mask[r % maskRows, :])[i]. Shapes: x, out (rows, n); mask (maskRows, n), -inf where a position is hidden
// (the causal mask); one mask row serves every head of a token when rows = heads * maskRows in that order.
// Reference: engine/reference/ops.ts softmax after the scale and mask; ggml counterpart: ggml_soft_max_ext.

#include <metal_stdlib>
using namespace metal;

struct softmax_masked_params {
  uint n;
  float scale;
  uint maskRows;
};

kernel void softmax_masked(
    device const float* x [[buffer(0)]],
    device const float* mask [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant softmax_masked_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const float scale = params.scale;
  const uint maskRows = params.maskRows;
  threadgroup float wg_scratch[256];
  const uint row = workgroupId.x * n;
  const uint maskRow = workgroupId.x % maskRows * n;
  float m = -3.4028234663852886e+38f;
  for (uint i = localId.x; i < n; i += 256u) {
    const float v = x[row + i] * scale + mask[maskRow + i];
    out[row + i] = v;
    m = fmax(m, v);
  }
  // workgroupMax: tree reduction over 256 invocations in shared memory [line 52]
  wg_scratch[localId.x] = m;
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  {
    if (localId.x < 128u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 128u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 64u) {
      wg_scratch[localId.x] = fmax(wg_scratch[localId.x], wg_scratch[localId.x + 64u]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
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
  for (uint i_1 = localId.x; i_1 < n; i_1 += 256u) {
    // a masked value is -inf, and exp(-inf) is 0 [line 56]
    const float e = precise::exp(out[row + i_1] - rowMax);
    out[row + i_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 60]
  wg_scratch[localId.x] = sum;
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  {
    if (localId.x < 128u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 128u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  {
    if (localId.x < 64u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 64u];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
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
  const float inv = 1.0f / total;
  for (uint i_2 = localId.x; i_2 < n; i_2 += 256u) {
    out[row + i_2] = out[row + i_2] * inv;
  }
}
