// The IR interpreter runs the kernels in engine/kernels and matches plain TypeScript references
// (written here, llama2.c style) and, for quantized weights, llama.cpp's own dequantization of the
// golden q8_0 vectors. Each kernel runs twice: as parsed (collectives executed by the interpreter's
// lock-step scheduler) and after the shared passes (collectives lowered to shared-memory trees,
// quant fields to byte loads, loops unrolled) — both must agree with the reference.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseKernelFile, parseKernelSource } from "../codegen/frontend/parse.js";
import { interpret } from "../codegen/interpret/run.js";
import type { KernelIR } from "../codegen/ir/types.js";
import { lower } from "../codegen/passes/pipeline.js";
import { KilnError } from "../engine/errors.js";
import { golden, REPO_ROOT } from "./golden.js";

let kernels: Map<string, KernelIR>;
beforeAll(() => {
  kernels = new Map();
  for (const f of ["elementwise", "norm", "softmax", "matvec"]) {
    for (const k of parseKernelFile(join(REPO_ROOT, "engine", "kernels", `${f}.kernel.ts`), REPO_ROOT)) kernels.set(k.name, k);
  }
});
const kernel = (name: string): KernelIR => kernels.get(name)!;
const both = (name: string): [string, KernelIR][] => [
  ["as parsed", kernel(name)],
  ["after the shared passes", lower(kernel(name))],
];

/** A small seeded PRNG (mulberry32) so inputs are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const floats = (n: number, seed: number, scale = 1): Float32Array => {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};
const groups = (n: number, size: number): number => Math.ceil(n / size);

function expectClose(got: Float32Array, want: ArrayLike<number>, rel: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < got.length; i++) {
    const w = want[i]!;
    const err = Math.abs(got[i]! - w) / Math.max(Math.abs(w), 1e-30);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `worst relative error at ${at}: got ${got[at]}, want ${want[at]}`).toBeLessThanOrEqual(rel);
}

describe("elementwise kernels in the interpreter", () => {
  const n = 1000; // not a multiple of the workgroup: the last workgroup's bounds test matters
  const a = floats(n, 1, 10);
  const b = floats(n, 2, 10);

  it("add, mul and scale equal the f32 loops exactly", () => {
    for (const [when, k] of [...both("add"), ...both("mul")]) {
      const out = new Float32Array(n);
      interpret(k, { workgroups: groups(n, 256), uniforms: { n }, buffers: { a, b, out } });
      const want = Float32Array.from(a, (v, i) => (k.name === "add" ? v + b[i]! : v * b[i]!));
      expect(out, `${k.name} ${when}`).toEqual(want);
    }
    for (const [when, k] of both("scale")) {
      const out = new Float32Array(n);
      interpret(k, { workgroups: groups(n, 256), uniforms: { n, scale: 0.125 }, buffers: { x: a, out } });
      expect(out, when).toEqual(Float32Array.from(a, (v) => v * 0.125));
    }
  });

  it("leaves values past n untouched", () => {
    const out = new Float32Array(n + 24).fill(7);
    interpret(kernel("add"), { workgroups: groups(n + 24, 256), uniforms: { n }, buffers: { a: floats(n + 24, 3), b: floats(n + 24, 4), out } });
    expect([...out.subarray(n)]).toEqual(new Array(24).fill(7));
  });
});

describe("rmsnorm in the interpreter", () => {
  it("matches llama2.c's rmsnorm (x / sqrt(mean(x^2) + eps) * w) for every row", () => {
    const rows = 3;
    const n = 1000;
    const eps = 1e-5;
    const x = floats(rows * n, 5, 3);
    const w = floats(n, 6);
    // reference in f64, row by row
    const want = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      let ss = 0;
      for (let i = 0; i < n; i++) ss += x[r * n + i]! ** 2;
      const s = 1 / Math.sqrt(ss / n + eps);
      for (let i = 0; i < n; i++) want[r * n + i] = x[r * n + i]! * s * w[i]!;
    }
    const results = both("rmsnorm").map(([, k]) => {
      const out = new Float32Array(rows * n);
      interpret(k, { workgroups: rows, uniforms: { n, eps }, buffers: { x, w, out } });
      expectClose(out, want, 2e-6);
      return out;
    });
    // the lowered reduction tree sums in the same order as the interpreter's collective
    expect(results[1]).toEqual(results[0]);
  });
});

describe("softmax in the interpreter", () => {
  it("matches exp(x - max) / sum for rows with large values", () => {
    const rows = 3;
    const n = 777;
    const x = floats(rows * n, 7, 80); // exp(80) overflows f32 unless the max is subtracted
    const want = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, x[r * n + i]!);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.exp(x[r * n + i]! - m);
      for (let i = 0; i < n; i++) want[r * n + i] = Math.exp(x[r * n + i]! - m) / sum;
    }
    for (const [when, k] of both("softmax")) {
      const out = new Float32Array(rows * n);
      interpret(k, { workgroups: rows, uniforms: { n }, buffers: { x, out } });
      expect(out.every(Number.isFinite), when).toBe(true);
      // normalized mean squared error (f32 rounding alone gives about 1e-14)
      let num = 0;
      let den = 0;
      for (let i = 0; i < out.length; i++) {
        num += (out[i]! - want[i]!) ** 2;
        den += want[i]! ** 2;
      }
      expect(num / den, when).toBeLessThan(1e-12);
      // and the largest probabilities to a few f32 ulps
      const top = want.indexOf(Math.max(...want));
      expect(Math.abs(out[top]! - want[top]!) / want[top]!, when).toBeLessThan(1e-6);
    }
  });
});

describe("matvec_q8_0 in the interpreter", () => {
  it("multiplies llama.cpp's q8_0 blocks as ggml dequantizes them", () => {
    // the golden row of 4096 values quantized by ggml, read as 4 rows of k = 1024
    const bytes = new Uint8Array(readFileSync(golden("quants", "q8_0-seed1.bin")));
    const deq = new Float32Array(new Uint8Array(readFileSync(golden("quants", "q8_0-seed1.f32"))).buffer);
    const rows = 4;
    const k = 1024;
    expect(bytes.length).toBe((rows * k * 34) / 32);
    const x = floats(k, 9);
    const want = new Float64Array(rows);
    let scale = 0;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < k; i++) {
        want[r] += deq[r * k + i]! * x[i]!;
        scale += Math.abs(deq[r * k + i]! * x[i]!);
      }
    }
    for (const [when, kern] of both("matvec_q8_0")) {
      const out = new Float32Array(rows);
      interpret(kern, { workgroups: rows, uniforms: { k }, buffers: { W: bytes, x, out } });
      for (let r = 0; r < rows; r++) expect(Math.abs(out[r]! - want[r]!) / scale, `${when} row ${r}`).toBeLessThan(1e-6);
    }
  });
});

describe("the interpreter's checks", () => {
  it("names the kernel, buffer and index of an out-of-bounds write", () => {
    const n = 300;
    const run = (): void =>
      interpret(kernel("add"), { workgroups: 2, uniforms: { n }, buffers: { a: floats(n, 1), b: floats(n, 2), out: new Float32Array(256) } });
    expect(run).toThrow(KilnError);
    expect(run).toThrow(/kernel add: out\[256\] is out of bounds \(length 256\)/);
  });

  it("rejects a missing uniform and a buffer of the wrong element type", () => {
    const buffers = { a: new Float32Array(4), b: new Float32Array(4), out: new Float32Array(4) };
    expect(() => interpret(kernel("add"), { workgroups: 1, buffers })).toThrow(/uniform n \(u32\) was not given/);
    expect(() => interpret(kernel("add"), { workgroups: 1, uniforms: { n: 4 }, buffers: { ...buffers, out: new Int32Array(4) } })).toThrow(/buffer out is a Int32Array; pass a Float32Array/);
  });

  it("refuses what targets would compute differently: shifts by 32 or more, integer division by zero", () => {
    const src = (body: string): string =>
      [
        'import { globalId, idiv, kernel, read, u32, write } from "../../codegen/dsl/index.js";',
        "export const t = kernel({ name: \"t\", workgroupSize: 4, uniforms: { s: u32 }, buffers: { x: read(u32), out: write(u32) } }, ({ s, x, out }) => {",
        `  out[globalId.x] = ${body};`,
        "});",
      ].join("\n");
    const run = (body: string, s: number): Uint32Array => {
      const [k] = parseKernelSource(src(body), "edge.kernel.ts");
      const out = new Uint32Array(4);
      interpret(lower(k!), { workgroups: 1, uniforms: { s }, buffers: { x: Uint32Array.of(1, 2, 3, 4), out } });
      return out;
    };
    expect([...run("x[globalId.x] << s", 31)]).toEqual([2 ** 31, 0, 2 ** 31, 0]);
    expect(() => run("x[globalId.x] << s", 32)).toThrow(/a shift by 32 bits; shift amounts must be below 32/);
    expect([...run("idiv(x[globalId.x], s)", 2)]).toEqual([0, 1, 1, 2]);
    expect(() => run("idiv(x[globalId.x], s)", 0)).toThrow(/integer idiv by zero/);
    expect(() => run("x[globalId.x] % s", 0)).toThrow(/integer % by zero/);
  });

  // built by hand: the frontend would refuse to produce these
  const loc = { file: "hand.kernel.ts", line: 1, col: 1 };
  const lidBelow2 = { k: "bin", type: "bool", op: "<", a: { k: "builtin", type: "u32", name: "localId", axis: "x" }, b: { k: "lit", type: "u32", value: 2 } } as const;
  const handMade = (body: KernelIR["body"]): KernelIR => ({
    name: "divergent", source: "hand.kernel.ts", loc, doc: [], workgroupSize: [4, 1, 1], uniforms: [], constants: {}, shared: [], tables: [], needs: [],
    buffers: [{ name: "out", elem: "f32", access: "read_write" }],
    body,
  });

  it("catches a barrier that only part of a workgroup reaches", () => {
    const inBranch = handMade([{ k: "if", loc, else: null, cond: lidBelow2, then: [{ k: "barrier", loc: { ...loc, line: 7 } }] }]);
    expect(() => interpret(inBranch, { workgroups: 1, buffers: { out: new Float32Array(4) } })).toThrow(/invocations disagree on the if at hand.kernel.ts:1, which contains a barrier \(2 take it, 2 do not\)/);
    const afterReturn = handMade([
      { k: "if", loc, else: null, cond: lidBelow2, then: [{ k: "return", loc }] },
      { k: "barrier", loc: { ...loc, line: 7 } },
    ]);
    expect(() => interpret(afterReturn, { workgroups: 1, buffers: { out: new Float32Array(4) } })).toThrow(/2 invocations wait at the barrier at hand.kernel.ts:7 while 2 have finished/);
  });
});
