// The model's tensors, by role, with their shapes checked against the config. Matrices keep the
// file's bytes in their ggml type and are decoded one row at a time (WeightMatrix.row), so a quantized
// model is never expanded to f32 as a whole. Tensor names are llama.cpp's (src/llama-arch.cpp).

import { KilnError } from "../errors.js";
import type { GGUFFile } from "../gguf/reader.js";
import type { GGUFTensorInfo } from "../gguf/types.js";
import { dequantizeRow } from "../quant/index.js";
import type { TypeInfo } from "../quant/types.js";
import type { ModelConfig } from "./config.js";

/** A 2-D weight [cols, rows] in ggml order: `rows` output features, each a row of `cols` inputs. */
export class WeightMatrix {
  readonly rowBytes: number;
  /** The values themselves when the tensor is f32 (no decoding needed). */
  readonly f32: Float32Array | undefined;

  constructor(
    readonly name: string,
    readonly type: TypeInfo,
    readonly cols: number,
    readonly rows: number,
    readonly bytes: Uint8Array,
  ) {
    this.rowBytes = (cols / type.blockSize) * type.typeSize;
    this.f32 = type.name === "f32" ? new Float32Array(bytes.buffer, bytes.byteOffset, cols * rows) : undefined;
  }

  /** Row r decoded to f32 into out[0..cols) (ggml's to_float on that row's blocks). */
  row(r: number, out: Float32Array): Float32Array {
    return this.decodeRows(r, 1, out);
  }

  /** Rows r0 .. r0+n-1 decoded to f32 into out[0 .. n*cols), row after row. */
  decodeRows(r0: number, n: number, out: Float32Array): Float32Array {
    if (this.f32) {
      out.set(this.f32.subarray(r0 * this.cols, (r0 + n) * this.cols));
      return out;
    }
    const src = this.bytes.subarray(r0 * this.rowBytes, (r0 + n) * this.rowBytes);
    dequantizeRow(this.type.id, src, n * this.cols, out);
    return out;
  }
}

export interface LayerWeights {
  readonly attnNorm: Float32Array; // (n_embd,)
  /** Separate projections (llama, qwen2, gemma2) ... */
  readonly wq?: WeightMatrix; // [n_embd -> n_head * head_k]
  readonly wk?: WeightMatrix; // [n_embd -> n_head_kv * head_k]
  readonly wv?: WeightMatrix; // [n_embd -> n_head_kv * head_v]
  /** ... or one fused q|k|v projection (phi3): rows are Q, then K, then V. */
  readonly wqkv?: WeightMatrix;
  readonly bq?: Float32Array; // qwen2 biases
  readonly bk?: Float32Array;
  readonly bv?: Float32Array;
  readonly wo: WeightMatrix; // [n_head * head_v -> n_embd]
  readonly postAttnNorm?: Float32Array; // gemma2 (n_embd,)
  readonly ffnNorm: Float32Array; // (n_embd,)
  /** Separate gate (llama) or, when absent, ffnUp holds gate|up halves (phi3). */
  readonly ffnGate?: WeightMatrix; // [n_embd -> n_ff]
  readonly ffnUp: WeightMatrix; // [n_embd -> n_ff] (or 2 * n_ff fused)
  readonly ffnDown: WeightMatrix; // [n_ff -> n_embd]
  readonly postFfwNorm?: Float32Array; // gemma2 (n_embd,)
}

export interface ModelWeights {
  readonly tokenEmbd: WeightMatrix; // [n_embd, n_vocab]: row t is token t's embedding
  readonly layers: readonly LayerWeights[];
  readonly outputNorm: Float32Array; // (n_embd,)
  /** output.weight, or token_embd when the model ties them (no output.weight in the file). */
  readonly output: WeightMatrix; // [n_embd -> n_vocab]
  /** rope_freqs.weight (Llama 3.1): per-frequency divisors of the rotation angle. */
  readonly ropeFreqs?: Float32Array; // (n_rot / 2,)
}

/** Reads every tensor the architecture needs; a missing or misshapen one is a KilnError naming it. */
export function loadWeights(f: GGUFFile, c: ModelConfig): ModelWeights {
  const label = f.path;
  const info = (name: string): GGUFTensorInfo | undefined => f.tensorsByName.get(name);
  const need = (name: string): GGUFTensorInfo => {
    const t = info(name);
    if (!t) throw new KilnError(`${label}: tensor ${name} is missing (a ${c.architecture} model needs it; is the file complete?)`);
    return t;
  };
  const matrix = (name: string, cols: number, rows: number): WeightMatrix => {
    const t = need(name);
    if (t.ne.length > 2 && t.ne.slice(2).some((d) => d !== 1)) {
      throw new KilnError(`${label}: tensor ${name} has shape [${t.ne.join(", ")}], expected a matrix [${cols}, ${rows}]`);
    }
    if (t.ne[0] !== cols || (t.ne[1] ?? 1) !== rows) {
      throw new KilnError(`${label}: tensor ${name} has shape [${t.ne.join(", ")}], expected [${cols}, ${rows}] for this ${c.architecture} config`);
    }
    if (cols % t.typeInfo.blockSize !== 0) {
      throw new KilnError(`${label}: tensor ${name} is ${t.typeInfo.name} with rows of ${cols}, not a multiple of its block size ${t.typeInfo.blockSize}`);
    }
    return new WeightMatrix(name, t.typeInfo, cols, rows, f.readTensor(t));
  };
  const vector = (name: string, n: number): Float32Array => {
    const t = need(name);
    if (t.nelements !== n) throw new KilnError(`${label}: tensor ${name} has ${t.nelements} values, expected ${n}`);
    const m = new WeightMatrix(name, t.typeInfo, n, 1, f.readTensor(t));
    return m.row(0, new Float32Array(n));
  };
  const optionalVector = (name: string, n: number): Float32Array | undefined => (info(name) ? vector(name, n) : undefined);

  const { nEmbd, nHead, nHeadKv, headDimK, headDimV, nFF, nVocab } = c;
  const nQ = nHead * headDimK;
  const nK = nHeadKv * headDimK;
  const nV = nHeadKv * headDimV;

  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    const p = `blk.${l}.`;
    const fusedQKV = c.architecture === "phi3" && info(p + "attn_qkv.weight") !== undefined;
    const fusedUp = c.architecture === "phi3";
    layers.push({
      attnNorm: vector(p + "attn_norm.weight", nEmbd),
      ...(fusedQKV
        ? { wqkv: matrix(p + "attn_qkv.weight", nEmbd, nQ + nK + nV) }
        : {
            wq: matrix(p + "attn_q.weight", nEmbd, nQ),
            wk: matrix(p + "attn_k.weight", nEmbd, nK),
            wv: matrix(p + "attn_v.weight", nEmbd, nV),
          }),
      // qwen2 requires the biases (llama.cpp refuses the file without them); others may carry them.
      bq: c.architecture === "qwen2" ? vector(p + "attn_q.bias", nQ) : optionalVector(p + "attn_q.bias", nQ),
      bk: c.architecture === "qwen2" ? vector(p + "attn_k.bias", nK) : optionalVector(p + "attn_k.bias", nK),
      bv: c.architecture === "qwen2" ? vector(p + "attn_v.bias", nV) : optionalVector(p + "attn_v.bias", nV),
      wo: matrix(p + "attn_output.weight", nHead * headDimV, nEmbd),
      postAttnNorm: c.architecture === "gemma2" ? vector(p + "post_attention_norm.weight", nEmbd) : undefined,
      ffnNorm: vector(p + "ffn_norm.weight", nEmbd),
      ffnGate: fusedUp ? undefined : matrix(p + "ffn_gate.weight", nEmbd, nFF),
      ffnUp: matrix(p + "ffn_up.weight", nEmbd, fusedUp ? 2 * nFF : nFF),
      ffnDown: matrix(p + "ffn_down.weight", nFF, nEmbd),
      postFfwNorm: c.architecture === "gemma2" ? vector(p + "post_ffw_norm.weight", nEmbd) : undefined,
    });
  }
  const tokenEmbd = matrix("token_embd.weight", nEmbd, nVocab);
  // gemma2 always ties the output to the embedding; the others tie it when output.weight is absent.
  const tied = c.architecture === "gemma2" || info("output.weight") === undefined;
  return {
    tokenEmbd,
    layers,
    outputNorm: vector("output_norm.weight", nEmbd),
    output: tied ? tokenEmbd : matrix("output.weight", nEmbd, nVocab),
    ropeFreqs: optionalVector("rope_freqs.weight", c.rope.nRot / 2),
  };
}
