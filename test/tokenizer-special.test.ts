// Special tokens, token types, BOS/EOS, streaming and WordPiece, each checked against the rule llama.cpp
// (src/llama-vocab.cpp) or BERT's published examples state.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { encodeGGUF, kv } from "../engine/gguf/writer.js";
import { GGUFValueType, type GGUFKV } from "../engine/gguf/types.js";
import { loadTokenizer } from "../engine/tokenizer/index.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-tok-special-"));
const opened: GGUFFile[] = [];
afterAll(() => {
  opened.forEach((f) => f.close());
  rmSync(dir, { recursive: true, force: true });
});
function open(path: string): GGUFFile {
  const f = GGUFFile.open(path);
  opened.push(f);
  return f;
}
function vocabFile(name: string, kvs: GGUFKV[]): GGUFFile {
  const p = join(dir, name);
  writeFileSync(p, encodeGGUF({ kvs, tensors: [] }));
  return open(p);
}
const strings = (key: string, items: string[]): GGUFKV => kv.array(key, GGUFValueType.STRING, items);
const i32s = (key: string, items: number[]): GGUFKV => kv.array(key, GGUFValueType.INT32, items);

const spm = loadTokenizer(open(golden("tokenizer", "ggml-vocab-llama-spm.gguf")));
const stories = loadTokenizer(open(golden("models", "stories260k-f32.gguf")));
const gpt2 = loadTokenizer(open(golden("tokenizer", "ggml-vocab-gpt-2.gguf")));
const deepseek = loadTokenizer(open(golden("tokenizer", "ggml-vocab-deepseek-llm.gguf")));

describe("special tokens", () => {
  it("matches control tokens in the text only with parseSpecial, and a space prefix follows them", () => {
    const hello = spm.encode("Hello", { addSpecial: false });
    expect(spm.encode("<s>Hello", { addSpecial: false, parseSpecial: true })).toEqual([1, ...hello]);
    expect(spm.encode("<s>Hello", { addSpecial: false })).not.toContain(1);
    expect(spm.decode(spm.encode("<s>Hello", { addSpecial: false }))).toBe("<s>Hello");
  });

  it("adds BOS for llama vocabularies by default and not for gpt-2 (no add_bos_token key)", () => {
    expect(spm.encode("Hello")[0]).toBe(1);
    expect(spm.encode("")).toEqual([1]);
    expect(gpt2.encode("Hello")).toEqual(gpt2.encode("Hello", { addSpecial: false }));
    expect(deepseek.encode("Hello")[0]).toBe(100000); // deepseek-llm's file sets add_bos_token
  });

  it("matches user-defined tokens even without parseSpecial (deepseek-llm's added single characters)", () => {
    expect(deepseek.vocab.types[100002]).toBe(4);
    expect(deepseek.vocab.tokens[100002]).toBe("ø");
    expect(deepseek.encode("ø", { addSpecial: false })).toEqual([100002]);
  });

  it("counts EOS and end-of-turn texts as end of generation", () => {
    expect(gpt2.eog.has(50256)).toBe(true);
    expect(spm.eog.has(2)).toBe(true);
    expect(deepseek.eog.has(100001)).toBe(true);
  });

  it("skips control tokens when decoding unless asked; removeSpecial drops BOS but, as in llama.cpp, keeps the prefix space", () => {
    const ids = spm.encode("Hello world");
    expect(spm.decode(ids)).toBe(" Hello world");
    expect(spm.decode(ids, { special: true })).toBe("<s> Hello world");
    expect(spm.decode(ids, { removeSpecial: true, special: true })).toBe(" Hello world");
    expect(spm.decode(ids.slice(1))).toBe("Hello world"); // without BOS the first piece loses its prefix space
  });
});

describe("streaming decode", () => {
  it("holds back a character spread over byte tokens until its last byte", () => {
    // stories260k has no piece for the llama emoji: four byte tokens, id = byte + 3
    const ids = stories.encode("🦙", { addSpecial: false });
    expect(ids.slice(-4)).toEqual([0xf0 + 3, 0x9f + 3, 0xa6 + 3, 0x99 + 3]);
    const d = stories.createStreamDecoder();
    const out = ids.map((id) => d.push(id));
    expect(out.slice(-4)).toEqual(["", "", "", "🦙"]);
    expect(d.flush()).toBe("");
  });

  it("flushes an unfinished character as U+FFFD", () => {
    const d = stories.createStreamDecoder();
    expect(d.push(0xf0 + 3)).toBe("");
    expect(d.flush()).toBe("\uFFFD");
  });

  it("gives a token's raw bytes", () => {
    expect([...stories.tokenToPiece(0x41 + 3)]).toEqual([0x41]);
    expect(Buffer.from(stories.tokenToPiece(403)).toString()).toBe(" Once");
    expect(stories.tokenToPiece(1).length).toBe(0);
    expect(Buffer.from(stories.tokenToPiece(1, { special: true })).toString()).toBe("<s>");
  });
});

describe("token types and flags from the file", () => {
  const tiny = loadTokenizer(vocabFile("tiny-spm.gguf", [
    kv.str("tokenizer.ggml.model", "llama"),
    strings("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>", "▁a", "b", "<unused0>", "<0x41>", "<user>"]),
    kv.array("tokenizer.ggml.scores", GGUFValueType.FLOAT32, [0, 0, 0, -1, -2, 0, 0, 0]),
    i32s("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 5, 6, 4]),
    kv.bool("tokenizer.ggml.add_eos_token", true),
    kv.bool("tokenizer.ggml.add_space_prefix", false),
  ]));

  it("prints nothing for unused tokens, the byte for byte tokens, user-defined text always", () => {
    expect(tiny.decode([3, 4, 5, 6, 7])).toBe(" abA<user>");
  });

  it("adds EOS when add_eos_token says so, and no space prefix when add_space_prefix is false", () => {
    expect(tiny.encode("b")).toEqual([1, 4, 2]);
  });

  it("turns a character with neither piece nor byte token into one unknown token", () => {
    expect(tiny.encode("bé", { addSpecial: false })).toEqual([4, 0]);
  });
});

describe("WordPiece (bert)", () => {
  // google-research/bert README: "unaffable" -> un ##aff ##able; "John Johanson's house" ->
  // john johan ##son ' s house. llama.cpp's converter writes word starts with U+2581 and drops "##".
  const pieces = ["[PAD]", ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    "▁un", "aff", "able", "▁john", "▁jo", "▁johan", "▁joh", "son", "▁'", "▁s", "▁house", "▁aff", "a"];
  const types = pieces.map((p) => (p.startsWith("[") ? (p === "[UNK]" ? 2 : 3) : 1));
  const bert = loadTokenizer(vocabFile("tiny-bert.gguf", [
    kv.str("tokenizer.ggml.model", "bert"),
    strings("tokenizer.ggml.tokens", pieces),
    i32s("tokenizer.ggml.token_type", types),
  ]));
  const id = (p: string): number => pieces.indexOf(p);

  it("splits words into the longest pieces from the left", () => {
    expect(bert.encode("unaffable", { addSpecial: false })).toEqual([id("▁un"), id("aff"), id("able")]);
    expect(bert.encode("John Johanson's house", { addSpecial: false }))
      .toEqual([id("▁john"), id("▁johan"), id("son"), id("▁'"), id("▁s"), id("▁house")]);
  });

  it("wraps the text in [CLS] ... [SEP] and maps an unmatched word to [UNK]", () => {
    expect(bert.encode("xyz house")).toEqual([101, 100, id("▁house"), 102]);
  });

  it("lower-cases and strips accents first", () => {
    expect(bert.encode("HÔUSE", { addSpecial: false })).toEqual([id("▁house")]);
  });
});

describe("pre-tokenizer flags from llama.cpp's table", () => {
  // A byte-level vocabulary where "abc" is a token but only the merge "a b" exists.
  const bpeVocab = (pre: string): GGUFKV[] => [
    kv.str("tokenizer.ggml.model", "gpt2"),
    kv.str("tokenizer.ggml.pre", pre),
    strings("tokenizer.ggml.tokens", ["a", "b", "c", "ab", "abc", "Ġ"]),
    i32s("tokenizer.ggml.token_type", [1, 1, 1, 1, 1, 1]),
    strings("tokenizer.ggml.merges", ["a b"]),
  ];

  it("llama-bpe and tekken take a whole word from the vocabulary before merging (ignore_merges)", () => {
    expect(loadTokenizer(vocabFile("ignore-merges.gguf", bpeVocab("llama-bpe"))).encode("abc", { addSpecial: false })).toEqual([4]);
    expect(loadTokenizer(vocabFile("ignore-merges-tekken.gguf", bpeVocab("tekken"))).encode("abc", { addSpecial: false })).toEqual([4]);
  });

  it("gpt-2 merges instead", () => {
    expect(loadTokenizer(vocabFile("merges.gguf", bpeVocab("gpt-2"))).encode("abc", { addSpecial: false })).toEqual([3, 2]);
  });

  it("llama-bpe adds BOS by default, chatglm-bpe has none, gpt-2 adds none", () => {
    const withBos = [...bpeVocab("llama-bpe"), kv.u32("tokenizer.ggml.bos_token_id", 5)];
    expect(loadTokenizer(vocabFile("bos.gguf", withBos)).encode("c")).toEqual([5, 2]);
    expect(loadTokenizer(vocabFile("glm.gguf", bpeVocab("chatglm-bpe"))).encode("c")).toEqual([2]);
    expect(loadTokenizer(vocabFile("gpt2-nobos.gguf", [...bpeVocab("gpt-2"), kv.u32("tokenizer.ggml.bos_token_id", 5)])).encode("c")).toEqual([2]);
  });
});

describe("strip attributes llama.cpp sets by model name", () => {
  // llama.cpp (llama_vocab::impl::load): for a model whose general.name contains "phi-3" or "phi3",
  // every special token except <unk>, <s> and <|endoftext|> swallows the whitespace after it.
  const phiVocab = (name: string): GGUFKV[] => [
    kv.str("general.name", name),
    kv.str("tokenizer.ggml.model", "llama"),
    strings("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>", "<|user|>", "▁Hi", "Hi", "<0x0A>", "▁"]),
    kv.array("tokenizer.ggml.scores", GGUFValueType.FLOAT32, [0, 0, 0, 0, -1, -2, 0, -3]),
    i32s("tokenizer.ggml.token_type", [2, 3, 3, 3, 1, 1, 6, 1]),
  ];

  it("Phi-3: the newline after <|user|> and </s> is dropped, the one after <s> is kept", () => {
    const phi = loadTokenizer(vocabFile("phi3.gguf", phiVocab("Phi-3 Mini")));
    expect(phi.encode("<|user|>\nHi", { addSpecial: false, parseSpecial: true })).toEqual([3, 4]);
    expect(phi.encode("</s> \n Hi", { addSpecial: false, parseSpecial: true })).toEqual([2, 4]);
    expect(phi.encode("<s>\nHi", { addSpecial: false, parseSpecial: true })).toEqual([1, 7, 6, 5]);
  });

  it("other models keep the whitespace", () => {
    const other = loadTokenizer(vocabFile("not-phi.gguf", phiVocab("llama")));
    expect(other.encode("<|user|>\nHi", { addSpecial: false, parseSpecial: true })).toEqual([3, 7, 6, 5]);
  });
});
