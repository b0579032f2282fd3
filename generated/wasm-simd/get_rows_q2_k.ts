// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q2_k (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_q2_k; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_q2_k(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values [line 157]
      const half_: u32 = j >>> <u32>7;
      const plane: u32 = (j & <u32>127) >>> <u32>5;
      const p: u32 = j & <u32>31;
      const sc: u32 = <u32>load<u8>(W + <usize>(blk * <u32>84 + (half_ * <u32>8 + plane * <u32>2 + (p >>> <u32>4))));
      const dl: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>84 + <u32>80))) * <f32>(sc & <u32>15);
      const ml: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>84 + <u32>82))) * <f32>(sc >>> <u32>4);
      const w: f32 = dl * <f32>((<u32>load<u8>(W + <usize>(blk * <u32>84 + <u32>16 + (half_ * <u32>32 + p))) >>> (plane * <u32>2)) & <u32>3) - ml;
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
