// Cases for engine/kernels/rope_table.kernel.ts (kernel `rope`): RoPE in place from a host angle table,
// the position read from step[0], for each scaling the table exists to cover (none, linear, YaRN,
// llama3, rope_freqs factors), both pair layouts, partial rotation. The table is built in f64 by
// engine/reference/ops.ts ropeAngles and stored as f32, as the GPU backends build it; the oracle is
// engine/reference/ops.ts rope with the f64 angles themselves.
import type { RopeConfig } from "../../engine/model/config.js";
import { rope, ropeAngles } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

interface RopeTableShape {
  readonly label: string;
  readonly heads: number;
  readonly headDim: number;
  readonly nCtx: number;
  readonly cfg: RopeConfig;
  /** rope_freqs: one divisor per pair (phi3's long factors, llama 3.1's file tensor). */
  readonly freqFactors?: boolean;
}

const SHAPES: RopeTableShape[] = [
  { label: "none", heads: 4, headDim: 64, nCtx: 300, cfg: { mode: "norm", nRot: 64, freqBase: 10000, scaling: { type: "none" } } },
  { label: "linear", heads: 3, headDim: 48, nCtx: 90, cfg: { mode: "norm", nRot: 32, freqBase: 10000, scaling: { type: "linear", factor: 4 } } },
  { label: "none", heads: 5, headDim: 96, nCtx: 700, cfg: { mode: "neox", nRot: 64, freqBase: 1000000, scaling: { type: "none" } } },
  {
    label: "yarn", heads: 2, headDim: 64, nCtx: 500,
    cfg: { mode: "neox", nRot: 64, freqBase: 10000, scaling: { type: "yarn", factor: 4, originalContext: 128, extFactor: 1, attnFactor: 1, betaFast: 32, betaSlow: 1 } },
  },
  {
    label: "llama3", heads: 4, headDim: 64, nCtx: 400,
    cfg: { mode: "norm", nRot: 64, freqBase: 500000, scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 64 } },
  },
  { label: "rope_freqs", heads: 3, headDim: 32, nCtx: 200, cfg: { mode: "neox", nRot: 32, freqBase: 10000, scaling: { type: "none" } }, freqFactors: true },
];

export const ropeTableCases: ConformanceCase[] = SHAPES.map((s, idx): ConformanceCase => ({
  name: caseName("rope_table", { mode: s.cfg.mode, scaling: s.label, heads: s.heads, head_dim: s.headDim, n_rot: s.cfg.nRot, n_ctx: s.nCtx }),
  op: "rope", file: "engine/kernels/rope_table.kernel.ts", kernel: "rope", seed: 1700 + idx,
  build(rng) {
    const half = s.cfg.nRot / 2;
    const factors = s.freqFactors ? rng.f32(half, 1, 8) : undefined;
    // (n_ctx, half, 2) as (cos, sin), f32 from the f64 angles
    const table = new Float32Array(s.nCtx * half * 2);
    const c = new Float64Array(half), sn = new Float64Array(half);
    for (let p = 0; p < s.nCtx; p++) {
      ropeAngles(s.cfg, p, c, sn, factors);
      for (let i = 0; i < half; i++) {
        table[(p * half + i) * 2] = c[i]!;
        table[(p * half + i) * 2 + 1] = sn[i]!;
      }
    }
    // a late position, so a wrong row of the table (or position 0's identity rotation) shows
    const pos = s.nCtx - 1 - rng.int(s.nCtx >> 2);
    const x = rng.f32(s.heads * s.headDim, -2, 2);
    const want = x.slice();
    ropeAngles(s.cfg, pos, c, sn, factors);
    rope(want, s.heads, s.headDim, s.cfg, c, sn);
    return {
      // step carries a word past the position, as the backends' 16-byte step buffer does
      buffers: { x, table, step: Uint32Array.of(pos, 0xdeadbeef) },
      uniforms: { nHeads: s.heads, headDim: s.headDim, nRot: s.cfg.nRot, neox: s.cfg.mode === "neox" ? 1 : 0 },
      dispatch: [Math.ceil((s.heads * half) / 64), 1, 1],
      expected: { x: want },
    };
  },
}));
