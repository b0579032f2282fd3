// GENERATED — do not edit; source: engine/kernels/matmul.kernel.ts
// kernel matmul_q5_0 (AssemblyScript), workgroup 16x16x1; regenerate with `npm run codegen`
//
// q5_0: x = d * (q - 16), q's 5th bit from qh

import { f16tof32 } from "./prelude";

/** Runs workgroup (wx, wy, wz) of matmul_q5_0; buffers are byte addresses, scratch holds 7168 bytes. */
export function matmul_q5_0(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, X: usize, out: usize, k: u32, rows: u32, tokens: u32): void {
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
      // 256 invocations fill 512 slots of each tile, two each [line 282]
      {
        const slot_0: u32 = load<u32>(scratch + 4096 + (<usize>(lid) << 2));
        const r_0: u32 = wx * <u32>16 + (slot_0 >>> <u32>5);
        const i_0: u32 = k0 + (slot_0 & <u32>31);
        let wv_0: f32 = <f32>0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 288]
        if (r_0 < rows && i_0 < k) {
          const blk_0: u32 = r_0 * (k / <u32>32) + (i_0 / <u32>32);
          const j_0: u32 = i_0 % <u32>32;
          const byte_0: u32 = <u32>load<u8>(W + <usize>(blk_0 * <u32>22 + <u32>6 + (j_0 & <u32>15)));
          let q_0: u32 = byte_0 & <u32>15;
          if (j_0 >= <u32>16) {
            q_0 = byte_0 >>> <u32>4;
          }
          // bit j of the little-endian qh word [line 297]
          q_0 = q_0 | (((<u32>load<u8>(W + <usize>(blk_0 * <u32>22 + <u32>2 + (j_0 >>> <u32>3))) >>> (j_0 & <u32>7)) & <u32>1) << <u32>4);
          const w_0: f32 = <f32>(<i32>(q_0) - <i32>16) * f16tof32(<u32>load<u16>(W + <usize>(blk_0 * <u32>22)));
          wv_0 = w_0;
        }
        store<f32>(scratch + 0 + (<usize>(slot_0) << 2), wv_0);
        const tok_0: u32 = wy * <u32>16 + (slot_0 >>> <u32>5);
        let xv_0: f32 = <f32>0.0;
        if (tok_0 < tokens && i_0 < k) {
          xv_0 = load<f32>(X + (<usize>(tok_0 * k + i_0) << 2));
        }
        store<f32>(scratch + 2048 + (<usize>(slot_0) << 2), xv_0);
      }
      {
        const slot_1: u32 = load<u32>(scratch + 4096 + (<usize>(lid) << 2)) + <u32>256;
        const r_1: u32 = wx * <u32>16 + (slot_1 >>> <u32>5);
        const i_1: u32 = k0 + (slot_1 & <u32>31);
        let wv_1: f32 = <f32>0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros [line 288]
        if (r_1 < rows && i_1 < k) {
          const blk_1: u32 = r_1 * (k / <u32>32) + (i_1 / <u32>32);
          const j_1: u32 = i_1 % <u32>32;
          const byte_1: u32 = <u32>load<u8>(W + <usize>(blk_1 * <u32>22 + <u32>6 + (j_1 & <u32>15)));
          let q_1: u32 = byte_1 & <u32>15;
          if (j_1 >= <u32>16) {
            q_1 = byte_1 >>> <u32>4;
          }
          // bit j of the little-endian qh word [line 297]
          q_1 = q_1 | (((<u32>load<u8>(W + <usize>(blk_1 * <u32>22 + <u32>2 + (j_1 >>> <u32>3))) >>> (j_1 & <u32>7)) & <u32>1) << <u32>4);
          const w_1: f32 = <f32>(<i32>(q_1) - <i32>16) * f16tof32(<u32>load<u16>(W + <usize>(blk_1 * <u32>22)));
          wv_1 = w_1;
        }
        store<f32>(scratch + 0 + (<usize>(slot_1) << 2), wv_1);
        store<u32>(scratch + 6144 + (<usize>(lid) << 2), wy * <u32>16 + (slot_1 >>> <u32>5));
        let xv_1: f32 = <f32>0.0;
        if (load<u32>(scratch + 6144 + (<usize>(lid) << 2)) < tokens && i_1 < k) {
          xv_1 = load<f32>(X + (<usize>(load<u32>(scratch + 6144 + (<usize>(lid) << 2)) * k + i_1) << 2));
        }
        store<f32>(scratch + 2048 + (<usize>(slot_1) << 2), xv_1);
      }
    }
    // barrier [line 309]: the next phase starts after every invocation finished this one
    for (let lid: u32 = 0; lid < 256; lid++) {
      const lx: u32 = lid % 16;
      const ly: u32 = (lid / 16) % 16;
      const lz: u32 = lid / 256;
      {
        // SIMD: four values of kk per step in four partial sums [line 310]
        let acc_x4 = f32x4.splat(<f32>0.0);
        for (let kk: u32 = 0; kk < 32; kk += 4) {
          acc_x4 = f32x4.add(acc_x4, f32x4.mul(v128.load(scratch + 0 + (<usize>(lx * <u32>32 + kk) << 2)), v128.load(scratch + 2048 + (<usize>(ly * <u32>32 + kk) << 2))));
        }
        store<f32>(scratch + 5120 + (<usize>(lid) << 2), load<f32>(scratch + 5120 + (<usize>(lid) << 2)) + ((f32x4.extract_lane(acc_x4, 0) + f32x4.extract_lane(acc_x4, 1)) + (f32x4.extract_lane(acc_x4, 2) + f32x4.extract_lane(acc_x4, 3))));
      }
    }
    // barrier [line 314]: the next phase starts after every invocation finished this one
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
