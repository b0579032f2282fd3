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
