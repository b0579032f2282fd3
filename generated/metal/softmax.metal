// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct softmax_params {
  uint n;
};

kernel void softmax(
    device const float* x [[buffer(0)]],
    device float* out [[buffer(1)]],
    constant softmax_params& params [[buffer(2)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  threadgroup float wg_scratch[256];
  const uint row = workgroupId.x * n;
  // the lowest finite f32 stands in for -inf, which WGSL cannot spell [line 11]
  float m = -3.4028234663852886e+38f;
  for (uint i = localId.x; i < n; i += 256u) {
    m = fmax(m, x[row + i]);
  }
  // subtracting the row max keeps exp() from overflowing
  // workgroupMax: tree reduction over 256 invocations in shared memory [line 16]
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
    const float e = precise::exp(x[row + i_1] - rowMax);
    out[row + i_1] = e;
    sum += e;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 23]
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
  // each invocation rescales only the values it wrote, so no barrier is needed [line 26]
  for (uint i_2 = localId.x; i_2 < n; i_2 += 256u) {
    out[row + i_2] = out[row + i_2] * inv;
  }
}
