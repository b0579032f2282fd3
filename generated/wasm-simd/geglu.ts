// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel geglu (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of geglu; buffers are byte addresses, scratch holds 0 bytes. */
export function geglu(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, gate: usize, up: usize, out: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      const g: f32 = load<f32>(gate + (<usize>(i) << 2));
      store<f32>(out + (<usize>(i) << 2), <f32>0.5 * g * (<f32>1.0 + Mathf.tanh(<f32>0.7978845834732056 * (g + <f32>0.044714998453855515 * g * g * g))) * load<f32>(up + (<usize>(i) << 2)));
    }
  }
}
