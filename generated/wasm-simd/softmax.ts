// GENERATED — do not edit; source: engine/kernels/softmax.kernel.ts
// kernel softmax (AssemblyScript), workgroup 256x1x1; regenerate with `npm run codegen`

/** Runs workgroup (wx, wy, wz) of softmax; buffers are byte addresses, scratch holds 1024 bytes. */
export function softmax(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, x: usize, out: usize, n: u32): void {
  let row: u32 = <u32>0;
  let rowMax: f32 = <f32>0.0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    row = wx * n;
    // the lowest finite f32 stands in for -inf, which WGSL cannot spell [line 11]
    let m: f32 = <f32>-3.4028234663852886e+38;
    for (let i: u32 = lx; i < n; i += <u32>256) {
      m = Mathf.max(m, load<f32>(x + (<usize>(row + i) << 2)));
    }
    // subtracting the row max keeps exp() from overflowing
    // workgroupMax: tree reduction over 256 invocations in shared memory [line 16]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), m);
  }
  // barrier [line 16]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 128; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>128) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>128) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>64) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>64) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 16; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>16) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>16) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 8; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>8) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>8) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 4; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>4) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>4) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 2; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>2) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>2) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 1; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>1) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 0 + (<usize>(lx) << 2)), load<f32>(scratch + 0 + (<usize>(lx + <u32>1) << 2))));
      }
    }
    // barrier [line 16]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    rowMax = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 16]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    let sum: f32 = <f32>0.0;
    for (let i_1: u32 = lx; i_1 < n; i_1 += <u32>256) {
      const e: f32 = Mathf.exp(load<f32>(x + (<usize>(row + i_1) << 2)) - rowMax);
      store<f32>(out + (<usize>(row + i_1) << 2), e);
      sum += e;
    }
    // workgroupSum: tree reduction over 256 invocations in shared memory [line 23]
    store<f32>(scratch + 0 + (<usize>(lx) << 2), sum);
  }
  // barrier [line 23]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 128; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>128) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>128) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>64) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>64) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 16; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>16) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>16) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 8; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>8) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>8) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 4; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>4) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>4) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 2; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>2) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>2) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 1; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>1) {
        store<f32>(scratch + 0 + (<usize>(lx) << 2), load<f32>(scratch + 0 + (<usize>(lx) << 2)) + load<f32>(scratch + 0 + (<usize>(lx + <u32>1) << 2)));
      }
    }
    // barrier [line 23]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 0 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 23]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 256; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const inv: f32 = <f32>1.0 / total;
    // each invocation rescales only the values it wrote, so no barrier is needed [line 26]
    for (let i_2: u32 = lx; i_2 < n; i_2 += <u32>256) {
      store<f32>(out + (<usize>(row + i_2) << 2), load<f32>(out + (<usize>(row + i_2) << 2)) * inv);
    }
  }
}
