// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_bf16 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

#include <metal_stdlib>
using namespace metal;

struct matvec_bf16_params {
  uint k;
};

kernel void matvec_bf16(
    device const uint* W [[buffer(0)]],
    device const float* x [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matvec_bf16_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  threadgroup float wg_scratch[64];
  const uint row = workgroupId.x;
  float acc = 0.0f;
  // each invocation takes every workgroupSize-th run of 32 values (one scale each in every type) [line 102]
  for (uint g = localId.x; g < (k >> 5u); g += 64u) {
    for (uint jj = 0u; jj < 32u; jj += 1u) {
      const uint i = g * 32u + jj;
      const uint e = row * k + i;
      const uint h = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
      // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 108]
      const uint expo = (h >> 7u) & 255u;
      float mag = float((h & 127u) | 128u);
      if (expo == 0u) {
        mag = 0.0f;
      }
      int t = int(expo) - 134;
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      {
        if (t > 30) {
          mag = mag * 1073741824.0f;
          t = t - 30;
        } else {
          if (t < -30) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30;
          }
        }
      }
      if (t >= 0) {
        mag = mag * float(1 << uint(t));
      } else {
        mag = mag / float(1 << uint(-t));
      }
      float w = mag;
      if ((h >> 15u) == 1u) {
        w = -mag;
      }
      acc += w * x[i];
    }
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 135]
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
