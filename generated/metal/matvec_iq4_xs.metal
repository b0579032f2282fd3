// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_iq4_xs (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales

#include <metal_stdlib>
using namespace metal;

struct matvec_iq4_xs_params {
  uint k;
};

constant int KVALUES_IQ4NL[16] = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
};

kernel void matvec_iq4_xs(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_iq4_xs_params& params [[buffer(3)]],
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
  // subgroup) read 32 consecutive values, one scale's run, together [line 421]
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = row * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    const uint ib = j >> 5u;
    const uint l = j & 31u;
    const uint ls = ((uint(*(W + blk * 136u + 4u + (ib >> 1u))) >> ((ib & 1u) * 4u)) & 15u) | (((uint(*((device const ushort*)(W + blk * 136u + 2u))) >> (ib * 2u)) & 3u) << 4u);
    const float dl = float(*((device const half*)(W + blk * 136u))) * float(int(ls) - 32);
    const uint byte = uint(*(W + blk * 136u + 8u + (ib * 16u + (l & 15u))));
    uint q = byte & 15u;
    if (l >= 16u) {
      q = byte >> 4u;
    }
    const float w = dl * float(KVALUES_IQ4NL[q]);
    acc += w * x[i];
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 436]
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
