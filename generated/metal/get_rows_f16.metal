// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_f16 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

#include <metal_stdlib>
using namespace metal;

struct get_rows_f16_params {
  uint k;
};

kernel void get_rows_f16(
    device const uint* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_f16_params& params [[buffer(3)]],
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
    // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 34]
    const uint expo = (h >> 10u) & 31u;
    const uint mant = h & 1023u;
    float mag = float(mant) * 5.960464477539063e-8f;
    if (expo > 0u) {
      mag = float(mant | 1024u) * (float(1 << expo) * 2.9802322387695312e-8f);
    }
    float w = mag;
    if ((h >> 15u) == 1u) {
      w = -mag;
    }
    out[workgroupId.x * k + i] = w;
  }
}
