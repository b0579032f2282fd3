// Cases for engine/kernels/argmax.kernel.ts. Oracle: engine/sampling/sampler.ts argmax (lowest index
// wins ties). Rows with planted ties and maxima at both ends test the tie rule and the slice edges.
import { argmax } from "../../engine/sampling/sampler.js";
import { caseName, type ConformanceCase } from "../case.js";

export const argmaxCases: ConformanceCase[] = [
  [1, 100],
  [4, 1000],
].map(([rows, n], i): ConformanceCase => ({
  name: caseName("argmax", { rows: rows!, n: n! }), op: "argmax", file: "engine/kernels/argmax.kernel.ts", kernel: "argmax", seed: 800 + i,
  build(rng) {
    const x = rng.f32(rows! * n!, -5, 5);
    // row 1: a tie between two far positions; row 2: the max at the last index; row 3: at index 0
    if (rows! > 1) {
      x[n! + 700] = 9;
      x[n! + 300] = 9;
      x[2 * n! + n! - 1] = 9;
      x[3 * n!] = 9;
    }
    const out = new Uint32Array(rows!);
    for (let r = 0; r < rows!; r++) out[r] = argmax(x.subarray(r * n!, (r + 1) * n!));
    return { buffers: { x }, uniforms: { n: n! }, dispatch: [rows!, 1, 1], expected: { out } };
  },
}));
