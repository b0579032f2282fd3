// Cases for engine/kernels/softmax.kernel.ts. Oracle: engine/reference/ops.ts softmax (sums in f64).
import { softmax } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

const FILE = "engine/kernels/softmax.kernel.ts";

export const softmaxCases: ConformanceCase[] = [
  [1, 32],
  [4, 300],
].map(([rows, n], i): ConformanceCase => ({
  name: caseName("softmax", { rows: rows!, n: n! }), op: "softmax", file: FILE, kernel: "softmax", seed: 500 + i,
  build(rng) {
    // a wide range, so the max subtraction matters
    const x = rng.f32(rows! * n!, -20, 20);
    const out = x.slice();
    for (let r = 0; r < rows!; r++) softmax(out.subarray(r * n!, (r + 1) * n!));
    return { buffers: { x }, uniforms: { n: n! }, dispatch: [rows!, 1, 1], expected: { out } };
  },
}));

/** The causal mask of `tokens` queries at positions nPast.. over nPast + tokens keys: -inf above the diagonal. */
function causalMask(tokens: number, nPast: number): Float32Array {
  const n = nPast + tokens;
  const m = new Float32Array(tokens * n);
  for (let t = 0; t < tokens; t++) for (let j = nPast + t + 1; j < n; j++) m[t * n + j] = -Infinity;
  return m;
}

export const softmaxMaskedCases: ConformanceCase[] = [
  { heads: 1, tokens: 4, nPast: 0, scale: 0.125 },
  { heads: 3, tokens: 5, nPast: 290, scale: 0.0883883 },
].map((s, i): ConformanceCase => ({
  name: caseName("softmax_masked", { heads: s.heads, tokens: s.tokens, n_past: s.nPast, scale: s.scale }),
  op: "softmax", file: FILE, kernel: "softmax_masked", seed: 520 + i,
  build(rng) {
    const n = s.nPast + s.tokens, rows = s.heads * s.tokens;
    const x = rng.f32(rows * n, -40, 40);
    const mask = causalMask(s.tokens, s.nPast);
    const out = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const o = out.subarray(r * n, (r + 1) * n);
      for (let j = 0; j < n; j++) o[j] = Math.fround(x[r * n + j]! * Math.fround(s.scale)) + mask[(r % s.tokens) * n + j]!;
      softmax(o);
    }
    return { buffers: { x, mask }, uniforms: { n, scale: s.scale, maskRows: s.tokens }, dispatch: [rows, 1, 1], expected: { out } };
  },
}));
