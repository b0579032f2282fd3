// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f16 (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of kv_store_f16; buffers are byte addresses, scratch holds 0 bytes. */
export function kv_store_f16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, src: usize, dst: usize, step: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    // the row's elements first .. first + n - 1, and the words they touch [line 82]
    const first: u32 = load<u32>(step + (<usize>(<u32>0) << 2)) * n;
    const word: u32 = (first >>> <u32>1) + (wx * <u32>256 + lx);
    const end: u32 = first + n;
    if (n > <u32>0 && word <= ((end - <u32>1) >>> <u32>1)) {
      const lo: u32 = word * <u32>2;
      const hi: u32 = lo + <u32>1;
      let bits: u32 = load<u32>(dst + (<usize>(word) << 2));
      // each half from this row where it belongs to the row, else the half already there [line 90]
      if (lo >= first) {
        // inlined f32ToF16Bits() [line 20]
        const v: f32 = load<f32>(src + (<usize>(lo - first) << 2));
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
        bits = (bits & <u32>4294901760) | f32ToF16Bits;
      }
      if (hi < end) {
        // inlined f32ToF16Bits() [line 20]
        const v_1: f32 = load<f32>(src + (<usize>(hi - first) << 2));
        const u_1: u32 = reinterpret<u32>(v_1);
        const sign_1: u32 = (u_1 >>> <u32>16) & <u32>32768;
        const abs_1: u32 = u_1 & <u32>2147483647;
        let h_1: u32 = <u32>0;
        if (abs_1 > <u32>2139095040) {
          // NaN: made quiet, the top mantissa bits kept (as F16C does) [line 27]
          h_1 = <u32>32256 | ((abs_1 >>> <u32>13) & <u32>1023);
        } else {
          if (abs_1 >= <u32>1199566848) {
            // 65520 and above round to infinity [line 30]
            h_1 = <u32>31744;
          } else {
            if (abs_1 >= <u32>947912704) {
              // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
              // mantissa steps the exponent, which is the right result [line 34]
              h_1 = (((abs_1 >>> <u32>23) - <u32>112) << <u32>10) | ((abs_1 >>> <u32>13) & <u32>1023);
              const rest_2: u32 = abs_1 & <u32>8191;
              if (rest_2 > <u32>4096 || (rest_2 == <u32>4096 && (h_1 & <u32>1) == <u32>1)) {
                h_1 = h_1 + <u32>1;
              }
            } else {
              const e_1: u32 = abs_1 >>> <u32>23;
              // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
              if (e_1 >= <u32>102) {
                // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
                const m_1: u32 = (abs_1 & <u32>8388607) | <u32>8388608;
                const shift_1: u32 = <u32>126 - e_1;
                const one_1: u32 = <u32>1;
                h_1 = m_1 >>> shift_1;
                const rest_3: u32 = m_1 & ((one_1 << shift_1) - <u32>1);
                const halfway_1: u32 = one_1 << (shift_1 - <u32>1);
                if (rest_3 > halfway_1 || (rest_3 == halfway_1 && (h_1 & <u32>1) == <u32>1)) {
                  h_1 = h_1 + <u32>1;
                }
              }
            }
          }
        }
        const f32ToF16Bits_1: u32 = sign_1 | h_1;
        bits = (bits & <u32>65535) | (f32ToF16Bits_1 << <u32>16);
      }
      store<u32>(dst + (<usize>(word) << 2), bits);
    }
  }
}
