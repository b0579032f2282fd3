// Model re-quantization as llama.cpp's llama-quantize does it: a file type (a "mix" such as Q4_K_M)
// picks a ggml type per tensor, the tensors are converted row by row with engine/quant's reference
// quantizers (byte-exact with ggml's), and the result is written with the GGUF writer, streamed.
// Reference: llama.cpp src/llama-quant.cpp (llama_tensor_get_type, llama_model_quantize_impl) at the
// golden commit (Feb 2025) and the llama_ftype values in include/llama.h.
// Where llama-quantize stops with "Unsupported tensor size" (a row that fits neither the type nor one
// of its fallbacks, e.g. q4_0 with rows of 172), kiln stores the tensor as F16, the last fallback
// llama-quantize uses itself, and says so in the plan.

import { KilnError } from "../errors.js";
import { canDequantize, canQuantize, dequantizeRow, quantizeRow } from "../quant/index.js";
import { GGMLType, typeInfo, typeInfoByName } from "../quant/types.js";
import type { GGUFFile } from "./reader.js";
import { openModel } from "./split.js";
import { GGUFValueType, isGGUFArray, type GGUFKV, type GGUFTensorInfo } from "./types.js";
import { writeGGUF, type GGUFWriterTensor } from "./writer.js";

/** llama.cpp's llama_ftype: the file types (mixes) llama-quantize writes, with their base ggml type. */
export interface FileType {
  readonly name: string;
  readonly id: number;
  readonly base: GGMLType;
}

const T = GGMLType;
export const FILE_TYPES: readonly FileType[] = [
  { name: "F32", id: 0, base: T.F32 },
  { name: "F16", id: 1, base: T.F16 },
  { name: "Q4_0", id: 2, base: T.Q4_0 },
  { name: "Q4_1", id: 3, base: T.Q4_1 },
  { name: "Q8_0", id: 7, base: T.Q8_0 },
  { name: "Q5_0", id: 8, base: T.Q5_0 },
  { name: "Q5_1", id: 9, base: T.Q5_1 },
  { name: "Q2_K", id: 10, base: T.Q2_K },
  { name: "Q3_K_S", id: 11, base: T.Q3_K },
  { name: "Q3_K_M", id: 12, base: T.Q3_K },
  { name: "Q3_K_L", id: 13, base: T.Q3_K },
  { name: "Q4_K_S", id: 14, base: T.Q4_K },
  { name: "Q4_K_M", id: 15, base: T.Q4_K },
  { name: "Q5_K_S", id: 16, base: T.Q5_K },
  { name: "Q5_K_M", id: 17, base: T.Q5_K },
  { name: "Q6_K", id: 18, base: T.Q6_K },
  { name: "IQ2_XXS", id: 19, base: T.IQ2_XXS },
  { name: "IQ2_XS", id: 20, base: T.IQ2_XS },
  { name: "Q2_K_S", id: 21, base: T.Q2_K },
  { name: "IQ3_XS", id: 22, base: T.IQ3_S },
  { name: "IQ3_XXS", id: 23, base: T.IQ3_XXS },
  { name: "IQ1_S", id: 24, base: T.IQ1_S },
  { name: "IQ4_NL", id: 25, base: T.IQ4_NL },
  { name: "IQ3_S", id: 26, base: T.IQ3_S },
  { name: "IQ3_M", id: 27, base: T.IQ3_S },
  { name: "IQ2_S", id: 28, base: T.IQ2_XS },
  { name: "IQ2_M", id: 29, base: T.IQ2_S },
  { name: "IQ4_XS", id: 30, base: T.IQ4_XS },
  { name: "IQ1_M", id: 31, base: T.IQ1_M },
  { name: "BF16", id: 32, base: T.BF16 },
  { name: "TQ1_0", id: 36, base: T.TQ1_0 },
  { name: "TQ2_0", id: 37, base: T.TQ2_0 },
];

/** llama-quantize's short names: Q4_K means Q4_K_M, and so on. */
const ALIASES: Record<string, string> = { Q3_K: "Q3_K_M", Q4_K: "Q4_K_M", Q5_K: "Q5_K_M" };

/** The file type for a name such as "q4_k_m" or "Q8_0" (case-insensitive). */
export function fileTypeByName(name: string): FileType {
  const up = name.toUpperCase();
  const ft = FILE_TYPES.find((f) => f.name === (ALIASES[up] ?? up));
  if (!ft) {
    throw new KilnError(
      `quantize type "${name}" is not a llama.cpp file type; use one of ${FILE_TYPES.map((f) => f.name.toLowerCase()).join(", ")}`,
      "BAD_ARGUMENT",
    );
  }
  return ft;
}

const QK_K = 256;
/** GGML_QNT_VERSION, written as general.quantization_version. */
export const GGML_QNT_VERSION = 2;

/** The model facts llama_tensor_get_type looks at. */
interface Hparams {
  arch: string;
  nLayer: number;
  nGqa: number;
  nExpert: number;
  is70B: boolean;
}

function firstNumber(f: GGUFFile, key: string): number | undefined {
  const v = f.get(key);
  if (v !== undefined && isGGUFArray(v)) {
    const x = v.items[0];
    return typeof x === "number" ? x : typeof x === "bigint" ? Number(x) : undefined;
  }
  return f.getNumber(key);
}

function hparams(f: GGUFFile): Hparams {
  const arch = f.getString("general.architecture");
  if (!arch) throw new KilnError(`${f.path}: general.architecture is missing, so the quantization mix cannot be chosen`);
  const nLayer = f.getNumber(`${arch}.block_count`) ?? 0;
  const nHead = firstNumber(f, `${arch}.attention.head_count`) ?? 0;
  const nHeadKv = firstNumber(f, `${arch}.attention.head_count_kv`) ?? nHead;
  // llama.cpp calls an 80-layer llama with grouped-query attention "70B" and gives its attn_v more bits.
  const is70B = arch === "llama" && nLayer === 80 && nHead !== nHeadKv;
  return {
    arch, nLayer, nGqa: nHeadKv > 0 ? Math.trunc(nHead / nHeadKv) : 0, nExpert: f.getNumber(`${arch}.expert_count`) ?? 0, is70B,
  };
}

/**
 * llama.cpp's tensor order for quantization (llama_model_loader's weight_name_comparer): tensors
 * outside the blocks first, then by block number, each group by name. The per-layer rules count
 * tensors in this order, and llama-quantize writes its output in it.
 */
export function llamaQuantizeOrder(a: string, b: string): number {
  const layer = (s: string) => {
    const m = /^blk\.(\d+)\./.exec(s);
    return m ? Number(m[1]) : -1;
  };
  const la = layer(a);
  const lb = layer(b);
  if (la !== lb) return la - lb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether llama-quantize converts this tensor at all (2-D+ weights that are not norms, gates of experts...). */
function allowsQuantization(t: GGUFTensorInfo): boolean {
  const name = t.name;
  if (!name.endsWith("weight")) return false;
  // ggml_n_dims < 2: vectors (norms, biases) stay as they are.
  if (!t.ne.slice(1).some((n) => n > 1)) return false;
  const never = [
    "_norm.weight", "ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d.weight",
    "shortconv.conv.weight", "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
    "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight",
    "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight",
    "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd.",
  ];
  if (never.some((s) => name.includes(s))) return false;
  // BERT's positional embeddings and token types.
  if (name === "position_embd.weight" || name === "token_types.weight") return false;
  return true;
}

/** One tensor's decision. */
export interface QuantPlanEntry {
  readonly tensor: GGUFTensorInfo;
  readonly type: GGMLType;
  /** Why the type differs from the mix's rule, when a row did not fit (llama.cpp's fallback). */
  readonly fallback?: string;
}

export interface QuantPlanOptions {
  /** llama-quantize --pure: every quantizable tensor gets the base type (fallbacks still apply). */
  readonly pure?: boolean;
  /** llama-quantize --output-tensor-type and --token-embedding-type. */
  readonly outputType?: GGMLType;
  readonly tokenEmbeddingType?: GGMLType;
}

class MixState {
  nAttentionWv = 0;
  iAttentionWv = 0;
  iFfnDown = 0;
  iFfnGate = 0;
  iFfnUp = 0;
  hasOutput = false;
  constructor(readonly hp: Hparams, readonly ft: FileType, readonly opts: QuantPlanOptions) {}
}

function useMoreBits(iLayer: number, nLayers: number): boolean {
  const d8 = Math.trunc(nLayers / 8);
  return iLayer < d8 || iLayer >= Math.trunc((7 * nLayers) / 8) || (iLayer - d8) % 3 === 2;
}

/** llama_tensor_get_type: the mix's choice for one tensor, before the row-size fallback. */
function mixType(qs: MixState, t: GGUFTensorInfo, base: GGMLType): GGMLType {
  const name = t.name;
  const f = qs.ft.name;
  const { arch, nGqa, nExpert, nLayer } = qs.hp;
  let type = base;
  const layerOf = (counter: number): number => {
    if (nExpert <= 1) return counter;
    // Experts are not stored in layer order, so llama.cpp reads the layer from the name.
    const m = /^blk\.(\d+)\./.exec(name);
    if (!m || Number(m[1]) >= nLayer) throw new KilnError(`tensor ${name}: cannot tell its layer (expected blk.N. with N < ${nLayer})`);
    return Number(m[1]);
  };
  const iq12 = ["IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"].includes(f);

  if (name === "output.weight" || (!qs.hasOutput && name === "token_embd.weight")) {
    if (qs.opts.outputType !== undefined) return qs.opts.outputType;
    if (arch === "falcon" || t.ne[0]! % QK_K !== 0) type = T.Q8_0;
    else if (["IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"].includes(f)) type = T.Q5_K;
    else if (type !== T.Q8_0) type = T.Q6_K;
  } else if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") {
    if (qs.opts.tokenEmbeddingType !== undefined) return qs.opts.tokenEmbeddingType;
    if (["IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"].includes(f)) type = T.Q2_K;
    else if (["IQ2_S", "IQ2_M", "IQ3_XXS"].includes(f)) type = T.IQ3_S;
    else if (f === "TQ1_0" || f === "TQ2_0") type = T.Q4_K;
  } else if (iq12) {
    const iq3s = f === "IQ2_S" || f === "IQ2_M";
    if (name.includes("attn_v.weight")) {
      if (nGqa >= 4 || nExpert >= 4) type = T.Q4_K;
      else type = iq3s ? T.IQ3_S : T.Q2_K;
      qs.iAttentionWv++;
    } else if (nExpert === 8 && name.includes("attn_k.weight")) {
      type = T.Q4_K;
    } else if (name.includes("ffn_down")) {
      if (qs.iFfnDown < Math.trunc(nLayer / 8)) type = iq3s ? T.IQ3_S : T.Q2_K;
      qs.iFfnDown++;
    } else if (name.includes("attn_output.weight")) {
      if (nExpert === 8) type = T.Q5_K;
      else if (f === "IQ1_S" || f === "IQ1_M") type = T.IQ2_XXS;
      else if (iq3s) type = T.IQ3_S;
    }
  } else if (name.includes("attn_v.weight")) {
    const i = qs.iAttentionWv;
    if (f === "Q2_K") type = nGqa >= 4 ? T.Q4_K : T.Q3_K;
    else if (f === "Q2_K_S" && nGqa >= 4) type = T.Q4_K;
    else if (f === "IQ3_XXS") type = nGqa >= 4 ? T.Q4_K : T.IQ3_S; // no importance matrix in kiln
    else if ((f === "IQ3_XS" || f === "IQ3_S") && nGqa >= 4) type = T.Q4_K;
    else if (f === "IQ3_M") type = T.Q4_K;
    else if (f === "Q3_K_M") type = i < 2 ? T.Q5_K : T.Q4_K;
    else if (f === "Q3_K_L") type = T.Q5_K;
    else if ((f === "IQ4_NL" || f === "IQ4_XS") && nGqa >= 4) type = T.Q5_K;
    else if ((f === "Q4_K_M" || f === "Q5_K_M") && useMoreBits(i, qs.nAttentionWv)) type = T.Q6_K;
    else if (f === "Q4_K_S" && i < 4) type = T.Q5_K;
    if (qs.hp.is70B && (type === T.Q3_K || type === T.Q4_K)) type = T.Q5_K;
    if (nExpert === 8) type = T.Q8_0;
    qs.iAttentionWv++;
  } else if (name.includes("attn_k.weight")) {
    if (nExpert === 8) type = T.Q8_0;
    else if (f === "IQ3_XS") type = T.IQ3_XXS;
    else if (f === "IQ3_XXS") type = T.IQ2_S;
  } else if (name.includes("attn_q.weight")) {
    if (f === "IQ3_XS") type = T.IQ3_XXS;
    else if (f === "IQ3_XXS") type = T.IQ2_S;
  } else if (name.includes("ffn_down")) {
    const i = layerOf(qs.iFfnDown);
    const n = nLayer;
    if (f === "Q2_K") type = T.Q3_K;
    else if (f === "Q2_K_S") {
      if (i < Math.trunc(n / 8)) type = T.Q4_K;
    } else if (f === "IQ3_XXS") type = i < Math.trunc(n / 8) ? T.Q4_K : T.Q3_K;
    else if (f === "Q3_K_M") {
      type = i < Math.trunc(n / 16) ? T.Q5_K : arch !== "falcon" || useMoreBits(i, n) ? T.Q4_K : T.Q3_K;
    } else if (f === "IQ3_M" && (i < Math.trunc(n / 8) || (nExpert === 8 && useMoreBits(i, n)))) type = T.Q4_K;
    else if (f === "Q3_K_L") type = arch === "falcon" ? T.Q4_K : T.Q5_K;
    else if (f === "Q4_K_M") {
      if (arch === "falcon") type = i < Math.trunc(n / 16) ? T.Q6_K : useMoreBits(i, n) ? T.Q5_K : T.Q4_K;
      else if (useMoreBits(i, n)) type = T.Q6_K;
    } else if (i < Math.trunc(n / 8) && (f === "IQ4_NL" || f === "IQ4_XS")) type = T.Q5_K;
    else if (f === "Q5_K_M" && useMoreBits(i, n)) type = T.Q6_K;
    else if (f === "Q4_K_S" && arch !== "falcon" && i < Math.trunc(n / 8)) type = T.Q5_K;
    qs.iFfnDown++;
  } else if (name.includes("attn_output.weight")) {
    if (arch !== "falcon") {
      if (nExpert === 8) {
        if (["Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M", "IQ3_S", "IQ3_M", "IQ4_XS"].includes(f)) {
          type = T.Q5_K;
        }
      } else if (f === "Q2_K") type = T.Q3_K;
      else if (f === "IQ3_XXS") type = T.IQ3_S;
      else if (f === "Q3_K_M" || f === "IQ3_M") type = T.Q4_K;
      else if (f === "Q3_K_L") type = T.Q5_K;
    } else if (f === "Q3_K_L") type = T.Q4_K;
  } else if (name.includes("attn_qkv.weight")) {
    if (f === "Q3_K_M" || f === "Q3_K_L" || f === "IQ3_M") type = T.Q4_K;
    else if (f === "Q4_K_M") type = T.Q5_K;
    else if (f === "Q5_K_M") type = T.Q6_K;
  } else if (name.includes("ffn_gate")) {
    const i = layerOf(qs.iFfnGate);
    if (f === "IQ3_XS" && i >= Math.trunc(nLayer / 8) && i < Math.trunc((7 * nLayer) / 8)) type = T.IQ3_XXS;
    qs.iFfnGate++;
  } else if (name.includes("ffn_up")) {
    const i = layerOf(qs.iFfnUp);
    if (f === "IQ3_XS" && i >= Math.trunc(nLayer / 8) && i < Math.trunc((7 * nLayer) / 8)) type = T.IQ3_XXS;
    qs.iFfnUp++;
  }
  return type;
}

/** llama.cpp's fallback when the row length is not a multiple of the chosen type's block. */
function fitRow(t: GGUFTensorInfo, type: GGMLType): { type: GGMLType; fallback?: string } {
  const ncols = t.ne[0]!;
  const want = typeInfo(type);
  if (ncols % want.blockSize === 0) return { type };
  const next: Partial<Record<number, GGMLType>> = {
    [T.TQ1_0]: T.Q4_0, [T.TQ2_0]: T.Q4_0,
    [T.IQ2_XXS]: T.IQ4_NL, [T.IQ2_XS]: T.IQ4_NL, [T.IQ2_S]: T.IQ4_NL, [T.IQ3_XXS]: T.IQ4_NL, [T.IQ3_S]: T.IQ4_NL,
    [T.IQ1_S]: T.IQ4_NL, [T.IQ1_M]: T.IQ4_NL, [T.Q2_K]: T.IQ4_NL, [T.Q3_K]: T.IQ4_NL, [T.IQ4_XS]: T.IQ4_NL,
    [T.Q4_K]: T.Q5_0, [T.Q5_K]: T.Q5_1, [T.Q6_K]: T.Q8_0,
  };
  let out = next[type] ?? T.F16;
  if (ncols % typeInfo(out).blockSize !== 0) out = T.F16;
  const why = `row length ${ncols} is not a multiple of ${want.name}'s ${want.blockSize}`;
  return { type: out, fallback: `${why}: ${typeInfo(out).name} instead` };
}

/**
 * The type of every tensor under file type `ft`, in llama-quantize's processing order. Tensors that
 * are not quantized keep their type.
 */
export function planQuantization(f: GGUFFile, ft: FileType, opts: QuantPlanOptions = {}): QuantPlanEntry[] {
  const hp = hparams(f);
  const qs = new MixState(hp, ft, opts);
  const ordered = [...f.tensors].sort((a, b) => llamaQuantizeOrder(a.name, b.name));
  for (const t of ordered) {
    if (t.name.includes("attn_v.weight") || t.name.includes("attn_qkv.weight") || t.name.includes("attn_kv_b.weight")) {
      qs.nAttentionWv++;
    } else if (t.name === "output.weight") {
      qs.hasOutput = true;
    }
  }
  const baseIsQuantized = typeInfo(ft.base).blockSize > 1;
  return ordered.map((t): QuantPlanEntry => {
    if (!allowsQuantization(t)) return { tensor: t, type: t.type };
    let type: GGMLType = ft.base;
    let fallback: string | undefined;
    if (baseIsQuantized) {
      if (!opts.pure) type = mixType(qs, t, type);
      ({ type, fallback } = fitRow(t, type));
    }
    if (opts.tokenEmbeddingType !== undefined && t.name === "token_embd.weight") type = opts.tokenEmbeddingType;
    if (opts.outputType !== undefined && t.name === "output.weight") type = opts.outputType;
    return fallback ? { tensor: t, type, fallback } : { tensor: t, type };
  });
}

export interface QuantizeOptions extends QuantPlanOptions {
  /** Allow converting tensors that are already quantized (llama-quantize --allow-requantize). */
  readonly allowRequantize?: boolean;
  /** Keep the input's tensor order instead of llama-quantize's. */
  readonly keepOrder?: boolean;
  /** Called as tensors are written: done and total bytes of output tensor data, and the current tensor. */
  readonly onProgress?: (doneBytes: number, totalBytes: number, tensor: string) => void;
}

export interface QuantizeResult {
  readonly plan: QuantPlanEntry[];
  readonly inputBytes: number;
  readonly outputBytes: number;
}

/** Rows converted per step: bounded memory whatever the tensor's size. */
const CHUNK_VALUES = 1 << 22;

function* convertTensor(f: GGUFFile, t: GGUFTensorInfo, to: GGMLType): Generator<Uint8Array> {
  const rowLen = t.ne[0]!;
  const from = t.typeInfo;
  const nRows = t.nelements / rowLen;
  const srcRowBytes = (rowLen / from.blockSize) * from.typeSize;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_VALUES / rowLen));
  for (let r = 0; r < nRows; r += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, nRows - r);
    const raw = f.readBytes(t.part, t.offset + r * srcRowBytes, rows * srcRowBytes);
    const values = from.id === T.F32
      ? new Float32Array(raw.buffer, raw.byteOffset, rows * rowLen)
      : dequantizeRow(from.id, raw, rows * rowLen);
    yield quantizeRow(to, values);
  }
}

/** llama-quantize refuses these without an importance matrix ("Missing importance matrix ..."). */
function needsImatrix(e: QuantPlanEntry, ft: FileType): boolean {
  const name = e.tensor.name;
  const t = e.type;
  return t === T.IQ2_XXS || t === T.IQ2_XS || t === T.IQ2_S || t === T.IQ1_S ||
    (t === T.IQ1_M && name !== "token_embd.weight" && name !== "output.weight") ||
    (t === T.Q2_K && ft.name === "Q2_K_S" && name !== "token_embd.weight");
}

/** Quantizes an opened model into `outPath`; see quantizeModel. */
export async function quantizeFile(f: GGUFFile, outPath: string, ft: FileType, opts: QuantizeOptions = {}): Promise<QuantizeResult> {
  let plan = planQuantization(f, ft, opts);
  for (const e of plan) {
    if (e.type === e.tensor.type) continue;
    const from = e.tensor.typeInfo;
    const to = typeInfo(e.type);
    if (from.blockSize > 1 && !opts.allowRequantize) {
      throw new KilnError(
        `tensor ${e.tensor.name} is already ${from.name}; requantizing loses precision, so pass --allow-requantize to do it anyway`,
        "BAD_ARGUMENT",
      );
    }
    if (from.id !== T.F32 && !canDequantize(from.id)) {
      throw new KilnError(`tensor ${e.tensor.name}: kiln cannot convert from ${from.name}; quantize from an f32, f16 or bf16 model`);
    }
    if (needsImatrix(e, ft)) {
      throw new KilnError(
        `tensor ${e.tensor.name} would be ${to.name}, which llama.cpp only makes with an importance matrix ` +
          `(without one "the result will be garbage"); kiln has no importance matrices, so choose a type of 3 bits or more`,
        "BAD_ARGUMENT",
      );
    }
    if (!canQuantize(e.type)) {
      throw new KilnError(
        `tensor ${e.tensor.name} needs ${to.name}, which kiln cannot quantize to (ggml needs an importance matrix or kiln lacks the quantizer); choose another type`,
        "BAD_ARGUMENT",
      );
    }
  }
  if (opts.keepOrder) {
    const index = new Map(f.tensors.map((t, i) => [t.name, i]));
    plan = [...plan].sort((a, b) => index.get(a.tensor.name)! - index.get(b.tensor.name)!);
  }

  // llama-quantize copies the metadata, then sets these two keys (moving them to the end) and drops split keys.
  const kvs: GGUFKV[] = f.kvs.filter(
    (k) => k.key !== "general.quantization_version" && k.key !== "general.file_type" && !k.key.startsWith("split."),
  );
  kvs.push({ key: "general.quantization_version", type: GGUFValueType.UINT32, value: GGML_QNT_VERSION });
  kvs.push({ key: "general.file_type", type: GGUFValueType.UINT32, value: ft.id });

  const tensors: GGUFWriterTensor[] = plan.map((e) => ({
    name: e.tensor.name,
    type: e.type,
    ne: e.tensor.ne,
    data: e.type === e.tensor.type ? () => f.readTensorChunks(e.tensor) : () => convertTensor(f, e.tensor, e.type),
  }));
  const layout = await writeGGUF(outPath, { version: 3, kvs, tensors }, {
    onData: (i, done, total) => opts.onProgress?.(done, total, plan[i]!.tensor.name),
  });
  return {
    plan,
    inputBytes: f.tensors.reduce((a, t) => a + t.nbytes, 0),
    outputBytes: layout.tensors.reduce((a, t) => a + t.nbytes, 0),
  };
}

/** `kiln quantize IN OUT TYPE`: re-quantizes a model (single or split) into one file. */
export async function quantizeModel(inPath: string, outPath: string, typeName: string, opts: QuantizeOptions = {}): Promise<QuantizeResult> {
  const ft = fileTypeByName(typeName);
  const f = openModel(inPath);
  try {
    return await quantizeFile(f, outPath, ft, opts);
  } finally {
    f.close();
  }
}

/** A ggml type from its name, for --output-tensor-type and --token-embedding-type. */
export function ggmlTypeByName(name: string): GGMLType {
  const t = typeInfoByName(name);
  if (!t) throw new KilnError(`"${name}" is not a ggml type name (e.g. q8_0, q6_k, f16)`, "BAD_ARGUMENT");
  return t.id;
}
