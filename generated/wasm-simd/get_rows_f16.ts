// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_f16 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_f16; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_f16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const e: u32 = src * k + i;
      const w: f32 = f16tof32(load<u32>(W + (<usize>(e >>> <u32>1) << 2)) >>> ((e & <u32>1) * <u32>16));
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
