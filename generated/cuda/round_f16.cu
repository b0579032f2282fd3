// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel round_f16 (CUDA), workgroup 256x1x1; regenerate with `npm run codegen`

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(256) round_f16(
    float* __restrict__ x,
    unsigned int n) {
  const unsigned int i = (blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) {
    // inlined f32ToF16Bits() [line 20]
    const float v = x[i];
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
    x[i] = __half2float(__ushort_as_half((unsigned short)(f32ToF16Bits)));
  }
}
