// GENERATED — do not edit; source: engine/kernels/elementwise.kernel.ts
// kernel mul (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`
//
// out[i] = a[i] * b[i]; one invocation per value.

/** Runs workgroup (wx, wy, wz) of mul; buffers are byte addresses, scratch holds 0 bytes. */
export function mul(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, a: usize, b: usize, out: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      store<f32>(out + (<usize>(i) << 2), load<f32>(a + (<usize>(i) << 2)) * load<f32>(b + (<usize>(i) << 2)));
    }
  }
}
