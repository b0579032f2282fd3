// GENERATED — do not edit; source: engine/kernels/norm.kernel.ts
// kernel rmsnorm (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct rmsnorm_params {
  uint n;
  float eps;
};

kernel void rmsnorm(
    device const float* x [[buffer(0)]],
    device const float* w [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant rmsnorm_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const float eps = params.eps;
  threadgroup float wg_scratch[256];
  const uint row = workgroupId.x * n;
  // each invocation sums the squares of a strided slice of the row [line 16]
  float ss = 0.0f;
  for (uint i = localId.x; i < n; i += 256u) {
    const float v = x[row + i];
    ss += v * v;
  }
  // workgroupSum: tree reduction over 256 invocations in shared memory [line 21]
  wg_scratch[localId.x] = ss;
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
  const float scale = precise::rsqrt(total / float(n) + eps);
  for (uint i_1 = localId.x; i_1 < n; i_1 += 256u) {
    out[row + i_1] = x[row + i_1] * scale * w[i_1];
  }
}
