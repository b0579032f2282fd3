// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel softcap (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`
//
// gemma2's soft-cap of the final logits: out = cap * tanh(x / cap). Reference: engine/reference/ops.ts
// softcap; ggml counterpart: ggml_softcap (ggml_scale, ggml_tanh, ggml_scale).

/** Runs workgroup (wx, wy, wz) of softcap; buffers are byte addresses, scratch holds 0 bytes. */
export function softcap(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, out: usize, n: u32, cap: f32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      store<f32>(out + (<usize>(i) << 2), cap * Mathf.tanh(load<f32>(x + (<usize>(i) << 2)) / cap));
    }
  }
}
