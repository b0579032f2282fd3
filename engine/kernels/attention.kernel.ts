// Attention of each query head over the KV cache: out = softmax(q . K^T * scale (+ soft-cap), causal and
// optionally windowed) . V, with grouped-query heads (query head h reads KV head h / (nHead / nKvHead)).
// Shapes: q, out (tokens, nHead, headDim) f32 for queries at positions nPast, nPast + 1, ...;
// kCache, vCache (nCtx, nKvHead, headDim), f32 or f16. One workgroup per (head, token): dispatch
// [nHead, tokens]. Query t sees positions first .. nPast + t (first > 0 only with a sliding window).
// Two versions, one reference (the attention loop of engine/reference/forward.ts: scores, softmax,
// weighted sum):
//   attention_*        naive: every score of the row in shared memory, softmax, then the weighted sum;
//                      at most 2048 visible positions.
//   flash_attention_*  what changed: positions go in tiles of 64 with an online softmax (a running max
//                      and sum, earlier sums rescaled when the max grows), so shared memory no longer
//                      grows with the context and there is no length limit (FlashAttention, Dao 2022).
// The f16 variants read an f16 KV cache (llama.cpp's default cache type). ggml counterparts:
// ggml_soft_max_ext + ggml_mul_mat (naive), ggml_flash_attn_ext (flash).
import { barrier, exp, f32, idiv, kernel, localId, max, min, read, shared, tanh, u32, unpackF16, workgroupId, workgroupMax, workgroupSize, workgroupSum, write } from "../../codegen/dsl/index.js";

// naive, f32 KV cache
export const attentionF32 = kernel(
  {
    name: "attention_f32",
    workgroupSize: 64,
    uniforms: { nHead: u32, nKvHead: u32, headDim: u32, nPast: u32, scale: f32, softcap: f32, window: u32 },
    buffers: { q: read(f32), kCache: read(f32), vCache: read(f32), out: write(f32) },
  },
  ({ nHead, nKvHead, headDim, nPast, scale, softcap, window, q, kCache, vCache, out }) => {
    // the scores of one query against every visible position (at most 2048)
    const probs = shared(f32, 2048);
    const h = workgroupId.x;
    const t = workgroupId.y;
    const pos = nPast + t;
    // grouped-query attention: consecutive query heads share a KV head
    const kvOffset = idiv(h, idiv(nHead, nKvHead)) * headDim;
    const kvDim = nKvHead * headDim;
    const qOffset = (t * nHead + h) * headDim;
    // causal, and (window > 0) only the last `window` positions
    let first: u32 = 0;
    if (window > 0 && pos + 1 > window) {
      first = pos + 1 - window;
    }
    const n = pos + 1 - first;
    let m: f32 = -3.4028234663852886e38;
    for (let j = localId.x; j < n; j += workgroupSize.x) {
      let s: f32 = 0.0;
      for (let i: u32 = 0; i < headDim; i++) {
        const kv = kCache[(first + j) * kvDim + kvOffset + i];
        s += q[qOffset + i] * kv;
      }
      s = s * scale;
      // gemma2's soft-capping of the scores
      if (softcap > 0.0) {
        s = softcap * tanh(s / softcap);
      }
      probs[j] = s;
      m = max(m, s);
    }
    const rowMax = workgroupMax(m);
    let sum: f32 = 0.0;
    for (let j = localId.x; j < n; j += workgroupSize.x) {
      const e = exp(probs[j] - rowMax);
      probs[j] = e;
      sum += e;
    }
    const total = workgroupSum(sum);
    // every invocation reads every probability below
    barrier();
    for (let d = localId.x; d < headDim; d += workgroupSize.x) {
      let acc: f32 = 0.0;
      for (let j: u32 = 0; j < n; j++) {
        const vv = vCache[(first + j) * kvDim + kvOffset + d];
        acc += probs[j] * vv;
      }
      out[qOffset + d] = acc / total;
    }
  },
);

// naive, f16 KV cache (IEEE halves, two per u32 word, low half first)
export const attentionF16 = kernel(
  {
    name: "attention_f16",
    workgroupSize: 64,
    uniforms: { nHead: u32, nKvHead: u32, headDim: u32, nPast: u32, scale: f32, softcap: f32, window: u32 },
    buffers: { q: read(f32), kCache: read(u32), vCache: read(u32), out: write(f32) },
  },
  ({ nHead, nKvHead, headDim, nPast, scale, softcap, window, q, kCache, vCache, out }) => {
    // the scores of one query against every visible position (at most 2048)
    const probs = shared(f32, 2048);
    const h = workgroupId.x;
    const t = workgroupId.y;
    const pos = nPast + t;
    // grouped-query attention: consecutive query heads share a KV head
    const kvOffset = idiv(h, idiv(nHead, nKvHead)) * headDim;
    const kvDim = nKvHead * headDim;
    const qOffset = (t * nHead + h) * headDim;
    // causal, and (window > 0) only the last `window` positions
    let first: u32 = 0;
    if (window > 0 && pos + 1 > window) {
      first = pos + 1 - window;
    }
    const n = pos + 1 - first;
    let m: f32 = -3.4028234663852886e38;
    for (let j = localId.x; j < n; j += workgroupSize.x) {
      let s: f32 = 0.0;
      for (let i: u32 = 0; i < headDim; i++) {
        const kv = unpackF16(kCache[((first + j) * kvDim + kvOffset + i) >> 1] >> ((((first + j) * kvDim + kvOffset + i) & 1) * 16));
        s += q[qOffset + i] * kv;
      }
      s = s * scale;
      // gemma2's soft-capping of the scores
      if (softcap > 0.0) {
        s = softcap * tanh(s / softcap);
      }
      probs[j] = s;
      m = max(m, s);
    }
    const rowMax = workgroupMax(m);
    let sum: f32 = 0.0;
    for (let j = localId.x; j < n; j += workgroupSize.x) {
      const e = exp(probs[j] - rowMax);
      probs[j] = e;
      sum += e;
    }
    const total = workgroupSum(sum);
    // every invocation reads every probability below
    barrier();
    for (let d = localId.x; d < headDim; d += workgroupSize.x) {
      let acc: f32 = 0.0;
      for (let j: u32 = 0; j < n; j++) {
        const vv = unpackF16(vCache[((first + j) * kvDim + kvOffset + d) >> 1] >> ((((first + j) * kvDim + kvOffset + d) & 1) * 16));
        acc += probs[j] * vv;
      }
      out[qOffset + d] = acc / total;
    }
  },
);

// flash, f32 KV cache
export const flashAttentionF32 = kernel(
  {
    name: "flash_attention_f32",
    workgroupSize: 64,
    uniforms: { nHead: u32, nKvHead: u32, headDim: u32, nPast: u32, scale: f32, softcap: f32, window: u32 },
    buffers: { q: read(f32), kCache: read(f32), vCache: read(f32), out: write(f32) },
  },
  ({ nHead, nKvHead, headDim, nPast, scale, softcap, window, q, kCache, vCache, out }) => {
    // one tile of 64 positions' probabilities, and the running output of the head (headDim <= 256)
    const tile = shared(f32, 64);
    const acc = shared(f32, 256);
    const h = workgroupId.x;
    const t = workgroupId.y;
    const pos = nPast + t;
    // grouped-query attention: consecutive query heads share a KV head
    const kvOffset = idiv(h, idiv(nHead, nKvHead)) * headDim;
    const kvDim = nKvHead * headDim;
    const qOffset = (t * nHead + h) * headDim;
    // causal, and (window > 0) only the last `window` positions
    let first: u32 = 0;
    if (window > 0 && pos + 1 > window) {
      first = pos + 1 - window;
    }
    const n = pos + 1 - first;
    for (let d = localId.x; d < headDim; d += workgroupSize.x) {
      acc[d] = 0.0;
    }
    // the running max and sum of the online softmax (the same in every invocation)
    let m: f32 = -3.4028234663852886e38;
    let l: f32 = 0.0;
    for (let j0: u32 = 0; j0 < n; j0 += 64) {
      // each invocation scores one position of the tile
      const j = j0 + localId.x;
      let s: f32 = -3.4028234663852886e38;
      if (j < n) {
        let dot: f32 = 0.0;
        for (let i: u32 = 0; i < headDim; i++) {
          const kv = kCache[(first + j) * kvDim + kvOffset + i];
          dot += q[qOffset + i] * kv;
        }
        s = dot * scale;
        // gemma2's soft-capping of the scores
        if (softcap > 0.0) {
          s = softcap * tanh(s / softcap);
        }
      }
      const tileMax = workgroupMax(s);
      const mNew = max(m, tileMax);
      // rescale what was summed under the old max
      const correction = exp(m - mNew);
      let p: f32 = 0.0;
      if (j < n) {
        p = exp(s - mNew);
      }
      tile[localId.x] = p;
      const tileSum = workgroupSum(p);
      l = l * correction + tileSum;
      m = mNew;
      barrier();
      const tileLen = min(n - j0, 64);
      for (let d = localId.x; d < headDim; d += workgroupSize.x) {
        let a = acc[d] * correction;
        for (let jj: u32 = 0; jj < tileLen; jj++) {
          const vv = vCache[(first + j0 + jj) * kvDim + kvOffset + d];
          a += tile[jj] * vv;
        }
        acc[d] = a;
      }
      // the next tile overwrites `tile`
      barrier();
    }
    for (let d = localId.x; d < headDim; d += workgroupSize.x) {
      out[qOffset + d] = acc[d] / l;
    }
  },
);

// flash, f16 KV cache (IEEE halves, two per u32 word, low half first)
export const flashAttentionF16 = kernel(
  {
    name: "flash_attention_f16",
    workgroupSize: 64,
    uniforms: { nHead: u32, nKvHead: u32, headDim: u32, nPast: u32, scale: f32, softcap: f32, window: u32 },
    buffers: { q: read(f32), kCache: read(u32), vCache: read(u32), out: write(f32) },
  },
  ({ nHead, nKvHead, headDim, nPast, scale, softcap, window, q, kCache, vCache, out }) => {
    // one tile of 64 positions' probabilities, and the running output of the head (headDim <= 256)
    const tile = shared(f32, 64);
    const acc = shared(f32, 256);
    const h = workgroupId.x;
    const t = workgroupId.y;
    const pos = nPast + t;
    // grouped-query attention: consecutive query heads share a KV head
    const kvOffset = idiv(h, idiv(nHead, nKvHead)) * headDim;
    const kvDim = nKvHead * headDim;
    const qOffset = (t * nHead + h) * headDim;
    // causal, and (window > 0) only the last `window` positions
    let first: u32 = 0;
    if (window > 0 && pos + 1 > window) {
      first = pos + 1 - window;
    }
    const n = pos + 1 - first;
    for (let d = localId.x; d < headDim; d += workgroupSize.x) {
      acc[d] = 0.0;
    }
    // the running max and sum of the online softmax (the same in every invocation)
    let m: f32 = -3.4028234663852886e38;
    let l: f32 = 0.0;
    for (let j0: u32 = 0; j0 < n; j0 += 64) {
      // each invocation scores one position of the tile
      const j = j0 + localId.x;
      let s: f32 = -3.4028234663852886e38;
      if (j < n) {
        let dot: f32 = 0.0;
        for (let i: u32 = 0; i < headDim; i++) {
          const kv = unpackF16(kCache[((first + j) * kvDim + kvOffset + i) >> 1] >> ((((first + j) * kvDim + kvOffset + i) & 1) * 16));
          dot += q[qOffset + i] * kv;
        }
        s = dot * scale;
        // gemma2's soft-capping of the scores
        if (softcap > 0.0) {
          s = softcap * tanh(s / softcap);
        }
      }
      const tileMax = workgroupMax(s);
      const mNew = max(m, tileMax);
      // rescale what was summed under the old max
      const correction = exp(m - mNew);
      let p: f32 = 0.0;
      if (j < n) {
        p = exp(s - mNew);
      }
      tile[localId.x] = p;
      const tileSum = workgroupSum(p);
      l = l * correction + tileSum;
      m = mNew;
      barrier();
      const tileLen = min(n - j0, 64);
      for (let d = localId.x; d < headDim; d += workgroupSize.x) {
        let a = acc[d] * correction;
        for (let jj: u32 = 0; jj < tileLen; jj++) {
          const vv = unpackF16(vCache[((first + j0 + jj) * kvDim + kvOffset + d) >> 1] >> ((((first + j0 + jj) * kvDim + kvOffset + d) & 1) * 16));
          a += tile[jj] * vv;
        }
        acc[d] = a;
      }
      // the next tile overwrites `tile`
      barrier();
    }
    for (let d = localId.x; d < headDim; d += workgroupSize.x) {
      out[qOffset + d] = acc[d] / l;
    }
  },
);

