// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q8_1 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_1: x = d * q (s = d * sum(q) is a cached sum the value does not need)

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_q8_1; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_q8_1(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>32) + (i / <u32>32);
      store<f32>(out + (<usize>(wx * k + i) << 2), <f32>(<i32>load<i8>(W + <usize>(blk * <u32>36 + <u32>4 + i % <u32>32))) * f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>36))));
    }
  }
}
