// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q3_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

#include <metal_stdlib>
using namespace metal;

struct matvec_q3_k_params {
  uint k;
};

kernel void matvec_q3_k(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_q3_k_params& params [[buffer(3)]],
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
  // subgroup) read 32 consecutive values, one scale's run, together [line 272]
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = row * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    const uint half_ = j >> 7u;
    const uint plane = (j & 127u) >> 5u;
    const uint p = j & 31u;
    const uint is_ = half_ * 8u + plane * 2u + (p >> 4u);
    // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 280]
    uint lo = 0u;
    if (is_ < 8u) {
      lo = uint(*(W + blk * 110u + 96u + is_)) & 15u;
    } else {
      lo = uint(*(W + blk * 110u + 96u + (is_ - 8u))) >> 4u;
    }
    const uint hi = (uint(*(W + blk * 110u + 96u + (8u + (is_ & 3u)))) >> ((is_ >> 2u) * 2u)) & 3u;
    const float dl = float(*((device const half*)(W + blk * 110u + 108u))) * float(int(lo | (hi << 4u)) - 32);
    // a clear high bit subtracts 4 [line 289]
    int q = int((uint(*(W + blk * 110u + 32u + (half_ * 32u + p))) >> (plane * 2u)) & 3u);
    if (((uint(*(W + blk * 110u + p)) >> (half_ * 4u + plane)) & 1u) == 0u) {
      q = q - 4;
    }
    const float w = dl * float(q);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 296]
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
