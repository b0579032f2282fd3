// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_q8_k (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// q8_k: x = d * q with an f32 scale per 256 values (the k-quants' activation type)

/** Runs workgroup (wx, wy, wz) of get_rows_q8_k; buffers are byte addresses, scratch holds 0 bytes. */
export function get_rows_q8_k(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, W: usize, ids: usize, out: usize, k: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const src: u32 = load<u32>(ids + (<usize>(wx) << 2));
    for (let i: u32 = lx; i < k; i += <u32>64) {
      const blk: u32 = src * (k / <u32>256) + (i / <u32>256);
      store<f32>(out + (<usize>(wx * k + i) << 2), load<f32>(W + <usize>(blk * <u32>292)) * <f32>(<i32>load<i8>(W + <usize>(blk * <u32>292 + <u32>4 + i % <u32>256))));
    }
  }
}
