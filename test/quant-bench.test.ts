// The bench runner finds the quant benchmark module and runs a filtered case. This checks that the
// benchmarks keep working as the code changes; it asserts nothing about speed (that is bench/'s job).
import { describe, expect, it, vi } from "vitest";
import { main } from "../bench/run.js";

async function bench(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  try {
    const code = await main(["node", "run.js", ...args]);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("bench runner", () => {
  it("lists the quant benchmark", async () => {
    const r = await bench("--list", "--only", "quant");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^quant\s+reference dequantizeRow/m);
  });

  it("runs only the selected cases and reports one MB/s row for each", async () => {
    const r = await bench("--only", "quant", "--quick", "--case", "type=q8_0,");
    expect(r.code).toBe(0);
    const rows = r.out.split("\n").filter((l) => /^  \S.* MB\/s$/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(["dequantize(type=q8_0,n=4096)", "quantize(type=q8_0,n=4096)"]);
  });

  it("names an unknown benchmark and the ones it has", async () => {
    const r = await bench("--only", "nosuch");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no benchmark named nosuch \(have: .*quant/);
  });
});
