// GENERATED — do not edit; source: engine/kernels/attention.kernel.ts
// kernel attention_f32 (AssemblyScript), workgroup 64x1x1; regenerate with `npm run codegen`
//
// naive, f32 KV cache

/** Runs workgroup (wx, wy, wz) of attention_f32; buffers are byte addresses, scratch holds 8704 bytes. */
export function attention_f32(scratch: usize, wx: u32, wy: u32, wz: u32, nwx: u32, nwy: u32, nwz: u32, q: usize, kCache: usize, vCache: usize, out: usize, nHead: u32, nKvHead: u32, headDim: u32, nPast: u32, scale: f32, softcap: f32, window: u32): void {
  let kvOffset: u32 = <u32>0;
  let kvDim: u32 = <u32>0;
  let qOffset: u32 = <u32>0;
  let n: u32 = <u32>0;
  let rowMax: f32 = <f32>0.0;
  let total: f32 = <f32>0.0;
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    const h: u32 = wx;
    const t: u32 = wy;
    const pos: u32 = nPast + t;
    // grouped-query attention: consecutive query heads share a KV head [line 32]
    kvOffset = (h / (nHead / nKvHead)) * headDim;
    kvDim = nKvHead * headDim;
    qOffset = (t * nHead + h) * headDim;
    // causal, and (window > 0) only the last `window` positions [line 36]
    store<u32>(scratch + 8448 + (<usize>(lid) << 2), <u32>0);
    if (window > <u32>0 && (pos + <u32>1) > window) {
      store<u32>(scratch + 8448 + (<usize>(lid) << 2), pos + <u32>1 - window);
    }
    n = pos + <u32>1 - load<u32>(scratch + 8448 + (<usize>(lid) << 2));
    let m: f32 = <f32>-3.4028234663852886e+38;
    for (let j: u32 = lx; j < n; j += <u32>64) {
      let s: f32 = <f32>0.0;
      for (let i: u32 = <u32>0; i < headDim; i += <u32>1) {
        const kv: f32 = load<f32>(kCache + (<usize>((load<u32>(scratch + 8448 + (<usize>(lid) << 2)) + j) * kvDim + kvOffset + i) << 2));
        s += load<f32>(q + (<usize>(qOffset + i) << 2)) * kv;
      }
      s = s * scale;
      // gemma2's soft-capping of the scores [line 50]
      if (softcap > <f32>0.0) {
        s = softcap * Mathf.tanh(s / softcap);
      }
      store<f32>(scratch + 0 + (<usize>(j) << 2), s);
      m = Mathf.max(m, s);
    }
    // workgroupMax: tree reduction over 64 invocations in shared memory [line 56]
    store<f32>(scratch + 8192 + (<usize>(lx) << 2), m);
  }
  // barrier [line 56]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 8192 + (<usize>(lx) << 2)), load<f32>(scratch + 8192 + (<usize>(lx + <u32>32) << 2))));
      }
    }
    // barrier [line 56]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 16; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>16) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 8192 + (<usize>(lx) << 2)), load<f32>(scratch + 8192 + (<usize>(lx + <u32>16) << 2))));
      }
    }
    // barrier [line 56]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 8; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>8) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 8192 + (<usize>(lx) << 2)), load<f32>(scratch + 8192 + (<usize>(lx + <u32>8) << 2))));
      }
    }
    // barrier [line 56]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 4; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>4) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 8192 + (<usize>(lx) << 2)), load<f32>(scratch + 8192 + (<usize>(lx + <u32>4) << 2))));
      }
    }
    // barrier [line 56]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 2; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>2) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 8192 + (<usize>(lx) << 2)), load<f32>(scratch + 8192 + (<usize>(lx + <u32>2) << 2))));
      }
    }
    // barrier [line 56]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 1; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>1) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), Mathf.max(load<f32>(scratch + 8192 + (<usize>(lx) << 2)), load<f32>(scratch + 8192 + (<usize>(lx + <u32>1) << 2))));
      }
    }
    // barrier [line 56]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    rowMax = load<f32>(scratch + 8192 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 56]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    let sum: f32 = <f32>0.0;
    for (let j_1: u32 = lx; j_1 < n; j_1 += <u32>64) {
      const e: f32 = Mathf.exp(load<f32>(scratch + 0 + (<usize>(j_1) << 2)) - rowMax);
      store<f32>(scratch + 0 + (<usize>(j_1) << 2), e);
      sum += e;
    }
    // workgroupSum: tree reduction over 64 invocations in shared memory [line 63]
    store<f32>(scratch + 8192 + (<usize>(lx) << 2), sum);
  }
  // barrier [line 63]: the next phase starts after every invocation finished this one
  {
    for (let lid: u32 = 0; lid < 32; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>32) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), load<f32>(scratch + 8192 + (<usize>(lx) << 2)) + load<f32>(scratch + 8192 + (<usize>(lx + <u32>32) << 2)));
      }
    }
    // barrier [line 63]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 16; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>16) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), load<f32>(scratch + 8192 + (<usize>(lx) << 2)) + load<f32>(scratch + 8192 + (<usize>(lx + <u32>16) << 2)));
      }
    }
    // barrier [line 63]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 8; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>8) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), load<f32>(scratch + 8192 + (<usize>(lx) << 2)) + load<f32>(scratch + 8192 + (<usize>(lx + <u32>8) << 2)));
      }
    }
    // barrier [line 63]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 4; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>4) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), load<f32>(scratch + 8192 + (<usize>(lx) << 2)) + load<f32>(scratch + 8192 + (<usize>(lx + <u32>4) << 2)));
      }
    }
    // barrier [line 63]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 2; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>2) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), load<f32>(scratch + 8192 + (<usize>(lx) << 2)) + load<f32>(scratch + 8192 + (<usize>(lx + <u32>2) << 2)));
      }
    }
    // barrier [line 63]: the next phase starts after every invocation finished this one
  }
  {
    for (let lid: u32 = 0; lid < 1; lid++) {
      const lx: u32 = lid;
      const ly: u32 = 0;
      const lz: u32 = 0;
      if (lx < <u32>1) {
        store<f32>(scratch + 8192 + (<usize>(lx) << 2), load<f32>(scratch + 8192 + (<usize>(lx) << 2)) + load<f32>(scratch + 8192 + (<usize>(lx + <u32>1) << 2)));
      }
    }
    // barrier [line 63]: the next phase starts after every invocation finished this one
  }
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    total = load<f32>(scratch + 8192 + (<usize>(<u32>0) << 2));
  }
  // barrier [line 63]: the next phase starts after every invocation finished this one
  // barrier [line 65]: the next phase starts after every invocation finished this one
  for (let lid: u32 = 0; lid < 64; lid++) {
    const lx: u32 = lid;
    const ly: u32 = 0;
    const lz: u32 = 0;
    for (let d: u32 = lx; d < headDim; d += <u32>64) {
      let acc: f32 = <f32>0.0;
      for (let j_2: u32 = <u32>0; j_2 < n; j_2 += <u32>1) {
        const vv: f32 = load<f32>(vCache + (<usize>((load<u32>(scratch + 8448 + (<usize>(lid) << 2)) + j_2) * kvDim + kvOffset + d) << 2));
        acc += load<f32>(scratch + 0 + (<usize>(j_2) << 2)) * vv;
      }
      store<f32>(out + (<usize>(qOffset + d) << 2), acc / total);
    }
  }
}
