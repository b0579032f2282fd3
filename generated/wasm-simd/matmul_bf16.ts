// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_bf16 (AssemblyScript), workgroup 16x16x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

/** Runs workgroup (wx, wy, wz) of matmul_bf16; buffers are byte addresses, scratch holds 7168 bytes. */
export function matmul_bf16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, X: usize, out: usize, k: u32, rows: u32, tokens: u32): void {
  let k0: u32 = <u32>0;
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid % 16;
    const ly: u32 = (lid / 16) % 16;
    const lz: u32 = lid / 256;
    store<u32>(scratch + 4096 + (<usize>(lid) << 2), ly * <u32>16 + lx);
    store<f32>(scratch + 5120 + (<usize>(lid) << 2), <f32>0.0);
  }
  for (k0 = <u32>0; k0 < k; k0 += <u32>32) {
    for (let lid: u32 = 0; lid < 256; lid++) {
      const lx: u32 = lid % 16;
      const ly: u32 = (lid / 16) % 16;
      const lz: u32 = lid / 256;
      // 256 invocations fill 512 slots of each tile, two each [line 131]
      {
        const slot_0: u32 = load<u32>(scratch + 4096 + (<usize>(lid) << 2));
        const r_0: u32 = wx * <u32>16 + (slot_0 >>> <u32>5);
        const i_0: u32 = k0 + (slot_0 & <u32>31);
        let wv_0: f32 = <f32>0.0;
        if (r_0 < rows) {
          const e_0: u32 = r_0 * k + i_0;
          const h_0: u32 = (load<u32>(W + (<usize>(e_0 >>> <u32>1) << 2)) >>> ((e_0 & <u32>1) * <u32>16)) & <u32>65535;
          // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 140]
          const expo_0: u32 = (h_0 >>> <u32>7) & <u32>255;
          let mag_0: f32 = <f32>((h_0 & <u32>127) | <u32>128);
          if (expo_0 == <u32>0) {
            mag_0 = <f32>0.0;
          }
          let t_0: i32 = <i32>(expo_0) - <i32>134;
          {
            if (t_0 > <i32>30) {
              mag_0 = mag_0 * <f32>1073741824.0;
              t_0 = t_0 - <i32>30;
            } else {
              if (t_0 < <i32>-30) {
                mag_0 = mag_0 * <f32>9.313225746154785e-10;
                t_0 = t_0 + <i32>30;
              }
            }
          }
          {
            if (t_0 > <i32>30) {
              mag_0 = mag_0 * <f32>1073741824.0;
              t_0 = t_0 - <i32>30;
            } else {
              if (t_0 < <i32>-30) {
                mag_0 = mag_0 * <f32>9.313225746154785e-10;
                t_0 = t_0 + <i32>30;
              }
            }
          }
          {
            if (t_0 > <i32>30) {
              mag_0 = mag_0 * <f32>1073741824.0;
              t_0 = t_0 - <i32>30;
            } else {
              if (t_0 < <i32>-30) {
                mag_0 = mag_0 * <f32>9.313225746154785e-10;
                t_0 = t_0 + <i32>30;
              }
            }
          }
          {
            if (t_0 > <i32>30) {
              mag_0 = mag_0 * <f32>1073741824.0;
              t_0 = t_0 - <i32>30;
            } else {
              if (t_0 < <i32>-30) {
                mag_0 = mag_0 * <f32>9.313225746154785e-10;
                t_0 = t_0 + <i32>30;
              }
            }
          }
          {
            if (t_0 > <i32>30) {
              mag_0 = mag_0 * <f32>1073741824.0;
              t_0 = t_0 - <i32>30;
            } else {
              if (t_0 < <i32>-30) {
                mag_0 = mag_0 * <f32>9.313225746154785e-10;
                t_0 = t_0 + <i32>30;
              }
            }
          }
          if (t_0 >= <i32>0) {
            mag_0 = mag_0 * <f32>(<i32>1 << <u32>(t_0));
          } else {
            mag_0 = mag_0 / <f32>(<i32>1 << <u32>(-t_0));
          }
          let w_0: f32 = mag_0;
          if ((h_0 >>> <u32>15) == <u32>1) {
            w_0 = -mag_0;
          }
          wv_0 = w_0;
        }
        store<f32>(scratch + 0 + (<usize>(slot_0) << 2), wv_0);
        const tok_0: u32 = wy * <u32>16 + (slot_0 >>> <u32>5);
        let xv_0: f32 = <f32>0.0;
        if (tok_0 < tokens) {
          xv_0 = load<f32>(X + (<usize>(tok_0 * k + i_0) << 2));
        }
        store<f32>(scratch + 2048 + (<usize>(slot_0) << 2), xv_0);
      }
      {
        const slot_1: u32 = load<u32>(scratch + 4096 + (<usize>(lid) << 2)) + <u32>256;
        const r_1: u32 = wx * <u32>16 + (slot_1 >>> <u32>5);
        const i_1: u32 = k0 + (slot_1 & <u32>31);
        let wv_1: f32 = <f32>0.0;
        if (r_1 < rows) {
          const e_1: u32 = r_1 * k + i_1;
          const h_1: u32 = (load<u32>(W + (<usize>(e_1 >>> <u32>1) << 2)) >>> ((e_1 & <u32>1) * <u32>16)) & <u32>65535;
          // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 140]
          const expo_1: u32 = (h_1 >>> <u32>7) & <u32>255;
          let mag_1: f32 = <f32>((h_1 & <u32>127) | <u32>128);
          if (expo_1 == <u32>0) {
            mag_1 = <f32>0.0;
          }
          let t_1: i32 = <i32>(expo_1) - <i32>134;
          {
            if (t_1 > <i32>30) {
              mag_1 = mag_1 * <f32>1073741824.0;
              t_1 = t_1 - <i32>30;
            } else {
              if (t_1 < <i32>-30) {
                mag_1 = mag_1 * <f32>9.313225746154785e-10;
                t_1 = t_1 + <i32>30;
              }
            }
          }
          {
            if (t_1 > <i32>30) {
              mag_1 = mag_1 * <f32>1073741824.0;
              t_1 = t_1 - <i32>30;
            } else {
              if (t_1 < <i32>-30) {
                mag_1 = mag_1 * <f32>9.313225746154785e-10;
                t_1 = t_1 + <i32>30;
              }
            }
          }
          {
            if (t_1 > <i32>30) {
              mag_1 = mag_1 * <f32>1073741824.0;
              t_1 = t_1 - <i32>30;
            } else {
              if (t_1 < <i32>-30) {
                mag_1 = mag_1 * <f32>9.313225746154785e-10;
                t_1 = t_1 + <i32>30;
              }
            }
          }
          {
            if (t_1 > <i32>30) {
              mag_1 = mag_1 * <f32>1073741824.0;
              t_1 = t_1 - <i32>30;
            } else {
              if (t_1 < <i32>-30) {
                mag_1 = mag_1 * <f32>9.313225746154785e-10;
                t_1 = t_1 + <i32>30;
              }
            }
          }
          {
            if (t_1 > <i32>30) {
              mag_1 = mag_1 * <f32>1073741824.0;
              t_1 = t_1 - <i32>30;
            } else {
              if (t_1 < <i32>-30) {
                mag_1 = mag_1 * <f32>9.313225746154785e-10;
                t_1 = t_1 + <i32>30;
              }
            }
          }
          if (t_1 >= <i32>0) {
            mag_1 = mag_1 * <f32>(<i32>1 << <u32>(t_1));
          } else {
            mag_1 = mag_1 / <f32>(<i32>1 << <u32>(-t_1));
          }
          let w_1: f32 = mag_1;
          if ((h_1 >>> <u32>15) == <u32>1) {
            w_1 = -mag_1;
          }
          wv_1 = w_1;
        }
        store<f32>(scratch + 0 + (<usize>(slot_1) << 2), wv_1);
        store<u32>(scratch + 6144 + (<usize>(lid) << 2), wy * <u32>16 + (slot_1 >>> <u32>5));
        let xv_1: f32 = <f32>0.0;
        if (load<u32>(scratch + 6144 + (<usize>(lid) << 2)) < tokens) {
          xv_1 = load<f32>(X + (<usize>(load<u32>(scratch + 6144 + (<usize>(lid) << 2)) * k + i_1) << 2));
        }
        store<f32>(scratch + 2048 + (<usize>(slot_1) << 2), xv_1);
      }
    }
    // barrier [line 174]: the next phase starts after every invocation finished this one
    for (let lid: u32 = 0; lid < 256; lid++) {
      const lx: u32 = lid % 16;
      const ly: u32 = (lid / 16) % 16;
      const lz: u32 = lid / 256;
      for (let kk: u32 = <u32>0; kk < <u32>32; kk += <u32>1) {
        store<f32>(scratch + 5120 + (<usize>(lid) << 2), load<f32>(scratch + 5120 + (<usize>(lid) << 2)) + load<f32>(scratch + 0 + (<usize>(lx * <u32>32 + kk) << 2)) * load<f32>(scratch + 2048 + (<usize>(ly * <u32>32 + kk) << 2)));
      }
    }
    // barrier [line 179]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid % 16;
    const ly: u32 = (lid / 16) % 16;
    const lz: u32 = lid / 256;
    const row: u32 = wx * <u32>16 + lx;
    store<u32>(scratch + 6144 + (<usize>(lid) << 2), wy * <u32>16 + ly);
    if (row < rows && load<u32>(scratch + 6144 + (<usize>(lid) << 2)) < tokens) {
      store<f32>(out + (<usize>(load<u32>(scratch + 6144 + (<usize>(lid) << 2)) * rows + row) << 2), load<f32>(scratch + 5120 + (<usize>(lid) << 2)));
    }
  }
}
