// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_iq4_nl (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid

import { f16tof32 } from "./prelude";

const KVALUES_IQ4NL: usize = memory.data<i32>([
  -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
]);

/** Runs workgroup (wx, wy, wz) of get_rows_iq4_nl; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_iq4_nl(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>32) + (i / <u32>32);
      const j: u32 = i % <u32>32;
      const byte: u32 = <u32>load<u8>(W + <usize>(blk * <u32>18 + <u32>2 + (j & <u32>15)));
      let q: u32 = byte & <u32>15;
      if (j >= <u32>16) {
        q = byte >>> <u32>4;
      }
      const w: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>18))) * <f32>(load<i32>(KVALUES_IQ4NL + (<usize>(q) << 2)));
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
