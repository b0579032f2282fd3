// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_f16 (Metal), workgroup 16x16x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

#include <metal_stdlib>
using namespace metal;

struct matmul_f16_params {
  uint k;
  uint rows;
  uint tokens;
};

kernel void matmul_f16(
    device const uint* W [[buffer(0)]],
    device const float* X [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matmul_f16_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint rows = params.rows;
  const uint tokens = params.tokens;
  threadgroup float wTile[512];
  threadgroup float xTile[512];
  const uint flat = localId.y * 16u + localId.x;
  float acc = 0.0f;
  for (uint k0 = 0u; k0 < k; k0 += 32u) {
    // 256 invocations fill 512 slots of each tile, two each [line 73]
    {
      const uint slot_0 = flat;
      const uint r_0 = workgroupId.x * 16u + (slot_0 >> 5u);
      const uint i_0 = k0 + (slot_0 & 31u);
      float wv_0 = 0.0f;
      if (r_0 < rows) {
        const uint e_0 = r_0 * k + i_0;
        const uint h_0 = (W[e_0 >> 1u] >> ((e_0 & 1u) * 16u)) & 65535u;
        // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 82]
        const uint expo_0 = (h_0 >> 10u) & 31u;
        const uint mant_0 = h_0 & 1023u;
        float mag_0 = float(mant_0) * 5.960464477539063e-8f;
        if (expo_0 > 0u) {
          mag_0 = float(mant_0 | 1024u) * (float(1 << expo_0) * 2.9802322387695312e-8f);
        }
        float w_0 = mag_0;
        if ((h_0 >> 15u) == 1u) {
          w_0 = -mag_0;
        }
        wv_0 = w_0;
      }
      wTile[slot_0] = wv_0;
      const uint tok_0 = workgroupId.y * 16u + (slot_0 >> 5u);
      float xv_0 = 0.0f;
      if (tok_0 < tokens) {
        xv_0 = X[tok_0 * k + i_0];
      }
      xTile[slot_0] = xv_0;
    }
    {
      const uint slot_1 = flat + 256u;
      const uint r_1 = workgroupId.x * 16u + (slot_1 >> 5u);
      const uint i_1 = k0 + (slot_1 & 31u);
      float wv_1 = 0.0f;
      if (r_1 < rows) {
        const uint e_1 = r_1 * k + i_1;
        const uint h_1 = (W[e_1 >> 1u] >> ((e_1 & 1u) * 16u)) & 65535u;
        // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 82]
        const uint expo_1 = (h_1 >> 10u) & 31u;
        const uint mant_1 = h_1 & 1023u;
        float mag_1 = float(mant_1) * 5.960464477539063e-8f;
        if (expo_1 > 0u) {
          mag_1 = float(mant_1 | 1024u) * (float(1 << expo_1) * 2.9802322387695312e-8f);
        }
        float w_1 = mag_1;
        if ((h_1 >> 15u) == 1u) {
          w_1 = -mag_1;
        }
        wv_1 = w_1;
      }
      wTile[slot_1] = wv_1;
      const uint tok_1 = workgroupId.y * 16u + (slot_1 >> 5u);
      float xv_1 = 0.0f;
      if (tok_1 < tokens) {
        xv_1 = X[tok_1 * k + i_1];
      }
      xTile[slot_1] = xv_1;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
    for (uint kk = 0u; kk < 32u; kk += 1u) {
      acc += wTile[localId.x * 32u + kk] * xTile[localId.y * 32u + kk];
    }
    // the next iteration overwrites the tiles [line 107]
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  const uint row = workgroupId.x * 16u + localId.x;
  const uint tok_1 = workgroupId.y * 16u + localId.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
