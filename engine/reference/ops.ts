// The reference's building blocks, each the textbook formula in plain loops: RMSNorm, matrix-vector
// product over any ggml type, RoPE (adjacent-pair and NeoX, with linear/YaRN/llama3 scaling), softmax,
// SiLU, tanh-GELU, f16 rounding. Storage is f32 (Float32Array); sums are taken in f64 and rounded once
// on store, which is as close to exact as f32 storage allows. Counterparts: ggml-cpu's ops.cpp/vec.h.
// No tricks here: this is the oracle the kernels are checked against.

import type { RopeConfig } from "../model/config.js";
import type { WeightMatrix } from "../model/weights.js";

/** out = x / sqrt(mean(x²) + eps) · weight. (n,) -> (n,) */
export function rmsnorm(out: Float32Array, x: Float32Array, weight: Float32Array, eps: number): void {
  const n = x.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i]! * x[i]!;
  const scale = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) out[i] = x[i]! * scale * weight[i]!;
}

/**
 * out = W · x for W [cols, rows] (ggml order): out[r] = Σ_c W[r][c] · x[c]. (cols,) -> (rows,)
 * Rows are decoded one at a time into `scratch` (cols,), so quantized weights stay quantized.
 * This is the reference's hot loop.
 */
export function matvec(out: Float32Array, w: WeightMatrix, x: Float32Array, scratch: Float32Array): void {
  const cols = w.cols;
  const f32 = w.f32;
  for (let r = 0; r < w.rows; r++) {
    let row: Float32Array;
    let base = 0;
    if (f32) {
      row = f32;
      base = r * cols;
    } else {
      row = w.row(r, scratch);
    }
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += row[base + c]! * x[c]!;
    out[r] = sum;
  }
}

/** x += y, elementwise. */
export function addInPlace(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + y[i]!;
}

/** In-place softmax over x[0..n). Uses the max for stability; sums in f64. */
export function softmax(x: Float32Array | Float64Array, n: number = x.length): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[i]! > max) max = x[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[i]! - max);
    x[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) x[i] = x[i]! / sum;
}

/** SiLU (swish): x · σ(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** GELU, tanh approximation (what gemma2 uses): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** c · tanh(x / c): the soft-cap gemma2 applies to attention scores and logits. */
export function softcap(x: number, cap: number): number {
  return cap * Math.tanh(x / cap);
}

/**
 * The rotation angles of one position: cos[i], sin[i] for pair i = 0 .. n_rot/2 - 1, where the
 * unscaled angle is pos · base^(-2i/n_rot). Scaling as in ggml's rope_yarn (ggml-cpu ops.cpp) and
 * llama.cpp's rope_freqs / HF's llama3 rule. (n_rot/2,) each.
 */
export function ropeAngles(rope: RopeConfig, pos: number, cos: Float64Array, sin: Float64Array, freqFactors?: Float32Array): void {
  const half = rope.nRot / 2;
  const s = rope.scaling;
  let mscale = 1;
  let corrLow = 0;
  let corrHigh = 0;
  if (s.type === "yarn") {
    // Dimensions below corrLow rotate fast enough to extrapolate, above corrHigh they interpolate.
    const corrDim = (nRotations: number): number =>
      (rope.nRot * Math.log(s.originalContext / (nRotations * 2 * Math.PI))) / (2 * Math.log(rope.freqBase));
    corrLow = Math.max(0, Math.floor(corrDim(s.betaFast)));
    corrHigh = Math.min(rope.nRot - 1, Math.ceil(corrDim(s.betaSlow)));
    mscale = s.attnFactor * (s.extFactor !== 0 ? 1 + 0.1 * Math.log(s.factor) : 1);
  }
  for (let i = 0; i < half; i++) {
    let freq = Math.pow(rope.freqBase, (-2 * i) / rope.nRot);
    if (freqFactors) freq /= freqFactors[i]!;
    else if (s.type === "llama3") freq = llama3Frequency(freq, s);
    let theta = pos * freq;
    if (s.type === "linear") theta /= s.factor;
    else if (s.type === "yarn") {
      const extrap = theta;
      const interp = theta / s.factor;
      const y = (i - corrLow) / Math.max(0.001, corrHigh - corrLow);
      const ramp = (1 - Math.min(1, Math.max(0, y))) * s.extFactor;
      theta = interp * (1 - ramp) + extrap * ramp;
    }
    cos[i] = Math.cos(theta) * mscale;
    sin[i] = Math.sin(theta) * mscale;
  }
}

/** HF transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, short kept, a smooth blend between. */
function llama3Frequency(freq: number, s: { factor: number; lowFreqFactor: number; highFreqFactor: number; originalContext: number }): number {
  const wavelen = (2 * Math.PI) / freq;
  const lowFreqWavelen = s.originalContext / s.lowFreqFactor;
  const highFreqWavelen = s.originalContext / s.highFreqFactor;
  if (wavelen < highFreqWavelen) return freq;
  if (wavelen > lowFreqWavelen) return freq / s.factor;
  const smooth = (s.originalContext / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
  return (1 - smooth) * (freq / s.factor) + smooth * freq;
}

/**
 * Rotates each of nHeads heads of x (nHeads * headDim,) in place by the angles of one position.
 * "norm": pairs (2i, 2i+1); "neox": pairs (i, i + n_rot/2). Dimensions past n_rot are left as they are.
 */
export function rope(x: Float32Array, nHeads: number, headDim: number, rope: RopeConfig, cos: Float64Array, sin: Float64Array): void {
  const half = rope.nRot / 2;
  for (let h = 0; h < nHeads; h++) {
    const o = h * headDim;
    for (let i = 0; i < half; i++) {
      const a = rope.mode === "norm" ? o + 2 * i : o + i;
      const b = rope.mode === "norm" ? a + 1 : a + half;
      const x0 = x[a]!;
      const x1 = x[b]!;
      x[a] = x0 * cos[i]! - x1 * sin[i]!;
      x[b] = x0 * sin[i]! + x1 * cos[i]!;
    }
  }
}

const f16Scratch = new Float32Array(1);
const f16Bits = new Uint32Array(f16Scratch.buffer);
/** x rounded to the nearest IEEE half (ties to even), returned as f32: what an f16 KV cache stores. */
export function roundToF16(x: number): number {
  f16Scratch[0] = x;
  const bits = f16Bits[0]!;
  const sign = bits & 0x80000000 ? -1 : 1;
  const exp = (bits >>> 23) & 0xff;
  const a = Math.abs(f16Scratch[0]!);
  if (exp === 0xff) return f16Scratch[0]!; // Inf, NaN
  if (a >= 65520) return sign * Infinity; // rounds past the largest half, 65504
  // Spacing of halves around a: 2^(e-10) for normals, 2^-24 for subnormals.
  const e = Math.max(Math.floor(Math.log2(a)), -14);
  const ulp = Math.pow(2, e - 10);
  const q = a / ulp;
  let r = Math.round(q);
  if (q - Math.floor(q) === 0.5 && r % 2 !== 0) r -= 1; // ties to even
  return sign * r * ulp;
}
