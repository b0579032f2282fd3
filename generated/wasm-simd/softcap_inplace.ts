// GENERATED — do not edit; source: engine/kernels/softcap_inplace.kernel.ts
// kernel softcap_inplace (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of softcap_inplace; buffers are byte addresses, scratch holds 0 bytes. */
export function softcap_inplace(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, n: u32, cap: f32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      // tanh(15) is 1.0 in f32, so the clamp changes no result; it keeps GPU tanh spelled as
      // (e^2t - 1) / (e^2t + 1) from giving inf / inf = NaN on large logits [line 16]
      store<f32>(x + (<usize>(i) << 2), cap * Mathf.tanh(Mathf.min(Mathf.max(load<f32>(x + (<usize>(i) << 2)) / cap, <f32>-15.0), <f32>15.0)));
    }
  }
}
