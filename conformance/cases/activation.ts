// Cases for engine/kernels/activation.kernel.ts. Oracles: engine/reference/ops.ts silu, geluTanh, softcap.
import { geluTanh, silu, softcap } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

const FILE = "engine/kernels/activation.kernel.ts";
const dispatch = (n: number): [number, number, number] => [Math.ceil(n / 256), 1, 1];

export const activationCases: ConformanceCase[] = [
  ...[64, 700].map((n, i): ConformanceCase => ({
    name: caseName("swiglu", { n }), op: "swiglu", file: FILE, kernel: "swiglu", seed: 700 + i,
    build(rng) {
      // a wide range reaches both tails of the sigmoid
      const gate = rng.f32(n, -30, 30), up = rng.f32(n);
      return { buffers: { gate, up }, uniforms: { n }, dispatch: dispatch(n), expected: { out: gate.map((g, j) => silu(g) * up[j]!) } };
    },
  })),
  ...[64, 700].map((n, i): ConformanceCase => ({
    name: caseName("gelu", { n }), op: "gelu", file: FILE, kernel: "gelu", seed: 710 + i,
    build(rng) {
      const x = rng.f32(n, -8, 8);
      return { buffers: { x }, uniforms: { n }, dispatch: dispatch(n), expected: { out: x.map(geluTanh) } };
    },
  })),
  ...[300].map((n, i): ConformanceCase => ({
    name: caseName("geglu", { n }), op: "gelu", file: FILE, kernel: "geglu", seed: 720 + i,
    build(rng) {
      const gate = rng.f32(n, -8, 8), up = rng.f32(n);
      return { buffers: { gate, up }, uniforms: { n }, dispatch: dispatch(n), expected: { out: gate.map((g, j) => geluTanh(g) * up[j]!) } };
    },
  })),
  ...[500].map((n, i): ConformanceCase => ({
    name: caseName("softcap", { n, cap: 30 }), op: "softcap", file: FILE, kernel: "softcap", seed: 730 + i,
    build(rng) {
      // far enough past the cap that tanh saturates
      const x = rng.f32(n, -100, 100);
      return { buffers: { x }, uniforms: { n, cap: 30 }, dispatch: dispatch(n), expected: { out: x.map((v) => softcap(v, 30)) } };
    },
  })),
];
