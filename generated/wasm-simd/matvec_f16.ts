// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_f16 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

import { f16tof32 } from "./prelude";

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
    // any row length: each invocation takes every workgroupSize-th value [line 97]
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const e: u32 = row * k + i;
      const w: f32 = f16tof32(load<u32>(W + (<usize>(e >>> <u32>1) << 2)) >>> ((e & <u32>1) * <u32>16));
      acc += w * load<f32>(x + (<usize>(i) << 2));
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 102]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 102]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 102]: the next phase starts after every invocation finished this one
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
    // barrier [line 102]: the next phase starts after every invocation finished this one
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
    // barrier [line 102]: the next phase starts after every invocation finished this one
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
    // barrier [line 102]: the next phase starts after every invocation finished this one
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
    // barrier [line 102]: the next phase starts after every invocation finished this one
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
    // barrier [line 102]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 102]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
