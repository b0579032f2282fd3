// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel swiglu (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of swiglu; buffers are byte addresses, scratch holds 0 bytes. */
export function swiglu(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, gate: usize, up: usize, out: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      const g: f32 = load<f32>(gate + (<usize>(i) << 2));
      // silu(g) = g * sigmoid(g); exp(-g) overflowing to +inf gives the right limit, -0 [line 15]
      store<f32>(out + (<usize>(i) << 2), g / (<f32>1.0 + Mathf.exp(-g)) * load<f32>(up + (<usize>(i) << 2)));
    }
  }
}
