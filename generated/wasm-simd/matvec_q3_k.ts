// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q3_k (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of matvec_q3_k; buffers are byte addresses, scratch holds 256 bytes. */
export function matvec_q3_k(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, x: usize, out: usize, k: u32): void {
  let row: u32 = <u32>0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx;
    let acc: f32 = <f32>0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together [line 272]
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = row * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      const half_: u32 = j >>> <u32>7;
      const plane: u32 = (j & <u32>127) >>> <u32>5;
      const p: u32 = j & <u32>31;
      const is_: u32 = half_ * <u32>8 + plane * <u32>2 + (p >>> <u32>4);
      // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11 [line 280]
      let lo: u32 = <u32>0;
      if (is_ < <u32>8) {
        lo = <u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>96 + is_)) & <u32>15;
      } else {
        lo = <u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>96 + (is_ - <u32>8))) >>> <u32>4;
      }
      const hi: u32 = (<u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>96 + (<u32>8 + (is_ & <u32>3)))) >>> ((is_ >>> <u32>2) * <u32>2)) & <u32>3;
      const dl: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>110 + <u32>108))) * <f32>(<i32>(lo | (hi << <u32>4)) - <i32>32);
      // a clear high bit subtracts 4 [line 289]
      let q: i32 = <i32>((<u32>load<u8>(W + <usize>(blk * <u32>110 + <u32>32 + (half_ * <u32>32 + p))) >>> (plane * <u32>2)) & <u32>3);
      if (((<u32>load<u8>(W + <usize>(blk * <u32>110 + p)) >>> (half_ * <u32>4 + plane)) & <u32>1) == <u32>0) {
        q = q - <i32>4;
      }
      const w: f32 = dl * <f32>(q);
      acc += w * load<f32>(x + (<usize>(i) << 2));
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 296]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 296]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 296]: the next phase starts after every invocation finished this one
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
    // barrier [line 296]: the next phase starts after every invocation finished this one
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
    // barrier [line 296]: the next phase starts after every invocation finished this one
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
    // barrier [line 296]: the next phase starts after every invocation finished this one
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
    // barrier [line 296]: the next phase starts after every invocation finished this one
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
    // barrier [line 296]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 296]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
