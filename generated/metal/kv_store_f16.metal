// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f16 (Metal), workgroup 256x1x1; regenerate with `npm run codegen`

#include <metal_stdlib>
using namespace metal;

struct kv_store_f16_params {
  uint n;
};

kernel void kv_store_f16(
    device const float* src [[buffer(0)]],
    device uint* dst [[buffer(1)]],
    device const uint* step [[buffer(2)]],
    constant kv_store_f16_params& params [[buffer(3)]],
    uint3 globalId [[thread_position_in_grid]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 workgroupId [[threadgroup_position_in_grid]],
    uint3 workgroupSize [[threads_per_threadgroup]],
    uint3 numWorkgroups [[threadgroups_per_grid]]) {
  const uint n = params.n;
  // the row's elements first .. first + n - 1, and the words they touch [line 82]
  const uint first = step[0u] * n;
  const uint word = (first >> 1u) + globalId.x;
  const uint end = first + n;
  if (n > 0u && word <= ((end - 1u) >> 1u)) {
    const uint lo = word * 2u;
    const uint hi = lo + 1u;
    uint bits = dst[word];
    // each half from this row where it belongs to the row, else the half already there [line 90]
    if (lo >= first) {
      // inlined f32ToF16Bits() [line 20]
      const float v = src[lo - first];
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
      bits = (bits & 4294901760u) | f32ToF16Bits;
    }
    if (hi < end) {
      // inlined f32ToF16Bits() [line 20]
      const float v_1 = src[hi - first];
      const uint u_1 = as_type<uint>(v_1);
      const uint sign_1 = (u_1 >> 16u) & 32768u;
      const uint abs_1 = u_1 & 2147483647u;
      uint h_1 = 0u;
      if (abs_1 > 2139095040u) {
        // NaN: made quiet, the top mantissa bits kept (as F16C does) [line 27]
        h_1 = 32256u | ((abs_1 >> 13u) & 1023u);
      } else {
        if (abs_1 >= 1199566848u) {
          // 65520 and above round to infinity [line 30]
          h_1 = 31744u;
        } else {
          if (abs_1 >= 947912704u) {
            // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
            // mantissa steps the exponent, which is the right result [line 34]
            h_1 = (((abs_1 >> 23u) - 112u) << 10u) | ((abs_1 >> 13u) & 1023u);
            const uint rest_2 = abs_1 & 8191u;
            if (rest_2 > 4096u || (rest_2 == 4096u && (h_1 & 1u) == 1u)) {
              h_1 = h_1 + 1u;
            }
          } else {
            const uint e_1 = abs_1 >> 23u;
            // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
            if (e_1 >= 102u) {
              // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
              const uint m_1 = (abs_1 & 8388607u) | 8388608u;
              const uint shift_1 = 126u - e_1;
              const uint one_1 = 1u;
              h_1 = m_1 >> shift_1;
              const uint rest_3 = m_1 & ((one_1 << shift_1) - 1u);
              const uint halfway_1 = one_1 << (shift_1 - 1u);
              if (rest_3 > halfway_1 || (rest_3 == halfway_1 && (h_1 & 1u) == 1u)) {
                h_1 = h_1 + 1u;
              }
            }
          }
        }
      }
      const uint f32ToF16Bits_1 = sign_1 | h_1;
      bits = (bits & 65535u) | (f32ToF16Bits_1 << 16u);
    }
    dst[word] = bits;
  }
}
