// The model's hyperparameters, read from GGUF metadata the way llama.cpp's llama_model::load_hparams
// reads them (src/llama-model.cpp, src/llama-arch.cpp): `ARCH.embedding_length`, `ARCH.block_count`, ...
// This is data only; the forward pass that uses it is engine/reference/forward.ts.

import { KilnError } from "../errors.js";
import type { GGUFFile } from "../gguf/reader.js";

/** Architectures whose graph kiln implements (llama.cpp's build_llama, build_qwen2, build_phi3, build_gemma2). */
export const SUPPORTED_ARCHITECTURES = ["llama", "qwen2", "phi3", "gemma2"] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

/**
 * How dimensions are paired for rotation (llama.cpp's LLAMA_ROPE_TYPE_*):
 * "norm": adjacent pairs (2i, 2i+1), as in the original LLaMA; "neox": (i, i + n_rot/2), as in GPT-NeoX.
 */
export type RopeMode = "norm" | "neox";

export type RopeScaling =
  | { readonly type: "none" }
  /** Positions divided by `factor` (rope.scaling.type = linear, or the old rope.scale_linear). */
  | { readonly type: "linear"; readonly factor: number }
  /** YaRN (arXiv 2309.00071) as ggml's rope_yarn implements it. */
  | {
      readonly type: "yarn";
      readonly factor: number;
      readonly originalContext: number;
      readonly extFactor: number;
      readonly attnFactor: number;
      readonly betaFast: number;
      readonly betaSlow: number;
    }
  /** Llama 3.1's per-frequency factors (HF's _compute_llama3_parameters); a rope_freqs tensor overrides it. */
  | {
      readonly type: "llama3";
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalContext: number;
    };

export interface RopeConfig {
  readonly mode: RopeMode;
  /** Rotated dimensions per head (rope.dimension_count; the head size when absent). */
  readonly nRot: number;
  /** theta base (rope.freq_base; 10000 when absent). */
  readonly freqBase: number;
  readonly scaling: RopeScaling;
}

export interface ModelConfig {
  readonly architecture: Architecture;
  readonly name: string;
  /** Model width (embedding_length). */
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  /** Size of one query/key head (attention.key_length, else nEmbd / nHead). */
  readonly headDimK: number;
  /** Size of one value head (attention.value_length, else nEmbd / nHead). */
  readonly headDimV: number;
  /** Hidden size of the feed-forward block (feed_forward_length). */
  readonly nFF: number;
  readonly nVocab: number;
  /** Positions the model was built for (context_length): prompt + generation must fit. */
  readonly nCtx: number;
  readonly rmsEps: number;
  readonly rope: RopeConfig;
  /** Sliding-window attention: a query at i sees keys j with 0 <= i - j < window. 0 = off. */
  readonly slidingWindow: number;
  /** Which layers use the sliding window (phi3: all; gemma2: even indices). */
  readonly slidingWindowLayers: (layer: number) => boolean;
  /** Attention scores are scaled by this before the softmax (1/sqrt(head size) for most models). */
  readonly attnScale: number;
  /** tanh soft-cap on attention scores (gemma2's attn_logit_softcapping); 0 = off. */
  readonly attnSoftcap: number;
  /** tanh soft-cap on the output logits (gemma2's final_logit_softcapping); 0 = off. */
  readonly finalSoftcap: number;
  /** The token embedding is multiplied by this (gemma2: sqrt(n_embd)). */
  readonly embeddingScale: number;
}

/** Reads ARCH.* metadata into a ModelConfig; every missing or invalid key is a KilnError naming it. */
export function modelConfigFromGGUF(f: GGUFFile): ModelConfig {
  const label = f.path;
  const arch = f.getString("general.architecture");
  if (arch === undefined) {
    throw new KilnError(`${label}: metadata key general.architecture is missing (not a model file? vocabulary-only GGUFs cannot run)`);
  }
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new KilnError(
      `${label}: architecture "${arch}" is not supported (supported: ${SUPPORTED_ARCHITECTURES.join(", ")})`,
      "UNSUPPORTED_ARCHITECTURE",
    );
  }
  const a = arch as Architecture;

  const num = (key: string): number | undefined => {
    const full = `${a}.${key}`;
    const v = f.get(full);
    if (v === undefined) return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "object" && "items" in v) {
      // Per-layer arrays (head_count, feed_forward_length in some models): kiln needs them uniform.
      const items = v.items.map((x) => (typeof x === "bigint" ? Number(x) : x));
      if (items.length > 0 && items.every((x) => x === items[0]) && typeof items[0] === "number") return items[0];
      throw new KilnError(`${label}: metadata key ${full} varies per layer (${JSON.stringify(items.slice(0, 8))}...); kiln needs one value for all layers`);
    }
    throw new KilnError(`${label}: metadata key ${full} is ${JSON.stringify(v)}, expected a number`);
  };
  const required = (key: string): number => {
    const v = num(key);
    if (v === undefined) throw new KilnError(`${label}: metadata key ${a}.${key} is missing (required for a ${a} model; is the file complete?)`);
    if (!Number.isFinite(v) || v <= 0) throw new KilnError(`${label}: metadata key ${a}.${key} is ${v}, expected a positive number`);
    return v;
  };

  const nEmbd = required("embedding_length");
  const nLayer = required("block_count");
  const nHead = required("attention.head_count");
  const nHeadKv = num("attention.head_count_kv") ?? nHead;
  if (nHead % nHeadKv !== 0) {
    throw new KilnError(`${label}: ${a}.attention.head_count ${nHead} is not a multiple of head_count_kv ${nHeadKv} (grouped-query attention needs it)`);
  }
  const headDimK = num("attention.key_length") ?? nEmbd / nHead;
  const headDimV = num("attention.value_length") ?? nEmbd / nHead;
  if (!Number.isInteger(headDimK) || !Number.isInteger(headDimV)) {
    throw new KilnError(`${label}: head size ${nEmbd}/${nHead} is not an integer; set ${a}.attention.key_length and value_length`);
  }
  const nFF = required("feed_forward_length");
  const nCtx = required("context_length");
  const rmsEps = required("attention.layer_norm_rms_epsilon");

  const embd = f.tensorsByName.get("token_embd.weight");
  if (!embd) throw new KilnError(`${label}: tensor token_embd.weight is missing (every ${a} model has one)`);
  const tokens = f.getArray("tokenizer.ggml.tokens");
  const nVocab = num("vocab_size") ?? tokens?.length ?? embd.ne[1]!;
  if (embd.ne[1] !== nVocab || embd.ne[0] !== nEmbd) {
    throw new KilnError(`${label}: token_embd.weight has shape [${embd.ne.join(", ")}], expected [${nEmbd}, ${nVocab}] (n_embd, n_vocab)`);
  }

  const nRot = num("rope.dimension_count") ?? headDimK;
  if (nRot > headDimK || nRot % 2 !== 0) {
    throw new KilnError(`${label}: ${a}.rope.dimension_count ${nRot} must be even and at most the head size ${headDimK}`);
  }
  const rope: RopeConfig = {
    mode: a === "llama" ? "norm" : "neox",
    nRot,
    freqBase: num("rope.freq_base") ?? 10000,
    scaling: ropeScaling(f, a, nCtx, label),
  };

  // Sliding window: phi3 needs it (llama.cpp refuses the file without it), gemma2 defaults to 4096.
  let slidingWindow = 0;
  let slidingWindowLayers: (layer: number) => boolean = () => false;
  if (a === "phi3") {
    const w = num("attention.sliding_window");
    if (w === undefined) throw new KilnError(`${label}: metadata key phi3.attention.sliding_window is missing (llama.cpp requires it too; 0 turns it off)`);
    slidingWindow = w;
    slidingWindowLayers = () => w > 0;
  } else if (a === "gemma2") {
    slidingWindow = num("attention.sliding_window") ?? 4096;
    slidingWindowLayers = (layer) => layer % 2 === 0;
  } else {
    slidingWindow = 0;
  }

  let attnScale = 1 / Math.sqrt(headDimK);
  if (a === "gemma2" && nLayer === 46) {
    // Gemma 2 27B scales queries by 1/sqrt(n_embd / n_head) instead (llama.cpp's build_gemma2, LLM_TYPE_27B).
    attnScale = 1 / Math.sqrt(nEmbd / nHead);
  }

  return {
    architecture: a,
    name: f.getString("general.name") ?? a,
    nEmbd, nLayer, nHead, nHeadKv, headDimK, headDimV, nFF, nVocab, nCtx, rmsEps, rope,
    slidingWindow, slidingWindowLayers, attnScale,
    attnSoftcap: a === "gemma2" ? num("attn_logit_softcapping") ?? 50 : 0,
    finalSoftcap: a === "gemma2" ? num("final_logit_softcapping") ?? 30 : 0,
    embeddingScale: a === "gemma2" ? Math.fround(Math.sqrt(nEmbd)) : 1,
  };
}

function ropeScaling(f: GGUFFile, a: string, nCtx: number, label: string): RopeScaling {
  const get = (k: string): number | undefined => f.getNumber(`${a}.${k}`);
  const type = f.getString(`${a}.rope.scaling.type`);
  const factor = get("rope.scaling.factor");
  const origCtx = get("rope.scaling.original_context_length") ?? nCtx;
  const linear = get("rope.scale_linear");
  if (type === undefined || type === "none") {
    if (linear !== undefined && linear !== 1) return { type: "linear", factor: linear };
    return { type: "none" };
  }
  if (factor === undefined || factor <= 0) {
    if (type === "linear" || type === "yarn" || type === "llama3") {
      throw new KilnError(`${label}: ${a}.rope.scaling.type is "${type}" but ${a}.rope.scaling.factor is ${factor ?? "missing"} (expected a positive number)`);
    }
  }
  switch (type) {
    case "linear":
      return { type: "linear", factor: factor! };
    case "yarn":
      return {
        type: "yarn",
        factor: factor!,
        originalContext: origCtx,
        // llama.cpp's defaults: ext_factor 1 for YaRN, beta_fast 32, beta_slow 1, attn_factor 1.
        extFactor: get("rope.scaling.yarn_ext_factor") ?? 1,
        attnFactor: get("rope.scaling.attn_factor") ?? 1,
        betaFast: get("rope.scaling.yarn_beta_fast") ?? 32,
        betaSlow: get("rope.scaling.yarn_beta_slow") ?? 1,
      };
    case "llama3":
      return {
        type: "llama3",
        factor: factor!,
        lowFreqFactor: get("rope.scaling.low_freq_factor") ?? 1,
        highFreqFactor: get("rope.scaling.high_freq_factor") ?? 4,
        originalContext: origCtx,
      };
    default:
      throw new KilnError(`${label}: ${a}.rope.scaling.type "${type}" is not supported (supported: none, linear, yarn, llama3)`);
  }
}
