// The pre-tokenizers tokenizer.ggml.pre names, checked against splits worked out by hand from the
// regexes in llama.cpp's llm_tokenizer_bpe constructor (src/llama-vocab.cpp, quoted above each case)
// and the splitting rule of unicode_regex_split: each regex in turn cuts every piece into its matches
// and the unmatched text between them, which stays as pieces of its own.
import { describe, expect, it } from "vitest";
import { preTokenize, preTokenizerFor } from "../engine/tokenizer/pretokenize.js";

function split(pre: string, text: string): string[] {
  const warnings: string[] = [];
  const p = preTokenizerFor(pre, (m) => warnings.push(m));
  expect(warnings).toEqual([]);
  return preTokenize(text, p.regexes);
}

// gpt-2, mpt, olmo, jais:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
const GPT2_IN = "I'm here  now 12345 ok!!\n\nCafé 北京 🦙";
const GPT2_OUT = ["I", "'m", " here", " ", " now", " 12345", " ok", "!!", "\n", "\n", "Café", " 北京", " 🦙"];

// llama3, llama-bpe, dbrx, smaug-bpe, chatglm-bpe:
//   (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
const LLAMA3_IN = "I'M 1234567 (hello)\n\n  world!!\n";
const LLAMA3_OUT = ["I", "'M", " ", "123", "456", "7", " (", "hello", ")\n\n", " ", " world", "!!\n"];

// starcoder, refact, command-r, smollm: \p{N} then the gpt-2 regex
const STARCODER_IN = "abc123 x9";
const STARCODER_OUT = ["abc", "1", "2", "3", " x", "9"];

describe("byte-level BPE pre-tokenizers (tokenizer.ggml.pre)", () => {
  for (const pre of ["gpt-2", "mpt", "olmo", "jais"]) {
    it(`${pre}: contractions, letter/number/other runs, whitespace runs, CJK and emoji`, () => {
      expect(split(pre, GPT2_IN)).toEqual(GPT2_OUT);
    });
  }

  for (const pre of ["llama3", "llama-bpe", "dbrx", "smaug-bpe", "chatglm-bpe"]) {
    it(`${pre}: case-insensitive contractions, digits in threes, punctuation keeps its newlines`, () => {
      expect(split(pre, LLAMA3_IN)).toEqual(LLAMA3_OUT);
    });
  }

  for (const pre of ["starcoder", "refact", "command-r", "smollm"]) {
    it(`${pre}: every digit alone`, () => {
      expect(split(pre, STARCODER_IN)).toEqual(STARCODER_OUT);
    });
  }

  it("default: punctuation runs first, then gpt-2, then numbers, then digit triples", () => {
    // [\p{P}\$\+<=>\^~\|]+ ; gpt-2 ; \p{N}+ ; [0-9][0-9][0-9]
    expect(split("default", "a+b=c... x 1234567")).toEqual(["a", "+", "b", "=", "c", "...", " x", " ", "123", "456", "7"]);
  });

  it("falcon: backtick joins the punctuation class, then digit triples", () => {
    // [\p{P}\$\+<=>\^~\|`]+ ; gpt-2 ; [0-9][0-9][0-9]
    expect(split("falcon", "x=`y` 12345")).toEqual(["x", "=`", "y", "`", " ", "123", "45"]);
  });

  for (const pre of ["qwen2", "stablelm2"]) {
    it(`${pre}: the llama3 regex with single digits`, () => {
      // (?:'[sS]|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
      expect(split(pre, "we'RE abc 2024年")).toEqual(["we", "'RE", " abc", " ", "2", "0", "2", "4", "年"]);
    });
  }

  it("deepseek-llm: newlines, Latin letters, ASCII/fullwidth punctuation, trailing space, CJK, numbers", () => {
    // [\r\n] ; \s?[A-Za-zµÀ-Ö...]+ ; \s?[!-/:-~！-／：-～‘-‟　-。]+ ; \s+$ ; [一-龥ࠀ-一가-퟿]+ ; \p{N}+
    expect(split("deepseek-llm", "Hello, 世界! 123\nok  ")).toEqual(["Hello", ",", " ", "世界", "!", " ", "123", "\n", "ok", "  "]);
  });

  it("deepseek-coder: letters and punctuation keep one leading space, digits alone", () => {
    // [\r\n] ; \s?\p{L}+ ; \s?\p{P}+ ; [一-龥ࠀ-一가-퟿]+ ; \p{N}
    expect(split("deepseek-coder", "def f(x):\n  return 42")).toEqual(["def", " f", "(", "x", "):", "\n", " ", " return", " ", "4", "2"]);
  });

  it("tekken: camel-case words split, non-ASCII letters count as both cases, / joins a following word", () => {
    // [^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+
    // ((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
    expect(split("tekken", "HelloWorld ABCdef 12 über/x")).toEqual(["Hello", "World", " ABCdef", " ", "1", "2", " über", "/x"]);
  });

  it("uses llama.cpp's whitespace: U+0085 is whitespace, so it does not join the space before it", () => {
    // With JavaScript's \s, U+0085 (a control character) would match [^\s\p{L}\p{N}] and give " \u0085".
    expect(split("gpt-2", "a \u0085b")).toEqual(["a", " ", "\u0085", "b"]);
  });

  it("an unknown pre value warns once and splits as default", () => {
    const warnings: string[] = [];
    const p = preTokenizerFor("no-such-pre", (m) => warnings.push(m));
    expect(p.name).toBe("default");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("no-such-pre");
    expect(preTokenize("a+b 1234", p.regexes)).toEqual(["a", "+", "b", " ", "123", "4"]);
  });

  it("keeps every character: the pieces always join back to the input", () => {
    const text = "Ünïcödé\u00a0 spaces\u3000and\ttabs\r\n… «quotes» 𝔘𝔫𝔦 123,456.78 🧑‍🚀 ☃\u200b";
    for (const pre of ["default", "llama3", "qwen2", "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon", "starcoder", "tekken", "gpt-2", "olmo"]) {
      expect(split(pre, text).join(""), pre).toBe(text);
    }
  });
});

describe("deepseek-v3", () => {
  it("digit triples, CJK and kana runs, punctuation glued to the following ASCII word", () => {
    // \p{N}{1,3} ; [一-龥぀-ゟ゠-ヿ]+ ;
    // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    expect(split("deepseek-v3", "Hello,world 12345 日本語テキスト")).toEqual(["Hello", ",world", " ", "123", "45", " ", "日本語テキスト"]);
  });
});
