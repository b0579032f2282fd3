// Cases for engine/kernels/attention.kernel.ts: naive and flash, f32 and f16 KV cache, grouped-query
// heads, several query tokens after a filled cache, soft-capping (gemma2) and a sliding window. Oracle: the
// attention step of engine/reference/forward.ts (scores, engine/reference/ops.ts softmax, weighted sum),
// restated here for one layer; an f16 cache holds engine/reference/ops.ts roundToF16 of each value.
import { f32ToF16 } from "../../engine/quant/index.js";
import { roundToF16, softcap as softcapFn, softmax } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";

interface AttnShape {
  kv: "f32" | "f16";
  flash: boolean;
  heads: number;
  kvHeads: number;
  headDim: number;
  nPast: number;
  tokens: number;
  softcap: number;
  window: number;
}

function reference(s: AttnShape, q: Float32Array, k: Float32Array, v: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(s.tokens * s.heads * s.headDim);
  const kvDim = s.kvHeads * s.headDim;
  const group = s.heads / s.kvHeads;
  for (let t = 0; t < s.tokens; t++) {
    const pos = s.nPast + t;
    const first = s.window > 0 ? Math.max(0, pos - s.window + 1) : 0;
    for (let h = 0; h < s.heads; h++) {
      const qo = (t * s.heads + h) * s.headDim;
      const ko = Math.floor(h / group) * s.headDim;
      const att = new Float64Array(pos - first + 1);
      for (let j = first; j <= pos; j++) {
        let score = 0;
        for (let i = 0; i < s.headDim; i++) score += q[qo + i]! * k[j * kvDim + ko + i]!;
        score *= scale;
        if (s.softcap > 0) score = softcapFn(score, s.softcap);
        att[j - first] = score;
      }
      softmax(att);
      for (let i = 0; i < s.headDim; i++) {
        let sum = 0;
        for (let j = first; j <= pos; j++) sum += att[j - first]! * v[j * kvDim + ko + i]!;
        out[qo + i] = sum;
      }
    }
  }
  return out;
}

/** f16 bits of each value, two to a u32 word (low half first), as the kernels read an f16 cache. */
function packF16(x: Float32Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(x.length / 2));
  for (let i = 0; i < x.length; i++) words[i >> 1]! |= f32ToF16(x[i]!) << ((i & 1) * 16);
  return words;
}

const SHAPES: AttnShape[] = [
  { kv: "f32", flash: false, heads: 4, kvHeads: 2, headDim: 32, nPast: 70, tokens: 3, softcap: 0, window: 0 },
  { kv: "f16", flash: false, heads: 4, kvHeads: 2, headDim: 32, nPast: 70, tokens: 3, softcap: 0, window: 0 },
  { kv: "f32", flash: false, heads: 2, kvHeads: 2, headDim: 48, nPast: 20, tokens: 2, softcap: 50, window: 8 },
  { kv: "f32", flash: true, heads: 4, kvHeads: 2, headDim: 32, nPast: 130, tokens: 2, softcap: 0, window: 0 },
  { kv: "f16", flash: true, heads: 4, kvHeads: 2, headDim: 32, nPast: 130, tokens: 2, softcap: 0, window: 0 },
  { kv: "f32", flash: true, heads: 4, kvHeads: 1, headDim: 64, nPast: 0, tokens: 5, softcap: 0, window: 0 },
  { kv: "f32", flash: true, heads: 2, kvHeads: 2, headDim: 48, nPast: 100, tokens: 2, softcap: 50, window: 70 },
];

export const attentionCases: ConformanceCase[] = SHAPES.map((s, idx): ConformanceCase => {
  const kernel = `${s.flash ? "flash_attention" : "attention"}_${s.kv}`;
  return {
    name: caseName(kernel, { heads: s.heads, kv_heads: s.kvHeads, head_dim: s.headDim, n_past: s.nPast, tokens: s.tokens, softcap: s.softcap, window: s.window }),
    op: "attention", file: "engine/kernels/attention.kernel.ts", kernel, seed: 900 + idx,
    build(rng) {
      const nCtx = s.nPast + s.tokens;
      const kvDim = s.kvHeads * s.headDim;
      const scale = 1 / Math.sqrt(s.headDim);
      const q = rng.f32(s.tokens * s.heads * s.headDim, -2, 2);
      let k = rng.f32(nCtx * kvDim, -2, 2);
      let v = rng.f32(nCtx * kvDim);
      if (s.kv === "f16") {
        k = k.map(roundToF16);
        v = v.map(roundToF16);
      }
      const bind = s.kv === "f16" ? { kCache: packF16(k), vCache: packF16(v) } : { kCache: k, vCache: v };
      return {
        buffers: { q, ...bind },
        uniforms: { nHead: s.heads, nKvHead: s.kvHeads, headDim: s.headDim, nPast: s.nPast, scale, softcap: s.softcap, window: s.window },
        dispatch: [s.heads, s.tokens, 1],
        expected: { out: reference(s, q, k, v, scale) },
      };
    },
  };
});
