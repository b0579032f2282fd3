// GENERATED — do not edit; source: engine/kernels/rope_table.kernel.ts
// kernel rope (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of rope; buffers are byte addresses, scratch holds 0 bytes. */
export function rope(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, table: usize, step: usize, nHeads: u32, headDim: u32, nRot: u32, neox: u32): void {
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const half_: u32 = nRot >>> <u32>1;
    const idx: u32 = (wx * <u32>64 + lx);
    if (idx < (nHeads * half_)) {
      const h: u32 = (idx / half_);
      const i: u32 = idx - h * half_;
      let a: u32 = h * headDim + <u32>2 * i;
      let b: u32 = a + <u32>1;
      if (neox == <u32>1) {
        // NeoX rotates the first half of the head against the second [line 32]
        a = h * headDim + i;
        b = a + half_;
      }
      const t: u32 = (load<u32>(step + (<usize>(<u32>0) << 2)) * half_ + i) * <u32>2;
      const c: f32 = load<f32>(table + (<usize>(t) << 2));
      const s: f32 = load<f32>(table + (<usize>(t + <u32>1) << 2));
      const x0: f32 = load<f32>(x + (<usize>(a) << 2));
      const x1: f32 = load<f32>(x + (<usize>(b) << 2));
      store<f32>(x + (<usize>(a) << 2), x0 * c - x1 * s);
      store<f32>(x + (<usize>(b) << 2), x0 * s + x1 * c);
    }
  }
}
