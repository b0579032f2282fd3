// Byte-level BPE pre-tokenizers: the regex lists that tokenizer.ggml.pre selects, spelled exactly as
// llama.cpp's llm_tokenizer_bpe constructor spells them (src/llama-vocab.cpp), and the splitting rule
// of llama.cpp's unicode_regex_split (src/unicode.cpp): each regex in turn cuts every piece left by
// the previous one into its matches and the text between them, and nothing is ever dropped.
//
// llama.cpp runs these through its own code (hand-written fast paths for the gpt2 and llama3
// patterns, std::regex over category-collapsed text for the rest) with its own Unicode tables; the
// categories are Unicode's, which is what JavaScript's \p{..} gives. Where llama.cpp differs from a
// JavaScript regex is \s: its whitespace includes U+0085 and excludes U+FEFF, so \s and \S are
// rewritten to that set before compiling.

import { WHITESPACE_CLASS } from "./unicode.js";

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const CJK = "[一-龥ࠀ-一가-퟿]+";

interface PreSpec {
  readonly regexes: readonly string[];
  readonly cleanSpaces?: boolean;
  readonly ignoreMerges?: boolean;
  readonly addBos?: boolean;
  readonly noBos?: boolean;
}

/** Regex lists by pre-tokenizer family (llama.cpp's LLAMA_VOCAB_PRE_TYPE_*). */
export const PRE_REGEXES = {
  default: ["[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]"],
  llama3: [LLAMA3],
  "deepseek-llm": [
    "[\r\n]",
    // U+1F7D, U+1FD3, U+1FDB, U+1FBE, U+2126 and U+212A are escaped: Unicode normalization (NFC) of the
    // source would silently turn them into other characters and break the ranges.
    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1F7Dᾀ-ᾴᾶ-ᾼ\u1FBEῂ-ῄῆ-ῌῐ-\u1FD3ῖ-\u1FDBῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u2126ℨ\u212A-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
    "\\s+$",
    CJK,
    "\\p{N}+",
  ],
  "deepseek-coder": ["[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}"],
  "deepseek-v3": [
    "\\p{N}{1,3}",
    "[一-龥\\u3040-\\u309F\\u30A0-\\u30FF]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  ],
  falcon: ["[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]"],
  starcoder: ["\\p{N}", GPT2],
  gpt2: [GPT2],
  qwen2: [QWEN2],
  poro: [" ?[^(\\s|.,!?…。，、।۔،)]+"],
  viking: [" ?[^(\\s|.,!?…。，、।۔،)]+", "\\p{N}"],
  tekken: [
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  ],
} as const satisfies Record<string, readonly string[]>;

/** tokenizer.ggml.pre values and what each selects, as llama_vocab::impl::load maps them. */
const PRE_TYPES: Record<string, PreSpec> = {
  default: { regexes: PRE_REGEXES.default, cleanSpaces: true },
  llama3: { regexes: PRE_REGEXES.llama3, cleanSpaces: true, ignoreMerges: true, addBos: true },
  "llama-v3": { regexes: PRE_REGEXES.llama3, cleanSpaces: true, ignoreMerges: true, addBos: true },
  "llama-bpe": { regexes: PRE_REGEXES.llama3, cleanSpaces: true, ignoreMerges: true, addBos: true },
  falcon3: { regexes: PRE_REGEXES.llama3, cleanSpaces: true, ignoreMerges: true, addBos: true },
  "deepseek-llm": { regexes: PRE_REGEXES["deepseek-llm"], cleanSpaces: false },
  "deepseek-coder": { regexes: PRE_REGEXES["deepseek-coder"], cleanSpaces: false },
  "deepseek-v3": { regexes: PRE_REGEXES["deepseek-v3"], cleanSpaces: false },
  falcon: { regexes: PRE_REGEXES.falcon, cleanSpaces: true },
  mpt: { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  starcoder: { regexes: PRE_REGEXES.starcoder, cleanSpaces: true },
  "gpt-2": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "phi-2": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "roberta-bpe": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "jina-es": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "jina-de": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "jina-v1-en": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "jina-v2-es": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "jina-v2-de": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  "jina-v2-code": { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  gigachat: { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  refact: { regexes: PRE_REGEXES.starcoder, cleanSpaces: true },
  "command-r": { regexes: PRE_REGEXES.starcoder, cleanSpaces: false },
  qwen2: { regexes: PRE_REGEXES.qwen2, cleanSpaces: false },
  megrez: { regexes: PRE_REGEXES.qwen2, cleanSpaces: false },
  stablelm2: { regexes: PRE_REGEXES.qwen2, cleanSpaces: true },
  olmo: { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  dbrx: { regexes: PRE_REGEXES.llama3, cleanSpaces: true },
  "smaug-bpe": { regexes: PRE_REGEXES.llama3, cleanSpaces: true },
  "poro-chat": { regexes: PRE_REGEXES.poro, cleanSpaces: false },
  "chatglm-bpe": { regexes: PRE_REGEXES.llama3, cleanSpaces: true, noBos: true },
  viking: { regexes: PRE_REGEXES.viking, cleanSpaces: true },
  jais: { regexes: PRE_REGEXES.gpt2, cleanSpaces: true },
  tekken: { regexes: PRE_REGEXES.tekken, cleanSpaces: false, ignoreMerges: true, addBos: true },
  smollm: { regexes: PRE_REGEXES.starcoder, cleanSpaces: false },
  codeshell: { regexes: PRE_REGEXES.starcoder, cleanSpaces: true },
  bloom: { regexes: PRE_REGEXES.poro, cleanSpaces: true },
  "gpt3-finnish": { regexes: PRE_REGEXES.poro, cleanSpaces: true },
  exaone: { regexes: PRE_REGEXES.starcoder, cleanSpaces: true },
  "minerva-7b": { regexes: PRE_REGEXES.starcoder, cleanSpaces: true },
};

/** Rewrites \s and \S to llama.cpp's whitespace set, inside and outside character classes. */
export function translateRegex(src: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\") {
      const d = src[i + 1]!;
      i++;
      if (d === "s") out += inClass ? WHITESPACE_CLASS : `[${WHITESPACE_CLASS}]`;
      else if (d === "S") {
        if (inClass) throw new Error(`internal: \\S inside a character class in ${src}`);
        out += `[^${WHITESPACE_CLASS}]`;
      } else out += c + d;
      continue;
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return out;
}

export interface PreTokenizer {
  /** The tokenizer.ggml.pre value in effect ("default" when it was missing or unknown). */
  readonly name: string;
  readonly regexes: readonly RegExp[];
  readonly cleanSpaces: boolean;
  readonly ignoreMerges: boolean;
  readonly addBos: boolean;
  readonly noBos: boolean;
}

const compiled = new Map<string, RegExp>();
function compile(src: string): RegExp {
  let re = compiled.get(src);
  if (!re) {
    re = new RegExp(translateRegex(src), "gu");
    compiled.set(src, re);
  }
  return re;
}

export const KNOWN_PRE_TOKENIZERS: readonly string[] = Object.keys(PRE_TYPES);

/** The pre-tokenizer for a tokenizer.ggml.pre value; an unknown value warns and uses "default". */
export function preTokenizerFor(name: string, warn: (msg: string) => void): PreTokenizer {
  let spec = PRE_TYPES[name];
  if (!spec) {
    warn(`unknown tokenizer.ggml.pre "${name}"; using the "default" pre-tokenizer (tokenization may differ from the model's own; known: ${KNOWN_PRE_TOKENIZERS.join(", ")})`);
    name = "default";
    spec = PRE_TYPES.default!;
  }
  return {
    name,
    regexes: spec.regexes.map(compile),
    cleanSpaces: spec.cleanSpaces ?? true,
    ignoreMerges: spec.ignoreMerges ?? false,
    addBos: spec.addBos ?? false,
    noBos: spec.noBos ?? false,
  };
}

/**
 * Calls `emit` with each pre-tokenized word, in order: regex `level` cuts `text` into its matches and
 * the gaps between them, and each of those goes on to the next regex (llama.cpp's unicode_regex_split
 * without the byte encoding, which bpe.ts does). No intermediate arrays: this runs on every request.
 */
export function forEachWord(text: string, regexes: readonly RegExp[], emit: (word: string) => void, level = 0): void {
  if (level === regexes.length) {
    emit(text);
    return;
  }
  const re = regexes[level]!;
  let start = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const at = m.index, end = at + m[0].length;
    if (end === at) {
      re.lastIndex++; // no pattern here matches empty, but never loop forever
      continue;
    }
    // the nested call reuses the same RegExp objects only at deeper levels, so lastIndex is safe
    const resume = re.lastIndex;
    if (at > start) forEachWord(text.slice(start, at), regexes, emit, level + 1);
    forEachWord(m[0], regexes, emit, level + 1);
    re.lastIndex = resume;
    start = end;
  }
  if (start < text.length) forEachWord(start === 0 ? text : text.slice(start), regexes, emit, level + 1);
}

/** The pre-tokenized words of a text, as an array. */
export function preTokenize(text: string, regexes: readonly RegExp[]): string[] {
  const words: string[] = [];
  forEachWord(text, regexes, (w) => words.push(w));
  return words;
}
