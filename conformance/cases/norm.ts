// Cases for engine/kernels/norm.kernel.ts (rmsnorm over rows). Oracle: engine/reference/ops.ts rmsnorm.
import { rmsnorm } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

const FILE = "engine/kernels/norm.kernel.ts";

export const normCases: ConformanceCase[] = [
  [1, 64],
  [3, 288],
  [2, 1000],
].map(([rows, n], i): ConformanceCase => ({
  name: caseName("rmsnorm", { rows: rows!, n: n!, eps: 1e-5 }), op: "rmsnorm", file: FILE, kernel: "rmsnorm", seed: 400 + i,
  build(rng) {
    const x = rng.f32(rows! * n!, -3, 3), w = rng.f32(n!, 0.5, 1.5);
    const out = new Float32Array(rows! * n!);
    for (let r = 0; r < rows!; r++) rmsnorm(out.subarray(r * n!, (r + 1) * n!), x.subarray(r * n!, (r + 1) * n!), w, 1e-5);
    return { buffers: { x, w }, uniforms: { n: n!, eps: 1e-5 }, dispatch: [rows!, 1, 1], expected: { out } };
  },
}));
