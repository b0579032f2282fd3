// Input the tokenizer must survive: strings that are not valid Unicode, very long texts, a long run
// without spaces, broken vocabularies. Each either tokenizes correctly or fails with a KilnError that
// names the problem.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { encodeGGUF, kv } from "../engine/gguf/writer.js";
import { GGUFValueType, type GGUFKV } from "../engine/gguf/types.js";
import { loadTokenizer } from "../engine/tokenizer/index.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-tok-"));
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
function writeVocab(name: string, kvs: GGUFKV[]): string {
  const p = join(dir, name);
  writeFileSync(p, encodeGGUF({ kvs, tensors: [] }));
  return p;
}

const spm = loadTokenizer(open(golden("models", "stories260k-f32.gguf")));
const gpt2File = open(golden("tokenizer", "ggml-vocab-gpt-2.gguf"));
const gpt2 = loadTokenizer(gpt2File);

/** Deterministic English-like text with spaces and punctuation. */
function prose(bytes: number): string {
  const words = ["the", "little", "girl", "named", "Lily", "saw", "a", "big", "red", "ball,", "and", "she", "was", "happy.", "One", "day", "her", "mom", "said:", "\"let's", "go!\"", "park", "tree", "bird", "sun"];
  const parts: string[] = [];
  let n = 0, x = 12345;
  while (n < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = words[x % words.length]!;
    parts.push(w);
    n += w.length + 1;
  }
  return parts.join(" ");
}

describe("tokenizer bad input", () => {
  it("treats lone surrogates as U+FFFD, the character their UTF-8 encoding carries", () => {
    const broken = "a\uD800b\uDC00c\uD83D";
    const asUtf8 = Buffer.from(broken, "utf8").toString("utf8"); // what reaches llama.cpp
    expect(asUtf8).toBe("a\uFFFDb\uFFFDc\uFFFD");
    expect(spm.encode(broken)).toEqual(spm.encode(asUtf8));
    expect(gpt2.encode(broken)).toEqual(gpt2.encode(asUtf8));
    // stories260k has no piece for U+FFFD: it falls back to the bytes EF BF BD, ids byte + 3
    const ids = spm.encode("\uD800", { addSpecial: false });
    expect(ids.slice(-3)).toEqual([0xef + 3, 0xbf + 3, 0xbd + 3]);
    expect(spm.decode(ids)).toBe("\uFFFD");
  });

  it("round-trips a 10 MB text through the SentencePiece and BPE vocabularies", () => {
    const text = prose(10 * 1024 * 1024);
    const a = spm.encode(text, { addSpecial: false });
    expect(a.length).toBeGreaterThan(text.length / 8);
    expect(spm.decode(a)).toBe(text);
    const b = gpt2.encode(text, { addSpecial: false });
    // gpt-2's detokenizer cleans " ," style spaces; the generated text has none, so it comes back whole
    expect(gpt2.decode(b)).toBe(text);
  });

  it("encodes a 1 MB run without spaces (one 1 MB word for BPE) and decodes it back", () => {
    let s = "";
    const alphabet = "abcdefghijklmnopqrstuvwxyzéü";
    let x = 7;
    const chars: string[] = [];
    for (let i = 0; i < 1024 * 1024; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      chars.push(alphabet[(x >>> 16) % alphabet.length]!);
    }
    s = chars.join("");
    const a = spm.encode(s, { addSpecial: false });
    expect(spm.decode(a)).toBe(s);
    const b = gpt2.encode(s, { addSpecial: false });
    expect(b.length).toBeLessThan(s.length); // merges happened across the whole word
    expect(gpt2.decode(b)).toBe(s);
  });

  it("refuses a gpt2 vocabulary without merges, naming the key", () => {
    const kvs = gpt2File.kvs.filter((e) => e.key !== "tokenizer.ggml.merges");
    const f = open(writeVocab("no-merges.gguf", kvs));
    expect(() => loadTokenizer(f)).toThrow(KilnError);
    expect(() => loadTokenizer(f)).toThrow(/tokenizer\.ggml\.merges/);
  });

  it("still tokenizes losslessly with most merges missing", () => {
    const kvs = gpt2File.kvs.map((e) => {
      if (e.key !== "tokenizer.ggml.merges") return e;
      const items = (e.value as { items: string[] }).items.slice(0, 100);
      return kv.array(e.key, GGUFValueType.STRING, items);
    });
    const few = loadTokenizer(open(writeVocab("few-merges.gguf", kvs)));
    const text = "Hello world, this is a test of merges!";
    const ids = few.encode(text);
    expect(ids.length).toBeGreaterThan(gpt2.encode(text).length);
    expect(few.decode(ids)).toBe(text);
  });

  it("refuses a file without a vocabulary or with an unknown tokenizer model", () => {
    const none = open(writeVocab("none.gguf", [kv.str("general.architecture", "llama")]));
    expect(() => loadTokenizer(none)).toThrow(/tokenizer\.ggml\.model/);
    const odd = open(writeVocab("odd.gguf", [kv.str("tokenizer.ggml.model", "rwkv"), kv.array("tokenizer.ggml.tokens", GGUFValueType.STRING, ["a"])]));
    expect(() => loadTokenizer(odd)).toThrow(/"rwkv" is not supported/);
  });

  it("refuses scores that do not match the token count", () => {
    const f = open(writeVocab("bad-scores.gguf", [
      kv.str("tokenizer.ggml.model", "llama"),
      kv.array("tokenizer.ggml.tokens", GGUFValueType.STRING, ["<unk>", "<s>", "</s>", "a"]),
      kv.array("tokenizer.ggml.scores", GGUFValueType.FLOAT32, [0, 0]),
    ]));
    expect(() => loadTokenizer(f)).toThrow(/tokenizer\.ggml\.scores.*2 entries.*4 tokens/);
  });

  it("warns on an unknown pre-tokenizer and uses the default split", () => {
    const kvs = gpt2File.kvs.map((e) => (e.key === "tokenizer.ggml.pre" ? kv.str(e.key, "made-up") : e));
    const warnings: string[] = [];
    const tok = loadTokenizer(open(writeVocab("unknown-pre.gguf", kvs)), { warn: (m) => warnings.push(m) });
    expect(warnings.join("\n")).toMatch(/unknown tokenizer\.ggml\.pre "made-up"/);
    expect(tok.vocab.pre.name).toBe("default");
    expect(tok.decode(tok.encode("x = 1234"))).toBe("x = 1234");
  });

  it("decodes ids outside the vocabulary to nothing instead of throwing", () => {
    expect(spm.decode([403, -1, 99999, 1.5, 407])).toBe(spm.decode([403, 407]));
  });
});
