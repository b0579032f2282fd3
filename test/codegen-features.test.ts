// DSL features beyond the first kernels — lookup tables, bit casts, f16 unpacking, early return, 2-D
// workgroups, barriers in a loop with a uniform bound and in an unrolled constant loop — checked in
// the interpreter against plain TS references, and in the generated targets: AssemblyScript run
// against the interpreter, CUDA through nvcc, WGSL through a WGSL parser.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as WgslReflectModule from "wgsl_reflect";
import { parseKernelFile } from "../codegen/frontend/parse.js";
import { interpret, type BufferData } from "../codegen/interpret/run.js";
import type { KernelIR } from "../codegen/ir/types.js";
import { generate } from "../codegen/main.js";
import { lower } from "../codegen/passes/pipeline.js";
import { f16ToF32, f32ToF16 } from "../engine/quant/half.js";
import { buildWasm, NVCC, nvccPtxAll, runWasm, type ManifestKernel, type WasmInstance } from "./codegen-helpers.js";
import { golden, REPO_ROOT } from "./golden.js";

const wgslReflectPath = "wgsl_reflect/wgsl_reflect.module.js";
const { WgslReflect } = (await import(wgslReflectPath)) as typeof WgslReflectModule;

// ggml-common.h kvalues_iq4nl, written out independently of the fixture
const KVALUES_IQ4NL = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

let kernels: Map<string, KernelIR>;
let files: Map<string, string>;
let manifest: Map<string, ManifestKernel>;
let work: string;
beforeAll(() => {
  const list = parseKernelFile(join(REPO_ROOT, "test", "fixtures", "kernels", "features.kernel.ts"), REPO_ROOT);
  kernels = new Map(list.map((k) => [k.name, k]));
  files = generate(list);
  manifest = new Map((JSON.parse(files.get("manifest.json")!) as { kernels: ManifestKernel[] }).kernels.map((k) => [k.name, k]));
  work = mkdtempSync(join(tmpdir(), "kiln-features-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a kernel in the interpreter, as parsed and after the shared passes; both results must agree. */
function interpretBoth(name: string, workgroups: number, uniforms: Record<string, number>, buffers: Record<string, BufferData>): Record<string, BufferData> {
  const results = [kernels.get(name)!, lower(kernels.get(name)!)].map((k) => {
    const copy = Object.fromEntries(Object.entries(buffers).map(([n, v]) => [n, v.slice()]));
    interpret(k, { workgroups, uniforms, buffers: copy });
    return copy;
  });
  expect(results[1], `${name}: lowered IR agrees with the parsed IR`).toEqual(results[0]);
  return results[0]!;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

interface Case {
  name: string;
  workgroups: number;
  uniforms: Record<string, number>;
  buffers: Record<string, BufferData>;
  want: Record<string, ArrayLike<number>>;
  /** Library functions (pow, exp2, log2) may differ by an ulp or two between the interpreter and a target. */
  ulps?: number;
}

function cases(): Case[] {
  const r = lcg(7);
  const n = 150;
  const codes = Uint32Array.from({ length: n + 10 }, (_, i) => (i === 17 ? 255 : r() & 0xff));
  const scales = Uint32Array.from({ length: n + 10 }, () => f32ToF16(((r() % 2000) - 1000) / 64));
  const lookupWant = Float32Array.from({ length: n + 10 }, (_, i) => (i >= n ? 0 : codes[i] === 255 ? -1 : KVALUES_IQ4NL[codes[i]! & 15]! * f16ToF32(scales[i]!)));

  const x = Float32Array.from({ length: 200 }, () => (r() / 2 ** 32 - 0.5) * 100);
  const bitsIn = Uint32Array.from({ length: 200 }, () => r());
  const bfWant = Float32Array.from(new Float32Array(Uint32Array.from(bitsIn, (b) => b & 0xffff0000).buffer));

  const tiles = 3;
  const rounds = 11; // more rounds than the unroller takes: the loop stays a loop around its barriers
  const tx = Float32Array.from({ length: tiles * 64 }, (_, i) => i * 0.5 - 7);
  const rotated = Float32Array.from(tx, (_, i) => tx[Math.floor(i / 64) * 64 + ((i % 64) + rounds) % 64]!);

  const sx = Float32Array.from({ length: tiles * 64 }, () => ((r() % 64) - 32) / 8); // eighths sum exactly
  const prefix = Float32Array.from(sx, (_, i) => {
    let s = 0;
    for (let j = Math.floor(i / 64) * 64; j <= i; j++) s += sx[j]!;
    return s;
  });
  const packed = Uint32Array.from({ length: 90 }, () => r() & 0xff);
  const levels = Float32Array.from({ length: 180 }, (_, j) => (j % 2 === 0 ? KVALUES_IQ4NL[packed[j >> 1]! & 15]! * 0.5 : KVALUES_IQ4NL[packed[j >> 1]! >> 4]!));
  const decayRounds = 12; // more than the unroller takes
  const rows = Float32Array.from({ length: decayRounds * 64 }, () => ((r() % 17) - 8) / 4); // sums stay exact
  let total = 0;
  for (let row = 0; row < decayRounds; row++) {
    let sum = 0;
    for (let j = 0; j < 64; j++) sum += rows[row * 64 + j]!;
    total = total * 0.5 + sum;
  }
  const decayWant = Float32Array.from({ length: 1 + decayRounds }, (_, i) => (i === 0 ? total : total + i - 1));
  // llama.cpp's q8_k blocks of the golden input, and its own dequantization of them
  const q8k = new Uint8Array(readFileSync(golden("quants", "q8_k-seed1.bin")));
  const q8kWant = new Float32Array(new Uint8Array(readFileSync(golden("quants", "q8_k-seed1.f32"))).buffer);
  const px = Float32Array.from({ length: 100 }, () => 0.1 + (r() / 2 ** 32) * 10);
  const py = Float32Array.from({ length: 100 }, () => (r() / 2 ** 32 - 0.5) * 6);
  const f = Math.fround;
  const powWant = Float32Array.from({ length: 500 }, (_, j) => {
    const i = Math.floor(j / 5);
    return [f(Math.pow(px[i]!, py[i]!)), f(2 ** py[i]!), f(Math.log2(px[i]!)), Math.ceil(py[i]!), Math.trunc(py[i]!)][j % 5]!;
  });
  // small multiples of 1/4: every partial sum is exact, so any summation order gives the same bits
  const dotRounds = 3;
  const dx = Float32Array.from({ length: dotRounds * 32 }, () => ((r() % 9) - 4) / 4);
  const dy = Float32Array.from({ length: dotRounds * 64 * 32 }, () => ((r() % 9) - 4) / 4);
  const dotWant = Float32Array.from({ length: 64 }, (_, i) => {
    let acc = 0;
    for (let round = 0; round < dotRounds; round++) for (let kk = 0; kk < 32; kk++) acc += dx[round * 32 + kk]! * dy[(round * 64 + i) * 32 + kk]!;
    return acc;
  });
  return [
    { name: "tile_dot", workgroups: 1, uniforms: { rounds: dotRounds }, buffers: { x: dx, y: dy, out: new Float32Array(64) }, want: { out: dotWant } },
    { name: "powers", workgroups: 2, uniforms: { n: 100 }, buffers: { x: px, y: py, out: new Float32Array(500) }, want: { out: powWant }, ulps: 2 },
    { name: "dequant_q8_k", workgroups: q8k.length / 292, uniforms: {}, buffers: { W: q8k, out: new Float32Array(q8kWant.length) }, want: { out: q8kWant } },
    { name: "decayed_sum", workgroups: 1, uniforms: { rounds: decayRounds }, buffers: { x: rows, out: new Float32Array(1 + decayRounds) }, want: { out: decayWant } },
    { name: "helpers_demo", workgroups: 2, uniforms: { n: 90 }, buffers: { codes: packed, out: new Float32Array(180) }, want: { out: levels } },
    { name: "lookup_iq4nl", workgroups: 3, uniforms: { n }, buffers: { codes, scales, out: new Float32Array(n + 10) }, want: { out: lookupWant } },
    { name: "sign_flip_bf16", workgroups: 4, uniforms: { n: 200 }, buffers: { x, bits: bitsIn, out: new Float32Array(200), bf: new Float32Array(200) }, want: { out: Float32Array.from(x, (v) => -v), bf: bfWant } },
    { name: "rotate_tile", workgroups: tiles, uniforms: { rounds }, buffers: { x: tx, out: new Float32Array(tiles * 64) }, want: { out: rotated } },
    { name: "scan_tile", workgroups: tiles, uniforms: {}, buffers: { x: sx, out: new Float32Array(tiles * 64) }, want: { out: prefix } },
  ];
}

describe("DSL features in the interpreter", () => {
  for (const c of cases()) {
    it(`${c.name} matches its reference`, () => {
      const got = interpretBoth(c.name, c.workgroups, c.uniforms, c.buffers);
      for (const [buf, want] of Object.entries(c.want)) {
        expect(Array.from(got[buf]!, (v) => (Object.is(v, -0) ? 0 : v)), `${c.name}.${buf}`).toEqual(Array.from(want, (v) => (Object.is(v, -0) ? 0 : v)));
      }
    });
  }

  it("sums tile_dot's shared tile in f32x4 lanes in AssemblyScript, into the accumulator's scratch slot", () => {
    const src = files.get("wasm-simd/tile_dot.ts")!;
    expect(src).toContain("let acc_x4 = f32x4.splat(<f32>0.0);");
    expect(src).toMatch(/store<f32>\(scratch \+ \d+ \+ \(<usize>\(lid\) << 2\), load<f32>\(scratch/);
  });

  it("keeps the uniform-bound loop around barriers and unrolls the constant one", () => {
    const rotate = lower(kernels.get("rotate_tile")!);
    expect(rotate.body.some((s) => s.k === "for")).toBe(true);
    const scan = lower(kernels.get("scan_tile")!);
    expect(scan.body.some((s) => s.k === "for")).toBe(false);
    expect(files.get("cuda/scan_tile.cu")).toContain("if (i >= 32u)");
  });
});

describe("DSL features in the generated targets", () => {
  let wasm: WasmInstance;
  beforeAll(async () => {
    wasm = await buildWasm(files, work);
  }, 120_000);

  it("AssemblyScript computes what the interpreter computes", () => {
    for (const c of cases()) {
      const want = interpretBoth(c.name, c.workgroups, c.uniforms, c.buffers);
      const got = runWasm(wasm, manifest.get(c.name)!, c.workgroups, c.uniforms, c.buffers);
      for (const buf of Object.keys(c.want)) {
        if (!c.ulps) {
          expect(got[buf], `${c.name}.${buf}`).toEqual(want[buf]);
          continue;
        }
        const g = got[buf] as Float32Array;
        const w = want[buf] as Float32Array;
        for (let i = 0; i < w.length; i++) expect(Math.abs(g[i]! - w[i]!), `${c.name}.${buf}[${i}]`).toBeLessThanOrEqual(c.ulps * 1.2e-7 * Math.abs(w[i]!));
      }
    }
  });

  it("runs block_dot_q8_0's block dot in f32x4 lanes and agrees with the interpreter to f32 rounding", () => {
    expect(files.get("wasm-simd/block_dot_q8_0.ts")).toContain("f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(");
    // ggml's own q8_0 blocks (four rows of 1024) and their dequantized values
    const W = new Uint8Array(readFileSync(golden("quants", "q8_0-seed1.bin")));
    const deq = new Float32Array(new Uint8Array(readFileSync(golden("quants", "q8_0-seed1.f32"))).buffer);
    const r = lcg(5);
    const x = Float32Array.from({ length: 1024 }, () => r() / 2 ** 32 - 0.5);
    const bufs = { W, x, out: new Float32Array(4) };
    const want = interpretBoth("block_dot_q8_0", 4, { k: 1024 }, bufs).out as Float32Array;
    const got = runWasm(wasm, manifest.get("block_dot_q8_0")!, 4, { k: 1024 }, bufs).out as Float32Array;
    for (let row = 0; row < 4; row++) {
      // four partial sums instead of one: the order of the additions differs, not the products
      let scale = 0;
      let exact = 0;
      for (let i = 0; i < 1024; i++) {
        scale += Math.abs(deq[row * 1024 + i]! * x[i]!);
        exact += deq[row * 1024 + i]! * x[i]!;
      }
      expect(Math.abs(got[row]! - want[row]!) / scale, `row ${row}`).toBeLessThan(1e-6);
      expect(Math.abs(got[row]! - exact) / scale, `row ${row} against ggml's dequantized values`).toBeLessThan(1e-6);
    }
  });

  it.skipIf(!NVCC)("CUDA compiles for sm_80 and sm_90 with warnings as errors", async () => {
    for (const arch of ["sm_80", "sm_90"]) {
      const r = await nvccPtxAll([...manifest.values()].map((k) => [k.files.cuda!, files.get(k.files.cuda!)!] as const), arch, work);
      expect(r.out, arch).toBe("");
      for (const k of manifest.values()) expect(r.ptx).toContain(`.entry ${k.entry}(`);
    }
  });

  it("WGSL parses, with the table as a private array", () => {
    for (const k of manifest.values()) expect(() => new WgslReflect(files.get(k.files.wgsl!)!), k.files.wgsl).not.toThrow();
    expect(files.get("wgsl/lookup_iq4nl.wgsl")).toContain("var<private> KVALUES_IQ4NL: array<i32, 16>");
  });
});
