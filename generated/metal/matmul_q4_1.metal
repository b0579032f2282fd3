// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_q4_1 (Metal), workgroup 16x16x1; regenerate with `npm run codegen`
//
// q4_1: x = d * q + m

#include <metal_stdlib>
using namespace metal;

struct matmul_q4_1_params {
  uint k;
  uint rows;
  uint tokens;
};

kernel void matmul_q4_1(
    device const uchar* W [[buffer(0)]],
    device const float* X [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant matmul_q4_1_params& params [[buffer(3)]],
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
    // 256 invocations fill 512 slots of each tile, two each [line 228]
    {
      const uint slot_0 = flat;
      const uint r_0 = workgroupId.x * 16u + (slot_0 >> 5u);
      const uint i_0 = k0 + (slot_0 & 31u);
      float wv_0 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 234]
      if (r_0 < rows && i_0 < k) {
        const uint blk_0 = r_0 * (k / 32u) + (i_0 / 32u);
        const uint j_0 = i_0 % 32u;
        const uint byte_0 = uint(*(W + blk_0 * 20u + 4u + (j_0 & 15u)));
        uint q_0 = byte_0 & 15u;
        if (j_0 >= 16u) {
          q_0 = byte_0 >> 4u;
        }
        const float w_0 = float(q_0) * float(*((device const half*)(W + blk_0 * 20u))) + float(*((device const half*)(W + blk_0 * 20u + 2u)));
        wv_0 = w_0;
      }
      wTile[slot_0] = wv_0;
      const uint tok_0 = workgroupId.y * 16u + (slot_0 >> 5u);
      float xv_0 = 0.0f;
      if (tok_0 < tokens && i_0 < k) {
        xv_0 = X[tok_0 * k + i_0];
      }
      xTile[slot_0] = xv_0;
    }
    {
      const uint slot_1 = flat + 256u;
      const uint r_1 = workgroupId.x * 16u + (slot_1 >> 5u);
      const uint i_1 = k0 + (slot_1 & 31u);
      float wv_1 = 0.0f;
      // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 234]
      if (r_1 < rows && i_1 < k) {
        const uint blk_1 = r_1 * (k / 32u) + (i_1 / 32u);
        const uint j_1 = i_1 % 32u;
        const uint byte_1 = uint(*(W + blk_1 * 20u + 4u + (j_1 & 15u)));
        uint q_1 = byte_1 & 15u;
        if (j_1 >= 16u) {
          q_1 = byte_1 >> 4u;
        }
        const float w_1 = float(q_1) * float(*((device const half*)(W + blk_1 * 20u))) + float(*((device const half*)(W + blk_1 * 20u + 2u)));
        wv_1 = w_1;
      }
      wTile[slot_1] = wv_1;
      const uint tok_1 = workgroupId.y * 16u + (slot_1 >> 5u);
      float xv_1 = 0.0f;
      if (tok_1 < tokens && i_1 < k) {
        xv_1 = X[tok_1 * k + i_1];
      }
      xTile[slot_1] = xv_1;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
    for (uint kk = 0u; kk < 32u; kk += 1u) {
      acc += wTile[localId.x * 32u + kk] * xTile[localId.y * 32u + kk];
    }
    // the next iteration overwrites the tiles [line 258]
    threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  }
  const uint row = workgroupId.x * 16u + localId.x;
  const uint tok_1 = workgroupId.y * 16u + localId.y;
  if (row < rows && tok_1 < tokens) {
    out[tok_1 * rows + row] = acc;
  }
}
