// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_bf16 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

#include <metal_stdlib>
using namespace metal;

struct get_rows_bf16_params {
  uint k;
};

kernel void get_rows_bf16(
    device const uint* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_bf16_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint e = src * k + i;
    const uint h = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
    // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 58]
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
    out[workgroupId.x * k + i] = w;
  }
}
