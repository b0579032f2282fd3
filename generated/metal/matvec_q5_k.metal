// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q5_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_k: x = d * sc * q - dmin * m, q's 5th bit from qh

#include <metal_stdlib>
using namespace metal;

struct matvec_q5_k_params {
  uint k;
};

kernel void matvec_q5_k(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_q5_k_params& params [[buffer(3)]],
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
  // subgroup) read 32 consecutive values, one scale's run, together [line 337]
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = row * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    const uint is_ = j >> 5u;
    const uint l = j & 31u;
    // inlined scaleK4() [line 15]
    const uint is_1 = is_;
    uint sc = 0u;
    if (is_1 < 4u) {
      sc = uint(*(W + blk * 176u + 4u + is_1)) & 63u;
    } else {
      sc = (uint(*(W + blk * 176u + 4u + (is_1 + 4u))) & 15u) | ((uint(*(W + blk * 176u + 4u + (is_1 - 4u))) >> 6u) << 4u);
    }
    const uint scaleK4 = sc;
    const uint sc_1 = scaleK4;
    // inlined minK4() [line 25]
    const uint is_2 = is_;
    uint mn = 0u;
    if (is_2 < 4u) {
      mn = uint(*(W + blk * 176u + 4u + (is_2 + 4u))) & 63u;
    } else {
      mn = (uint(*(W + blk * 176u + 4u + (is_2 + 4u))) >> 4u) | ((uint(*(W + blk * 176u + 4u + is_2)) >> 6u) << 4u);
    }
    const uint minK4 = mn;
    const uint mn_1 = minK4;
    // inlined nibbleK4() [line 37]
    const uint is_3 = is_;
    const uint l_1 = l;
    const uint byte = uint(*(W + blk * 176u + 48u + ((is_3 >> 1u) * 32u + l_1)));
    uint q = byte & 15u;
    if ((is_3 & 1u) == 1u) {
      q = byte >> 4u;
    }
    const uint nibbleK4 = q;
    const uint q_1 = nibbleK4 | (((uint(*(W + blk * 176u + 16u + l)) >> is_) & 1u) << 4u);
    const float w = float(*((device const half*)(W + blk * 176u))) * float(sc_1) * float(q_1) - float(*((device const half*)(W + blk * 176u + 2u))) * float(mn_1);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 348]
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
