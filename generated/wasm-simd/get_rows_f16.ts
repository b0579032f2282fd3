// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_f16 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

/** Runs workgroup (wx, wy, wz) of get_rows_f16; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_f16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const e: u32 = src * k + i;
      const h: u32 = (load<u32>(W + (<usize>(e >>> <u32>1) << 2)) >>> ((e & <u32>1) * <u32>16)) & <u32>65535;
      // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 34]
      const expo: u32 = (h >>> <u32>10) & <u32>31;
      const mant: u32 = h & <u32>1023;
      let mag: f32 = <f32>(mant) * <f32>5.960464477539063e-8;
      if (expo > <u32>0) {
        mag = <f32>(mant | <u32>1024) * (<f32>(<i32>1 << expo) * <f32>2.9802322387695312e-8);
      }
      let w: f32 = mag;
      if ((h >>> <u32>15) == <u32>1) {
        w = -mag;
      }
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
