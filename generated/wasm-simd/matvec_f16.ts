// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_f16 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

/** Runs workgroup (wx, wy, wz) of matvec_f16; buffers are byte addresses, scratch holds 256 bytes. */
export function matvec_f16(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, x: usize, out: usize, k: u32): void {
  let row: u32 = <u32>0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx;
    let acc: f32 = <f32>0.0;
    // each invocation takes every workgroupSize-th run of 32 values (one scale each in every type) [line 69]
    for (let g: u32 = lx; g < (k >>> <u32>5); g += <u32>64) {
      for (let jj: u32 = <u32>0; jj < <u32>32; jj += <u32>1) {
        const i: u32 = g * <u32>32 + jj;
        const e: u32 = row * k + i;
        const h: u32 = (load<u32>(W + (<usize>(e >>> <u32>1) << 2)) >>> ((e & <u32>1) * <u32>16)) & <u32>65535;
        // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 75]
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
        acc += w * load<f32>(x + (<usize>(i) << 2));
      }
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 88]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 88]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 88]: the next phase starts after every invocation finished this one
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
    // barrier [line 88]: the next phase starts after every invocation finished this one
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
    // barrier [line 88]: the next phase starts after every invocation finished this one
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
    // barrier [line 88]: the next phase starts after every invocation finished this one
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
    // barrier [line 88]: the next phase starts after every invocation finished this one
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
    // barrier [line 88]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 88]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
