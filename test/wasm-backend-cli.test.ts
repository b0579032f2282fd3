// `--backend wasm` and `--threads N` on kiln run and kiln logits, checked against llama.cpp's outputs,
// and a bad --threads refused with a message that names it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/main.js";
import { golden } from "./golden.js";

async function kiln(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
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

const tmp = mkdtempSync(join(tmpdir(), "kiln-wasm-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("kiln --backend wasm", () => {
  it("run prints llama.cpp's greedy continuation of stories260k-q8_0 (the first 67 tokens, up to its first near-tie)", async () => {
    const g = JSON.parse(readFileSync(golden("greedy", "stories260k-q8_0-kvf16.json"), "utf8")) as { generated_pieces: string[] };
    const r = await kiln("run", "-m", golden("models", "stories260k-q8_0.gguf"), "-p", "Once upon a time", "-n", "67", "--temp", "0",
      "--backend", "wasm", "--threads", "2", "--kv-type", "f16");
    expect(r.err).not.toMatch(/Error|at /);
    expect(r.code).toBe(0);
    expect(r.out).toBe(g.generated_pieces.slice(0, 67).join(""));
  });

  it("logits writes llama.cpp's qwen2-synthetic-q8_0 logits (NMSE < 1e-12)", async () => {
    const meta = JSON.parse(readFileSync(golden("logits", "qwen2-synthetic-q8_0-logits.json"), "utf8")) as { token_ids: number[] };
    const out = join(tmp, "qwen2.f32");
    const r = await kiln("logits", "-m", golden("models", "qwen2-synthetic-q8_0.gguf"), "--tokens", meta.token_ids.join(","), "-o", out,
      "--backend", "wasm", "--threads", "3");
    expect(r.code).toBe(0);
    const read = (p: string): Float32Array => {
      const b = readFileSync(p);
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    const got = read(out);
    const want = read(golden("logits", "qwen2-synthetic-q8_0-logits.f32"));
    expect(got.length).toBe(want.length);
    let num = 0;
    let den = 0;
    for (let i = 0; i < want.length; i++) {
      num += (got[i]! - want[i]!) ** 2;
      den += want[i]! ** 2;
    }
    expect(num / den).toBeLessThan(1e-12);
  });

  it("refuses --threads that is not a whole number from 1 to 256, naming the flag, without a stack trace", async () => {
    for (const bad of ["0", "1.5", "many"]) {
      const r = await kiln("run", "-p", "Once", "-n", "2", "--backend", "wasm", "--threads", bad);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/--threads/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
