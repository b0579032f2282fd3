// GENERATED — do not edit; source: engine/kernels/rope.kernel.ts
// kernel rope_neox (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of rope_neox; buffers are byte addresses, scratch holds 0 bytes. */
export function rope_neox(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, pos: usize, out: usize, nHeads: u32, headDim: u32, nRot: u32, freqBase: f32, freqScale: f32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const base: u32 = (wy * nHeads + wx) * headDim;
    const p: f32 = <f32>(load<u32>(pos + (<usize>(wy) << 2)));
    const half_: u32 = nRot >>> <u32>1;
    for (let i: u32 = lx; i < half_; i += <u32>64) {
      const freq: f32 = Mathf.pow(freqBase, <f32>(i) * <f32>-2.0 / <f32>(nRot));
      const theta: f32 = p * freq * freqScale;
      const c: f32 = Mathf.cos(theta);
      const s: f32 = Mathf.sin(theta);
      // NeoX rotates the first half of the head against the second [line 53]
      const x0: f32 = load<f32>(x + (<usize>(base + i) << 2));
      const x1: f32 = load<f32>(x + (<usize>(base + i + half_) << 2));
      store<f32>(out + (<usize>(base + i) << 2), x0 * c - x1 * s);
      store<f32>(out + (<usize>(base + i + half_) << 2), x0 * s + x1 * c);
    }
    for (let d: u32 = nRot + lx; d < headDim; d += <u32>64) {
      store<f32>(out + (<usize>(base + d) << 2), load<f32>(x + (<usize>(base + d) << 2)));
    }
  }
}
