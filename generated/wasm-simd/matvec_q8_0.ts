// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q8_0 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_0: 32 values a block, each qs[j] * d.

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of matvec_q8_0; buffers are byte addresses, scratch holds 256 bytes. */
export function matvec_q8_0(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, x: usize, out: usize, k: u32): void {
  let row: u32 = <u32>0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx;
    let acc: f32 = <f32>0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read one block's 32 values together [line 60]
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = row * (k / <u32>32) + (i / <u32>32);
      acc += <f32>(<i32>load<i8>(W + <usize>(blk * <u32>34 + <u32>2 + i % <u32>32))) * f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>34))) * load<f32>(x + (<usize>(i) << 2));
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 64]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 64]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 64]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 16; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>16) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>16) << 2)));
      }
    }
    // barrier [line 64]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 8; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>8) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>8) << 2)));
      }
    }
    // barrier [line 64]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 4; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>4) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>4) << 2)));
      }
    }
    // barrier [line 64]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 2; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>2) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>2) << 2)));
      }
    }
    // barrier [line 64]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 1; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>1) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>1) << 2)));
      }
    }
    // barrier [line 64]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 64]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
