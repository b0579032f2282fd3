// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q2_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16

#include <metal_stdlib>
using namespace metal;

struct matvec_q2_k_params {
  uint k;
};

kernel void matvec_q2_k(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_q2_k_params& params [[buffer(3)]],
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
  // subgroup) read 32 consecutive values, one scale's run, together [line 244]
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = row * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values [line 248]
    const uint half_ = j >> 7u;
    const uint plane = (j & 127u) >> 5u;
    const uint p = j & 31u;
    const uint sc = uint(*(W + blk * 84u + (half_ * 8u + plane * 2u + (p >> 4u))));
    const float dl = float(*((device const half*)(W + blk * 84u + 80u))) * float(sc & 15u);
    const float ml = float(*((device const half*)(W + blk * 84u + 82u))) * float(sc >> 4u);
    const float w = dl * float((uint(*(W + blk * 84u + 16u + (half_ * 32u + p))) >> (plane * 2u)) & 3u) - ml;
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 257]
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
