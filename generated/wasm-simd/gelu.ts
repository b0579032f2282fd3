// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel gelu (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of gelu; buffers are byte addresses, scratch holds 0 bytes. */
export function gelu(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, out: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      const v: f32 = load<f32>(x + (<usize>(i) << 2));
      // sqrt(2 / pi) = 0.7978845608 [line 27]
      store<f32>(out + (<usize>(i) << 2), <f32>0.5 * v * (<f32>1.0 + Mathf.tanh(<f32>0.7978845834732056 * (v + <f32>0.044714998453855515 * v * v * v))));
    }
  }
}
