// Cases for engine/kernels/softcap_inplace.kernel.ts: gemma2's logit soft-cap in place, logits far
// past the cap included (tanh saturates). Oracle: engine/reference/ops.ts softcap.
import { softcap } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

export const softcapInplaceCases: ConformanceCase[] = [
  { n: 1000, cap: 30 },
  { n: 256, cap: 50 },
].map(({ n, cap }, i): ConformanceCase => ({
  name: caseName("softcap_inplace", { n, cap }), op: "softcap", file: "engine/kernels/softcap_inplace.kernel.ts", kernel: "softcap_inplace", seed: 1850 + i,
  build(rng) {
    const x = rng.f32(n, -40 * cap, 40 * cap);
    return { buffers: { x }, uniforms: { n, cap }, dispatch: [Math.ceil(n / 256), 1, 1], expected: { x: x.map((v) => softcap(v, cap)) } };
  },
}));
