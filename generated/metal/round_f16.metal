// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel round_f16 (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct round_f16_params {
  uint n;
};

kernel void round_f16(
    device float* x [[buffer(0)]],
    constant round_f16_params& params [[buffer(1)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  const uint i = globalId.x;
  if (i < n) {
    // inlined f32ToF16Bits() [line 20]
    const float v = x[i];
    const uint u = as_type<uint>(v);
    const uint sign = (u >> 16u) & 32768u;
    const uint abs_ = u & 2147483647u;
    uint h = 0u;
    if (abs_ > 2139095040u) {
      // NaN: made quiet, the top mantissa bits kept (as F16C does) [line 27]
      h = 32256u | ((abs_ >> 13u) & 1023u);
    } else {
      if (abs_ >= 1199566848u) {
        // 65520 and above round to infinity [line 30]
        h = 31744u;
      } else {
        if (abs_ >= 947912704u) {
          // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
          // mantissa steps the exponent, which is the right result [line 34]
          h = (((abs_ >> 23u) - 112u) << 10u) | ((abs_ >> 13u) & 1023u);
          const uint rest = abs_ & 8191u;
          if (rest > 4096u || (rest == 4096u && (h & 1u) == 1u)) {
            h = h + 1u;
          }
        } else {
          const uint e = abs_ >> 23u;
          // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
          if (e >= 102u) {
            // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
            const uint m = (abs_ & 8388607u) | 8388608u;
            const uint shift = 126u - e;
            const uint one = 1u;
            h = m >> shift;
            const uint rest_1 = m & ((one << shift) - 1u);
            const uint halfway = one << (shift - 1u);
            if (rest_1 > halfway || (rest_1 == halfway && (h & 1u) == 1u)) {
              h = h + 1u;
            }
          }
        }
      }
    }
    const uint f32ToF16Bits = sign | h;
    x[i] = float(as_type<half>(ushort(f32ToF16Bits)));
  }
}
