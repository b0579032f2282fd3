// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_iq4_xs (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales

import { f16tof32 } from "./prelude";

const KVALUES_IQ4NL: usize = memory.data<i32>([
  -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
]);

/** Runs workgroup (wx, wy, wz) of matvec_iq4_xs; buffers are byte addresses, scratch holds 256 bytes. */
export function matvec_iq4_xs(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, x: usize, out: usize, k: u32): void {
  let row: u32 = <u32>0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx;
    let acc: f32 = <f32>0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together [line 421]
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = row * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      const ib: u32 = j >>> <u32>5;
      const l: u32 = j & <u32>31;
      const ls: u32 = ((<u32>load<u8>(W + <usize>(blk * <u32>136 + <u32>4 + (ib >>> <u32>1))) >>> ((ib & <u32>1) * <u32>4)) & <u32>15) | (((<u32>load<u16>(W + <usize>(blk * <u32>136 + <u32>2)) >>> (ib * <u32>2)) & <u32>3) << <u32>4);
      const dl: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>136))) * <f32>(<i32>(ls) - <i32>32);
      const byte: u32 = <u32>load<u8>(W + <usize>(blk * <u32>136 + <u32>8 + (ib * <u32>16 + (l & <u32>15))));
      let q: u32 = byte & <u32>15;
      if (l >= <u32>16) {
        q = byte >>> <u32>4;
      }
      const w: f32 = dl * <f32>(load<i32>(KVALUES_IQ4NL + (<usize>(q) << 2)));
      acc += w * load<f32>(x + (<usize>(i) << 2));
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 436]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 436]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 436]: the next phase starts after every invocation finished this one
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
    // barrier [line 436]: the next phase starts after every invocation finished this one
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
    // barrier [line 436]: the next phase starts after every invocation finished this one
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
    // barrier [line 436]: the next phase starts after every invocation finished this one
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
    // barrier [line 436]: the next phase starts after every invocation finished this one
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
    // barrier [line 436]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 436]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
