// The conformance suite itself: its checks catch what they promise to (a NaN, an out-of-bounds write, an
// error over the limit), each with the case name and the differing pairs; and `kiln conformance --json`
// keeps its shape. Every kernel's own cases run in test/kernels-*.test.ts.
import { describe, expect, it } from "vitest";
import { formatMatrix, reportJson } from "../cli/commands/conformance.js";
import { buildProgram } from "../cli/main.js";
import { caseName, type ConformanceCase } from "../conformance/case.js";
import { compareOutput, GUARD_BITS, GUARD_ELEMENTS, ulpDistance } from "../conformance/compare.js";
import { Rng } from "../conformance/prng.js";
import { runConformance, selectCases } from "../conformance/run.js";
import { TOLERANCES, toleranceFor } from "../conformance/tolerances.js";

function addCase(kernel: string): ConformanceCase {
  return {
    name: caseName(kernel, { n: 100 }), op: "add", file: "test/fixtures/conformance/broken.kernel.ts", kernel, seed: 7,
    build(rng) {
      const a = rng.f32(100), b = rng.f32(100);
      return { buffers: { a, b }, uniforms: { n: 100 }, dispatch: [2, 1, 1], expected: { out: a.map((v, i) => v + b[i]!) } };
    },
  };
}

describe("conformance checks", () => {
  it("catches a write past the output (the guard region)", async () => {
    const r = await runConformance({ targets: ["interp"], cases: [addCase("add_overrun")] });
    expect(r.results[0]!.status).toBe("fail");
    expect(r.results[0]!.detail).toMatch(/^add_overrun\(n=100\) on interp, output out: out-of-bounds write: guard element 0/);
  });

  it("catches an output the kernel never wrote, as non-finite, before any metric", async () => {
    const r = await runConformance({ targets: ["interp"], cases: [addCase("add_short")] });
    expect(r.results[0]!.status).toBe("fail");
    expect(r.results[0]!.detail).toMatch(/non-finite output: \[99\] got NaN/);
  });

  it("fails an error over the op's limit and shows the first 5 differing pairs and the max error", async () => {
    const r = await runConformance({ targets: ["interp"], cases: [addCase("add_sloppy")] });
    expect(r.results[0]!.status).toBe("fail");
    const d = r.results[0]!.detail;
    expect(d).toMatch(/NMSE [0-9.e+-]+ > 1e-7; max abs error/);
    expect(d).toMatch(/max abs error [0-9.e+-]+ at \[\d+\] \(got [-0-9.e]+ want [-0-9.e]+\)/);
    expect(d.split("first differing: ")[1]!.match(/\[\d+\] got [-0-9.e]+ want [-0-9.e]+/g)).toHaveLength(5);
  });

  it("measures ULPs across zero and between neighbours", () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(1, 1 + 2 ** -23)).toBe(1);
    expect(ulpDistance(-0, 0)).toBe(0);
    expect(ulpDistance(2 ** -149, -(2 ** -149))).toBe(2);
  });

  it("applies max ULP 0 and exact as written", () => {
    const want = new Float32Array([1, 2, 3]);
    const got = new Float32Array(3 + GUARD_ELEMENTS);
    new Uint32Array(got.buffer).fill(GUARD_BITS, 3);
    got.set([1, 2, 3 + 2 ** -22]);
    expect(compareOutput(got, want, { kind: "ulp", max: 0 })).toMatchObject({ ok: false, error: 1 });
    expect(compareOutput(got, want, { kind: "ulp", max: 1 }).ok).toBe(true);
    const ids = new Uint32Array(1 + GUARD_ELEMENTS).fill(GUARD_BITS);
    ids[0] = 4;
    expect(compareOutput(ids, new Uint32Array([4]), { kind: "exact" }).ok).toBe(true);
    expect(compareOutput(ids, new Uint32Array([5]), { kind: "exact" }).detail).toBe("1 of 1 values differ: [0] got 4 want 5");
  });

  it("seeds inputs reproducibly", () => {
    expect(Array.from(new Rng(1).f32(4))).toEqual(Array.from(new Rng(1).f32(4)));
    expect(Array.from(new Rng(1).f32(4))).not.toEqual(Array.from(new Rng(2).f32(4)));
  });
});

describe("tolerances", () => {
  it("has a reason on every rule and the starting limits of test-backend-ops", () => {
    for (const t of TOLERANCES) expect(t.reason.length).toBeGreaterThan(10);
    expect(toleranceFor("rmsnorm", "x").metric).toEqual({ kind: "nmse", max: 1e-7 });
    expect(toleranceFor("softmax", "x").metric).toEqual({ kind: "nmse", max: 1e-6 });
    expect(toleranceFor("matvec", "x").metric).toEqual({ kind: "nmse", max: 5e-4 });
    expect(toleranceFor("dequantize", "x").metric).toEqual({ kind: "ulp", max: 0 });
    expect(toleranceFor("argmax", "x").metric).toEqual({ kind: "exact" });
  });

  it("has a rule for every op that has cases, and case names are unique", () => {
    const cases = selectCases();
    for (const c of cases) expect(() => toleranceFor(c.op, c.name)).not.toThrow();
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) expect(c.name).toMatch(/^[a-z_0-9]+\(([a-z_0-9]+=[^,()]+,?)*\)$/);
  });
});

describe("kiln conformance output", () => {
  it("prints the matrix and a stable JSON object", async () => {
    const report = await runConformance({ op: "scale", targets: ["interp"] });
    const text = formatMatrix(report);
    expect(text.split("\n")[0]).toMatch(/^case\s+interp$/);
    expect(text).toMatch(/^scale\(n=1000,s=0\.125\)\s+pass$/m);
    const json = reportJson(report) as { targets: unknown[]; results: { status: string }[]; summary: { pass: number } };
    expect(Object.keys(json)).toEqual(["targets", "results", "summary"]);
    expect(json.targets).toEqual([{ name: "interp", available: true, why: "" }]);
    expect(json.summary.pass).toBe(json.results.length);
  });

  it("names the known ops when --op matches nothing", () => {
    expect(() => selectCases("nosuchop")).toThrow(/--op nosuchop: no conformance case has that op or kernel name \(ops: add, /);
  });

  it("runs as `kiln conformance --op scale --target interp --json` and exits 0 when all pass", async () => {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
    const before = process.exitCode;
    try {
      await buildProgram().parseAsync(["node", "kiln", "conformance", "--op", "scale", "--target", "interp", "--json"]);
    } finally {
      process.stdout.write = write;
    }
    const json = JSON.parse(chunks.join("")) as { results: { case: string; target: string; status: string }[]; summary: { pass: number; fail: number } };
    expect(json.results.map((r) => `${r.case} ${r.target} ${r.status}`)).toEqual([
      "scale(n=1,s=0.125) interp pass", "scale(n=256,s=0.125) interp pass", "scale(n=1000,s=0.125) interp pass",
    ]);
    expect(json.summary).toEqual({ pass: 3, fail: 0, unavailable: 0 });
    expect(process.exitCode).toBe(before);
  });
});
