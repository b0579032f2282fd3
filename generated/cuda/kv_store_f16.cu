// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f16 (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

extern "C" __global__ void __launch_bounds__(256) kv_store_f16(
    const float* __restrict__ src,
    unsigned int* __restrict__ dst,
    const unsigned int* __restrict__ step,
    unsigned int n) {
  // the row's elements first .. first + n - 1, and the words they touch [line 82]
  const unsigned int first = step[0u] * n;
  const unsigned int word = (first >> 1u) + (blockIdx.x * blockDim.x + threadIdx.x);
  const unsigned int end = first + n;
  if (n > 0u && word <= ((end - 1u) >> 1u)) {
    const unsigned int lo = word * 2u;
    const unsigned int hi = lo + 1u;
    unsigned int bits = dst[word];
    // each half from this row where it belongs to the row, else the half already there [line 90]
    if (lo >= first) {
      // inlined f32ToF16Bits() [line 20]
      const float v = src[lo - first];
      const unsigned int u = __float_as_uint(v);
      const unsigned int sign = (u >> 16u) & 32768u;
      const unsigned int abs_ = u & 2147483647u;
      unsigned int h = 0u;
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
            const unsigned int rest = abs_ & 8191u;
            if (rest > 4096u || (rest == 4096u && (h & 1u) == 1u)) {
              h = h + 1u;
            }
          } else {
            const unsigned int e = abs_ >> 23u;
            // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
            if (e >= 102u) {
              // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
              const unsigned int m = (abs_ & 8388607u) | 8388608u;
              const unsigned int shift = 126u - e;
              const unsigned int one = 1u;
              h = m >> shift;
              const unsigned int rest_1 = m & ((one << shift) - 1u);
              const unsigned int halfway = one << (shift - 1u);
              if (rest_1 > halfway || (rest_1 == halfway && (h & 1u) == 1u)) {
                h = h + 1u;
              }
            }
          }
        }
      }
      const unsigned int f32ToF16Bits = sign | h;
      bits = (bits & 4294901760u) | f32ToF16Bits;
    }
    if (hi < end) {
      // inlined f32ToF16Bits() [line 20]
      const float v_1 = src[hi - first];
      const unsigned int u_1 = __float_as_uint(v_1);
      const unsigned int sign_1 = (u_1 >> 16u) & 32768u;
      const unsigned int abs_1 = u_1 & 2147483647u;
      unsigned int h_1 = 0u;
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
            const unsigned int rest_2 = abs_1 & 8191u;
            if (rest_2 > 4096u || (rest_2 == 4096u && (h_1 & 1u) == 1u)) {
              h_1 = h_1 + 1u;
            }
          } else {
            const unsigned int e_1 = abs_1 >> 23u;
            // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
            if (e_1 >= 102u) {
              // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
              const unsigned int m_1 = (abs_1 & 8388607u) | 8388608u;
              const unsigned int shift_1 = 126u - e_1;
              const unsigned int one_1 = 1u;
              h_1 = m_1 >> shift_1;
              const unsigned int rest_3 = m_1 & ((one_1 << shift_1) - 1u);
              const unsigned int halfway_1 = one_1 << (shift_1 - 1u);
              if (rest_3 > halfway_1 || (rest_3 == halfway_1 && (h_1 & 1u) == 1u)) {
                h_1 = h_1 + 1u;
              }
            }
          }
        }
      }
      const unsigned int f32ToF16Bits_1 = sign_1 | h_1;
      bits = (bits & 65535u) | (f32ToF16Bits_1 << 16u);
    }
    dst[word] = bits;
  }
}
