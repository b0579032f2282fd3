// Cases for engine/kernels/rope.kernel.ts, both modes, with partial rotation (nRot < headDim) and
// linear position scaling. Oracle: engine/reference/ops.ts ropeAngles + rope (f64 angles).
import type { RopeConfig } from "../../engine/model/config.js";
import { rope, ropeAngles } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

interface RopeShape {
  mode: "norm" | "neox";
  tokens: number;
  heads: number;
  headDim: number;
  nRot: number;
  base: number;
  scale: number;
}

const SHAPES: RopeShape[] = [
  { mode: "norm", tokens: 3, heads: 4, headDim: 64, nRot: 64, base: 10000, scale: 1 },
  { mode: "norm", tokens: 2, heads: 2, headDim: 48, nRot: 32, base: 10000, scale: 0.25 },
  { mode: "neox", tokens: 3, heads: 4, headDim: 64, nRot: 64, base: 1000000, scale: 1 },
  { mode: "neox", tokens: 2, heads: 3, headDim: 96, nRot: 64, base: 10000, scale: 1 },
];

export const ropeCases: ConformanceCase[] = SHAPES.map((s, idx): ConformanceCase => ({
  name: caseName(`rope`, { mode: s.mode, tokens: s.tokens, heads: s.heads, head_dim: s.headDim, n_rot: s.nRot, base: s.base, freq_scale: s.scale }),
  op: "rope", file: "engine/kernels/rope.kernel.ts", kernel: `rope_${s.mode}`, seed: 600 + idx,
  build(rng) {
    const x = rng.f32(s.tokens * s.heads * s.headDim, -2, 2);
    // positions far apart, so high-frequency pairs wrap many times
    const pos = Uint32Array.from({ length: s.tokens }, () => rng.int(200));
    const cfg: RopeConfig = { mode: s.mode, nRot: s.nRot, freqBase: s.base, scaling: s.scale === 1 ? { type: "none" } : { type: "linear", factor: 1 / s.scale } };
    const out = x.slice();
    const c = new Float64Array(s.nRot / 2), sn = new Float64Array(s.nRot / 2);
    for (let t = 0; t < s.tokens; t++) {
      ropeAngles(cfg, pos[t]!, c, sn);
      rope(out.subarray(t * s.heads * s.headDim, (t + 1) * s.heads * s.headDim), s.heads, s.headDim, cfg, c, sn);
    }
    return {
      buffers: { x, pos }, uniforms: { nHeads: s.heads, headDim: s.headDim, nRot: s.nRot, freqBase: s.base, freqScale: s.scale },
      dispatch: [s.heads, s.tokens, 1], expected: { out },
    };
  },
}));
