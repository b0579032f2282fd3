// kiln run / logits / chat on the command line, checked against llama.cpp's outputs in shared/golden.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/main.js";
import { golden, REPO_ROOT } from "./golden.js";

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

interface GreedyJSON { prompt: string; generated_pieces: string[]; generated_token_ids: number[] }
const greedy = JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as GreedyJSON;
const tmp = mkdtempSync(join(tmpdir(), "kiln-cli-run-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe("kiln run", () => {
  it("prints exactly llama.cpp's greedy continuation of stories260k (256 tokens), nothing else on stdout", () => {
    // A real process, so that stdout holds only what kiln writes there.
    const entry = resolve(REPO_ROOT, "test/server-kiln-entry.ts");
    const viteNode = resolve(REPO_ROOT, "node_modules/vite-node/vite-node.mjs");
    const r = spawnSync(process.execPath, [
      viteNode, entry, "run", "-m", golden("models", "stories260k-f32.gguf"), "-p", "Once upon a time", "-n", "256", "--temp", "0",
    ], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.stderr).toMatch(/generated 256 tokens/);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(greedy.generated_pieces.join(""));
  });

  it("runs the embedded stories260k model when no -m is given", async () => {
    const r = await kiln("run", "-p", "Once upon a time", "-n", "12", "--temp", "0");
    expect(r.code).toBe(0);
    expect(r.out).toBe(greedy.generated_pieces.slice(0, 12).join(""));
  });

  it("gives the same text for the same --seed", async () => {
    const a = await kiln("run", "-p", "Once upon a time", "-n", "30", "--temp", "1", "--seed", "7");
    const b = await kiln("run", "-p", "Once upon a time", "-n", "30", "--temp", "1", "--seed", "7");
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    expect(a.out.length).toBeGreaterThan(0);
  });

  it("stops before a --stop string", async () => {
    const r = await kiln("run", "-p", "Once upon a time", "-n", "40", "--temp", "0", "--stop", "girl");
    expect(r.out).toBe(", there was a little ");
  });

  it("explains a bad flag value in one line, without a stack trace", async () => {
    const r = await kiln("run", "-p", "x", "--temp", "hot");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--temp "hot" is not a number/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const m = await kiln("run", "-m", join(tmp, "missing.gguf"), "-p", "x");
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/missing\.gguf/);
    const b = await kiln("run", "-p", "x", "--backend", "nonesuch");
    expect(b.err).toMatch(/backend "nonesuch" is not available \(available: reference/);
  });

  it("refuses an unsupported architecture, naming it and the supported ones", async () => {
    const vocabOnly = golden("tokenizer", "ggml-vocab-gpt-2.gguf");
    const r = await kiln("run", "-m", vocabOnly, "-p", "x");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/architecture "gpt2" is not supported \(supported: llama, qwen2, phi3, gemma2\)/);
  });
});

describe("kiln logits", () => {
  it("writes llama.cpp's logits for synthetic-k256-f32 (NMSE <= 1e-6)", async () => {
    const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-f32-logits.json"), "utf8")) as { token_ids: number[] };
    const out = join(tmp, "k256.f32");
    const r = await kiln("logits", "-m", golden("models", "synthetic-k256-f32.gguf"), "--tokens", meta.token_ids.join(","), "-o", out);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    const got = readF32(out);
    const want = readF32(golden("logits", "synthetic-k256-f32-logits.f32"));
    expect(got.length).toBe(16 * 512);
    let num = 0, den = 0;
    for (let i = 0; i < want.length; i++) { num += (got[i]! - want[i]!) ** 2; den += want[i]! ** 2; }
    expect(num / den).toBeLessThanOrEqual(1e-6);
  });

  it("uses an f16 KV cache with --kv-type f16, matching llama.cpp's -kvf16 logits", async () => {
    const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-f32-logits-kvf16.json"), "utf8")) as { token_ids: number[] };
    const out = join(tmp, "k256-kvf16.f32");
    const r = await kiln("logits", "-m", golden("models", "synthetic-k256-f32.gguf"), "--tokens", meta.token_ids.join(","), "-o", out, "--kv-type", "f16");
    expect(r.code).toBe(0);
    const got = readF32(out);
    const want = readF32(golden("logits", "synthetic-k256-f32-logits-kvf16.f32"));
    const f32kv = readF32(golden("logits", "synthetic-k256-f32-logits.f32"));
    const nmse = (a: Float32Array, b: Float32Array): number => {
      let num = 0, den = 0;
      for (let i = 0; i < b.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
      return num / den;
    };
    expect(nmse(got, want)).toBeLessThanOrEqual(1e-6);
    // closer to llama.cpp's f16-KV run than to its f32-KV run: the cache really is rounded
    expect(nmse(got, want)).toBeLessThan(nmse(got, f32kv));
  });

  it("reproduces llama.cpp's q8_0 logits to f32 round-off with --ggml-activations", async () => {
    const meta = JSON.parse(readFileSync(golden("logits", "qwen2-synthetic-q8_0-logits.json"), "utf8")) as { token_ids: number[] };
    const out = join(tmp, "qwen2.f32");
    const r = await kiln("logits", "-m", golden("models", "qwen2-synthetic-q8_0.gguf"), "--tokens", meta.token_ids.join(","), "-o", out, "--ggml-activations");
    expect(r.code).toBe(0);
    const got = readF32(out);
    const want = readF32(golden("logits", "qwen2-synthetic-q8_0-logits.f32"));
    let num = 0, den = 0;
    for (let i = 0; i < want.length; i++) { num += (got[i]! - want[i]!) ** 2; den += want[i]! ** 2; }
    expect(num / den).toBeLessThanOrEqual(1e-12);
  });

  it("rejects a token id outside the vocabulary", async () => {
    const r = await kiln("logits", "--tokens", "1,99999", "-o", join(tmp, "x.f32"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/99999/);
  });
});

describe("kiln chat", () => {
  it("answers each stdin line with a streamed reply through the chat template", async () => {
    const stdin = Readable.from(["Hello\n", "\n", "Tell me a story\n"]);
    const orig = Object.getOwnPropertyDescriptor(process, "stdin")!;
    Object.defineProperty(process, "stdin", { value: stdin, configurable: true });
    try {
      const r = await kiln("chat", "-n", "8", "--temp", "0");
      expect(r.code).toBe(0);
      const lines = r.out.split("\n");
      expect(lines.length).toBe(3); // two replies, each ended by a newline
    } finally {
      Object.defineProperty(process, "stdin", orig);
    }
  });
});
