// kiln quant dequantize/quantize on the golden files: the CLI must write exactly ggml's bytes and
// floats, and bad input (unknown type, a length that is not whole blocks, a missing file) must give
// one "kiln: ..." line naming the problem, exit code 1 and no stack trace.
// Goldens: ../shared/golden/quants (see its README).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/main.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-quant-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process; returns its exit code and what it wrote to stderr. */
async function kiln(...args: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await runCli(["node", "kiln", ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { code, stderr: err.join("") };
}

describe("kiln quant", () => {
  it("dequantizes q4_k golden blocks to ggml's exact floats", async () => {
    const out = join(dir, "q4_k.f32");
    const r = await kiln("quant", "dequantize", "--type", "Q4_K", golden("quants", "q4_k-seed1.bin"), out);
    expect(r.code).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(golden("quants", "q4_k-seed1.f32")))).toBe(0);
  });

  it("quantizes the golden input to ggml's exact q6_k and iq4_nl bytes", async () => {
    for (const type of ["q6_k", "iq4_nl"]) {
      const out = join(dir, `${type}.bin`);
      const r = await kiln("quant", "quantize", "--type", type, golden("quants", "input-seed1.f32"), out);
      expect(r.code, r.stderr).toBe(0);
      expect(Buffer.compare(readFileSync(out), readFileSync(golden("quants", `${type}-seed1.bin`))), type).toBe(0);
    }
  });

  it("rejects an unknown type, naming it and the valid names", async () => {
    const r = await kiln("quant", "quantize", "--type", "q9_9", golden("quants", "input-seed1.f32"), join(dir, "x.bin"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kiln: .*--type q9_9 is not a ggml type name .*q4_0.*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects a row that is not a whole number of blocks", async () => {
    const f32 = join(dir, "short.f32");
    writeFileSync(f32, Buffer.alloc(4 * 100)); // 100 values: not a multiple of 32
    const q = await kiln("quant", "quantize", "--type", "q8_0", f32, join(dir, "short.bin"));
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/^kiln: .*short\.f32: 100 values is not a whole number of q8_0 blocks \(32 values each/);

    const bin = join(dir, "short.bin");
    writeFileSync(bin, readFileSync(golden("quants", "q4_0-seed1.bin")).subarray(0, 100)); // 100 % 18 != 0
    const d = await kiln("quant", "dequantize", "--type", "q4_0", bin, join(dir, "short.f32"));
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^kiln: .*short\.bin: 100 bytes is not a whole number of q4_0 blocks \(18 bytes per 32 values/);
    expect(d.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("asks for --importance for a type ggml only quantizes with an importance matrix", async () => {
    const r = await kiln("quant", "quantize", "--type", "iq2_xxs", golden("quants", "input-seed1.f32"), join(dir, "x.bin"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kiln: quant quantize: iq2_xxs needs --importance FILE .*importance matrix\n$/);
  });

  it("quantizes iq2_xs with an all-ones importance file to ggml's exact bytes", async () => {
    const ones = join(dir, "ones.f32");
    writeFileSync(ones, Buffer.from(new Float32Array(4096).fill(1).buffer));
    const out = join(dir, "iq2_xs.bin");
    const r = await kiln("quant", "quantize", "--type", "iq2_xs", "--importance", ones, golden("quants", "input-seed1.f32"), out);
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(golden("quants", "iq2_xs-seed1.bin")))).toBe(0);
  });

  it("names a missing input file", async () => {
    const r = await kiln("quant", "dequantize", "--type", "q8_0", join(dir, "nope.bin"), join(dir, "x.f32"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kiln: cannot read .*nope\.bin: ENOENT/);
  });
});
