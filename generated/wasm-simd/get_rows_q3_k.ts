// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q3_k (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_q3_k; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_q3_k(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      const half_: u32 = j >>> <u32>7;
      const plane: u32 = (j & <u32>127) >>> <u32>5;
      const p: u32 = j & <u32>31;
      const is_: u32 = half_ * <u32>8 + plane * <u32>2 + (p >>> <u32>4);
      // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 182]
      let lo: u32 = <u32>0;
      if (is_ < <u32>8) {
        lo = <u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>96 + is_)) & <u32>15;
      } else {
        lo = <u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>96 + (is_ - <u32>8))) >>> <u32>4;
      }
      const hi: u32 = (<u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>96 + (<u32>8 + (is_ & <u32>3)))) >>> ((is_ >>> <u32>2) * <u32>2)) & <u32>3;
      const dl: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>110 + <u32>108))) * <f32>(<i32>(lo | (hi << <u32>4)) - <i32>32);
      // a clear high bit subtracts 4 [line 191]
      let q: i32 = <i32>((<u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>32 + (half_ * <u32>32 + p))) >>> (plane * <u32>2)) & <u32>3);
      if (((<u32>load<u8>(W + <usize>(blk * <u32>110 + p)) >>> (half_ * <u32>4 + plane)) & <u32>1) == <u32>0) {
        q = q - <i32>4;
      }
      const w: f32 = dl * <f32>(q);
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
