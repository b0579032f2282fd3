// The `interp` backend: the model graph of engine/reference/forward.ts run with the DSL kernels
// (engine/kernels) through the IR interpreter (codegen/interpret), one kernel dispatch per step: a prompt
// in one pass through the tiled matmul kernels (prefill), then one token at a time through matvec. It is
// the slowest backend by far; it exists to show that the kernels, and not only the reference, produce
// the model's tokens (test/interp-backend.test.ts checks greedy tokens against llama.cpp's). Covers llama-
// style models (separate q/k/v and gate/up, norm or NeoX RoPE without YaRN/llama3 scaling or rope_freqs,
// biases, soft-caps and sliding windows); anything else is refused with the feature's name.
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
  readonly wq: BoundMatrix;
  readonly wk: BoundMatrix;
  readonly wv: BoundMatrix;
  readonly bq?: Float32Array;
  readonly bk?: Float32Array;
  readonly bv?: Float32Array;
  readonly wo: BoundMatrix;
  readonly ffnNorm: Float32Array;
  readonly gate: BoundMatrix;
  readonly up: BoundMatrix;
  readonly down: BoundMatrix;
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
    const mats = [w.tokenEmbd, w.output, ...w.layers.flatMap((l) => [l.wq, l.wk, l.wv, l.wo, l.ffnGate, l.ffnUp, l.ffnDown])];
    for (const m of mats) if (m && !KERNEL_TYPES.has(m.type.name)) refuse(c, `${m.type.name} weights (${m.name})`);
    this.embd = bind(w.tokenEmbd, "get_rows");
    this.outputNorm = w.outputNorm;
    this.output = bind(w.output, "matvec");
    this.layers = w.layers.map((l) => {
      if (!l.wq || !l.wk || !l.wv) refuse(c, "a fused qkv projection");
      if (!l.ffnGate) refuse(c, "a fused gate/up projection");
      if (l.postAttnNorm || l.postFfwNorm) refuse(c, "post-norms");
      return {
        attnNorm: l.attnNorm, wq: bind(l.wq, "matvec"), wk: bind(l.wk, "matvec"), wv: bind(l.wv, "matvec"),
        bq: l.bq, bk: l.bk, bv: l.bv, wo: bind(l.wo, "matvec"),
        ffnNorm: l.ffnNorm, gate: bind(l.ffnGate, "matvec"), up: bind(l.ffnUp, "matvec"), down: bind(l.ffnDown, "matvec"),
      };
    });
    if (c.architecture === "gemma2") refuse(c, "GeGLU and embedding scaling");
    if (c.finalSoftcap > 0) refuse(c, "a final logit soft-cap");
  }
}

function matvec(m: BoundMatrix, x: Float32Array, out: Float32Array): void {
  dispatch(K.matvec, m.kernel, { W: m.W, x, out }, { k: m.cols }, m.rows);
}

/** out (tokens, rows) = X (tokens, cols) . W^T: the tiled prefill kernel. */
function matmul(m: BoundMatrix, X: Float32Array, tokens: number, out: Float32Array): void {
  dispatch(K.matmul, m.matmul, { W: m.W, X, out }, { k: m.cols, rows: m.rows, tokens }, [Math.ceil(m.rows / 16), Math.ceil(tokens / 16)]);
}

/** Each of the x.length / w.length rows of x normalised. */
function rmsnorm(x: Float32Array, w: Float32Array, eps: number, out: Float32Array): void {
  dispatch(K.norm, "rmsnorm", { x, w, out }, { n: w.length, eps }, x.length / w.length);
}

function add(a: Float32Array, b: Float32Array, out: Float32Array): void {
  dispatch(K.elementwise, "add", { a, b, out }, { n: a.length }, Math.ceil(a.length / 256));
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
    if (tokens.length > 1) {
      this.prefill(tokens, startPos, output, out);
      this.nPast = startPos + tokens.length;
      return out;
    }
    for (let i = 0; i < tokens.length; i++) {
      const pos = startPos + i;
      const last = i === tokens.length - 1;
      const logits = output === "all" ? out.subarray(i * c.nVocab, (i + 1) * c.nVocab) : last ? out : undefined;
      this.step(tokens[i]!, pos, logits);
      this.nPast = pos + 1;
    }
    return out;
  }

  /**
   * Several tokens at positions startPos.. in one pass: the same graph as step() with (tokens, ...) buffers,
   * the projections through the tiled matmul kernels and causal attention over the new positions.
   */
  private prefill(tokens: readonly number[], startPos: number, output: LogitsOutput, out: Float32Array): void {
    const c = this.m.config;
    const T = tokens.length;
    const headDim = c.headDimK;
    const kvDim = c.nHeadKv * headDim;
    let x = new Float32Array(T * c.nEmbd); // (tokens, n_embd) residual stream
    const xb = new Float32Array(T * c.nEmbd);
    const xb2 = new Float32Array(T * c.nEmbd);
    const q = new Float32Array(T * c.nHead * headDim);
    const qr = new Float32Array(T * c.nHead * headDim);
    const k = new Float32Array(T * kvDim);
    const kr = new Float32Array(T * kvDim);
    const v = new Float32Array(T * kvDim);
    const att = new Float32Array(T * c.nHead * headDim);
    const hb = new Float32Array(T * c.nFF);
    const hb2 = new Float32Array(T * c.nFF);
    const hb3 = new Float32Array(T * c.nFF);
    const pos = Uint32Array.from(tokens, (_, t) => startPos + t);
    const rope = c.rope;
    const ropeUniforms = { nRot: rope.nRot, freqBase: rope.freqBase, freqScale: rope.scaling.type === "linear" ? 1 / rope.scaling.factor : 1 };
    const ropeKernel = rope.mode === "neox" ? "rope_neox" : "rope_norm";
    /** Adds a (n,) bias to each of the T rows of y. */
    const addBias = (y: Float32Array, b: Float32Array): void => {
      const tiled = new Float32Array(y.length);
      for (let t = 0; t < T; t++) tiled.set(b, t * b.length);
      add(y.slice(), tiled, y);
    };

    // token embeddings, one row per token
    dispatch(K.getRows, this.m.embd.kernel, { W: this.m.embd.W, ids: Uint32Array.from(tokens), out: x }, { k: c.nEmbd }, T);

    for (let l = 0; l < c.nLayer; l++) {
      const lw = this.m.layers[l]!;
      rmsnorm(x, lw.attnNorm, c.rmsEps, xb);
      matmul(lw.wq, xb, T, q);
      matmul(lw.wk, xb, T, k);
      matmul(lw.wv, xb, T, v);
      if (lw.bq) addBias(q, lw.bq);
      if (lw.bk) addBias(k, lw.bk);
      if (lw.bv) addBias(v, lw.bv);
      dispatch(K.rope, ropeKernel, { x: q, pos, out: qr }, { nHeads: c.nHead, headDim, ...ropeUniforms }, [c.nHead, T]);
      dispatch(K.rope, ropeKernel, { x: k, pos, out: kr }, { nHeads: c.nHeadKv, headDim, ...ropeUniforms }, [c.nHeadKv, T]);
      for (let t = 0; t < T; t++) {
        this.store(this.kCache[l]!, startPos + t, kr.subarray(t * kvDim, (t + 1) * kvDim));
        this.store(this.vCache[l]!, startPos + t, v.subarray(t * kvDim, (t + 1) * kvDim));
      }
      const windowed = c.slidingWindow > 0 && c.slidingWindowLayers(l);
      // query t sees positions up to startPos + t: the kernel's causal rule
      dispatch(
        K.attention, this.kvF16 ? "flash_attention_f16" : "flash_attention_f32",
        { q: qr, kCache: this.kCache[l]!, vCache: this.vCache[l]!, out: att },
        { nHead: c.nHead, nKvHead: c.nHeadKv, headDim, nPast: startPos, scale: c.attnScale, softcap: c.attnSoftcap, window: windowed ? c.slidingWindow : 0 },
        [c.nHead, T],
      );
      matmul(lw.wo, att, T, xb2);
      const x2 = new Float32Array(T * c.nEmbd);
      add(x, xb2, x2);
      x = x2;
      rmsnorm(x, lw.ffnNorm, c.rmsEps, xb);
      matmul(lw.gate, xb, T, hb);
      matmul(lw.up, xb, T, hb2);
      dispatch(K.activation, "swiglu", { gate: hb, up: hb2, out: hb3 }, { n: T * c.nFF }, Math.ceil((T * c.nFF) / 256));
      matmul(lw.down, hb3, T, xb2);
      const x3 = new Float32Array(T * c.nEmbd);
      add(x, xb2, x3);
      x = x3;
    }
    rmsnorm(x, this.m.outputNorm, c.rmsEps, xb);
    if (output === "all") matmul(this.m.output, xb, T, out);
    else matvec(this.m.output, xb.slice((T - 1) * c.nEmbd), out);
  }

  /** One token at `pos`, in forward.ts's order. */
  private step(token: number, pos: number, logits: Float32Array | undefined): void {
    const c = this.m.config;
    const headDim = c.headDimK;
    const kvDim = c.nHeadKv * headDim;
    let x = new Float32Array(c.nEmbd); // (n_embd,) residual stream
    const xb = new Float32Array(c.nEmbd);
    const xb2 = new Float32Array(c.nEmbd);
    const q = new Float32Array(c.nHead * headDim);
    const qr = new Float32Array(c.nHead * headDim);
    const k = new Float32Array(kvDim);
    const kr = new Float32Array(kvDim);
    const v = new Float32Array(kvDim);
    const att = new Float32Array(c.nHead * headDim);
    const hb = new Float32Array(c.nFF);
    const hb2 = new Float32Array(c.nFF);
    const hb3 = new Float32Array(c.nFF);
    const posBuf = Uint32Array.of(pos);
    const rope = c.rope;
    const ropeUniforms = { nRot: rope.nRot, freqBase: rope.freqBase, freqScale: rope.scaling.type === "linear" ? 1 / rope.scaling.factor : 1 };
    const ropeKernel = rope.mode === "neox" ? "rope_neox" : "rope_norm";

    // token embedding
    dispatch(K.getRows, this.m.embd.kernel, { W: this.m.embd.W, ids: Uint32Array.of(token), out: x }, { k: c.nEmbd }, 1);

    for (let l = 0; l < c.nLayer; l++) {
      const lw = this.m.layers[l]!;
      rmsnorm(x, lw.attnNorm, c.rmsEps, xb);
      matvec(lw.wq, xb, q);
      matvec(lw.wk, xb, k);
      matvec(lw.wv, xb, v);
      if (lw.bq) add(q.slice(), lw.bq, q);
      if (lw.bk) add(k.slice(), lw.bk, k);
      if (lw.bv) add(v.slice(), lw.bv, v);
      dispatch(K.rope, ropeKernel, { x: q, pos: posBuf, out: qr }, { nHeads: c.nHead, headDim, ...ropeUniforms }, [c.nHead, 1]);
      dispatch(K.rope, ropeKernel, { x: k, pos: posBuf, out: kr }, { nHeads: c.nHeadKv, headDim, ...ropeUniforms }, [c.nHeadKv, 1]);
      this.store(this.kCache[l]!, pos, kr);
      this.store(this.vCache[l]!, pos, v);
      const windowed = c.slidingWindow > 0 && c.slidingWindowLayers(l);
      dispatch(
        K.attention, this.kvF16 ? "flash_attention_f16" : "flash_attention_f32",
        { q: qr, kCache: this.kCache[l]!, vCache: this.vCache[l]!, out: att },
        { nHead: c.nHead, nKvHead: c.nHeadKv, headDim, nPast: pos, scale: c.attnScale, softcap: c.attnSoftcap, window: windowed ? c.slidingWindow : 0 },
        [c.nHead, 1],
      );
      matvec(lw.wo, att, xb2);
      const x2 = new Float32Array(c.nEmbd);
      add(x, xb2, x2);
      x = x2;
      rmsnorm(x, lw.ffnNorm, c.rmsEps, xb);
      matvec(lw.gate, xb, hb);
      matvec(lw.up, xb, hb2);
      dispatch(K.activation, "swiglu", { gate: hb, up: hb2, out: hb3 }, { n: c.nFF }, Math.ceil(c.nFF / 256));
      matvec(lw.down, hb3, xb2);
      const x3 = new Float32Array(c.nEmbd);
      add(x, xb2, x3);
      x = x3;
    }
    if (!logits) return;
    rmsnorm(x, this.m.outputNorm, c.rmsEps, xb);
    matvec(this.m.output, xb, logits);
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
