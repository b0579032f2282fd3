// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel flash_attention_f32 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// flash, f32 KV cache

/** Runs workgroup (wx, wy, wz) of flash_attention_f32; buffers are byte addresses, scratch holds 2816 bytes. */
export function flash_attention_f32(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, q: usize, kCache: usize, vCache: usize, out: usize, nHead: u32, nKvHead: u32, headDim: u32, nPast: u32, scale: f32, softcap: f32, window: u32): void {
  let j0: u32 = <u32>0;
  let n: u32 = <u32>0;
  let kvOffset: u32 = <u32>0;
  let kvDim: u32 = <u32>0;
  let qOffset: u32 = <u32>0;
  let tileMax: f32 = <f32>0.0;
  let mNew: f32 = <f32>0.0;
  let correction: f32 = <f32>0.0;
  let tileSum: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const h: u32 = wx;
    const t: u32 = wy;
    const pos: u32 = nPast + t;
    // grouped-query attention: consecutive query heads share a KV head [line 153]
    kvOffset = (h / (nHead / nKvHead)) * headDim;
    kvDim = nKvHead * headDim;
    qOffset = (t * nHead + h) * headDim;
    // causal, and (window > 0) only the last `window` positions [line 157]
    store<u32>(scratch + 1536 + (<usize>(lid) << 2), <u32>0);
    if (window > <u32>0 && (pos + <u32>1) > window) {
      store<u32>(scratch + 1536 + (<usize>(lid) << 2), pos + <u32>1 - window);
    }
    n = pos + <u32>1 - load<u32>(scratch + 1536 + (<usize>(lid) << 2));
    for (let d: u32 = lx; d < headDim; d += <u32>64) {
      store<f32>(scratch + 256 + (<usize>(d) << 2), <f32>0.0);
    }
    // the running max and sum of the online softmax (the same in every invocation) [line 166]
    store<f32>(scratch + 1792 + (<usize>(lid) << 2), <f32>-3.4028234663852886e+38);
    store<f32>(scratch + 2048 + (<usize>(lid) << 2), <f32>0.0);
  }
  for (j0 = <u32>0; j0 < n; j0 += <u32>64) {
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      // each invocation scores one position of the tile [line 170]
      store<u32>(scratch + 2304 + (<usize>(lid) << 2), j0 + lx);
      store<f32>(scratch + 2560 + (<usize>(lid) << 2), <f32>-3.4028234663852886e+38);
      if (load<u32>(scratch + 2304 + (<usize>(lid) << 2)) < n) {
        let dot_: f32 = <f32>0.0;
        for (let i: u32 = <u32>0; i < headDim; i += <u32>1) {
          const kv: f32 = load<f32>(kCache + (<usize>((load<u32>(scratch + 1536 + (<usize>(lid) << 2)) + load<u32>(scratch + 2304 + (<usize>(lid) << 2))) * kvDim + kvOffset + i) << 2));
          dot_ += load<f32>(q + (<usize>(qOffset + i) << 2)) * kv;
        }
        store<f32>(scratch + 2560 + (<usize>(lid) << 2), dot_ * scale);
        // gemma2's soft-capping of the scores [line 180]
        if (softcap > <f32>0.0) {
          store<f32>(scratch + 2560 + (<usize>(lid) << 2), softcap * Mathf.tanh(load<f32>(scratch + 2560 + (<usize>(lid) << 2)) / softcap));
        }
      }
      // workgroupMax: tree reduction over 64 invocations in shared memory [line 184]
      store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 2560 + (<usize>(lid) << 2)));
    }
    // barrier [line 184]: the next phase starts after every invocation finished this one
    {
      for (let lid: u32 = 0; lid < 32; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>32) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 1280 + (<usize>(lx) << 2)), load<f32>(scratch + 1280 + (<usize>(lx + <u32>32) << 2))));
        }
      }
      // barrier [line 184]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 16; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>16) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 1280 + (<usize>(lx) << 2)), load<f32>(scratch + 1280 + (<usize>(lx + <u32>16) << 2))));
        }
      }
      // barrier [line 184]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 8; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>8) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 1280 + (<usize>(lx) << 2)), load<f32>(scratch + 1280 + (<usize>(lx + <u32>8) << 2))));
        }
      }
      // barrier [line 184]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 4; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>4) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 1280 + (<usize>(lx) << 2)), load<f32>(scratch + 1280 + (<usize>(lx + <u32>4) << 2))));
        }
      }
      // barrier [line 184]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 2; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>2) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 1280 + (<usize>(lx) << 2)), load<f32>(scratch + 1280 + (<usize>(lx + <u32>2) << 2))));
        }
      }
      // barrier [line 184]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 1; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>1) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 1280 + (<usize>(lx) << 2)), load<f32>(scratch + 1280 + (<usize>(lx + <u32>1) << 2))));
        }
      }
      // barrier [line 184]: the next phase starts after every invocation finished this one
    }
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      tileMax = load<f32>(scratch + 1280 + (<usize>(<u32>0) << 2));
    }
    // barrier [line 184]: the next phase starts after every invocation finished this one
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      mNew = Mathf.max(load<f32>(scratch + 1792 + (<usize>(lid) << 2)), tileMax);
      // rescale what was summed under the old max [line 187]
      correction = Mathf.exp(load<f32>(scratch + 1792 + (<usize>(lid) << 2)) - mNew);
      let p: f32 = <f32>0.0;
      if (load<u32>(scratch + 2304 + (<usize>(lid) << 2)) < n) {
        p = Mathf.exp(load<f32>(scratch + 2560 + (<usize>(lid) << 2)) - mNew);
      }
      store<f32>(scratch + 0 + (<usize>(lx) << 2), p);
      // workgroupSum: tree reduction over 64 invocations in shared memory [line 193]
      store<f32>(scratch + 1280 + (<usize>(lx) << 2), p);
    }
    // barrier [line 193]: the next phase starts after every invocation finished this one
    {
      for (let lid: u32 = 0; lid < 32; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>32) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 1280 + (<usize>(lx) << 2)) + load<f32>(scratch + 1280 + (<usize>(lx + <u32>32) << 2)));
        }
      }
      // barrier [line 193]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 16; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>16) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 1280 + (<usize>(lx) << 2)) + load<f32>(scratch + 1280 + (<usize>(lx + <u32>16) << 2)));
        }
      }
      // barrier [line 193]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 8; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>8) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 1280 + (<usize>(lx) << 2)) + load<f32>(scratch + 1280 + (<usize>(lx + <u32>8) << 2)));
        }
      }
      // barrier [line 193]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 4; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>4) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 1280 + (<usize>(lx) << 2)) + load<f32>(scratch + 1280 + (<usize>(lx + <u32>4) << 2)));
        }
      }
      // barrier [line 193]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 2; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>2) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 1280 + (<usize>(lx) << 2)) + load<f32>(scratch + 1280 + (<usize>(lx + <u32>2) << 2)));
        }
      }
      // barrier [line 193]: the next phase starts after every invocation finished this one
    }
    {
      for (let lid: u32 = 0; lid < 1; lid++) {
        const lx: u32 = lid;
        const ly: u32 = 0;
        const lz: u32 = 0;
        if (lx < <u32>1) {
          store<f32>(scratch + 1280 + (<usize>(lx) << 2), load<f32>(scratch + 1280 + (<usize>(lx) << 2)) + load<f32>(scratch + 1280 + (<usize>(lx + <u32>1) << 2)));
        }
      }
      // barrier [line 193]: the next phase starts after every invocation finished this one
    }
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      tileSum = load<f32>(scratch + 1280 + (<usize>(<u32>0) << 2));
    }
    // barrier [line 193]: the next phase starts after every invocation finished this one
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      store<f32>(scratch + 2048 + (<usize>(lid) << 2), load<f32>(scratch + 2048 + (<usize>(lid) << 2)) * correction + tileSum);
      store<f32>(scratch + 1792 + (<usize>(lid) << 2), mNew);
    }
    // barrier [line 196]: the next phase starts after every invocation finished this one
    for (let lid: u32 = 0; lid < 64; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      const tileLen: u32 = min<u32>(n - j0, <u32>64);
      for (let d_1: u32 = lx; d_1 < headDim; d_1 += <u32>64) {
        let a: f32 = load<f32>(scratch + 256 + (<usize>(d_1) << 2)) * correction;
        for (let jj: u32 = <u32>0; jj < tileLen; jj += <u32>1) {
          const vv: f32 = load<f32>(vCache + (<usize>((load<u32>(scratch + 1536 + (<usize>(lid) << 2)) + j0 + jj) * kvDim + kvOffset + d_1) << 2));
          a += load<f32>(scratch + 0 + (<usize>(jj) << 2)) * vv;
        }
        store<f32>(scratch + 256 + (<usize>(d_1) << 2), a);
      }
    }
    // barrier [line 207]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    for (let d_2: u32 = lx; d_2 < headDim; d_2 += <u32>64) {
      store<f32>(out + (<usize>(qOffset + d_2) << 2), load<f32>(scratch + 256 + (<usize>(d_2) << 2)) / load<f32>(scratch + 2048 + (<usize>(lid) << 2)));
    }
  }
}
