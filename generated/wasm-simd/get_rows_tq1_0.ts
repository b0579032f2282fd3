// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq1_0 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq1_0: x = d * t, t in {-1, 0, 1}; qs bytes hold five base-3 digits scaled to 0..255 (values 0..159 by
// 32-byte runs, 160..239 by 16-byte runs), qh bytes four more (values 240..255)

import { f16tof32 } from "./prelude";

const POW3: usize = memory.data<u32>([
  1, 3, 9, 27, 81
]);

/** Runs workgroup (wx, wy, wz) of get_rows_tq1_0; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_tq1_0(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      let byte: u32 = <u32>0;
      let digit: u32 = <u32>0;
      if (j < <u32>160) {
        byte = <u32>load<u8>(W + <usize>(blk * <u32>54 + (j & <u32>31)));
        digit = j >>> <u32>5;
      } else {
        if (j < <u32>240) {
          byte = <u32>load<u8>(W + <usize>(blk * <u32>54 + (<u32>32 + ((j - <u32>160) & <u32>15))));
          digit = (j - <u32>160) >>> <u32>4;
        } else {
          byte = <u32>load<u8>(W + <usize>(blk * <u32>54 + <u32>48 + ((j - <u32>240) & <u32>3)));
          digit = (j - <u32>240) >>> <u32>2;
        }
      }
      // multiplying by 3^digit moves the digit to the top; * 3 >> 8 reads it back as 0, 1 or 2 [line 399]
      const t: i32 = <i32>((((byte * load<u32>(POW3 + (<usize>(digit) << 2))) & <u32>255) * <u32>3) >>> <u32>8) - <i32>1;
      store<f32>(out + (<usize>(wx * k + i) << 2), <f32>(t) * f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>54 + <u32>52))));
    }
  }
}
