// The `wasm` backend: the model graph of engine/reference/forward.ts (llama, qwen2, phi3, gemma2) run
// with WebAssembly SIMD kernels (assembly/kernels.as) on a worker_threads pool (pool.ts).
//
// - Weights are copied once into shared WebAssembly memory in their ggml blocks (never expanded to f32).
// - Before each matrix product the activations are quantized to the weight type's vec_dot_type, as
//   llama.cpp's CPU backend does (q8_0 for q4_0/q5_0/q8_0/iq4_nl, q8_1 for q4_1/q5_1, q8_K for K-quants,
//   f16 for f16), and the product runs as int8 dot products; so its outputs follow llama.cpp's rounding.
//   The kernel module comes in a plain SIMD128 and a relaxed-SIMD flavour (build.ts; the second where the
//   engine runs it), which differ in the q4_0, q8_0, q4_K and q6_K products and in how those matrices are
//   laid out (four rows interleaved: packsX4).
// - Prefill is a batched matrix product (up to MAX_BATCH tokens per pass), decode a matrix-vector one;
//   matrix rows and attention heads are split across the threads.
// - KV cache (f32 or f16) in wasm memory, one block per layer and sequence.
// - A wasm32 memory holds at most 4 GiB, so the model is split by layers into shards, each with its own
//   memory (and its own kernel instance on every thread); the residual stream is copied from one shard to
//   the next. maxShardBytes lowers the limit to test the split on small models.
// The steps between the products (RMSNorm, RoPE, the f16 rounding and KV store, SwiGLU, residual adds)
// are kernels of the same module with the "ggml" arithmetic of engine/reference/ops.ts (the same bits);
// prefill splits them over the threads, decode runs them on the calling thread. Left in TypeScript:
// the token embedding lookup, RoPE's angles, qwen2's biases, phi3's split of fused outputs and gemma2's
// GELU table. The oracle is the reference backend with activations "ggml"; the goldens are llama.cpp's
// outputs.

import { availableParallelism } from "node:os";
import { KilnError } from "../../../engine/errors.js";
import type { GGUFFile } from "../../../engine/gguf/reader.js";
import type { GGUFTensorInfo } from "../../../engine/gguf/types.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import { dequantizeRow, GGMLType } from "../../../engine/quant/index.js";
import type { TypeInfo } from "../../../engine/quant/types.js";
import {
  geluGgml, ropeAngles, ropeAnglesGgml, softcap, vecDotType,
} from "../../../engine/reference/ops.js";
import {
  checkForwardArgs, registerBackend,
  type Backend, type BackendOptions, type BackendSequence, type LogitsOutput, type SequenceOptions,
} from "../../../engine/runtime/backend.js";
import { kernelModule, MAX_PAGES, type SimdFlavour } from "./build.js";
import { WorkerPool, type KernelName } from "./pool.js";
import { WA, type WasmMemory } from "./wasm-api.js";

/** Tokens evaluated per pass of a prefill; longer prompts run in several passes. */
const MAX_BATCH = 128;
const PAGE = 65536;
/** The first page of every memory is left to the module (its constant tables live at 1024). */
const RESERVED = PAGE;
const ALIGN = 64;

/** Weight types the kernels multiply (others are refused at load time, naming the tensor). */
const MATMUL_TYPES: ReadonlySet<number> = new Set([
  GGMLType.F32, GGMLType.F16, GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q8_0,
  GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K, GGMLType.IQ4_NL, GGMLType.IQ4_XS, GGMLType.BF16,
]);

export interface WasmBackendOptions extends BackendOptions {
  /** Threads, the calling one included (default: the machine's available parallelism). */
  readonly threads?: number;
  /** Bytes one shard's memory may hold (default: all of wasm32's 4 GiB); lower it to force a split. */
  readonly maxShardBytes?: number;
  /** The kernels' SIMD flavour (default: KILN_WASM_SIMD, else relaxed where it runs; see build.ts). */
  readonly simd?: SimdFlavour;
}

/** One wasm memory and what lives in it: a bump allocator, with freed KV blocks kept for reuse. */
class Shard {
  readonly memory: WasmMemory;
  private top = RESERVED;
  private readonly freeBlocks = new Map<number, number[]>();

  constructor(readonly index: number, readonly limit: number, initialBytes: number) {
    const pages = Math.min(Math.ceil(limit / PAGE), MAX_PAGES);
    const initial = Math.min(pages, Math.ceil(initialBytes / PAGE));
    this.memory = new WA.Memory({ initial, maximum: pages, shared: true });
  }

  alloc(bytes: number, what: string): number {
    const reuse = this.freeBlocks.get(bytes);
    if (reuse && reuse.length > 0) return reuse.pop()!;
    const addr = Math.ceil(this.top / ALIGN) * ALIGN;
    const end = addr + bytes;
    if (end > this.limit) {
      throw new KilnError(
        `wasm backend: ${what} (${bytes} bytes) does not fit in memory shard ${this.index} (${this.top} of ${this.limit} bytes used); lower the context size (--ctx) or the number of parallel sequences`,
        "OUT_OF_MEMORY",
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return addr;
  }

  release(addr: number, bytes: number): void {
    const list = this.freeBlocks.get(bytes) ?? [];
    list.push(addr);
    this.freeBlocks.set(bytes, list);
  }

  get used(): number {
    return this.top;
  }

  f32(addr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, addr, n);
  }
  u16(addr: number, n: number): Uint16Array {
    return new Uint16Array(this.memory.buffer, addr, n);
  }
  u32(addr: number, n: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, addr, n);
  }
  u8(addr: number, n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, addr, n);
  }
}

/**
 * A weight matrix [cols, rows] in a shard, in its ggml blocks: row after row, or for q4_0 and q8_0
 * four rows interleaved block by block ("x4": per group of four rows and block column, the four f16
 * scales, then the four rows' quants; the group is as many bytes as four blocks). The x4 layout lets
 * the kernels read one sequential stream and scale four rows with one vector operation; its row count
 * is padded to a multiple of 4 with zero rows, which are multiplied and never stored.
 */
interface Matrix {
  readonly name: string;
  readonly shard: number;
  readonly type: TypeInfo;
  readonly addr: number;
  readonly rowBytes: number;
  readonly cols: number;
  readonly rows: number;
  readonly x4: boolean;
  /**
   * Multiplied by the relaxed-SIMD kernels: an x4 q4_0 or q8_0 matrix (against q8_0r activations), or an
   * x4 q4_K or q6_K one (against ggml's q8_K).
   */
  readonly relaxed: boolean;
  /** An x4 matrix none of whose block scales is an f16 subnormal (its scales convert faster). */
  readonly normalScales: boolean;
}

/** The kernels' flags for a matrix in the x4 layout and for q8_0r activations (kernels.as). */
const X4_LAYOUT = 0x100;
const RELAXED_ACTIVATIONS = 0x200;
const NORMAL_SCALES = 0x400;
/** In the first job: threads claim chunks of rows from a counter after the records. */
const DYNAMIC = 0x800;
const MATMUL_JOB = 11;

/**
 * Whether a tensor's rows are stored in whole groups of four (padded with zero rows): the matrices that
 * may take the x4 layout, q4_0, q8_0, q4_K and q6_K, except the embedding table (read by row).
 */
function padsX4(name: string, type: number): boolean {
  return name !== "token_embd.weight" && (type === GGMLType.Q4_0 || type === GGMLType.Q8_0 || isKX4(type));
}

/** K-quant types the relaxed kernels multiply in the x4 layout. */
function isKX4(type: number): boolean {
  return type === GGMLType.Q4_K || type === GGMLType.Q6_K;
}

/** Whether a tensor is stored in the x4 layout: q4_0 and q8_0 matrices, and q4_K and q6_K ones for the relaxed kernels. */
function packsX4(name: string, type: number, relaxed: boolean): boolean {
  return padsX4(name, type) && (!isKX4(type) || relaxed);
}

/** Rows an x4 matrix of `rows` rows stores: whole groups of four. */
function x4Rows(rows: number): number {
  return Math.ceil(rows / 4) * 4;
}

/**
 * Sizes the kernels' layouts and buffers are built on, each equal to kernels.as's exported constant of the
 * same name (test/wasm-backend-kernels.test.ts checks): the widened activation blocks q8_0x/q8_0r
 * (Q8_0X_BLOCK) and q8_Kx (Q8_KX_BLOCK); a q6_K block column of four rows in the relaxed kernels' layout,
 * its quants a byte each (X4_Q6_K); the K or V rows attention converts to f32 at a time and the tokens it
 * takes together (ATT_ROWS, ATT_TOKENS).
 */
export const KERNEL_CONSTANTS = { Q8_0X_BLOCK: 96, Q8_KX_BLOCK: 560, X4_Q6_K: 1096, ATT_ROWS: 32, ATT_TOKENS: 4 } as const;
const { Q8_0X_BLOCK, Q8_KX_BLOCK, X4_Q6_K, ATT_ROWS, ATT_TOKENS } = KERNEL_CONSTANTS;

/**
 * Bytes a tensor takes in its shard: x4 matrices padded to a multiple of 4 rows, and q6_K ones for the
 * relaxed kernels unpacked to X4_Q6_K bytes a block column (repackX4 expands them in place).
 */
function storedBytes(t: GGUFTensorInfo, relaxed: boolean): number {
  if (!padsX4(t.name, t.type)) return t.nbytes;
  const rowBytes = (t.ne[0]! / t.typeInfo.blockSize) * t.typeInfo.typeSize;
  const rows = x4Rows(t.nbytes / rowBytes);
  if (relaxed && t.type === GGMLType.Q6_K) return (rows / 4) * (rowBytes / t.typeInfo.typeSize) * X4_Q6_K;
  return rows * rowBytes;
}

interface Layer {
  readonly shard: number;
  /** Norm weights: addresses of f32 vectors in the layer's shard. */
  readonly attnNorm: number;
  readonly wq?: Matrix;
  readonly wk?: Matrix;
  readonly wv?: Matrix;
  readonly wqkv?: Matrix;
  readonly bq?: Float32Array;
  readonly bk?: Float32Array;
  readonly bv?: Float32Array;
  readonly wo: Matrix;
  readonly postAttnNorm?: number;
  readonly ffnNorm: number;
  readonly ffnGate?: Matrix;
  readonly ffnUp: Matrix;
  readonly ffnDown: Matrix;
  readonly postFfwNorm?: number;
}

/** Activation buffers of one shard (addresses), each for up to MAX_BATCH tokens. */
interface Buffers {
  x: number; // (B, n_embd) residual stream
  xb: number; // (B, n_embd) normed input of a block
  xb2: number; // (B, n_embd) block output
  q: number; // (B, n_q)
  k: number; // (B, n_k)
  v: number; // (B, n_v)
  qkv: number; // (B, n_q + n_k + n_v) phi3's fused projection
  attOut: number; // (B, n_head * head_v)
  hb: number; // (B, n_ff)
  hb2: number; // (B, n_ff)
  hbFused: number; // (B, 2 n_ff) phi3's gate|up
  xq: number; // (B, quantized row) activations in the vec_dot_type
  scratch: number; // (threads, attentionScratch) attention scores
  angles: number; // (B, n_rot / 2) RoPE cos, sin pairs in f64
  jobs: number; // matmul job records
  logits: number; // (B, n_vocab), last shard only
}

/**
 * How the activations are stored for a weight type's products: ggml's vec_dot_type, with q8_0 widened
 * to i16 ("q8_0x", see quantizeQ8_0X) for the plain q4_0 and q8_0 kernels, q8_0 with |x| beside x
 * ("q8_0r", quantizeQ8_0R) for the relaxed-SIMD ones, and q8_K widened ("q8_Kx", quantizeQ8_KX) for the
 * plain q4_K and q6_K ones; the relaxed-SIMD q4_K and q6_K kernels take ggml's q8_K.
 */
type ActivationFormat = "f32" | "f16" | "bf16" | "q8_0" | "q8_0x" | "q8_0r" | "q8_1" | "q8_K" | "q8_Kx";

function activationFormat(m: Matrix): ActivationFormat {
  const type = m.type.id as GGMLType;
  if (m.relaxed) return isKX4(type) ? "q8_K" : "q8_0r";
  if (type === GGMLType.Q4_0 || type === GGMLType.Q8_0) return "q8_0x";
  if (isKX4(type)) return "q8_Kx";
  switch (vecDotType(type)) {
    case undefined: return "f32";
    case GGMLType.F16: return "f16";
    case GGMLType.BF16: return "bf16";
    case GGMLType.Q8_0: return "q8_0";
    case GGMLType.Q8_1: return "q8_1";
    default: return "q8_K";
  }
}

/** Bytes of one row of k values in format `f`. */
function activationRowBytes(f: ActivationFormat, k: number): number {
  switch (f) {
    case "f32": return 4 * k;
    case "f16":
    case "bf16": return 2 * k;
    case "q8_0": return (k / 32) * 34;
    case "q8_0x":
    case "q8_0r": return (k / 32) * Q8_0X_BLOCK;
    case "q8_1": return (k / 32) * 36;
    case "q8_K": return (k / 256) * 292;
    case "q8_Kx": return (k / 256) * Q8_KX_BLOCK;
  }
}

const QUANTIZER: Record<Exclude<ActivationFormat, "f32">, KernelName> = {
  f16: "quantizeF16",
  bf16: "quantizeBF16",
  q8_0: "quantizeQ8_0",
  q8_0x: "quantizeQ8_0X",
  q8_0r: "quantizeQ8_0R",
  q8_1: "quantizeQ8_1",
  q8_K: "quantizeQ8_K",
  q8_Kx: "quantizeQ8_KX",
};

/** One matrix product of a group: out[t * outStride + r] = W[r] . in[t]. */
interface Product {
  readonly m: Matrix;
  readonly out: number;
  readonly outStride: number;
}

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly kvType: "f32" | "f16";

  constructor(
    readonly config: ModelConfig,
    readonly shards: readonly Shard[],
    readonly pool: WorkerPool,
    readonly layers: readonly Layer[],
    readonly tokenEmbd: Matrix,
    readonly outputNorm: number,
    readonly output: Matrix,
    readonly ropeFreqs: Float32Array | undefined,
    readonly buffers: readonly Buffers[],
    opts: BackendOptions,
  ) {
    this.kvType = opts.kvType ?? "f32";
  }

  get threads(): number {
    return this.pool.nThreads;
  }

  createSequence(opts: SequenceOptions = {}): BackendSequence {
    return new WasmSequence(this, Math.min(opts.nCtx ?? this.config.nCtx, this.config.nCtx));
  }

  dispose(): void {
    this.pool.dispose();
  }

  /**
   * An element-wise kernel over `work` rows or elements: on every thread when there is enough work to
   * share (a prefill), else on this thread alone (a decode step: waking the pool costs more than it saves).
   */
  elementwise(shard: number, name: KernelName, args: readonly number[], work: number, perThread: number): void {
    if (work >= perThread * this.pool.nThreads) this.pool.run(shard, name, args);
    else this.pool.runLocal(shard, name, args);
  }

  /** Matrix products sharing one input (B rows of k f32 at `input`), quantized once per vec_dot_type. */
  products(shard: number, input: number, inStride: number, nTok: number, products: readonly Product[]): void {
    const sh = this.shards[shard]!;
    const buf = this.buffers[shard]!;
    const groups = new Map<ActivationFormat, Product[]>();
    for (const p of products) {
      const f = activationFormat(p.m);
      groups.set(f, [...(groups.get(f) ?? []), p]);
    }
    for (const [format, group] of groups) {
      const k = group[0]!.m.cols;
      let xq = input;
      let xStride = inStride * 4;
      if (format !== "f32") {
        xq = buf.xq;
        xStride = activationRowBytes(format, k);
        // quantizing splits rows (tokens) over threads; for fewer tokens than threads, waking the pool costs more than it saves
        const args = [input, inStride * 4, xq, xStride, nTok, k];
        if (nTok < this.pool.nThreads) this.pool.runLocal(shard, QUANTIZER[format], args);
        else this.pool.run(shard, QUANTIZER[format], args);
      }
      // x4 jobs first: the kernel splits rows across threads at multiples of 4, so an x4 job must start at one
      const jobs = [...group.filter((p) => p.m.x4), ...group.filter((p) => !p.m.x4)];
      const rec = sh.u32(buf.jobs, jobs.length * MATMUL_JOB + 1);
      jobs.forEach((p, j) => {
        const m = p.m;
        const rows = m.x4 ? x4Rows(m.rows) : m.rows;
        const relaxed = m.relaxed && (format === "q8_0r" || format === "q8_K");
        // rows claimed in chunks by whichever thread is free (this VM's cores differ by 10-20%): prefill,
        // and decode of x4 matrices (the plain K-quant decode measured slower in chunks: its streams run short)
        const dynamic = j === 0 && (nTok > 1 || jobs.every((q) => q.m.x4)) ? DYNAMIC : 0;
        rec.set([m.type.id | (m.x4 ? X4_LAYOUT : 0) | (relaxed ? RELAXED_ACTIVATIONS : 0) | (m.normalScales ? NORMAL_SCALES : 0) | dynamic, m.addr, m.rowBytes, rows, m.cols, xq, xStride, nTok, p.out, p.outStride, m.rows], j * MATMUL_JOB);
      });
      rec[jobs.length * MATMUL_JOB] = 0; // the chunk counter
      this.pool.run(shard, "matmul", [buf.jobs, group.length]);
    }
  }
}

class WasmSequence implements BackendSequence {
  nPast = 0;
  private readonly keys: number[] = []; // per layer, address in its shard: (n_ctx, n_k)
  private readonly values: number[] = []; // (n_ctx, n_v)
  private readonly kvBytes: [number, number];
  private freed = false;

  constructor(private readonly b: WasmBackend, readonly nCtx: number) {
    const c = b.config;
    const el = b.kvType === "f16" ? 2 : 4;
    this.kvBytes = [nCtx * c.nHeadKv * c.headDimK * el, nCtx * c.nHeadKv * c.headDimV * el];
    for (const layer of b.layers) {
      const sh = b.shards[layer.shard]!;
      this.keys.push(sh.alloc(this.kvBytes[0], "the KV cache"));
      this.values.push(sh.alloc(this.kvBytes[1], "the KV cache"));
    }
  }

  async forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array> {
    if (this.freed) throw new KilnError("forward: this sequence was freed (create a new one)");
    const nVocab = this.b.config.nVocab;
    checkForwardArgs(this, tokens, startPos, nVocab);
    const out = new Float32Array(output === "all" ? tokens.length * nVocab : nVocab);
    for (let i = 0; i < tokens.length; i += MAX_BATCH) {
      const chunk = tokens.slice(i, i + MAX_BATCH);
      const last = i + chunk.length === tokens.length;
      if (output === "all") this.pass(chunk, startPos + i, out.subarray(i * nVocab), true);
      else this.pass(chunk, startPos + i, last ? out : undefined, false);
      this.nPast = startPos + i + chunk.length;
    }
    return out;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.b.layers.forEach((layer, l) => {
      const sh = this.b.shards[layer.shard]!;
      sh.release(this.keys[l]!, this.kvBytes[0]);
      sh.release(this.values[l]!, this.kvBytes[1]);
    });
    this.nPast = 0;
  }

  /** One pass over n <= MAX_BATCH tokens at positions pos0 ..; logits of all of them or of the last. */
  private pass(tokens: readonly number[], pos0: number, logits: Float32Array | undefined, all: boolean): void {
    const b = this.b;
    const c = b.config;
    const n = tokens.length;
    const { nEmbd, nHead, nHeadKv, headDimK: headK, headDimV: headV, nFF } = c;
    const nQ = nHead * headK;
    const nK = nHeadKv * headK;
    const nV = nHeadKv * headV;
    const nAtt = nHead * headV;
    const f16kv = b.kvType === "f16";

    // token embeddings (gemma2 scales them by sqrt(n_embd)) into the residual stream of the first shard
    let s = b.layers[0]?.shard ?? b.output.shard;
    let sh = b.shards[s]!;
    let buf = b.buffers[s]!;
    {
      const e = b.tokenEmbd;
      const esh = b.shards[e.shard]!;
      const x = sh.f32(buf.x, n * nEmbd);
      for (let i = 0; i < n; i++) {
        const row = x.subarray(i * nEmbd, (i + 1) * nEmbd);
        dequantizeRow(e.type.id as GGMLType, esh.u8(e.addr + tokens[i]! * e.rowBytes, e.rowBytes), nEmbd, row);
        if (c.embeddingScale !== 1) for (let j = 0; j < nEmbd; j++) row[j] = row[j]! * c.embeddingScale;
      }
    }

    // rotation angles of each position, shared by every layer and head: (cos, sin) f64 pairs in every
    // shard's angles buffer
    const half = c.rope.nRot / 2;
    {
      const cos = new Float64Array(half);
      const sin = new Float64Array(half);
      const angles = new Float64Array(2 * n * half);
      const ggmlAngles = c.rope.scaling.type === "none" || c.rope.scaling.type === "linear";
      for (let i = 0; i < n; i++) {
        (ggmlAngles ? ropeAnglesGgml : ropeAngles)(c.rope, pos0 + i, cos, sin, b.ropeFreqs);
        for (let j = 0; j < half; j++) {
          angles[2 * (i * half + j)] = cos[j]!;
          angles[2 * (i * half + j) + 1] = sin[j]!;
        }
      }
      b.shards.forEach((shard, i) => new Float64Array(shard.memory.buffer, b.buffers[i]!.angles, angles.length).set(angles));
    }
    const neox = c.rope.mode === "neox" ? 1 : 0;
    const eps = c.rmsEps;
    // rmsnorm of n rows of the residual width: rows over threads in a prefill, this thread in a decode
    const norm = (out: number, x: number, w: number): void => b.elementwise(s, "rmsnorm", [x, w, out, n, nEmbd, eps], n, 1);

    for (let l = 0; l < c.nLayer; l++) {
      const lw = b.layers[l]!;
      if (lw.shard !== s) {
        // crossing into the next shard: carry the residual stream over
        const from = sh.f32(buf.x, n * nEmbd);
        s = lw.shard;
        sh = b.shards[s]!;
        buf = b.buffers[s]!;
        sh.f32(buf.x, n * nEmbd).set(from);
      }

      // attention rmsnorm
      norm(buf.xb, buf.x, lw.attnNorm);

      // q, k, v projections (phi3: one fused matrix, rows Q | K | V)
      if (lw.wqkv) {
        b.products(s, buf.xb, nEmbd, n, [{ m: lw.wqkv, out: buf.qkv, outStride: nQ + nK + nV }]);
        const qkv = sh.f32(buf.qkv, n * (nQ + nK + nV));
        const q = sh.f32(buf.q, n * nQ);
        const k = sh.f32(buf.k, n * nK);
        const v = sh.f32(buf.v, n * nV);
        for (let i = 0; i < n; i++) {
          const o = i * (nQ + nK + nV);
          q.set(qkv.subarray(o, o + nQ), i * nQ);
          k.set(qkv.subarray(o + nQ, o + nQ + nK), i * nK);
          v.set(qkv.subarray(o + nQ + nK, o + nQ + nK + nV), i * nV);
        }
      } else {
        b.products(s, buf.xb, nEmbd, n, [
          { m: lw.wq!, out: buf.q, outStride: nQ },
          { m: lw.wk!, out: buf.k, outStride: nK },
          { m: lw.wv!, out: buf.v, outStride: nV },
        ]);
      }
      // qwen2's projection biases
      if (lw.bq || lw.bk || lw.bv) {
        const q = sh.f32(buf.q, n * nQ);
        const k = sh.f32(buf.k, n * nK);
        const v = sh.f32(buf.v, n * nV);
        for (let i = 0; i < n; i++) {
          if (lw.bq) for (let j = 0; j < nQ; j++) q[i * nQ + j] = q[i * nQ + j]! + lw.bq[j]!;
          if (lw.bk) for (let j = 0; j < nK; j++) k[i * nK + j] = k[i * nK + j]! + lw.bk[j]!;
          if (lw.bv) for (let j = 0; j < nV; j++) v[i * nV + j] = v[i * nV + j]! + lw.bv[j]!;
        }
      }
      // RoPE on q and k; with an f16 cache ggml multiplies q in f16
      b.elementwise(s, "rope", [buf.q, nQ, n, nHead, headK, c.rope.nRot, neox, buf.angles], n * nHead, 64);
      b.elementwise(s, "rope", [buf.k, nK, n, nHeadKv, headK, c.rope.nRot, neox, buf.angles], n * nHeadKv, 64);
      if (f16kv) b.elementwise(s, "roundF16Rows", [buf.q, n, nQ], n, 1);

      // store k, v at their positions of the cache
      const kAddr = this.keys[l]!;
      const vAddr = this.values[l]!;
      if (f16kv) {
        b.elementwise(s, "storeF16Rows", [buf.k, kAddr + pos0 * nK * 2, nK * 2, n, nK], n, 1);
        b.elementwise(s, "storeF16Rows", [buf.v, vAddr + pos0 * nV * 2, nV * 2, n, nV], n, 1);
      } else {
        sh.f32(kAddr + pos0 * nK * 4, n * nK).set(sh.f32(buf.k, n * nK));
        sh.f32(vAddr + pos0 * nV * 4, n * nV).set(sh.f32(buf.v, n * nV));
      }

      // multi-head attention over the cache (grouped-query; gemma2's soft-cap and sliding window)
      const windowed = c.slidingWindow > 0 && c.slidingWindowLayers(l);
      b.pool.run(s, "attention", [
        buf.q, nQ, kAddr, vAddr, nK, nV, buf.attOut, nAtt,
        n, pos0, nHead, nHeadKv, headK, headV,
        c.attnScale, c.attnSoftcap, windowed ? c.slidingWindow : 0, f16kv ? 1 : 0, buf.scratch, attentionScratch(c),
      ]);

      // output projection, (gemma2) its own rmsnorm, the residual connection
      b.products(s, buf.attOut, nAtt, n, [{ m: lw.wo, out: buf.xb2, outStride: nEmbd }]);
      if (lw.postAttnNorm !== undefined) norm(buf.xb2, buf.xb2, lw.postAttnNorm);
      b.elementwise(s, "addInPlace", [buf.x, buf.xb2, n * nEmbd], n * nEmbd, 16384);

      // ffn rmsnorm, gate and up (phi3: one fused matrix, rows gate | up)
      norm(buf.xb, buf.x, lw.ffnNorm);
      if (lw.ffnGate) {
        b.products(s, buf.xb, nEmbd, n, [
          { m: lw.ffnGate, out: buf.hb, outStride: nFF },
          { m: lw.ffnUp, out: buf.hb2, outStride: nFF },
        ]);
      } else {
        b.products(s, buf.xb, nEmbd, n, [{ m: lw.ffnUp, out: buf.hbFused, outStride: 2 * nFF }]);
        const fused = sh.f32(buf.hbFused, n * 2 * nFF);
        const hb = sh.f32(buf.hb, n * nFF);
        const hb2 = sh.f32(buf.hb2, n * nFF);
        for (let i = 0; i < n; i++) {
          hb.set(fused.subarray(i * 2 * nFF, i * 2 * nFF + nFF), i * nFF);
          hb2.set(fused.subarray(i * 2 * nFF + nFF, (i + 1) * 2 * nFF), i * nFF);
        }
      }
      // gated non-linearity: silu(gate) · up, or gelu(gate) · up for gemma2 (llama.cpp's f16 table)
      if (c.architecture === "gemma2") {
        const hb = sh.f32(buf.hb, n * nFF);
        const hb2 = sh.f32(buf.hb2, n * nFF);
        for (let j = 0; j < n * nFF; j++) hb[j] = geluGgml(hb[j]!) * hb2[j]!;
      } else {
        b.elementwise(s, "swiglu", [buf.hb, buf.hb2, n * nFF], n * nFF, 2048);
      }

      // down projection, (gemma2) its own rmsnorm, the residual connection
      b.products(s, buf.hb, nFF, n, [{ m: lw.ffnDown, out: buf.xb2, outStride: nEmbd }]);
      if (lw.postFfwNorm !== undefined) norm(buf.xb2, buf.xb2, lw.postFfwNorm);
      b.elementwise(s, "addInPlace", [buf.x, buf.xb2, n * nEmbd], n * nEmbd, 16384);
    }

    if (!logits) return;

    // into the output's shard, final rmsnorm of the rows whose logits are wanted, classifier
    const os = b.output.shard;
    if (os !== s) {
      b.shards[os]!.f32(b.buffers[os]!.x, n * nEmbd).set(sh.f32(buf.x, n * nEmbd));
      s = os;
      sh = b.shards[s]!;
      buf = b.buffers[s]!;
    }
    const first = all ? 0 : n - 1;
    const rows = n - first;
    b.elementwise(s, "rmsnorm", [buf.x + first * nEmbd * 4, b.outputNorm, buf.xb, rows, nEmbd, c.rmsEps], rows, 1);
    b.products(s, buf.xb, nEmbd, rows, [{ m: b.output, out: buf.logits, outStride: c.nVocab }]);
    const result = sh.f32(buf.logits, rows * c.nVocab);
    logits.set(result);
    if (c.finalSoftcap > 0) for (let i = 0; i < rows * c.nVocab; i++) logits[i] = softcap(logits[i]!, c.finalSoftcap);
  }
}

// ---------------------------------------------------------------------------------------------------
// loading

interface TensorPlacement {
  readonly info: GGUFTensorInfo;
  readonly shard: number;
  addr: number;
}

/**
 * Floats of attention scratch per thread: the scores of ATT_TOKENS tokens' query heads sharing a KV head
 * (rows of n_ctx rounded up to 8), then ATT_ROWS K or V rows converted to f32 (kernels.as
 * attentionGrouped).
 */
function attentionScratch(c: ModelConfig): number {
  return ATT_TOKENS * (c.nHead / c.nHeadKv) * (c.nCtx + 8) + ATT_ROWS * Math.max(c.headDimK, c.headDimV);
}

/** Activation buffer sizes in bytes (the Buffers fields), for a shard of `threads` threads. */
function bufferSizes(c: ModelConfig, threads: number, withLogits: boolean): Record<keyof Buffers, number> {
  const B = MAX_BATCH;
  const nQ = c.nHead * c.headDimK;
  const nK = c.nHeadKv * c.headDimK;
  const nV = c.nHeadKv * c.headDimV;
  const kMax = Math.max(c.nEmbd, c.nFF, c.nHead * c.headDimV);
  return {
    x: 4 * B * c.nEmbd,
    xb: 4 * B * c.nEmbd,
    xb2: 4 * B * c.nEmbd,
    q: 4 * B * nQ,
    k: 4 * B * nK,
    v: 4 * B * nV,
    qkv: 4 * B * (nQ + nK + nV),
    attOut: 4 * B * c.nHead * c.headDimV,
    hb: 4 * B * c.nFF,
    hb2: 4 * B * c.nFF,
    hbFused: 4 * B * 2 * c.nFF,
    xq: B * activationRowBytes("q8_0x", kMax),
    scratch: 4 * threads * attentionScratch(c),
    angles: 16 * B * (c.rope.nRot / 2),
    jobs: 4 * (MATMUL_JOB * 4 + 1),
    logits: withLogits ? 4 * B * c.nVocab : 0,
  };
}

function sumSizes(sizes: Record<string, number>): number {
  let t = 0;
  for (const v of Object.values(sizes)) t += Math.ceil(v / ALIGN) * ALIGN;
  return t;
}

export async function createWasmBackend(gguf: GGUFFile, c: ModelConfig, opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  const threads = opts.threads ?? Math.max(1, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new KilnError(`--threads ${threads} is not a thread count (use a whole number from 1 to 256)`);
  }
  const limit = Math.min(opts.maxShardBytes ?? MAX_PAGES * PAGE, MAX_PAGES * PAGE);
  const label = gguf.path;
  const kvType = opts.kvType ?? "f32";
  const info = (name: string): GGUFTensorInfo | undefined => gguf.tensorsByName.get(name);
  const need = (name: string): GGUFTensorInfo => {
    const t = info(name);
    if (!t) throw new KilnError(`${label}: tensor ${name} is missing (a ${c.architecture} model needs it; is the file complete?)`);
    return t;
  };

  // which tensors each unit (a layer; the classifier with the final norm) needs
  const nQ = c.nHead * c.headDimK;
  const nK = c.nHeadKv * c.headDimK;
  const nV = c.nHeadKv * c.headDimV;
  const tied = c.architecture === "gemma2" || info("output.weight") === undefined;
  const layerTensors = (l: number): string[] => {
    const p = `blk.${l}.`;
    const names = c.architecture === "phi3" && info(p + "attn_qkv.weight")
      ? [p + "attn_qkv.weight"]
      : [p + "attn_q.weight", p + "attn_k.weight", p + "attn_v.weight"];
    names.push(p + "attn_output.weight", p + "ffn_up.weight", p + "ffn_down.weight");
    if (c.architecture !== "phi3") names.push(p + "ffn_gate.weight");
    return names;
  };
  const matrixNames = new Set<string>();
  for (let l = 0; l < c.nLayer; l++) for (const n of layerTensors(l)) matrixNames.add(n);
  matrixNames.add(tied ? "token_embd.weight" : "output.weight");
  for (const name of matrixNames) {
    const t = need(name);
    if (!MATMUL_TYPES.has(t.type)) {
      throw new KilnError(`${label}: tensor ${name} is ${t.typeInfo.name}, which the wasm backend cannot multiply yet (use --backend reference, or requantize to q4_k/q6_k/q8_0)`);
    }
  }

  // split into shards: [token_embd], layer 0, layer 1, ..., [output]; each unit whole in one shard.
  // The KV cache of one full-context sequence is reserved beside each layer.
  const el = kvType === "f16" ? 2 : 4;
  const kvPerLayer = c.nCtx * (nK + nV) * el;
  const units: { names: string[]; extra: number; layer?: number }[] = [];
  if (!tied) units.push({ names: ["token_embd.weight"], extra: 0 });
  // norm weights as f32 vectors beside their layer (gemma2 has four per layer), the final one beside the classifier
  const vecBytes = Math.ceil((4 * c.nEmbd) / ALIGN) * ALIGN + ALIGN;
  const normsPerLayer = c.architecture === "gemma2" ? 4 : 2;
  for (let l = 0; l < c.nLayer; l++) units.push({ names: layerTensors(l), extra: kvPerLayer + normsPerLayer * vecBytes, layer: l });
  units.push({ names: tied ? ["token_embd.weight"] : ["output.weight"], extra: vecBytes });
  const fixed = RESERVED + sumSizes(bufferSizes(c, threads, true));
  const kernels = await kernelModule(opts.simd);
  const shardOfLayer: number[] = [];
  const placements = new Map<string, TensorPlacement>();
  const shardBytes: number[] = [fixed];
  for (const u of units) {
    const bytes = u.names.reduce((a, n) => a + Math.ceil(storedBytes(need(n), kernels.relaxed) / ALIGN) * ALIGN, 0) + u.extra;
    if (fixed + bytes > limit) {
      throw new KilnError(`${label}: ${u.layer !== undefined ? `layer ${u.layer}` : u.names[0]} needs ${fixed + bytes} bytes, more than one wasm memory shard holds (${limit})`);
    }
    let s = shardBytes.length - 1;
    if (shardBytes[s]! + bytes > limit) {
      shardBytes.push(fixed);
      s++;
    }
    shardBytes[s] = shardBytes[s]! + bytes;
    for (const n of u.names) placements.set(n, { info: need(n), shard: s, addr: 0 });
    if (u.layer !== undefined) shardOfLayer.push(s);
  }

  const shards = shardBytes.map((bytes, i) => new Shard(i, limit, bytes));
  const buffers = shards.map((sh, i): Buffers => {
    const sizes = bufferSizes(c, threads, i === shards.length - 1);
    const b = {} as Buffers;
    for (const key of Object.keys(sizes) as (keyof Buffers)[]) b[key] = sizes[key] > 0 ? sh.alloc(sizes[key], "activation buffers") : 0;
    return b;
  });

  // weights: read from the file straight into their shard, in their ggml blocks; q4_0/q8_0 matrices are then
  // rewritten in place into the x4 layout (padding rows zeroed first)
  const pool = await WorkerPool.create(threads, kernels.module, shards.map((sh) => sh.memory));
  // x4 matrices the relaxed kernels multiply: all of them with a relaxed module, except q8_0 ones
  // holding a weight of -128 (see kernels.as countQ8_0Min)
  const relaxedNames = new Set<string>();
  const normalScaleNames = new Set<string>();
  try {
    for (const p of placements.values()) {
      const sh = shards[p.shard]!;
      const stored = storedBytes(p.info, kernels.relaxed);
      p.addr = sh.alloc(stored, `tensor ${p.info.name}`);
      gguf.readTensorInto(p.info, sh.u8(p.addr, p.info.nbytes));
      if (stored !== p.info.nbytes) sh.u8(p.addr + p.info.nbytes, stored - p.info.nbytes).fill(0);
      if (packsX4(p.info.name, p.info.type, kernels.relaxed)) {
        const t = p.info.typeInfo;
        const rowBytes = (p.info.ne[0]! / t.blockSize) * t.typeSize;
        const scratch = buffers[p.shard]!.xq;
        const fits = 4 * rowBytes * threads <= bufferSizes(c, threads, false).xq;
        const flag = buffers[p.shard]!.jobs;
        sh.u32(flag, 1)[0] = 0;
        // q4_0 for the relaxed kernels: quants interleaved four bytes at a time (kernels.as tokenQ4_0R);
        // q6_K: its quants unpacked a byte each, the matrix growing into the rest of its allocation (repackX6)
        const bytes4 = kernels.relaxed && p.info.type === GGMLType.Q4_0 ? 1 : 0;
        const groups = x4Rows(p.info.nbytes / rowBytes) / 4;
        const args = [p.addr, rowBytes, groups, p.info.type, scratch, 4 * rowBytes, flag, bytes4];
        if (fits) pool.run(p.shard, "repackX4", args);
        else pool.runLocal(p.shard, "repackX4", args);
        if (sh.u32(flag, 1)[0] === 0) normalScaleNames.add(p.info.name);
        if (kernels.relaxed) {
          let ok = true;
          if (p.info.type === GGMLType.Q8_0) {
            const flag = buffers[p.shard]!.jobs;
            sh.u32(flag, 1)[0] = 0;
            pool.run(p.shard, "countQ8_0Min", [p.addr, groups, rowBytes / t.typeSize, flag]);
            ok = sh.u32(flag, 1)[0] === 0;
          }
          if (ok) relaxedNames.add(p.info.name);
        }
      }
    }
    const matrix = (name: string, cols: number, rows: number): Matrix => {
      const p = placements.get(name)!;
      const t = p.info;
      if (t.ne.length > 2 && t.ne.slice(2).some((d) => d !== 1)) {
        throw new KilnError(`${label}: tensor ${name} has shape [${t.ne.join(", ")}], expected a matrix [${cols}, ${rows}]`);
      }
      if (t.ne[0] !== cols || (t.ne[1] ?? 1) !== rows) {
        throw new KilnError(`${label}: tensor ${name} has shape [${t.ne.join(", ")}], expected [${cols}, ${rows}] for this ${c.architecture} config`);
      }
      if (cols % t.typeInfo.blockSize !== 0) {
        throw new KilnError(`${label}: tensor ${name} is ${t.typeInfo.name} with rows of ${cols}, not a multiple of its block size ${t.typeInfo.blockSize}`);
      }
      const rowBytes = (cols / t.typeInfo.blockSize) * t.typeInfo.typeSize;
      const relaxed = relaxedNames.has(name) || (kernels.relaxed && isKX4(t.type));
      return { name, shard: p.shard, type: t.typeInfo, addr: p.addr, rowBytes, cols, rows, x4: packsX4(name, t.type, kernels.relaxed), relaxed, normalScales: normalScaleNames.has(name) };
    };
    const vector = (name: string, len: number): Float32Array => {
      const t = need(name);
      if (t.nelements !== len) throw new KilnError(`${label}: tensor ${name} has ${t.nelements} values, expected ${len}`);
      return dequantizeRow(t.type as GGMLType, gguf.readTensor(t), len);
    };
    const optionalVector = (name: string, len: number): Float32Array | undefined => (info(name) ? vector(name, len) : undefined);
    /** A vector copied into shard `shard`'s memory as f32, for the kernels: its address. */
    const vectorIn = (shard: number, name: string, len: number): number => {
      const v = vector(name, len);
      const sh = shards[shard]!;
      const addr = sh.alloc(4 * len, `tensor ${name}`);
      sh.f32(addr, len).set(v);
      return addr;
    };

    const layers: Layer[] = [];
    for (let l = 0; l < c.nLayer; l++) {
      const p = `blk.${l}.`;
      const fused = placements.has(p + "attn_qkv.weight");
      const phi3 = c.architecture === "phi3";
      const qwen2 = c.architecture === "qwen2";
      const gemma2 = c.architecture === "gemma2";
      layers.push({
        shard: shardOfLayer[l]!,
        attnNorm: vectorIn(shardOfLayer[l]!, p + "attn_norm.weight", c.nEmbd),
        ...(fused
          ? { wqkv: matrix(p + "attn_qkv.weight", c.nEmbd, nQ + nK + nV) }
          : { wq: matrix(p + "attn_q.weight", c.nEmbd, nQ), wk: matrix(p + "attn_k.weight", c.nEmbd, nK), wv: matrix(p + "attn_v.weight", c.nEmbd, nV) }),
        bq: qwen2 ? vector(p + "attn_q.bias", nQ) : optionalVector(p + "attn_q.bias", nQ),
        bk: qwen2 ? vector(p + "attn_k.bias", nK) : optionalVector(p + "attn_k.bias", nK),
        bv: qwen2 ? vector(p + "attn_v.bias", nV) : optionalVector(p + "attn_v.bias", nV),
        wo: matrix(p + "attn_output.weight", c.nHead * c.headDimV, c.nEmbd),
        postAttnNorm: gemma2 ? vectorIn(shardOfLayer[l]!, p + "post_attention_norm.weight", c.nEmbd) : undefined,
        ffnNorm: vectorIn(shardOfLayer[l]!, p + "ffn_norm.weight", c.nEmbd),
        ffnGate: phi3 ? undefined : matrix(p + "ffn_gate.weight", c.nEmbd, c.nFF),
        ffnUp: matrix(p + "ffn_up.weight", c.nEmbd, phi3 ? 2 * c.nFF : c.nFF),
        ffnDown: matrix(p + "ffn_down.weight", c.nFF, c.nEmbd),
        postFfwNorm: gemma2 ? vectorIn(shardOfLayer[l]!, p + "post_ffw_norm.weight", c.nEmbd) : undefined,
      });
    }
    const tokenEmbd = matrix("token_embd.weight", c.nEmbd, c.nVocab);
    const output = tied ? tokenEmbd : matrix("output.weight", c.nEmbd, c.nVocab);
    return new WasmBackend(
      c, shards, pool, layers, tokenEmbd, vectorIn(output.shard, "output_norm.weight", c.nEmbd), output,
      optionalVector("rope_freqs.weight", c.rope.nRot / 2), buffers, { kvType },
    );
  } catch (e) {
    // a tensor that does not fit or has the wrong shape: stop the workers before reporting it
    pool.dispose();
    throw e;
  }
}

registerBackend("wasm", (gguf, config, opts) => createWasmBackend(gguf, config, opts));
