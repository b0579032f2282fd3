// GENERATED — do not edit; source: engine/kernels/argmax.kernel.ts
// kernel argmax (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of argmax; buffers are byte addresses, scratch holds 2048 bytes. */
export function argmax(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, out: usize, n: u32): void {
  let stride: u32 = <u32>0;
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const row: u32 = wx * n;
    // each invocation scans a strided slice; ascending order keeps its lowest index on ties
    // `at === n` marks "nothing seen yet", so the first value is taken whatever it is [line 15]
    let best: f32 = <f32>0.0;
    let at: u32 = n;
    for (let i: u32 = lx; i < n; i += <u32>256) {
      const v: f32 = load<f32>(x + (<usize>(row + i) << 2));
      if (at == n || v > best) {
        best = v;
        at = i;
      }
    }
    store<f32>(scratch + 0 + (<usize>(lx) << 2), best);
    store<u32>(scratch + 1024 + (<usize>(lx) << 2), at);
  }
  // barrier [line 26]: the next phase starts after every invocation finished this one
  // a tree over the workgroup: the larger value wins, the lower index breaks ties [line 28]
  for (stride = <u32>128; stride > <u32>0; stride = stride >>> <u32>1) {
    for (let lid: u32 = 0; lid < 256; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < stride) {
        const v_1: f32 = load<f32>(scratch + 0 + (<usize>(lx + stride) << 2));
        const j: u32 = load<u32>(scratch + 1024 + (<usize>(lx + stride) << 2));
        const mine: f32 = load<f32>(scratch + 0 + (<usize>(lx) << 2));
        if (j < n && (load<u32>(scratch + 1024 + (<usize>(lx) << 2)) == n || v_1 > mine || (v_1 == mine && j < load<u32>(scratch + 1024 + (<usize>(lx) << 2))))) {
          store<f32>(scratch + 0 + (<usize>(lx) << 2), v_1);
          store<u32>(scratch + 1024 + (<usize>(lx) << 2), j);
        }
      }
    }
    // barrier [line 38]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    if (lx == <u32>0) {
      store<u32>(out + (<usize>(wx) << 2), load<u32>(scratch + 1024 + (<usize>(<u32>0) << 2)));
    }
  }
}
