// kiln tokenize / detokenize on the command line, checked against the ids llama.cpp gives for the
// golden prompts (shared/golden greedy/ and tokenizer/ vectors).
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/main.js";
import { tokenizeBatch } from "../cli/commands/tokenize.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { loadTokenizer } from "../engine/tokenizer/index.js";
import { golden } from "./golden.js";

async function kiln(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [], err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await runCli(["node", "kiln", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out: out.join(""), err: err.join(""), code };
}

describe("kiln tokenize", () => {
  it("prints llama.cpp's ids for the greedy prompt with the default model, BOS included", async () => {
    const r = await kiln("tokenize", "Once upon a time");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([1, 403, 407, 261, 378]);
  });

  it("drops BOS with --no-bos", async () => {
    const r = await kiln("tokenize", "-m", golden("models", "stories260k-f32.gguf"), "--no-bos", "Once upon a time");
    expect(JSON.parse(r.out)).toEqual([403, 407, 261, 378]);
  });

  it("matches control tokens' text only with --special", async () => {
    const m = golden("tokenizer", "ggml-vocab-gpt-2.gguf");
    const plain = JSON.parse((await kiln("tokenize", "-m", m, "<|endoftext|>")).out) as number[];
    const special = JSON.parse((await kiln("tokenize", "-m", m, "--special", "<|endoftext|>")).out) as number[];
    expect(special).toEqual([50256]);
    expect(plain).not.toContain(50256);
  });

  it("--batch turns each JSON string line into a JSON array line (llama.cpp's vectors)", async () => {
    const f = GGUFFile.open(golden("tokenizer", "ggml-vocab-llama-spm.gguf"));
    try {
      const tok = loadTokenizer(f);
      const texts = readFileSync(golden("tokenizer", "ggml-vocab-llama-spm.gguf.inp"), "utf8").split("\n__ggml_vocab_test__\n").slice(0, -1);
      const expected = readFileSync(golden("tokenizer", "ggml-vocab-llama-spm.gguf.out"), "utf8").split("\n").slice(0, texts.length)
        .map((l) => (l.trim() === "" ? [] : l.trim().split(/\s+/).map(Number)));
      const lines: string[] = [];
      await tokenizeBatch(tok, { addSpecial: false, parseSpecial: false }, Readable.from(texts.map((t) => JSON.stringify(t) + "\n").join("")), (l) => lines.push(l));
      expect(lines.map((l) => JSON.parse(l) as number[])).toEqual(expected);
    } finally {
      f.close();
    }
  });

  it("--batch rejects a line that is not a JSON string with a clear error", async () => {
    const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    try {
      const tok = loadTokenizer(f);
      await expect(tokenizeBatch(tok, { addSpecial: true, parseSpecial: false }, Readable.from('"ok"\nnot json\n'), () => {})).rejects.toThrow(/line 2 is not a JSON string/);
    } finally {
      f.close();
    }
  });

  it("reports a missing model file in one line", async () => {
    const r = await kiln("tokenize", "-m", "/nonexistent/model.gguf", "hi");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kiln: .*nonexistent\/model\.gguf.*\n$/);
  });
});

describe("kiln detokenize", () => {
  it("prints the text of llama.cpp's greedy ids", async () => {
    const g = JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as { prompt_token_ids: number[] };
    const r = await kiln("detokenize", g.prompt_token_ids.join(","));
    expect(r.out).toBe(" Once upon a time"); // llama.cpp keeps the prefix space after a BOS it does not remove
    const j = await kiln("detokenize", JSON.stringify(g.prompt_token_ids.slice(1)));
    expect(j.out).toBe("Once upon a time");
  });

  it("renders control tokens with --special", async () => {
    expect((await kiln("detokenize", "--special", "1,403")).out).toBe("<s> Once");
  });

  it("rejects ids outside the vocabulary, naming the range", async () => {
    const r = await kiln("detokenize", "1,512");
    expect(r.code).toBe(1);
    expect(r.err).toContain("token id 512 is not in the vocabulary (ids run from 0 to 511)");
  });
});

afterAll(() => {
  process.exitCode = 0;
});
