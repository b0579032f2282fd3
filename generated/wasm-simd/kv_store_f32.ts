// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f32 (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of kv_store_f32; buffers are byte addresses, scratch holds 0 bytes. */
export function kv_store_f32(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, src: usize, dst: usize, step: usize, n: u32): void {
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const i: u32 = (wx * <u32>256 + lx);
    if (i < n) {
      store<f32>(dst + (<usize>(load<u32>(step + (<usize>(<u32>0) << 2)) * n + i) << 2), load<f32>(src + (<usize>(i) << 2)));
    }
  }
}
