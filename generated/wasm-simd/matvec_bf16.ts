// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_bf16 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

/** Runs workgroup (wx, wy, wz) of matvec_bf16; buffers are byte addresses, scratch holds 256 bytes. */
export function matvec_bf16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, x: usize, out: usize, k: u32): void {
  let row: u32 = <u32>0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx;
    let acc: f32 = <f32>0.0;
    // each invocation takes every workgroupSize-th run of 32 values (one scale each in every type) [line 102]
    for (let g: u32 = lx; g < (k >>> <u32>5); g += <u32>64) {
      for (let jj: u32 = <u32>0; jj < <u32>32; jj += <u32>1) {
        const i: u32 = g * <u32>32 + jj;
        const e: u32 = row * k + i;
        const h: u32 = (load<u32>(W + (<usize>(e >>> <u32>1) << 2)) >>> ((e & <u32>1) * <u32>16)) & <u32>65535;
        // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 108]
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
        acc += w * load<f32>(x + (<usize>(i) << 2));
      }
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 135]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 135]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 135]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>16) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>16) << 2)));
      }
    }
    // barrier [line 135]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>8) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>8) << 2)));
      }
    }
    // barrier [line 135]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>4) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>4) << 2)));
      }
    }
    // barrier [line 135]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>2) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>2) << 2)));
      }
    }
    // barrier [line 135]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>1) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>1) << 2)));
      }
    }
    // barrier [line 135]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 135]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
