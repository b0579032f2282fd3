// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q5_0 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_0: x = d * (q - 16), q's 5th bit from qh

#include <metal_stdlib>
using namespace metal;

struct matvec_q5_0_params {
  uint k;
};

kernel void matvec_q5_0(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_q5_0_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  threadgroup float wg_scratch[64];
  const uint row = workgroupId.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
  // subgroup) read 32 consecutive values, one scale's run, together [line 189]
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = row * (k / 32u) + (i / 32u);
    const uint j = i % 32u;
    const uint byte = uint(*(W + blk * 22u + 6u + (j & 15u)));
    uint q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    // bit j of the little-endian qh word [line 198]
    q = q | (((uint(*(W + blk * 22u + 2u + (j >> 3u))) >> (j & 7u)) & 1u) << 4u);
    const float w = float(int(q) - 16) * float(*((device const half*)(W + blk * 22u)));
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 202]
  wg_scratch[localId.x] = acc;
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
  if (localId.x == 0u) {
    out[row] = total;
  }
}
