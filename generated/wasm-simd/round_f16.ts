// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel round_f16 (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of round_f16; buffers are byte addresses, scratch holds 0 bytes. */
export function round_f16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      // inlined f32ToF16Bits() [line 20]
      const v: f32 = load<f32>(x + (<usize>(i) << 2));
      const u: u32 = reinterpret<u32>(v);
      const sign: u32 = (u >>> <u32>16) & <u32>32768;
      const abs_: u32 = u & <u32>2147483647;
      let h: u32 = <u32>0;
      if (abs_ > <u32>2139095040) {
        // NaN: made quiet, the top mantissa bits kept (as F16C does) [line 27]
        h = <u32>32256 | ((abs_ >>> <u32>13) & <u32>1023);
      } else {
        if (abs_ >= <u32>1199566848) {
          // 65520 and above round to infinity [line 30]
          h = <u32>31744;
        } else {
          if (abs_ >= <u32>947912704) {
            // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
            // mantissa steps the exponent, which is the right result [line 34]
            h = (((abs_ >>> <u32>23) - <u32>112) << <u32>10) | ((abs_ >>> <u32>13) & <u32>1023);
            const rest: u32 = abs_ & <u32>8191;
            if (rest > <u32>4096 || (rest == <u32>4096 && (h & <u32>1) == <u32>1)) {
              h = h + <u32>1;
            }
          } else {
            const e: u32 = abs_ >>> <u32>23;
            // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
            if (e >= <u32>102) {
              // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
              const m: u32 = (abs_ & <u32>8388607) | <u32>8388608;
              const shift: u32 = <u32>126 - e;
              const one: u32 = <u32>1;
              h = m >>> shift;
              const rest_1: u32 = m & ((one << shift) - <u32>1);
              const halfway: u32 = one << (shift - <u32>1);
              if (rest_1 > halfway || (rest_1 == halfway && (h & <u32>1) == <u32>1)) {
                h = h + <u32>1;
              }
            }
          }
        }
      }
      const f32ToF16Bits: u32 = sign | h;
      store<f32>(x + (<usize>(i) << 2), f16tof32(f32ToF16Bits));
    }
  }
}
