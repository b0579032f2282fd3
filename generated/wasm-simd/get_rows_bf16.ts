// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_bf16 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

/** Runs workgroup (wx, wy, wz) of get_rows_bf16; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_bf16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const e: u32 = src * k + i;
      const h: u32 = (load<u32>(W + (<usize>(e >>> <u32>1) << 2)) >>> ((e & <u32>1) * <u32>16)) & <u32>65535;
      // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 58]
      const expo: u32 = (h >>> <u32>7) & <u32>255;
      let mag: f32 = <f32>((h & <u32>127) | <u32>128);
      if (expo == <u32>0) {
        mag = <f32>0.0;
      }
      let t: i32 = <i32>(expo) - <i32>134;
      {
        if (t > <i32>30) {
          mag = mag * <f32>1073741824.0;
          t = t - <i32>30;
        } else {
          if (t < <i32>-30) {
            mag = mag * <f32>9.313225746154785e-10;
            t = t + <i32>30;
          }
        }
      }
      {
        if (t > <i32>30) {
          mag = mag * <f32>1073741824.0;
          t = t - <i32>30;
        } else {
          if (t < <i32>-30) {
            mag = mag * <f32>9.313225746154785e-10;
            t = t + <i32>30;
          }
        }
      }
      {
        if (t > <i32>30) {
          mag = mag * <f32>1073741824.0;
          t = t - <i32>30;
        } else {
          if (t < <i32>-30) {
            mag = mag * <f32>9.313225746154785e-10;
            t = t + <i32>30;
          }
        }
      }
      {
        if (t > <i32>30) {
          mag = mag * <f32>1073741824.0;
          t = t - <i32>30;
        } else {
          if (t < <i32>-30) {
            mag = mag * <f32>9.313225746154785e-10;
            t = t + <i32>30;
          }
        }
      }
      {
        if (t > <i32>30) {
          mag = mag * <f32>1073741824.0;
          t = t - <i32>30;
        } else {
          if (t < <i32>-30) {
            mag = mag * <f32>9.313225746154785e-10;
            t = t + <i32>30;
          }
        }
      }
      if (t >= <i32>0) {
        mag = mag * <f32>(<i32>1 << <u32>(t));
      } else {
        mag = mag / <f32>(<i32>1 << <u32>(-t));
      }
      let w: f32 = mag;
      if ((h >>> <u32>15) == <u32>1) {
        w = -mag;
      }
      store<f32>(out + (<usize>(wx * k + i) << 2), w);
    }
  }
}
