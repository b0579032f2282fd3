// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q4_k (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of get_rows_q4_k; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_q4_k(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high [line 210]
      const is_: u32 = j >>> <u32>5;
      const l: u32 = j & <u32>31;
      // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes [line 213]
      let sc: u32 = <u32>0;
      let mn: u32 = <u32>0;
      if (is_ < <u32>4) {
        sc = <u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + is_)) & <u32>63;
        mn = <u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_ + <u32>4))) & <u32>63;
      } else {
        sc = (<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_ + <u32>4))) & <u32>15) | ((<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_ - <u32>4))) >>> <u32>6) << <u32>4);
        mn = (<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_ + <u32>4))) >>> <u32>4) | ((<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + is_)) >>> <u32>6) << <u32>4);
      }
      const byte: u32 = <u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>16 + ((is_ >>> <u32>1) * <u32>32 + l)));
      let q: u32 = byte & <u32>15;
      if ((is_ & <u32>1) == <u32>1) {
        q = byte >>> <u32>4;
      }
      const w: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>144))) * <f32>(sc) * <f32>(q) - f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>144 + <u32>2))) * <f32>(mn);
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
