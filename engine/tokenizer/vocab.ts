// The vocabulary as GGUF stores it (tokenizer.ggml.*): pieces, scores, token types, merges, special
// ids and the flags that steer encoding. Defaults follow llama.cpp's llama_vocab::impl::load
// (src/llama-vocab.cpp): a key that is absent takes the value llama.cpp would use for that model.

import { KilnError } from "../errors.js";
import type { GGUFFile } from "../gguf/reader.js";
import { isGGUFArray } from "../gguf/types.js";
import { preTokenizerFor, type PreTokenizer } from "./pretokenize.js";

/** tokenizer.ggml.token_type values (llama.cpp's llama_token_type). */
export const TokenType = {
  UNDEFINED: 0, NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6,
} as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

export type VocabModel = "llama" | "gpt2" | "bert";

export interface Vocab {
  readonly model: VocabModel;
  readonly tokens: readonly string[];
  readonly scores: Float32Array;
  readonly types: Uint8Array;
  readonly tokenToId: ReadonlyMap<string, number>;
  /** BPE merge ranks keyed by the merge line as stored ("left right"). */
  readonly mergeRanks: ReadonlyMap<string, number>;
  readonly pre: PreTokenizer;
  readonly bos: number | undefined;
  readonly eos: number | undefined;
  readonly eot: number | undefined;
  readonly eom: number | undefined;
  readonly unk: number | undefined;
  readonly sep: number | undefined;
  readonly pad: number | undefined;
  readonly cls: number | undefined;
  readonly mask: number | undefined;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addSpacePrefix: boolean;
  /** llama.cpp's clean_spaces: tidy " ," and " 's" when detokenizing. */
  readonly cleanSpaces: boolean;
  /** Emit a pre-tokenized word whole when the vocabulary has it, before any merge (llama3, tekken). */
  readonly ignoreMerges: boolean;
  readonly eog: ReadonlySet<number>;
  /** Special tokens that swallow the whitespace before / after them in the text (llama.cpp's LSTRIP/RSTRIP). */
  readonly lstrip: ReadonlySet<number>;
  readonly rstrip: ReadonlySet<number>;
  readonly chatTemplate: string | undefined;
  /** Longest piece in UTF-16 units (bounds WordPiece's longest-match search). */
  readonly maxTokenLength: number;
}

/** Texts llama.cpp treats as end-of-turn markers when the file names no eot id. */
const EOT_TEXTS = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "<｜end▁of▁sentence｜>"];
const EOG_TEXTS = [...EOT_TEXTS, "<|eom_id|>", "_<EOT>"];

function stringArray(f: GGUFFile, key: string): string[] | undefined {
  const v = f.get(key);
  if (v === undefined) return undefined;
  if (!isGGUFArray(v) || v.items.some((x) => typeof x !== "string")) {
    throw new KilnError(`${f.path}: metadata "${key}" should be an array of strings (re-convert the model with llama.cpp's convert_hf_to_gguf.py)`, "TOKENIZER_INVALID");
  }
  return v.items as string[];
}

function numberArray(f: GGUFFile, key: string, n: number): number[] | undefined {
  const v = f.get(key);
  if (v === undefined) return undefined;
  if (!isGGUFArray(v) || v.items.some((x) => typeof x !== "number")) {
    throw new KilnError(`${f.path}: metadata "${key}" should be an array of numbers`, "TOKENIZER_INVALID");
  }
  if (v.items.length !== n) {
    throw new KilnError(`${f.path}: metadata "${key}" has ${v.items.length} entries but the vocabulary has ${n} tokens (corrupt file)`, "TOKENIZER_INVALID");
  }
  return v.items as number[];
}

/** Reads tokenizer.ggml.* from a GGUF file. Throws KilnError when the tokenizer cannot be built. */
export function readVocab(f: GGUFFile, warn: (msg: string) => void = (m) => process.stderr.write(`kiln: ${m}\n`)): Vocab {
  const modelName = f.getString("tokenizer.ggml.model");
  if (modelName === undefined) {
    throw new KilnError(`${f.path}: no tokenizer (metadata "tokenizer.ggml.model" is missing); use a GGUF converted with its vocabulary`, "TOKENIZER_MISSING");
  }
  if (modelName !== "llama" && modelName !== "gpt2" && modelName !== "bert") {
    throw new KilnError(`${f.path}: tokenizer.ggml.model "${modelName}" is not supported (kiln reads "llama", "gpt2" and "bert")`, "TOKENIZER_UNSUPPORTED");
  }
  const model: VocabModel = modelName;
  const rawTokens = stringArray(f, "tokenizer.ggml.tokens");
  if (!rawTokens || rawTokens.length === 0) {
    throw new KilnError(`${f.path}: metadata "tokenizer.ggml.tokens" is missing or empty; the model has no vocabulary`, "TOKENIZER_MISSING");
  }
  const n = rawTokens.length;
  const tokens = rawTokens.map((t, i) => (t === "" ? `[EMPTY_${i}]` : t));
  const rawScores = numberArray(f, "tokenizer.ggml.scores", n);
  const scores = rawScores ? Float32Array.from(rawScores) : new Float32Array(n);
  const types = new Uint8Array(n).fill(TokenType.NORMAL);
  const rawTypes = numberArray(f, "tokenizer.ggml.token_type", n);
  if (rawTypes) for (let i = 0; i < n; i++) types[i] = rawTypes[i]! >= 1 && rawTypes[i]! <= 6 ? rawTypes[i]! : TokenType.UNDEFINED;
  const tokenToId = new Map<string, number>();
  let maxTokenLength = 0;
  for (let i = 0; i < n; i++) {
    tokenToId.set(tokens[i]!, i); // a duplicate piece maps to its last id, as in llama.cpp
    if (tokens[i]!.length > maxTokenLength) maxTokenLength = tokens[i]!.length;
  }

  const mergeRanks = new Map<string, number>();
  let bos: number | undefined, eos: number | undefined, unk: number | undefined, sep: number | undefined;
  let pad: number | undefined, cls: number | undefined, mask: number | undefined;
  let addBos = false, addEos = false, addSpacePrefix = false, cleanSpaces = false, ignoreMerges = false;
  let preName = "default";
  if (model === "llama") {
    bos = 1; eos = 2; unk = 0;
    addBos = true; addSpacePrefix = true;
  } else if (model === "bert") {
    unk = 100; sep = 102; pad = 0; cls = 101; mask = 103;
    addBos = true; cleanSpaces = true;
  } else {
    const merges = stringArray(f, "tokenizer.ggml.merges");
    if (!merges) {
      throw new KilnError(`${f.path}: metadata "tokenizer.ggml.merges" is missing; a gpt2 (BPE) vocabulary needs its merges (re-convert the model with llama.cpp's convert_hf_to_gguf.py)`, "TOKENIZER_INVALID");
    }
    for (let i = 0; i < merges.length; i++) if (!mergeRanks.has(merges[i]!)) mergeRanks.set(merges[i]!, i);
    bos = 11; eos = 11;
    cleanSpaces = true;
    const p = f.getString("tokenizer.ggml.pre");
    if (p === undefined || p === "") {
      warn(`${f.path}: tokenizer.ggml.pre is missing; using the "default" pre-tokenizer (re-convert the model for correct tokenization)`);
    } else preName = p;
  }
  const pre = preTokenizerFor(model === "gpt2" ? preName : "default", (m) => warn(`${f.path}: ${m}`));
  if (model === "gpt2") {
    cleanSpaces = pre.cleanSpaces;
    ignoreMerges = pre.ignoreMerges;
    if (pre.addBos) addBos = true;
    if (pre.noBos) bos = undefined;
  }
  addSpacePrefix = f.getBool("tokenizer.ggml.add_space_prefix") ?? addSpacePrefix;

  const special = (key: string, fallback: number | undefined): number | undefined => {
    // llama.cpp's defaults (gpt2: 11) can lie outside a small vocabulary; such an id means "none"
    const dflt = fallback !== undefined && fallback < n ? fallback : undefined;
    const v = f.getNumber(`tokenizer.ggml.${key}`);
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      // llama.cpp: "bad special token ... using default id"; ids written as 0xFFFFFFFF mean "none"
      return dflt;
    }
    return v;
  };
  bos = special("bos_token_id", bos);
  eos = special("eos_token_id", eos);
  let eot = special("eot_token_id", undefined);
  let eom = special("eom_token_id", undefined);
  unk = special("unknown_token_id", unk);
  sep = special("seperator_token_id", sep); // sic: gguf's spelling
  pad = special("padding_token_id", pad);
  cls = special("cls_token_id", cls);
  mask = special("mask_token_id", mask);
  addBos = f.getBool("tokenizer.ggml.add_bos_token") ?? addBos;
  addEos = f.getBool("tokenizer.ggml.add_eos_token") ?? addEos;

  // llama.cpp finds end-of-turn tokens by their text and makes them control tokens.
  const eog = new Set<number>();
  for (const text of EOG_TEXTS) {
    const id = tokenToId.get(text);
    if (id === undefined) continue;
    if (EOT_TEXTS.includes(text) && eot === undefined) eot = id;
    if (text === "<|eom_id|>" && eom === undefined) eom = id;
    if (types[id] !== TokenType.CONTROL) types[id] = TokenType.CONTROL;
    eog.add(id);
  }
  for (const id of [eos, eot, eom]) if (id !== undefined) eog.add(id);

  // Per-token strip attributes are not in GGUF; llama.cpp sets them by tokenizer and model name.
  const lstrip = new Set<number>(), rstrip = new Set<number>();
  const generalName = (f.getString("general.name") ?? "").toLowerCase();
  const rawPre = f.getString("tokenizer.ggml.pre") ?? "";
  if (["jina-v2-de", "jina-v2-es", "jina-v2-code"].some((p) => rawPre.includes(p))) {
    const id = tokenToId.get("<mask>");
    if (id !== undefined) lstrip.add(id);
  } else if (generalName.includes("phi-3") || generalName.includes("phi3")) {
    for (let id = 0; id < n; id++) {
      const t = types[id];
      if (t === TokenType.CONTROL || t === TokenType.USER_DEFINED || t === TokenType.UNKNOWN) rstrip.add(id);
    }
    const eosId = tokenToId.get("</s>");
    if (eosId !== undefined) rstrip.add(eosId);
    for (const t of ["<unk>", "<s>", "<|endoftext|>"]) {
      const id = tokenToId.get(t);
      if (id !== undefined) rstrip.delete(id);
    }
  }

  return {
    model, tokens, scores, types, tokenToId, mergeRanks, pre, lstrip, rstrip,
    bos, eos, eot, eom, unk, sep, pad, cls, mask,
    addBos, addEos, addSpacePrefix, cleanSpaces, ignoreMerges, eog,
    chatTemplate: f.getString("tokenizer.chat_template"),
    maxTokenLength,
  };
}
