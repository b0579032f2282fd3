// The `interp` backend: the model graph of engine/reference/forward.ts run with the DSL kernels
// (engine/kernels) through the IR interpreter (codegen/interpret), one kernel dispatch per step: a prompt
// in one pass through the tiled matmul kernels (prefill), then one token at a time through matvec. It is
// the slowest backend by far; it exists to show that the kernels, and not only the reference, produce
// the model's tokens (test/interp-backend.test.ts checks greedy tokens against llama.cpp's). Covers the
// reference's architectures (llama, qwen2, phi3, gemma2) with norm or NeoX RoPE, without YaRN/llama3
// scaling or rope_freqs; anything else is refused with the feature's name.
import { interpret, type BufferData } from "../../codegen/interpret/run.js";
import type { KernelIR } from "../../codegen/ir/types.js";
import { lower } from "../../codegen/passes/pipeline.js";
import { loadKernel } from "../../conformance/run.js";
import { KilnError } from "../../engine/errors.js";
import type { GGUFFile } from "../../engine/gguf/reader.js";
import type { ModelConfig } from "../../engine/model/config.js";
import { loadWeights, type ModelWeights, type WeightMatrix } from "../../engine/model/weights.js";
import { f32ToF16 } from "../../engine/quant/index.js";
import {
  checkForwardArgs, registerBackend,
  type Backend, type BackendOptions, type BackendSequence, type LogitsOutput, type SequenceOptions,
} from "../../engine/runtime/backend.js";

const K = {
  getRows: "engine/kernels/get_rows.kernel.ts",
  matvec: "engine/kernels/matvec.kernel.ts",
  matmul: "engine/kernels/matmul.kernel.ts",
  norm: "engine/kernels/norm.kernel.ts",
  rope: "engine/kernels/rope.kernel.ts",
  attention: "engine/kernels/attention.kernel.ts",
  elementwise: "engine/kernels/elementwise.kernel.ts",
  activation: "engine/kernels/activation.kernel.ts",
} as const;

const lowered = new Map<string, KernelIR>();

/** One dispatch of kernel `name` from `file` (lowered once, then interpreted). */
function dispatch(file: string, name: string, buffers: Record<string, BufferData>, uniforms: Record<string, number>, workgroups: [number, number?, number?] | number): void {
  let k = lowered.get(name);
  if (!k) {
    k = lower(loadKernel(file, name));
    lowered.set(name, k);
  }
  interpret(k, { workgroups, uniforms, buffers });
}

/** A weight matrix bound the way the kernels declare W: f32 values, u32 words of halves, or block bytes. */
interface BoundMatrix {
  /** matvec_<type> (one token) or get_rows_<type>. */
  readonly kernel: string;
  /** matmul_<type> (several tokens at once: prefill). */
  readonly matmul: string;
  readonly W: BufferData;
  readonly rows: number;
  readonly cols: number;
}

function bind(m: WeightMatrix, prefix: "matvec" | "get_rows"): BoundMatrix {
  const t = m.type.name;
  // fresh, aligned copies: the interpreter wants exactly these array types, not Node Buffers or unaligned views
  const bytes = new Uint8Array(m.bytes);
  let W: BufferData = bytes;
  if (t === "f32") W = new Float32Array(bytes.buffer);
  else if (t === "f16" || t === "bf16") {
    const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
    padded.set(bytes);
    W = new Uint32Array(padded.buffer);
  }
  return { kernel: `${prefix}_${t}`, matmul: `matmul_${t}`, W, rows: m.rows, cols: m.cols };
}

const KERNEL_TYPES = new Set(["f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "iq4_nl", "iq4_xs"]);

function refuse(config: ModelConfig, feature: string): never {
  throw new KilnError(`the interp backend does not run ${config.architecture} models with ${feature} yet (use --backend reference)`);
}

interface BoundLayer {
  readonly attnNorm: Float32Array;
  /** Separate q, k, v projections, or one fused q|k|v (phi3). */
  readonly wq?: BoundMatrix;
  readonly wk?: BoundMatrix;
  readonly wv?: BoundMatrix;
  readonly wqkv?: BoundMatrix;
  readonly bq?: Float32Array;
  readonly bk?: Float32Array;
  readonly bv?: Float32Array;
  readonly wo: BoundMatrix;
  readonly postAttnNorm?: Float32Array;
  readonly ffnNorm: Float32Array;
  /** Separate gate, or none when up holds gate|up halves (phi3). */
  readonly gate?: BoundMatrix;
  readonly up: BoundMatrix;
  readonly down: BoundMatrix;
  readonly postFfwNorm?: Float32Array;
}

class InterpModel {
  readonly embd: BoundMatrix;
  readonly layers: BoundLayer[];
  readonly outputNorm: Float32Array;
  readonly output: BoundMatrix;

  constructor(readonly config: ModelConfig, w: ModelWeights) {
    const c = config;
    if (c.headDimK !== c.headDimV) refuse(c, "different key and value head sizes");
    if (c.rope.scaling.type === "yarn" || c.rope.scaling.type === "llama3") refuse(c, `${c.rope.scaling.type} RoPE scaling`);
    if (w.ropeFreqs) refuse(c, "a rope_freqs tensor");
    const mats = [w.tokenEmbd, w.output, ...w.layers.flatMap((l) => [l.wq, l.wk, l.wv, l.wqkv, l.wo, l.ffnGate, l.ffnUp, l.ffnDown])];
    for (const m of mats) if (m && !KERNEL_TYPES.has(m.type.name)) refuse(c, `${m.type.name} weights (${m.name})`);
    const mv = (m: WeightMatrix | undefined): BoundMatrix | undefined => (m ? bind(m, "matvec") : undefined);
    this.embd = bind(w.tokenEmbd, "get_rows");
    this.outputNorm = w.outputNorm;
    this.output = bind(w.output, "matvec");
    this.layers = w.layers.map((l) => ({
      attnNorm: l.attnNorm, wq: mv(l.wq), wk: mv(l.wk), wv: mv(l.wv), wqkv: mv(l.wqkv),
      bq: l.bq, bk: l.bk, bv: l.bv, wo: bind(l.wo, "matvec"), postAttnNorm: l.postAttnNorm,
      ffnNorm: l.ffnNorm, gate: mv(l.ffnGate), up: bind(l.ffnUp, "matvec"), down: bind(l.ffnDown, "matvec"), postFfwNorm: l.postFfwNorm,
    }));
  }
}

/** out (tokens, rows) = X (tokens, cols) . W^T: matvec for one token, the tiled matmul for several (prefill). */
function project(m: BoundMatrix, X: Float32Array, tokens: number, out: Float32Array): void {
  if (tokens === 1) dispatch(K.matvec, m.kernel, { W: m.W, x: X, out }, { k: m.cols }, m.rows);
  else dispatch(K.matmul, m.matmul, { W: m.W, X, out }, { k: m.cols, rows: m.rows, tokens }, [Math.ceil(m.rows / 16), Math.ceil(tokens / 16)]);
}

/** Each of the x.length / w.length rows of x normalised. */
function rmsnorm(x: Float32Array, w: Float32Array, eps: number, out: Float32Array): void {
  dispatch(K.norm, "rmsnorm", { x, w, out }, { n: w.length, eps }, x.length / w.length);
}

function add(a: Float32Array, b: Float32Array, out: Float32Array): void {
  dispatch(K.elementwise, "add", { a, b, out }, { n: a.length }, Math.ceil(a.length / 256));
}

/** Columns [from, from + width) of each of the `tokens` rows of x (tokens, stride): splits fused outputs. */
function columns(x: Float32Array, tokens: number, stride: number, from: number, width: number): Float32Array {
  const out = new Float32Array(tokens * width);
  for (let t = 0; t < tokens; t++) out.set(x.subarray(t * stride + from, t * stride + from + width), t * width);
  return out;
}

class InterpSequence implements BackendSequence {
  nPast = 0;
  readonly nCtx: number;
  private readonly kCache: (Float32Array | Uint32Array)[];
  private readonly vCache: (Float32Array | Uint32Array)[];
  private readonly kvF16: boolean;

  constructor(private readonly m: InterpModel, opts: BackendOptions, seq: SequenceOptions) {
    const c = m.config;
    this.nCtx = Math.min(seq.nCtx ?? c.nCtx, c.nCtx);
    this.kvF16 = opts.kvType === "f16";
    const kvDim = c.nHeadKv * c.headDimK;
    const make = (): Float32Array | Uint32Array => (this.kvF16 ? new Uint32Array(Math.ceil((this.nCtx * kvDim) / 2)) : new Float32Array(this.nCtx * kvDim));
    this.kCache = Array.from({ length: c.nLayer }, make);
    this.vCache = Array.from({ length: c.nLayer }, make);
  }

  /** Stores `values` at position `pos` of a layer's cache, rounding to halves for an f16 cache. */
  private store(cache: Float32Array | Uint32Array, pos: number, values: Float32Array): void {
    const at = pos * values.length;
    if (cache instanceof Float32Array) {
      cache.set(values, at);
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const e = at + i;
      const shift = (e & 1) * 16;
      cache[e >> 1] = (cache[e >> 1]! & ~(0xffff << shift)) | (f32ToF16(values[i]!) << shift);
    }
  }

  async forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array> {
    const c = this.m.config;
    checkForwardArgs(this, tokens, startPos, c.nVocab);
    const out = new Float32Array(output === "all" ? tokens.length * c.nVocab : c.nVocab);
    await this.run(tokens, startPos, output, out);
    this.nPast = startPos + tokens.length;
    return out;
  }

  /**
   * The tokens at positions startPos.. in one pass, in forward.ts's order, every buffer (tokens, ...):
   * projections through matvec (one token) or the tiled matmul (a prompt), causal attention over the
   * cache, and the logits of every token or of the last.
   */
  private async run(tokens: readonly number[], startPos: number, output: LogitsOutput, logits: Float32Array): Promise<void> {
    const c = this.m.config;
    const T = tokens.length;
    const headDim = c.headDimK;
    const qDim = c.nHead * headDim;
    const kvDim = c.nHeadKv * headDim;
    let x = new Float32Array(T * c.nEmbd); // (tokens, n_embd) residual stream
    const xb = new Float32Array(T * c.nEmbd);
    const xb2 = new Float32Array(T * c.nEmbd);
    const qr = new Float32Array(T * qDim);
    const kr = new Float32Array(T * kvDim);
    const att = new Float32Array(T * qDim);
    const hb3 = new Float32Array(T * c.nFF);
    const pos = Uint32Array.from(tokens, (_, t) => startPos + t);
    const rope = c.rope;
    const ropeUniforms = { nRot: rope.nRot, freqBase: rope.freqBase, freqScale: rope.scaling.type === "linear" ? 1 / rope.scaling.factor : 1 };
    const ropeKernel = rope.mode === "neox" ? "rope_neox" : "rope_norm";
    /** y + b for each of the T rows of y (qwen2's projection biases). */
    const withBias = (y: Float32Array, b: Float32Array | undefined): Float32Array => {
      if (!b) return y;
      const tiled = new Float32Array(y.length);
      for (let t = 0; t < T; t++) tiled.set(b, t * b.length);
      const out = new Float32Array(y.length);
      add(y, tiled, out);
      return out;
    };
    const residual = (delta: Float32Array): void => {
      const next = new Float32Array(T * c.nEmbd);
      add(x, delta, next);
      x = next;
    };

    // token embeddings, one row per token (gemma2 scales them by sqrt(n_embd))
    dispatch(K.getRows, this.m.embd.kernel, { W: this.m.embd.W, ids: Uint32Array.from(tokens), out: x }, { k: c.nEmbd }, T);
    if (c.embeddingScale !== 1) {
      const scaled = new Float32Array(x.length);
      dispatch(K.elementwise, "scale", { x, out: scaled }, { n: x.length, scale: c.embeddingScale }, Math.ceil(x.length / 256));
      x = scaled;
    }

    for (let l = 0; l < c.nLayer; l++) {
      // a layer takes the interpreter seconds: let timers and I/O (a server, a test runner) run between layers
      await new Promise<void>((resolve) => setImmediate(resolve));
      const lw = this.m.layers[l]!;
      // attention rmsnorm, then q, k, v (phi3: one fused projection, split by columns)
      rmsnorm(x, lw.attnNorm, c.rmsEps, xb);
      let q: Float32Array, k: Float32Array, v: Float32Array;
      if (lw.wqkv) {
        const qkv = new Float32Array(T * (qDim + 2 * kvDim));
        project(lw.wqkv, xb, T, qkv);
        q = columns(qkv, T, qDim + 2 * kvDim, 0, qDim);
        k = columns(qkv, T, qDim + 2 * kvDim, qDim, kvDim);
        v = columns(qkv, T, qDim + 2 * kvDim, qDim + kvDim, kvDim);
      } else {
        q = new Float32Array(T * qDim);
        k = new Float32Array(T * kvDim);
        v = new Float32Array(T * kvDim);
        project(lw.wq!, xb, T, q);
        project(lw.wk!, xb, T, k);
        project(lw.wv!, xb, T, v);
      }
      q = withBias(q, lw.bq);
      k = withBias(k, lw.bk);
      v = withBias(v, lw.bv);
      dispatch(K.rope, ropeKernel, { x: q, pos, out: qr }, { nHeads: c.nHead, headDim, ...ropeUniforms }, [c.nHead, T]);
      dispatch(K.rope, ropeKernel, { x: k, pos, out: kr }, { nHeads: c.nHeadKv, headDim, ...ropeUniforms }, [c.nHeadKv, T]);
      for (let t = 0; t < T; t++) {
        this.store(this.kCache[l]!, startPos + t, kr.subarray(t * kvDim, (t + 1) * kvDim));
        this.store(this.vCache[l]!, startPos + t, v.subarray(t * kvDim, (t + 1) * kvDim));
      }
      // query t sees positions up to startPos + t (the kernel's causal rule), or the last window of them
      const windowed = c.slidingWindow > 0 && c.slidingWindowLayers(l);
      dispatch(
        K.attention, this.kvF16 ? "flash_attention_f16" : "flash_attention_f32",
        { q: qr, kCache: this.kCache[l]!, vCache: this.vCache[l]!, out: att },
        { nHead: c.nHead, nKvHead: c.nHeadKv, headDim, nPast: startPos, scale: c.attnScale, softcap: c.attnSoftcap, window: windowed ? c.slidingWindow : 0 },
        [c.nHead, T],
      );
      // output projection, (gemma2) its rmsnorm, the residual
      project(lw.wo, att, T, xb2);
      if (lw.postAttnNorm) rmsnorm(xb2.slice(), lw.postAttnNorm, c.rmsEps, xb2);
      residual(xb2);

      // feed-forward: SwiGLU, or GeGLU for gemma2 (phi3: gate|up from one fused projection)
      rmsnorm(x, lw.ffnNorm, c.rmsEps, xb);
      let gate: Float32Array, up: Float32Array;
      if (lw.gate) {
        gate = new Float32Array(T * c.nFF);
        up = new Float32Array(T * c.nFF);
        project(lw.gate, xb, T, gate);
        project(lw.up, xb, T, up);
      } else {
        const both = new Float32Array(T * 2 * c.nFF);
        project(lw.up, xb, T, both);
        gate = columns(both, T, 2 * c.nFF, 0, c.nFF);
        up = columns(both, T, 2 * c.nFF, c.nFF, c.nFF);
      }
      const act = c.architecture === "gemma2" ? "geglu" : "swiglu";
      dispatch(K.activation, act, { gate, up, out: hb3 }, { n: T * c.nFF }, Math.ceil((T * c.nFF) / 256));
      project(lw.down, hb3, T, xb2);
      if (lw.postFfwNorm) rmsnorm(xb2.slice(), lw.postFfwNorm, c.rmsEps, xb2);
      residual(xb2);
    }

    // final rmsnorm and the classifier, for every token or the last (gemma2: soft-capped)
    rmsnorm(x, this.m.outputNorm, c.rmsEps, xb);
    const rows = output === "all" ? T : 1;
    const last = output === "all" ? xb : xb.slice((T - 1) * c.nEmbd);
    const raw = c.finalSoftcap > 0 ? new Float32Array(logits.length) : logits;
    project(this.m.output, last, rows, raw);
    if (c.finalSoftcap > 0) dispatch(K.activation, "softcap", { x: raw, out: logits }, { n: raw.length, cap: c.finalSoftcap }, Math.ceil(raw.length / 256));
  }

  free(): void {
    this.nPast = 0;
  }
}

export class InterpBackend implements Backend {
  readonly name = "interp";
  private readonly model: InterpModel;

  constructor(readonly config: ModelConfig, weights: ModelWeights, private readonly opts: BackendOptions) {
    this.model = new InterpModel(config, weights);
  }

  createSequence(opts: SequenceOptions = {}): BackendSequence {
    return new InterpSequence(this.model, this.opts, opts);
  }

  dispose(): void {}
}

export async function createInterpBackend(gguf: GGUFFile, config: ModelConfig, opts: BackendOptions): Promise<Backend> {
  return new InterpBackend(config, loadWeights(gguf, config), opts);
}

registerBackend("interp", createInterpBackend);
