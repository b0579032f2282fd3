// The reference transformer: one token's forward pass, top to bottom, like llama2.c's run.c. It covers
// llama.cpp's build_llama (Llama, Mistral, SmolLM), build_qwen2, build_phi3 and build_gemma2; the
// differences between them are named where they happen. The golden README's "Other architectures"
// section is the specification; llama.cpp's src/llama.cpp graph builders are the counterpart.
// f32 storage, f64 sums (see ops.ts); the KV cache is f32, or rounded to f16 to match ggml's default.
// The "ggml" mode swaps in ggml-cpu.ts's emulation of llama.cpp's CPU arithmetic at the marked steps.

import type { ModelConfig } from "../model/config.js";
import type { ModelWeights, WeightMatrix } from "../model/weights.js";
import {
  addInPlace, geluGgml, geluTanh, matvec, rmsnorm, rmsnormGgml, rope, ropeAngles, ropeAnglesGgml, roundToF16, silu, softcap, softmax,
} from "./ops.js";
import {
  dotF16Ggml, dotF32Ggml, hasGgmlMatvec, matvecGgml, ropeGgml, siluGgml, softcapGgml, softmaxGgml, weightedSumTinyblas,
} from "./ggml-cpu.js";

export interface ReferenceOptions {
  /** Store K and V rounded to f16, as llama.cpp's default F16 KV cache does. */
  readonly kvF16?: boolean;
  /**
   * "exact" (default): f32 activations times decoded weights, the exact math. "ggml": llama.cpp's CPU
   * arithmetic, to reproduce its outputs step for step: activations rounded to the weight type's
   * vec_dot_type before each product (with an f16 KV cache also q and the attention weights to f16),
   * and, in ggml-cpu.ts, its kernels' order of additions for q8_0 and f16 weights and attention, its
   * SIMD exp in softmax and SiLU, its f32 RMSNorm, RoPE and soft-caps.
   */
  readonly activations?: "exact" | "ggml";
  /** Positions the KV cache holds (default: the model's context length). */
  readonly nCtx?: number;
}

/** One sequence's state: the KV cache and the activation buffers, reused across tokens. */
export class ReferenceTransformer {
  readonly nCtx: number;
  private readonly kvF16: boolean;
  private readonly ggml: boolean;
  private readonly norm: typeof rmsnorm;

  // KV cache, per layer: (capacity, n_head_kv * head_k) and (capacity, n_head_kv * head_v). The
  // capacity grows by doubling up to n_ctx as positions arrive, so a model with a long context costs
  // memory only for the positions used.
  private keyCache: Float32Array[];
  private valueCache: Float32Array[];
  private capacity: number;

  // activations of the current token
  private readonly x: Float32Array; // (n_embd,) the residual stream
  private readonly xb: Float32Array; // (n_embd,) normed input of a block
  private readonly xb2: Float32Array; // (n_embd,) output of a block before the residual add
  private readonly q: Float32Array; // (n_head * head_k,)
  private readonly k: Float32Array; // (n_head_kv * head_k,)
  private readonly v: Float32Array; // (n_head_kv * head_v,)
  private readonly qkv: Float32Array; // (n_head * head_k + n_head_kv * (head_k + head_v),) phi3's fused projection
  private readonly att: Float32Array; // (n_ctx,) one head's scores, then weights
  private readonly attOut: Float32Array; // (n_head * head_v,) attention output, all heads
  private readonly hb: Float32Array; // (n_ff,) gate
  private readonly hb2: Float32Array; // (n_ff,) up
  private readonly hbFused: Float32Array; // (2 * n_ff,) phi3's gate|up
  private readonly ropeCos: Float64Array; // (n_rot / 2,)
  private readonly ropeSin: Float64Array; // (n_rot / 2,)
  private readonly scratch: Float32Array; // (max(16384, max row length),) a tile of decoded weight rows

  constructor(readonly config: ModelConfig, readonly weights: ModelWeights, opts: ReferenceOptions = {}) {
    const c = config;
    this.nCtx = Math.min(opts.nCtx ?? c.nCtx, c.nCtx);
    this.kvF16 = opts.kvF16 ?? false;
    this.ggml = opts.activations === "ggml";
    this.norm = this.ggml ? rmsnormGgml : rmsnorm;
    const kvK = c.nHeadKv * c.headDimK;
    const kvV = c.nHeadKv * c.headDimV;
    this.capacity = Math.min(this.nCtx, 256);
    this.keyCache = Array.from({ length: c.nLayer }, () => new Float32Array(this.capacity * kvK));
    this.valueCache = Array.from({ length: c.nLayer }, () => new Float32Array(this.capacity * kvV));
    this.x = new Float32Array(c.nEmbd);
    this.xb = new Float32Array(c.nEmbd);
    this.xb2 = new Float32Array(c.nEmbd);
    this.q = new Float32Array(c.nHead * c.headDimK);
    this.k = new Float32Array(kvK);
    this.v = new Float32Array(kvV);
    this.qkv = new Float32Array(this.q.length + kvK + kvV);
    this.att = new Float32Array(this.nCtx);
    this.attOut = new Float32Array(c.nHead * c.headDimV);
    this.hb = new Float32Array(c.nFF);
    this.hb2 = new Float32Array(c.nFF);
    this.hbFused = new Float32Array(2 * c.nFF);
    this.ropeCos = new Float64Array(c.rope.nRot / 2);
    this.ropeSin = new Float64Array(c.rope.nRot / 2);
    this.scratch = new Float32Array(Math.max(16384, c.nEmbd, c.nFF, c.nHead * c.headDimV));
  }

  /**
   * Runs token `token` at position `pos` (0-based), appending its K and V to the cache, which must
   * already hold positions 0 .. pos-1. Writes the next-token logits (n_vocab,) into `logits` if given.
   */
  forward(token: number, pos: number, logits?: Float32Array): void {
    const c = this.config;
    const w = this.weights;
    const { x, xb, xb2, q, k, v, att, attOut, hb, hb2, scratch } = this;
    const headK = c.headDimK;
    const headV = c.headDimV;
    const kvDimK = c.nHeadKv * headK;
    const kvDimV = c.nHeadKv * headV;
    const groupSize = c.nHead / c.nHeadKv; // query heads sharing one KV head

    if (pos >= this.capacity) this.grow(pos + 1);

    // token embedding lookup (gemma2 scales it by sqrt(n_embd))
    w.tokenEmbd.row(token, x);
    if (c.embeddingScale !== 1) for (let i = 0; i < c.nEmbd; i++) x[i] = x[i]! * c.embeddingScale;

    // the angles of this position, shared by every layer and head
    if (this.ggml && (c.rope.scaling.type === "none" || c.rope.scaling.type === "linear")) {
      ropeAnglesGgml(c.rope, pos, this.ropeCos, this.ropeSin, w.ropeFreqs);
    } else {
      ropeAngles(c.rope, pos, this.ropeCos, this.ropeSin, w.ropeFreqs);
    }

    for (let l = 0; l < c.nLayer; l++) {
      const lw = w.layers[l]!;

      // attention rmsnorm
      this.norm(xb, x, lw.attnNorm, c.rmsEps);

      // q, k, v projections (phi3: one fused matrix, rows Q | K | V)
      if (lw.wqkv) {
        this.matvec(this.qkv, lw.wqkv, xb);
        q.set(this.qkv.subarray(0, q.length));
        k.set(this.qkv.subarray(q.length, q.length + kvDimK));
        v.set(this.qkv.subarray(q.length + kvDimK));
      } else {
        this.matvec(q, lw.wq!, xb);
        this.matvec(k, lw.wk!, xb);
        this.matvec(v, lw.wv!, xb);
      }
      // qwen2's projection biases
      if (lw.bq) addInPlace(q, lw.bq);
      if (lw.bk) addInPlace(k, lw.bk);
      if (lw.bv) addInPlace(v, lw.bv);

      // RoPE relative positional encoding on q and k
      if (this.ggml) {
        ropeGgml(q, c.nHead, headK, c.rope.nRot, c.rope.mode !== "norm", this.ropeCos, this.ropeSin);
        ropeGgml(k, c.nHeadKv, headK, c.rope.nRot, c.rope.mode !== "norm", this.ropeCos, this.ropeSin);
      } else {
        rope(q, c.nHead, headK, c.rope, this.ropeCos, this.ropeSin);
        rope(k, c.nHeadKv, headK, c.rope, this.ropeCos, this.ropeSin);
      }

      // store k, v at this position of the cache
      const keyCache = this.keyCache[l]!; // (capacity, kvDimK)
      const valueCache = this.valueCache[l]!; // (capacity, kvDimV)
      for (let i = 0; i < kvDimK; i++) keyCache[pos * kvDimK + i] = this.kvF16 ? roundToF16(k[i]!) : k[i]!;
      for (let i = 0; i < kvDimV; i++) valueCache[pos * kvDimV + i] = this.kvF16 ? roundToF16(v[i]!) : v[i]!;

      // which earlier positions this layer sees: all (causal), or the last `slidingWindow` (i - j < window)
      const windowed = c.slidingWindow > 0 && c.slidingWindowLayers(l);
      const first = windowed ? Math.max(0, pos - c.slidingWindow + 1) : 0;

      // multihead attention, each query head reading KV head h / groupSize (grouped-query attention)
      if (this.ggml) {
        this.attentionGgml(l, pos, first);
      } else for (let h = 0; h < c.nHead; h++) {
        const qh = q.subarray(h * headK, (h + 1) * headK); // (head_k,)
        const kvh = Math.floor(h / groupSize);
        // scores: q · k / sqrt(head size), soft-capped for gemma2
        for (let t = first; t <= pos; t++) {
          const kt = t * kvDimK + kvh * headK;
          let score = 0;
          for (let i = 0; i < headK; i++) score += qh[i]! * keyCache[kt + i]!;
          score *= c.attnScale;
          if (c.attnSoftcap > 0) score = softcap(score, c.attnSoftcap);
          att[t - first] = score;
        }
        // softmax over the visible positions
        const nSeen = pos - first + 1;
        softmax(att, nSeen);
        // weighted sum of the values
        const out = attOut.subarray(h * headV, (h + 1) * headV); // (head_v,)
        for (let i = 0; i < headV; i++) {
          let sum = 0;
          for (let t = first; t <= pos; t++) sum += att[t - first]! * valueCache[t * kvDimV + kvh * headV + i]!;
          out[i] = sum;
        }
      }

      // output projection, then (gemma2) its own rmsnorm, then the residual connection
      this.matvec(xb2, lw.wo, attOut);
      if (lw.postAttnNorm) this.norm(xb2, xb2, lw.postAttnNorm, c.rmsEps);
      addInPlace(x, xb2);

      // ffn rmsnorm
      this.norm(xb, x, lw.ffnNorm, c.rmsEps);

      // gate and up projections (phi3: one fused matrix, rows gate | up)
      if (lw.ffnGate) {
        this.matvec(hb, lw.ffnGate, xb);
        this.matvec(hb2, lw.ffnUp, xb);
      } else {
        this.matvec(this.hbFused, lw.ffnUp, xb);
        hb.set(this.hbFused.subarray(0, c.nFF));
        hb2.set(this.hbFused.subarray(c.nFF));
      }

      // gated non-linearity: SwiGLU silu(gate) · up, or GeGLU gelu(gate) · up for gemma2
      const act = c.architecture === "gemma2" ? (this.ggml ? geluGgml : geluTanh) : silu;
      if (this.ggml && c.architecture !== "gemma2") {
        siluGgml(hb, c.nFF);
        for (let i = 0; i < c.nFF; i++) hb[i] = hb[i]! * hb2[i]!;
      } else {
        for (let i = 0; i < c.nFF; i++) hb[i] = act(hb[i]!) * hb2[i]!;
      }

      // down projection, then (gemma2) its own rmsnorm, then the residual connection
      this.matvec(xb2, lw.ffnDown, hb);
      if (lw.postFfwNorm) this.norm(xb2, xb2, lw.postFfwNorm, c.rmsEps);
      addInPlace(x, xb2);
    }

    if (!logits) return;

    // final rmsnorm
    this.norm(xb, x, w.outputNorm, c.rmsEps);

    // classifier into logits (gemma2: soft-capped)
    this.matvec(logits, w.output, xb);
    if (c.finalSoftcap > 0) {
      if (this.ggml) softcapGgml(logits, logits.length, c.finalSoftcap);
      else for (let i = 0; i < logits.length; i++) logits[i] = softcap(logits[i]!, c.finalSoftcap);
    }
  }

  /**
   * One layer's attention for the token at `pos` as llama.cpp's CPU graph computes it (no flash
   * attention): kq = K·q by ggml_vec_dot_f32 (f32 cache) or, q rounded to f16, ggml_vec_dot_f16 (f16
   * cache); ggml_soft_max_ext with kq_scale; then kqv = V·kq by llamafile's tinyBLAS (with an f16
   * cache, kq rounded to f16 first). phi3 scales q by 1/sqrt(head) (ggml_scale) before, with kq_scale 1
   * (llama.cpp's build_phi3). Writes attOut.
   */
  private attentionGgml(l: number, pos: number, first: number): void {
    const c = this.config;
    const { q, att, attOut } = this;
    const headK = c.headDimK, headV = c.headDimV;
    const kvDimK = c.nHeadKv * headK, kvDimV = c.nHeadKv * headV;
    const groupSize = c.nHead / c.nHeadKv;
    const keyCache = this.keyCache[l]!;
    const valueCache = this.valueCache[l]!;
    // 1.0f/sqrtf(float(n)), in f32 as llama.cpp computes it (n = the head size, or n_embd/n_head)
    const invSqrtHead = Math.fround(1 / Math.fround(Math.sqrt(Math.round(1 / c.attnScale ** 2))));
    const preScale = c.architecture === "phi3" || c.architecture === "gemma2";
    if (preScale) for (let i = 0; i < q.length; i++) q[i] = q[i]! * invSqrtHead;
    const kqScale = preScale ? 1 : invSqrtHead;
    const cap = c.attnSoftcap;
    for (let h = 0; h < c.nHead; h++) {
      const kvh = Math.floor(h / groupSize);
      if (this.kvF16) {
        for (let i = 0; i < headK; i++) q[h * headK + i] = roundToF16(q[h * headK + i]!);
        for (let t = first; t <= pos; t++) att[t - first] = dotF16Ggml(keyCache, t * kvDimK + kvh * headK, q, h * headK, headK);
      } else {
        for (let t = first; t <= pos; t++) att[t - first] = dotF32Ggml(keyCache, t * kvDimK + kvh * headK, q, h * headK, headK);
      }
      if (cap > 0) softcapGgml(att, pos - first + 1, cap);
      softmaxGgml(att, pos - first + 1, kqScale, first);
      if (this.kvF16) for (let t = 0; t <= pos - first; t++) att[t] = roundToF16(att[t]!);
      for (let i = 0; i < headV; i++) {
        const col = kvh * headV + i;
        attOut[h * headV + i] = weightedSumTinyblas(att, first, pos, (t) => valueCache[t * kvDimV + col]!);
      }
    }
  }

  /**
   * out = W·x: the exact product, or in "ggml" mode llama.cpp's kernel for W's type where ggml-cpu.ts
   * emulates it (q8_0, f16), else the exact product of W and the activations rounded to W's vec_dot_type.
   */
  private matvec(out: Float32Array, w: WeightMatrix, x: Float32Array): void {
    if (this.ggml && hasGgmlMatvec(w.type.id)) matvecGgml(out, w, x);
    else matvec(out, w, x, this.scratch, this.ggml);
  }

  /** Enlarges the KV cache to hold at least `positions` (doubling, at most n_ctx), keeping its contents. */
  private grow(positions: number): void {
    if (positions > this.nCtx) throw new Error(`internal: position ${positions - 1} is past the KV cache's ${this.nCtx} positions`);
    let cap = this.capacity;
    while (cap < positions) cap = Math.min(this.nCtx, cap * 2);
    const enlarge = (a: Float32Array): Float32Array => {
      const b = new Float32Array((a.length / this.capacity) * cap);
      b.set(a);
      return b;
    };
    this.keyCache = this.keyCache.map(enlarge);
    this.valueCache = this.valueCache.map(enlarge);
    this.capacity = cap;
  }
}
