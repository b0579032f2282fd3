// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_mxfp4 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// mxfp4: x = kvalues_mxfp4[q] * 2^(e-128), e the block's e8m0 exponent byte (ggml's
// GGML_E8M0_TO_FP32_HALF: the halving pairs with the doubled levels; e = 0 and 1 give the f32 subnormals
// 2^-128 and 2^-127). Values 0..15 are the low nibbles of qs, 16..31 the high ones, as in q4_0.

const KVALUES_MXFP4: usize = memory.data<i32>([
  0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12
]);

/** Runs workgroup (wx, wy, wz) of get_rows_mxfp4; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_mxfp4(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>32) + (i / <u32>32);
      const e: u32 = <u32>load<u8>(W + <usize>(blk * <u32>17));
      let bits: u32 = (e - <u32>1) << <u32>23;
      if (e < <u32>2) {
        bits = <u32>2097152 << e;
      }
      const j: u32 = i % <u32>32;
      const byte: u32 = <u32>load<u8>(W + <usize>(blk * <u32>17 + <u32>1 + (j & <u32>15)));
      let q: u32 = byte & <u32>15;
      if (j >= <u32>16) {
        q = byte >>> <u32>4;
      }
      store<f32>(out + (<usize>(wx * k + i) << 2), <f32>(load<i32>(KVALUES_MXFP4 + (<usize>(q) << 2))) * reinterpret<f32>(bits));
    }
  }
}
