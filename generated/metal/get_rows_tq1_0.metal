// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq1_0 (Metal), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq1_0: x = d * t, t in {-1, 0, 1}; qs bytes hold five base-3 digits scaled to 0..255 (values 0..159 by
// 32-byte runs, 160..239 by 16-byte runs), qh bytes four more (values 240..255)

#include <metal_stdlib>
using namespace metal;

struct get_rows_tq1_0_params {
  uint k;
};

constant uint POW3[5] = {
    1u, 3u, 9u, 27u, 81u
};

kernel void get_rows_tq1_0(
    device const uchar* W [[buffer(0)]],
    device const uint* ids [[buffer(1)]],
    device float* out [[buffer(2)]],
    constant get_rows_tq1_0_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint k = params.k;
  const uint src = ids[workgroupId.x];
  for (uint i = localId.x; i < k; i += 64u) {
    const uint blk = src * (k / 256u) + (i / 256u);
    const uint j = i % 256u;
    uint byte = 0u;
    uint digit = 0u;
    if (j < 160u) {
      byte = uint(*(W + blk * 54u + (j & 31u)));
      digit = j >> 5u;
    } else {
      if (j < 240u) {
        byte = uint(*(W + blk * 54u + (32u + ((j - 160u) & 15u))));
        digit = (j - 160u) >> 4u;
      } else {
        byte = uint(*(W + blk * 54u + 48u + ((j - 240u) & 3u)));
        digit = (j - 240u) >> 2u;
      }
    }
    // multiplying by 3^digit moves the digit to the top; * 3 >> 8 reads it back as 0, 1 or 2 [line 399]
    const int t = int((((byte * POW3[digit]) & 255u) * 3u) >> 8u) - 1;
    out[workgroupId.x * k + i] = float(t) * float(*((device const half*)(W + blk * 54u + 52u)));
  }
}
