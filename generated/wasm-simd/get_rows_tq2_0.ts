// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq2_0 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq2_0: x = d * (q - 1), q a 2-bit code; each byte holds values m, m + 32, m + 64, m + 96 of its 128

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_tq2_0; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_tq2_0(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      const q: u32 = (<u32>load<u8>(W + <usize>(blk * <u32>66 + ((j >>> <u32>7) * <u32>32 + (j & <u32>31)))) >>> (((j & <u32>127) >>> <u32>5) * <u32>2)) & <u32>3;
      store<f32>(out + (<usize>(wx * k + i) << 2), <f32>(<i32>(q) - <i32>1) * f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>66 + <u32>64))));
    }
  }
}
