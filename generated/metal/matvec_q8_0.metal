// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q8_0 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_0: 32 values a block, each qs[j] * d.

#include <metal_stdlib>
using namespace metal;

struct matvec_q8_0_params {
  uint k;
};

kernel void matvec_q8_0(
    device const uchar* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_q8_0_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  threadgroup float wg_scratch[64];
  const uint blocksPerRow = (k / 32u);
  const uint firstBlock = workgroupId.x * blocksPerRow;
  // each invocation takes every workgroupSize-th block of the row [line 26]
  float acc = 0.0f;
  for (uint b = localId.x; b < blocksPerRow; b += 64u) {
    const uint blk = firstBlock + b;
    float dot_ = 0.0f;
    for (uint j = 0u; j < 32u; j += 1u) {
      dot_ += float(int(*((device const char*)(W + blk * 34u + 2u + j)))) * x[b * 32u + j];
    }
    // one scale per block: multiply once, after the integer-valued dot [line 34]
    acc += float(*((device const half*)(W + blk * 34u))) * dot_;
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 36]
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
    out[workgroupId.x] = total;
  }
}
