// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q6_k (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales

#include <metal_stdlib>
using namespace metal;

struct matvec_q6_k_params {
  uint k;
};

kernel void matvec_q6_k(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_q6_k_params& params [[buffer(3)]],
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
  // subgroup) read 32 consecutive values, one scale's run, together [line 363]
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = row * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh [line 367]
    const uint half_ = j >> 7u;
    const uint quarter = (j & 127u) >> 5u;
    const uint l = j & 31u;
    const uint lowByte = uint(*(W + blk * 210u + (half_ * 64u + l + (quarter & 1u) * 32u)));
    uint low = lowByte & 15u;
    if (quarter >= 2u) {
      low = lowByte >> 4u;
    }
    const uint high = (uint(*(W + blk * 210u + 128u + (half_ * 32u + l))) >> (quarter * 2u)) & 3u;
    const int q = int(low | (high << 4u)) - 32;
    const float w = float(*((device const half*)(W + blk * 210u + 208u))) * float(int(*((device const char*)(W + blk * 210u + 192u + (half_ * 8u + (l >> 4u) + quarter * 2u))))) * float(q);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 380]
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
