// The model graph as a launch sequence for a GPU backend: which buffers exist and how big they are,
// how each weight is laid out on the device, and, for a batch of tokens, the exact list of kernel
// dispatches and buffer copies that evaluates them. It is plain data, free of any GPU API, so it is
// unit-tested without a device and shared by the webgpu backend (webgpu-model.ts) and the cuda backend
// (targets/cuda/backend), which only translate ops into their API's calls.
//
// The order of steps is engine/reference/forward.ts's (the oracle), which follows llama.cpp's
// build_llama / build_qwen2 / build_phi3 / build_gemma2. Per token: set the position, copy the
// embedding row, then per layer rmsnorm, q/k/v, biases, RoPE, KV store, attention, output projection,
// residual, rmsnorm, gated FFN, residual; for tokens whose logits are wanted, the final norm and the
// classifier, copied into the readback buffer. Weights stay in their ggml blocks.

import { KilnError } from "../../../engine/errors.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import type { ModelWeights, WeightMatrix } from "../../../engine/model/weights.js";
import { ropeAngles } from "../../../engine/reference/ops.js";

/** Buffers are named; a dispatch binds its kernel's buffers by binding name to these. */
export type BufferName = string;

export type Op =
  | {
      readonly kind: "dispatch";
      readonly kernel: string;
      /** Kernel binding name -> buffer. */
      readonly buffers: Readonly<Record<string, BufferName>>;
      /** Bindings that see only part of their buffer (byte offset, 256-aligned, and size). */
      readonly slices?: Readonly<Record<string, { readonly offset: number; readonly size: number }>>;
      readonly uniforms: Readonly<Record<string, number>>;
      readonly groups: readonly [number, number, number];
    }
  | {
      readonly kind: "copy";
      readonly src: BufferName;
      readonly srcOffset: number;
      readonly dst: BufferName;
      readonly dstOffset: number;
      readonly bytes: number;
    };

/** How one weight matrix sits on the device. */
export interface MatrixPlan {
  readonly buffer: BufferName;
  /** ggml type name (f32, q4_0, q6_k, ...). */
  readonly type: string;
  readonly cols: number;
  readonly rows: number;
  /**
   * Row length as stored on the device. The generated matvec kernels walk rows in runs of 32 values
   * (one quant scale each), so f32/f16/bf16 rows whose length is not a multiple of 32 (stories260k's
   * ffn_down: 172) are zero-padded to the next multiple; the activation read alongside is zero there
   * too, so the sums are unchanged. Quant types always have whole blocks, so k === cols for them.
   */
  readonly k: number;
  /** Bytes of one stored row (k values). */
  readonly rowBytes: number;
  /** Device bytes, a multiple of 4 (WGSL reads blocks as u32 words). */
  readonly bytes: number;
}

/**
 * Rows one matvec dispatch covers. The generated matvec takes its row from workgroupId.x alone, and
 * WebGPU guarantees 65535 workgroups a dimension; a taller matrix (a vocabulary over 64k) is split into
 * dispatches over slices of it, 255 * 256 rows each so every slice starts 256-byte aligned, as a
 * storage binding's offset must.
 */
export const MATVEC_ROWS_PER_DISPATCH = 255 * 256;

/** Bytes of one stored element for the unblocked float types; undefined for block types. */
const FLOAT_BYTES: Readonly<Record<string, number>> = { f32: 4, f16: 2, bf16: 2 };

/** The device layout of a weight matrix (see MatrixPlan.k for the padding rule). */
export function planMatrix(m: Pick<WeightMatrix, "name" | "cols" | "rows"> & { type: { name: string; blockSize: number; typeSize: number } }): MatrixPlan {
  const elem = FLOAT_BYTES[m.type.name];
  const k = elem !== undefined ? Math.ceil(m.cols / 32) * 32 : m.cols;
  const rowBytes = elem !== undefined ? k * elem : (m.cols / m.type.blockSize) * m.type.typeSize;
  return { buffer: m.name, type: m.type.name, cols: m.cols, rows: m.rows, k, rowBytes, bytes: align4(rowBytes * m.rows) };
}

/** The file's bytes of a matrix rearranged into its device layout (rows padded with zeros when k > cols). */
export function layoutMatrix(plan: MatrixPlan, src: Uint8Array): Uint8Array {
  const out = new Uint8Array(plan.bytes);
  const elem = FLOAT_BYTES[plan.type];
  if (elem === undefined || plan.k === plan.cols) {
    out.set(src.subarray(0, Math.min(src.length, plan.bytes)));
    return out;
  }
  const srcRow = plan.cols * elem;
  const dstRow = plan.k * elem;
  for (let r = 0; r < plan.rows; r++) out.set(src.subarray(r * srcRow, (r + 1) * srcRow), r * dstRow);
  return out;
}

export function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** Rounds an activation length up to a multiple of 32 values, so a padded matvec reads zeros past the end. */
function pad32(n: number): number {
  return Math.ceil(n / 32) * 32;
}

export interface GraphOptions {
  readonly kvType: "f32" | "f16";
  /**
   * How an f16 KV cache is stored: "f16" (2 bytes a value; WebGPU needs shader-f16) or "f32" (rounded
   * to f16, kept in 4 bytes). Default "f32". Ignored for an f32 cache.
   */
  readonly kvStorage?: "f32" | "f16";
  /** Positions the sequence's KV cache holds. */
  readonly nCtx: number;
  /** Most tokens evaluated by one submission (the embedding and id buffers are this long). */
  readonly maxBatch: number;
}

/** Everything the device holds for one model and one sequence, and how to fill the weights. */
export interface GraphPlan {
  readonly config: ModelConfig;
  readonly opts: GraphOptions;
  /**
   * Weight matrices by buffer name (a tied output shares token_embd's buffer); `source` holds the file's
   * bytes until they are uploaded (withoutSources drops them, so host memory does not hold a second copy).
   */
  readonly matrices: ReadonlyMap<BufferName, { plan: MatrixPlan; source?: WeightMatrix }>;
  /** rope_freqs.weight (Llama 3.1), for the RoPE table of another context size. */
  readonly ropeFreqs?: Float32Array;
  /** f32 vectors uploaded as they are: norms, biases, the RoPE table, constant tables. */
  readonly vectors: ReadonlyMap<BufferName, Float32Array | Uint32Array | Int32Array>;
  /** Per-sequence buffers (activations, KV cache), in bytes; zero-filled at creation. */
  readonly scratch: ReadonlyMap<BufferName, number>;
  /** Matrix plans by role, for the op builder. */
  readonly roles: {
    readonly tokenEmbd: MatrixPlan;
    readonly output: MatrixPlan;
    readonly layers: readonly Readonly<Record<string, MatrixPlan | undefined>>[];
  };
}

/** ggml's iq4_nl/iq4_xs code book (kvalues_iq4nl in ggml-common.h), bound to the iq4 kernels. */
const KVALUES_IQ4NL = Int32Array.from([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);

/** Plans buffers and weight layouts for `weights` (engine/model/weights.ts) under `config`. */
export function planGraph(config: ModelConfig, weights: ModelWeights, opts: GraphOptions): GraphPlan {
  const c = config;
  checkOptions(c, opts);
  const matrices = new Map<BufferName, { plan: MatrixPlan; source: WeightMatrix }>();
  const vectors = new Map<BufferName, Float32Array | Uint32Array | Int32Array>();
  const addMatrix = (m: WeightMatrix | undefined): MatrixPlan | undefined => {
    if (!m) return undefined;
    const have = matrices.get(m.name);
    if (have) return have.plan;
    const plan = planMatrix(m);
    matrices.set(m.name, { plan, source: m });
    return plan;
  };

  const layers = weights.layers.map((lw, l) => {
    const p = `blk.${l}.`;
    vectors.set(p + "attn_norm", lw.attnNorm);
    vectors.set(p + "ffn_norm", lw.ffnNorm);
    if (lw.bq) vectors.set(p + "bq", lw.bq);
    if (lw.bk) vectors.set(p + "bk", lw.bk);
    if (lw.bv) vectors.set(p + "bv", lw.bv);
    if (lw.postAttnNorm) vectors.set(p + "post_attn_norm", lw.postAttnNorm);
    if (lw.postFfwNorm) vectors.set(p + "post_ffw_norm", lw.postFfwNorm);
    return {
      wq: addMatrix(lw.wq), wk: addMatrix(lw.wk), wv: addMatrix(lw.wv), wqkv: addMatrix(lw.wqkv),
      wo: addMatrix(lw.wo), ffnGate: addMatrix(lw.ffnGate), ffnUp: addMatrix(lw.ffnUp), ffnDown: addMatrix(lw.ffnDown),
    };
  });
  const tokenEmbd = addMatrix(weights.tokenEmbd)!;
  const output = addMatrix(weights.output)!;
  vectors.set("output_norm", weights.outputNorm);
  vectors.set("kvalues", KVALUES_IQ4NL);

  const roles = { tokenEmbd, output, layers };
  return { config, opts, matrices, ropeFreqs: weights.ropeFreqs, ...sequenceBuffers(c, opts, tokenEmbd.k, vectors, weights.ropeFreqs), roles };
}

/** The same model planned for another context size or batch: new scratch sizes and RoPE table. */
export function replan(plan: GraphPlan, opts: GraphOptions): GraphPlan {
  checkOptions(plan.config, opts);
  return { ...plan, opts, ...sequenceBuffers(plan.config, opts, plan.roles.tokenEmbd.k, new Map(plan.vectors), plan.ropeFreqs) };
}

/** The plan without the weights' file bytes (after they are on the device). */
export function withoutSources(plan: GraphPlan): GraphPlan {
  return { ...plan, matrices: new Map([...plan.matrices].map(([n, m]) => [n, { plan: m.plan }])) };
}

function checkOptions(c: ModelConfig, opts: GraphOptions): void {
  if (!Number.isInteger(opts.nCtx) || opts.nCtx < 1) throw new KilnError(`context size ${opts.nCtx} must be a positive integer`);
  if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new KilnError(`batch size ${opts.maxBatch} must be a positive integer`);
  if (c.headDimK !== c.headDimV) {
    throw new KilnError(`${c.name}: key head size ${c.headDimK} differs from value head size ${c.headDimV}; the GPU attention kernels need them equal (use --backend reference or wasm)`);
  }
}

/** What depends on the context size: activations, KV cache, the RoPE table (set into `vectors`). */
function sequenceBuffers(
  c: ModelConfig,
  opts: GraphOptions,
  embdK: number,
  vectors: Map<BufferName, Float32Array | Uint32Array | Int32Array>,
  ropeFreqs: Float32Array | undefined,
): { vectors: Map<BufferName, Float32Array | Uint32Array | Int32Array>; scratch: Map<BufferName, number> } {
  // RoPE angles for every position, (n_ctx, n_rot/2, 2) as (cos, sin), from the reference's own function
  const half = c.rope.nRot / 2;
  const table = new Float32Array(opts.nCtx * half * 2);
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let pos = 0; pos < opts.nCtx; pos++) {
    ropeAngles(c.rope, pos, cos, sin, ropeFreqs);
    for (let i = 0; i < half; i++) {
      table[(pos * half + i) * 2] = cos[i]!;
      table[(pos * half + i) * 2 + 1] = sin[i]!;
    }
  }
  vectors.set("rope_table", table);
  vectors.set("positions", Uint32Array.from({ length: opts.nCtx }, (_, i) => i));

  const f32 = (n: number): number => 4 * pad32(n);
  const nQ = c.nHead * c.headDimK;
  const nK = c.nHeadKv * c.headDimK;
  const nV = c.nHeadKv * c.headDimV;
  const scratch = new Map<BufferName, number>([
    ["ids", 4 * opts.maxBatch],
    ["embd", 4 * opts.maxBatch * embdK], // (batch, n_embd padded) the embedding rows of the batch
    ["step", 16], // step[0] = the position being evaluated
    ["x", f32(c.nEmbd)], // (n_embd,) the residual stream ...
    ["x2", f32(c.nEmbd)], // (n_embd,) ... and its other half: each residual add writes the other one
    ["xb", f32(c.nEmbd)], // (n_embd,) normed input of a block
    ["xb2", f32(c.nEmbd)], // (n_embd,) output of a block before the residual add
    ["tmp", f32(Math.max(c.nEmbd, nQ, nK, nV))], // a block output before it replaces its input
    ["q", f32(nQ)],
    ["k", f32(nK)],
    ["v", f32(nV)],
    ["qkv", f32(nQ + nK + nV)], // phi3's fused projection
    ["attn_out", f32(c.nHead * c.headDimV)],
    ["hb", f32(c.nFF)], // gate
    ["hb2", f32(c.nFF)], // up
    ["hbf", f32(2 * c.nFF)], // phi3's fused gate|up
    ["hbg", f32(c.nFF)], // act(gate) * up
    ["logits", f32(c.nVocab)],
    ["readback", 4 * opts.maxBatch * c.nVocab], // the logits rows sampling needs
  ]);
  const kvBytes = halfKV(opts) ? 2 : 4;
  for (let l = 0; l < c.nLayer; l++) {
    scratch.set(`kcache.${l}`, align4(kvBytes * opts.nCtx * nK)); // (n_ctx, n_head_kv * head_k)
    scratch.set(`vcache.${l}`, align4(kvBytes * opts.nCtx * nV)); // (n_ctx, n_head_kv * head_v)
  }
  return { vectors, scratch };
}


/** Whether the KV cache holds f16 values in 2 bytes each. */
function halfKV(opts: GraphOptions): boolean {
  return opts.kvType === "f16" && opts.kvStorage === "f16";
}

/**
 * The generated attention kernel: flash attention (tiles of 64 positions, online softmax: no context
 * limit), reading an f16 cache as packed halves when it is stored in 2 bytes.
 */
function attentionKernel(opts: GraphOptions): string {
  return halfKV(opts) ? "flash_attention_f16" : "flash_attention_f32";
}

/** The generated FFN gate: SwiGLU, or GeGLU (tanh GELU) for gemma2. */
function gluKernel(c: ModelConfig): string {
  return c.architecture === "gemma2" ? "geglu" : "swiglu";
}

/** Workgroup counts for n items at `perGroup` items a workgroup. */
function groupsFor(n: number, perGroup: number): [number, number, number] {
  return [Math.ceil(n / perGroup), 1, 1];
}

/** The kernels a plan needs (generated names first-class: matvec_<type>, get_rows_<type>). */
export function kernelsUsed(plan: GraphPlan): string[] {
  const names = new Set<string>(["rmsnorm", "add", "rope", attentionKernel(plan.opts), gluKernel(plan.config)]);
  names.add(`get_rows_${plan.roles.tokenEmbd.type}`);
  for (const { plan: m } of plan.matrices.values()) names.add(`matvec_${m.type}`);
  if (plan.config.embeddingScale !== 1) names.add("scale");
  if (plan.config.finalSoftcap > 0) names.add("softcap_inplace");
  if (halfKV(plan.opts)) names.add("kv_store_f16");
  else {
    names.add("kv_store_f32");
    if (plan.opts.kvType === "f16") names.add("round_f16");
  }
  return [...names];
}

/** Kernels that bind the iq4 code book. */
function needsKvalues(type: string): boolean {
  return type === "iq4_nl" || type === "iq4_xs";
}

/**
 * The ops that evaluate `nTokens` tokens (their ids already in buffer `ids`) at positions
 * startPos .. startPos+nTokens-1. `output` "all" copies every token's logits into row t of `readback`,
 * "last" only the last token's into row 0, "none" none (a prompt chunk before the last). Returns the ops and the number of readback rows.
 */
export function batchOps(plan: GraphPlan, nTokens: number, startPos: number, output: "last" | "all" | "none"): { ops: Op[]; rows: number } {
  const c = plan.config;
  const { opts } = plan;
  if (nTokens < 1 || nTokens > opts.maxBatch) throw new KilnError(`a batch of ${nTokens} tokens is outside 1..${opts.maxBatch}`);
  if (startPos < 0 || startPos + nTokens > opts.nCtx) {
    throw new KilnError(`positions ${startPos}..${startPos + nTokens - 1} do not fit in the context of ${opts.nCtx} tokens`, "CONTEXT_FULL");
  }
  const ops: Op[] = [];
  const dispatch = (
    kernel: string, buffers: Record<string, BufferName>, uniforms: Record<string, number>, groups: [number, number, number],
    slices?: Record<string, { offset: number; size: number }>,
  ): void => {
    ops.push(slices ? { kind: "dispatch", kernel, buffers, uniforms, groups, slices } : { kind: "dispatch", kernel, buffers, uniforms, groups });
  };
  const copy = (src: BufferName, srcOffset: number, dst: BufferName, dstOffset: number, bytes: number): void => {
    ops.push({ kind: "copy", src, srcOffset, dst, dstOffset, bytes });
  };
  const matvec = (m: MatrixPlan, x: BufferName, out: BufferName): void => {
    const buffers: Record<string, BufferName> = { W: m.buffer, x, out };
    if (needsKvalues(m.type)) buffers.kvalues = "kvalues";
    if (m.rows <= MATVEC_ROWS_PER_DISPATCH) {
      dispatch(`matvec_${m.type}`, buffers, { k: m.k }, [m.rows, 1, 1]);
      return;
    }
    for (let r0 = 0; r0 < m.rows; r0 += MATVEC_ROWS_PER_DISPATCH) {
      const n = Math.min(MATVEC_ROWS_PER_DISPATCH, m.rows - r0);
      dispatch(`matvec_${m.type}`, buffers, { k: m.k }, [n, 1, 1], {
        W: { offset: r0 * m.rowBytes, size: align4(n * m.rowBytes) },
        out: { offset: 4 * r0, size: 4 * n },
      });
    }
  };
  const rmsnorm = (x: BufferName, w: BufferName, out: BufferName): void => {
    dispatch("rmsnorm", { x, w, out }, { n: c.nEmbd, eps: c.rmsEps }, [1, 1, 1]);
  };
  const add = (a: BufferName, b: BufferName, out: BufferName, n: number): void => {
    dispatch("add", { a, b, out }, { n }, groupsFor(n, 256));
  };
  // a storage buffer cannot be bound as input and output of one dispatch: results go through tmp
  const addInPlace = (x: BufferName, b: BufferName, n: number): void => {
    add(x, b, "tmp", n);
    copy("tmp", 0, x, 0, 4 * n);
  };

  const nQ = c.nHead * c.headDimK;
  const nK = c.nHeadKv * c.headDimK;
  const nV = c.nHeadKv * c.headDimV;
  const embd = plan.roles.tokenEmbd;

  // token embeddings of the whole batch, one row each
  const getRows: Record<string, BufferName> = { W: embd.buffer, ids: "ids", out: "embd" };
  if (needsKvalues(embd.type)) getRows.kvalues = "kvalues";
  dispatch(`get_rows_${embd.type}`, getRows, { k: embd.k }, [nTokens, 1, 1]);

  let rows = 0;
  for (let t = 0; t < nTokens; t++) {
    const pos = startPos + t;
    // the position every position-dependent kernel reads, written in the command stream
    copy("positions", 4 * pos, "step", 0, 4);
    // the residual stream ping-pongs between x and x2 (an add cannot write the buffer it reads, and a
    // copy back would end the compute pass)
    let x = "x";
    const other = (): string => (x === "x" ? "x2" : "x");
    const residual = (r: BufferName): void => {
      const next = other();
      add(x, r, next, c.nEmbd);
      x = next;
    };
    // this token's embedding (gemma2: times sqrt(n_embd))
    if (c.embeddingScale !== 1) {
      copy("embd", 4 * t * embd.k, "tmp", 0, 4 * c.nEmbd);
      dispatch("scale", { x: "tmp", out: "x" }, { n: c.nEmbd, scale: c.embeddingScale }, groupsFor(c.nEmbd, 256));
    } else {
      copy("embd", 4 * t * embd.k, "x", 0, 4 * c.nEmbd);
    }

    for (let l = 0; l < c.nLayer; l++) {
      const lw = plan.roles.layers[l]!;
      const p = `blk.${l}.`;
      // attention rmsnorm
      rmsnorm(x, p + "attn_norm", "xb");
      // q, k, v projections (phi3: one fused matrix, rows Q | K | V)
      if (lw.wqkv) {
        matvec(lw.wqkv, "xb", "qkv");
        copy("qkv", 0, "q", 0, 4 * nQ);
        copy("qkv", 4 * nQ, "k", 0, 4 * nK);
        copy("qkv", 4 * (nQ + nK), "v", 0, 4 * nV);
      } else {
        matvec(lw.wq!, "xb", "q");
        matvec(lw.wk!, "xb", "k");
        matvec(lw.wv!, "xb", "v");
      }
      // qwen2's projection biases
      if (plan.vectors.has(p + "bq")) addInPlace("q", p + "bq", nQ);
      if (plan.vectors.has(p + "bk")) addInPlace("k", p + "bk", nK);
      if (plan.vectors.has(p + "bv")) addInPlace("v", p + "bv", nV);
      // RoPE on q and k
      const neox = c.rope.mode === "neox" ? 1 : 0;
      dispatch("rope", { x: "q", table: "rope_table", step: "step" },
        { nHeads: c.nHead, headDim: c.headDimK, nRot: c.rope.nRot, neox }, groupsFor(c.nHead * c.rope.nRot / 2, 64));
      dispatch("rope", { x: "k", table: "rope_table", step: "step" },
        { nHeads: c.nHeadKv, headDim: c.headDimK, nRot: c.rope.nRot, neox }, groupsFor(c.nHeadKv * c.rope.nRot / 2, 64));
      // store k, v at this position of the cache (an f16 cache: rounded to half, stored in 2 or 4 bytes)
      if (halfKV(opts)) {
        dispatch("kv_store_f16", { src: "k", dst: `kcache.${l}`, step: "step" }, { n: nK }, groupsFor(nK, 256));
        dispatch("kv_store_f16", { src: "v", dst: `vcache.${l}`, step: "step" }, { n: nV }, groupsFor(nV, 256));
      } else {
        if (opts.kvType === "f16") {
          dispatch("round_f16", { x: "k" }, { n: nK }, groupsFor(nK, 256));
          dispatch("round_f16", { x: "v" }, { n: nV }, groupsFor(nV, 256));
        }
        dispatch("kv_store_f32", { src: "k", dst: `kcache.${l}`, step: "step" }, { n: nK }, groupsFor(nK, 256));
        dispatch("kv_store_f32", { src: "v", dst: `vcache.${l}`, step: "step" }, { n: nV }, groupsFor(nV, 256));
      }
      // multi-head attention over positions 0..pos (or the sliding window)
      const windowed = c.slidingWindow > 0 && c.slidingWindowLayers(l);
      dispatch(attentionKernel(opts),
        { q: "q", kCache: `kcache.${l}`, vCache: `vcache.${l}`, out: "attn_out" },
        {
          nHead: c.nHead, nKvHead: c.nHeadKv, headDim: c.headDimK, nPast: pos,
          scale: c.attnScale, softcap: c.attnSoftcap, window: windowed ? c.slidingWindow : 0,
        },
        [c.nHead, 1, 1]);
      // output projection, (gemma2) its own rmsnorm, residual
      matvec(lw.wo!, "attn_out", "xb2");
      if (plan.vectors.has(p + "post_attn_norm")) {
        rmsnorm("xb2", p + "post_attn_norm", "tmp");
        residual("tmp");
      } else {
        residual("xb2");
      }
      // ffn rmsnorm, gate and up (phi3: one fused matrix, rows gate | up), act(gate) * up, down
      rmsnorm(x, p + "ffn_norm", "xb");
      if (lw.ffnGate) {
        matvec(lw.ffnGate, "xb", "hb");
        matvec(lw.ffnUp!, "xb", "hb2");
      } else {
        matvec(lw.ffnUp!, "xb", "hbf");
        copy("hbf", 0, "hb", 0, 4 * c.nFF);
        copy("hbf", 4 * c.nFF, "hb2", 0, 4 * c.nFF);
      }
      dispatch(gluKernel(c), { gate: "hb", up: "hb2", out: "hbg" }, { n: c.nFF }, groupsFor(c.nFF, 256));
      matvec(lw.ffnDown!, "hbg", "xb2");
      if (plan.vectors.has(p + "post_ffw_norm")) {
        rmsnorm("xb2", p + "post_ffw_norm", "tmp");
        residual("tmp");
      } else {
        residual("xb2");
      }
    }

    if (output === "all" || (output === "last" && t === nTokens - 1)) {
      // final rmsnorm, classifier (gemma2: soft-capped), into this row of the readback buffer
      rmsnorm(x, "output_norm", "xb");
      matvec(plan.roles.output, "xb", "logits");
      if (c.finalSoftcap > 0) dispatch("softcap_inplace", { x: "logits" }, { n: c.nVocab, cap: c.finalSoftcap }, groupsFor(c.nVocab, 256));
      copy("logits", 0, "readback", 4 * rows * c.nVocab, 4 * c.nVocab);
      rows++;
    }
  }
  return { ops, rows };
}
