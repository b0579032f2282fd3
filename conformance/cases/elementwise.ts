// Cases for engine/kernels/elementwise.kernel.ts: add, mul, scale over f32 vectors. Oracle:
// engine/reference/ops.ts addInPlace, and the one-line products (f32 storage, one rounding each, as ggml).
import { addInPlace } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

const FILE = "engine/kernels/elementwise.kernel.ts";
// 1000 is not a multiple of the workgroup: the last workgroup's bounds test is exercised
const SIZES = [1, 256, 1000];

export const elementwiseCases: ConformanceCase[] = [
  ...SIZES.map((n, i): ConformanceCase => ({
    name: caseName("add", { n }), op: "add", file: FILE, kernel: "add", seed: 100 + i,
    build(rng) {
      const a = rng.f32(n), b = rng.f32(n);
      const out = a.slice();
      addInPlace(out, b);
      return { buffers: { a, b }, uniforms: { n }, dispatch: [Math.ceil(n / 256), 1, 1], expected: { out } };
    },
  })),
  ...SIZES.map((n, i): ConformanceCase => ({
    name: caseName("mul", { n }), op: "mul", file: FILE, kernel: "mul", seed: 200 + i,
    build(rng) {
      const a = rng.f32(n), b = rng.f32(n);
      const out = a.map((v, j) => v * b[j]!);
      return { buffers: { a, b }, uniforms: { n }, dispatch: [Math.ceil(n / 256), 1, 1], expected: { out } };
    },
  })),
  ...SIZES.map((n, i): ConformanceCase => ({
    name: caseName("scale", { n, s: 0.125 }), op: "scale", file: FILE, kernel: "scale", seed: 300 + i,
    build(rng) {
      const x = rng.f32(n);
      const out = x.map((v) => v * 0.125);
      return { buffers: { x }, uniforms: { n, scale: 0.125 }, dispatch: [Math.ceil(n / 256), 1, 1], expected: { out } };
    },
  })),
];
