// The reference's building blocks, each the textbook formula in plain loops: RMSNorm, matrix-vector
// product over any ggml type, RoPE (adjacent-pair and NeoX, with linear/YaRN/llama3 scaling), softmax,
// SiLU, tanh-GELU, f16 rounding. Storage is f32 (Float32Array); sums are taken in f64 and rounded once
// on store, which is as close to exact as f32 storage allows. Counterparts: ggml-cpu's ops.cpp/vec.h.
// No tricks here: this is the oracle the kernels are checked against.

import type { RopeConfig } from "../model/config.js";
import type { WeightMatrix } from "../model/weights.js";
import { dequantizeRow, f16ToF32, f32ToF16, GGMLType, quantizeRow } from "../quant/index.js";

/** out = x / sqrt(mean(x²) + eps) · weight. (n,) -> (n,) */
export function rmsnorm(out: Float32Array, x: Float32Array, weight: Float32Array, eps: number): void {
  const n = x.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i]! * x[i]!;
  const scale = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) out[i] = x[i]! * scale * weight[i]!;
}

/**
 * RMSNorm as ggml rounds it (ggml_compute_forward_rms_norm_f32, then ggml_mul by the weight), for the
 * "ggml" emulation mode: f32 squares summed in f64, an f32 scale, two f32 products.
 */
export function rmsnormGgml(out: Float32Array, x: Float32Array, weight: Float32Array, eps: number): void {
  const f = Math.fround;
  const n = x.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += f(x[i]! * x[i]!);
  const mean = f(ss / n);
  const scale = f(1 / f(Math.sqrt(f(mean + f(eps)))));
  for (let i = 0; i < n; i++) out[i] = f(f(x[i]! * scale) * weight[i]!);
}

/**
 * out = W · x for W [cols, rows] (ggml order): out[r] = Σ_c W[r][c] · x[c]. (cols,) -> (rows,)
 * Quantized rows are decoded a tile of whole rows at a time into `scratch` (at least cols values), so
 * the weights stay quantized in memory. This is the reference's hot loop.
 */
export function matvec(out: Float32Array, w: WeightMatrix, x: Float32Array, scratch: Float32Array, ggmlActivations = false): void {
  const cols = w.cols;
  if (ggmlActivations) x = asGgmlActivations(x.subarray(0, cols), w.type.id);
  const tileRows = w.f32 ? w.rows : Math.max(1, Math.floor(scratch.length / cols));
  for (let r0 = 0; r0 < w.rows; r0 += tileRows) {
    const n = Math.min(tileRows, w.rows - r0);
    // (n, cols) decoded rows r0 .. r0+n-1, starting at `base`
    const tile = w.f32 ?? w.decodeRows(r0, n, scratch);
    const base = w.f32 ? r0 * cols : 0;
    for (let r = 0; r < n; r++) {
      const o = base + r * cols;
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += tile[o + c]! * x[c]!;
      out[r0 + r] = sum;
    }
  }
}

/**
 * The weight type's vec_dot_type in ggml's CPU backend: llama.cpp converts the activations to it before
 * a matrix product (ggml-cpu.c type_traits_cpu). undefined: f32, no conversion.
 */
export function vecDotType(type: GGMLType): GGMLType | undefined {
  switch (type) {
    case GGMLType.F32: return undefined;
    case GGMLType.F16: return GGMLType.F16;
    case GGMLType.BF16: return GGMLType.BF16;
    case GGMLType.Q4_0: case GGMLType.Q5_0: case GGMLType.Q8_0: case GGMLType.IQ4_NL: case GGMLType.MXFP4: return GGMLType.Q8_0;
    case GGMLType.Q4_1: case GGMLType.Q5_1: return GGMLType.Q8_1;
    default: return GGMLType.Q8_K; // the k-quants, the IQ types, TQ1_0/TQ2_0
  }
}

/**
 * Emulates llama.cpp's activation rounding (not the exact math): x quantized to the vec_dot_type of
 * weights of `type` and decoded again. Used only to reproduce llama.cpp's own outputs step for step.
 */
export function asGgmlActivations(x: Float32Array, type: GGMLType): Float32Array {
  const vdt = vecDotType(type);
  if (vdt === undefined) return x;
  if (vdt === GGMLType.Q8_1) {
    // q8_1 decodes like q8_0 (d·q); its extra field s is only a cached sum.
    const q = quantizeRow(vdt, x);
    const out = new Float32Array(x.length);
    for (let b = 0; b < x.length / 32; b++) {
      const blk = q.subarray(b * 36, (b + 1) * 36);
      const d = dequantizeRow(GGMLType.F16, blk.subarray(0, 2), 1)[0]!;
      const qs = new Int8Array(blk.buffer, blk.byteOffset + 4, 32);
      for (let j = 0; j < 32; j++) out[b * 32 + j] = d * qs[j]!;
    }
    return out;
  }
  return dequantizeRow(vdt, quantizeRow(vdt, x), x.length);
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

/**
 * GELU as llama.cpp's CPU backend computes it (GGML_GELU_FP16 in ggml-cpu.c), for the "ggml"
 * emulation mode: a table over f16 inputs holding f16 results; x <= -10 gives 0, x >= 10 passes through.
 */
export function geluGgml(x: number): number {
  if (x <= -10) return 0;
  if (x >= 10) return x;
  const f = Math.fround;
  const h = roundToF16(x);
  const y = f(f(0.5 * h) * f(1 + f(Math.tanh(f(f(SQRT_2_OVER_PI_F32 * h) * f(1 + f(f(0.044715 * h) * h)))))));
  return roundToF16(y);
}
const SQRT_2_OVER_PI_F32 = Math.fround(0.79788456080286535587989211986876);

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

/**
 * The angles as ggml computes them (ggml-cpu ops.cpp, rope_cache_init), for the "ggml" emulation mode:
 * in f32, each pair's angle the previous one times powf(base, -2/n_rot), then f32 cosf/sinf. Linear
 * scaling and rope_freqs only (YaRN and llama3 use the exact angles).
 */
export function ropeAnglesGgml(rope: RopeConfig, pos: number, cos: Float64Array, sin: Float64Array, freqFactors?: Float32Array): void {
  const f = Math.fround;
  const half = rope.nRot / 2;
  const thetaScale = f(Math.pow(rope.freqBase, -2 / rope.nRot));
  const freqScale = rope.scaling.type === "linear" ? f(1 / rope.scaling.factor) : 1;
  let theta = f(pos);
  for (let i = 0; i < half; i++) {
    const t = f(f(freqFactors ? theta / freqFactors[i]! : theta) * freqScale);
    cos[i] = f(Math.cos(t));
    sin[i] = f(Math.sin(t));
    theta = f(theta * thetaScale);
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

/** x rounded to the nearest IEEE half (ties to even), returned as f32: what an f16 KV cache stores. */
export function roundToF16(x: number): number {
  return f16ToF32(f32ToF16(x));
}
