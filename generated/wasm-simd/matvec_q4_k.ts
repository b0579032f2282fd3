// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_q4_k (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of matvec_q4_k; buffers are byte addresses, scratch holds 256 bytes. */
export function matvec_q4_k(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, x: usize, out: usize, k: u32): void {
  let row: u32 = <u32>0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx;
    let acc: f32 = <f32>0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together [line 311]
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = row * (k / <u32>256) + (i / <u32>256);
      const j: u32 = i % <u32>256;
      const is_: u32 = j >>> <u32>5;
      const l: u32 = j & <u32>31;
      // inlined scaleK4() [line 15]
      const is_1: u32 = is_;
      let sc: u32 = <u32>0;
      if (is_1 < <u32>4) {
        sc = <u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + is_1)) & <u32>63;
      } else {
        sc = (<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_1 + <u32>4))) & <u32>15) | ((<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_1 - <u32>4))) >>> <u32>6) << <u32>4);
      }
      const scaleK4: u32 = sc;
      const sc_1: u32 = scaleK4;
      // inlined minK4() [line 25]
      const is_2: u32 = is_;
      let mn: u32 = <u32>0;
      if (is_2 < <u32>4) {
        mn = <u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_2 + <u32>4))) & <u32>63;
      } else {
        mn = (<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + (is_2 + <u32>4))) >>> <u32>4) | ((<u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>4 + is_2)) >>> <u32>6) << <u32>4);
      }
      const minK4: u32 = mn;
      const mn_1: u32 = minK4;
      // inlined nibbleK4() [line 37]
      const is_3: u32 = is_;
      const l_1: u32 = l;
      const byte: u32 = <u32>load<u8>(W + <usize>(blk * <u32>144 + <u32>16 + ((is_3 >>> <u32>1) * <u32>32 + l_1)));
      let q: u32 = byte & <u32>15;
      if ((is_3 & <u32>1) == <u32>1) {
        q = byte >>> <u32>4;
      }
      const nibbleK4: u32 = q;
      const q_1: u32 = nibbleK4;
      const w: f32 = f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>144))) * <f32>(sc_1) * <f32>(q_1) - f16tof32(<u32>load<u16>(W + <usize>(blk * <u32>144 + <u32>2))) * <f32>(mn_1);
      acc += w * load<f32>(x + (<usize>(i) << 2));
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 322]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), acc);
  }
  // barrier [line 322]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 322]: the next phase starts after every invocation finished this one
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
    // barrier [line 322]: the next phase starts after every invocation finished this one
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
    // barrier [line 322]: the next phase starts after every invocation finished this one
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
    // barrier [line 322]: the next phase starts after every invocation finished this one
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
    // barrier [line 322]: the next phase starts after every invocation finished this one
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
    // barrier [line 322]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 322]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<f32>(out + (<usize>(row) << 2), total);
    }
  }
}
