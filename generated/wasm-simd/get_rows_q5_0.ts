// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q5_0 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q5_0: x = d * (q - 16), q's 5th bit from qh

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_q5_0; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_q5_0(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>32) + (i / <u32>32);
      const j: u32 = i % <u32>32;
      const byte: u32 = <u32>load<u8>(W + <usize>(blk * <u32>22 + <u32>6 + (j & <u32>15)));
      let q: u32 = byte & <u32>15;
      if (j >= <u32>16) {
        q = byte >>> <u32>4;
      }
      // bit j of the little-endian qh word [line 107]
      q = q | (((<u32>load<u8>(W + <usize>(blk * <u32>22 + <u32>2 + (j >>> <u32>3))) >>> (j & <u32>7)) & <u32>1) << <u32>4);
      const w: f32 = <f32>(<i32>(q) - <i32>16) * f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>22)));
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
