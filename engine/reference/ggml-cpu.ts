// The "ggml" emulation mode's arithmetic: llama.cpp's CPU backend (commit c392e509, Feb 2025, built by gcc
// for an AVX-512 x86 machine, as the goldens were) re-done step for step in f32, with its order of additions,
// its fused multiply-adds and its SIMD exp. It exists only to reproduce llama.cpp's outputs bit for bit
// over long greedy runs; the exact math lives in ops.ts and is the oracle. Each function names the ggml
// function it mirrors (ggml/src/ggml-cpu/ggml-cpu.c, ggml-cpu-quants.c, llamafile/sgemm.cpp of that commit).
//
// f32 arithmetic in JS: every f32 op is done in f64 and rounded with Math.fround (exact for +, −, ×, ÷ of
// f32 values). A fused multiply-add is fmaF32, which also settles the rare f64 sum that lands on an f32 tie.
// Known gaps, measured in test/reference-ggml-emulation.test.ts: one step of qwen2-synthetic-q8_0's greedy
// run, stories260k-q8_0 with the f16 KV cache from step 157, gemma2's tanhf (1 ulp).

import type { WeightMatrix } from "../model/weights.js";
import { f16ToF32, f32ToF16, GGMLType } from "../quant/index.js";

const f = Math.fround;

/** A fused multiply-add in f32 (vfmadd*ps): one rounding of a·b + c, for f32 a, b, c. */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b; // exact: 24 + 24 bits
  const s = p + c;
  const r = f(s);
  if (r === s || !Number.isFinite(s)) return r;
  // s itself may be rounded; that matters only when s lands exactly halfway between two f32, where
  // the sign of the lost part (two-sum) picks the neighbour.
  const o = 2 * s - r;
  if (f(o) !== o || s - r !== o - s) return r;
  const bv = s - p;
  const err = (p - (s - bv)) + (c - bv);
  if (err === 0) return r; // a true tie: fround already rounded it to even
  return (r - s > 0) === (err > 0) ? r : o;
}

/**
 * _mm512_reduce_add_ps as gcc 12 expands it: halves added (8 lanes), then halves again (4), then
 * lanes {0,2} and {1,3}, then those two. `v` holds 16 lanes from `o`.
 */
export function reduceAdd16(v: Float32Array | Float64Array, o = 0): number {
  const t = new Array<number>(8);
  for (let i = 0; i < 8; i++) t[i] = f(v[o + i + 8]! + v[o + i]!);
  const q0 = f(t[4]! + t[0]!), q1 = f(t[5]! + t[1]!), q2 = f(t[6]! + t[2]!), q3 = f(t[7]! + t[3]!);
  return f(f(q0 + q2) + f(q1 + q3));
}

/** hsum of 8 lanes (sgemm.cpp hsum(__m256), ggml's hsum_float_8): 128-bit halves, movehl, movehdup. */
function reduceAdd8(v: Float64Array): number {
  const t0 = f(v[4]! + v[0]!), t1 = f(v[5]! + v[1]!), t2 = f(v[6]! + v[2]!), t3 = f(v[7]! + v[3]!);
  return f(f(t0 + t2) + f(t1 + t3));
}

// ggml_v_expf's constants (an Arm optimized-routines polynomial). C spells them as hex floats
// (0x1.715476p+0 ...); JS has none, so each is its 25-bit significand times a power of two. All are exact f32.
const EXP_SHIFT = 0x18 * 2 ** 19; // 0x1.8p23
const LOG2E = 0x1715476 * 2 ** -24; // 0x1.715476p+0
const LN2_HI = 0x162e4 * 2 ** -17; // 0x1.62e4p-1
const LN2_LO = 0x17f7d1c * 2 ** -44; // 0x1.7f7d1cp-20
const C5 = 0x10e4020 * 2 ** -31; // 0x1.0e4020p-7
const C4 = 0x1573e2e * 2 ** -29; // 0x1.573e2ep-5
const C3 = 0x1555e66 * 2 ** -27; // 0x1.555e66p-3
const C2 = 0x1fffdb6 * 2 ** -26; // 0x1.fffdb6p-2
const C1 = 0x1ffffec * 2 ** -25; // 0x1.ffffecp-1

/**
 * ggml_v_expf, AVX-512 variant (one lane): n = round(x·log2 e), b = x − n·ln2 in two parts, a degree-5
 * polynomial in b, scaled by 2^n (vscalefps). |n| > 192 gives 0 or +inf. Max error 1.5 ulp, so it is
 * not expf: softmax and SiLU on this machine see these bits.
 */
export function expfAvx512(x: number): number {
  const z = fmaF32(x, LOG2E, EXP_SHIFT);
  const n = f(z - EXP_SHIFT);
  if (!(Math.abs(n) <= 192)) return n <= 0 ? 0 : Infinity; // also x = -inf (n = -inf)
  const b = f(-(n * LN2_LO) + f(-(n * LN2_HI) + x));
  const u = f(b * b);
  const j = fmaF32(fmaF32(fmaF32(C5, b, C4), u, fmaF32(C3, b, C2)), u, fmaF32(C1, b, 1));
  return f(j * 2 ** n);
}

/** expf from the C library (glibc's is correctly rounded in practice): the scalar tails use it. */
function expfLibm(x: number): number {
  return f(Math.exp(x));
}

/**
 * ggml_vec_silu_f32: whole groups of 16 through ggml_v_silu (x / (1 + ggml_v_expf(−x))), the rest
 * through ggml_silu_f32 (x / (1 + expf(−x))). In place over x[0..n).
 */
export function siluGgml(x: Float32Array, n: number = x.length): void {
  const simd = n - (n % 16);
  for (let i = 0; i < simd; i++) x[i] = f(x[i]! / f(1 + expfAvx512(f(0 - x[i]!))));
  for (let i = simd; i < n; i++) x[i] = f(x[i]! / f(1 + expfLibm(-x[i]!)));
}

/**
 * ggml_compute_forward_soft_max_f32 on one row of scores (kq_scale applied first, the mask is 0 or
 * −inf so only the visible positions are here): max, then ggml_vec_soft_max_f32 — exp by
 * ggml_v_expf in groups of 16, each group summed by _mm512_reduce_add_ps into an f64 total — then
 * every value times (float)(1/total). `first` is the absolute cache position of x[0]: the groups are
 * aligned to cache cell 0, and positions outside [first, first+n) are masked (exp gives 0).
 */
export function softmaxGgml(x: Float32Array, n: number, scale: number, first: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    x[i] = f(x[i]! * scale);
    if (x[i]! > max) max = x[i]!;
  }
  const lanes = new Float64Array(16);
  let sum = 0;
  const g0 = Math.floor(first / 16), g1 = Math.floor((first + n - 1) / 16);
  for (let g = g0; g <= g1; g++) {
    lanes.fill(0);
    for (let l = 0; l < 16; l++) {
      const i = g * 16 + l - first;
      if (i < 0 || i >= n) continue;
      x[i] = expfAvx512(f(x[i]! - max));
      lanes[l] = x[i]!;
    }
    sum += reduceAdd16(lanes);
  }
  const inv = f(1 / sum);
  for (let i = 0; i < n; i++) x[i] = f(x[i]! * inv);
}

/**
 * gemma2's soft-cap as llama.cpp's graph spells it, in place over x[0..n): ggml_scale by 1/cap,
 * ggml_tanh (tanhf), ggml_scale by cap, each rounded to f32.
 */
export function softcapGgml(x: Float32Array, n: number, cap: number): void {
  const inv = f(1 / cap);
  for (let i = 0; i < n; i++) x[i] = f(f(Math.tanh(f(x[i]! * inv))) * cap);
}

/**
 * ggml_vec_dot_f32 for n < GGML_F32_STEP (64, so no SIMD part): the leftover loop `sumf += x[i]*y[i]`
 * on a float, which gcc contracts into fused multiply-adds. Used for kq = k·q with small heads.
 */
export function dotF32Ggml(x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): number {
  if (n >= 64) return dotF32Simd(x, xo, y, yo, n);
  let s = 0;
  for (let i = 0; i < n; i++) s = fmaF32(x[xo + i]!, y[yo + i]!, s);
  return s;
}

/**
 * ggml_vec_dot_f16 on AVX-512, for x and y holding values already rounded to f16: 4 accumulators of
 * 16 lanes over steps of 64 (fma of the widened halves), GGML_F32x16_REDUCE into an f64 sum, then the
 * leftover products (exact: half × half fits in f32) added in f64; rounded to f32 on store.
 */
export function dotF16Ggml(x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): number {
  const np = n - (n % 64);
  let s = 0;
  if (np > 0) {
    const acc = new Float64Array(64);
    for (let i = 0; i < np; i += 64) for (let k = 0; k < 64; k++) acc[k] = fmaF32(x[xo + i + k]!, y[yo + i + k]!, acc[k]!);
    s = reduceArr4(acc);
  }
  for (let i = np; i < n; i++) s += x[xo + i]! * y[yo + i]!;
  return f(s);
}

/**
 * ggml_vec_dot_f32, AVX-512: 4 accumulators of 16 lanes over steps of 64 (fma), GGML_F32x16_REDUCE
 * (acc0+acc2, acc1+acc3, then those, then _mm512_reduce_add_ps) into a float, then the leftover
 * elements fused-multiply-added onto it.
 */
function dotF32Simd(x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): number {
  const np = n - (n % 64);
  const acc = new Float64Array(64);
  for (let i = 0; i < np; i += 64) for (let k = 0; k < 64; k++) acc[k] = fmaF32(x[xo + i + k]!, y[yo + i + k]!, acc[k]!);
  let s = reduceArr4(acc);
  for (let i = np; i < n; i++) s = fmaF32(x[xo + i]!, y[yo + i]!, s);
  return s;
}

/** GGML_F32x16_REDUCE over 4 vectors of 16 lanes stored back to back. */
function reduceArr4(acc: Float64Array): number {
  for (let k = 0; k < 16; k++) {
    acc[k] = f(acc[k]! + acc[32 + k]!);
    acc[16 + k] = f(acc[16 + k]! + acc[48 + k]!);
  }
  for (let k = 0; k < 16; k++) acc[k] = f(acc[k]! + acc[16 + k]!);
  return reduceAdd16(acc);
}

/**
 * The attention-weighted sum of values, kqv = V·softmax, as llamafile's tinyBLAS<16, __m512> computes
 * it (the V cache is stored transposed, rows of n_kv cells, k = n_kv a multiple of 16): 16 lanes, lane
 * t mod 16 accumulating att[t]·v[t] by fma in cell order, then _mm512_reduce_add_ps. Masked cells add
 * 0·v, which changes nothing. `att[t - first]` is the weight of cell t; `value(t)` reads cell t.
 */
export function weightedSumTinyblas(att: Float32Array, first: number, last: number, value: (t: number) => number): number {
  const lanes = new Float64Array(16);
  for (let t = first; t <= last; t++) lanes[t % 16] = fmaF32(att[t - first]!, value(t), lanes[t % 16]!);
  return reduceAdd16(lanes);
}

/**
 * quantize_row_q8_0, AVX2 path: per block of 32, d = amax/127 stored as f16, id = 127/amax, and
 * q = x·id rounded half to even (_mm256_round_ps), unlike the scalar reference's roundf.
 * Returns the f16-rounded scales (n/32,) and the quants (n,).
 */
export function quantizeRowQ8_0Avx(x: Float32Array, n: number): { d: Float32Array; qs: Int8Array } {
  const nb = n / 32;
  const d = new Float32Array(nb);
  const qs = new Int8Array(n);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]!));
    d[b] = f16ToF32(f32ToF16(f(amax / 127)));
    const id = amax !== 0 ? f(127 / amax) : 0;
    for (let j = 0; j < 32; j++) qs[b * 32 + j] = roundHalfEven(f(x[b * 32 + j]! * id));
  }
  return { d, qs };
}

function roundHalfEven(v: number): number {
  const r = Math.round(v); // half up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * out = W·x for q8_0 W as llamafile's tinyBLAS_Q0_AVX (and ggml_vec_dot_q8_0_q8_0's AVX2 path, same
 * arithmetic) computes it: x quantized by quantize_row_q8_0; per block, 8 lanes each holding the exact
 * integer sum of 4 adjacent products, fma'd with d_w·d_x (exact in f32) into 8 f32 accumulators, which
 * are then summed as hsum(__m256).
 */
export function matvecQ8_0Ggml(out: Float32Array, w: WeightMatrix, x: Float32Array): void {
  const cols = w.cols, nb = cols / 32;
  const { d: dx, qs: qx } = quantizeRowQ8_0Avx(x, cols);
  const bytes = w.bytes;
  const acc = new Float64Array(8);
  for (let r = 0; r < w.rows; r++) {
    acc.fill(0);
    const row = r * w.rowBytes;
    for (let b = 0; b < nb; b++) {
      const o = row + b * 34;
      const dw = f16ToF32(bytes[o]! | (bytes[o + 1]! << 8));
      const d = f(dw * dx[b]!);
      for (let l = 0; l < 8; l++) {
        let isum = 0;
        for (let k = 0; k < 4; k++) {
          const j = l * 4 + k;
          isum += ((bytes[o + 2 + j]! << 24) >> 24) * qx[b * 32 + j]!;
        }
        acc[l] = fmaF32(d, isum, acc[l]!);
      }
    }
    out[r] = reduceAdd8(acc);
  }
}

/**
 * out = W·x for f16 W as ggml_vec_dot_f16 computes it (dotF16Ggml; the llamafile path refuses rows that
 * are not a multiple of 16, and ffn_down of stories260k has 172), x rounded to f16 first (F16C, ties to
 * even).
 */
export function matvecF16Ggml(out: Float32Array, w: WeightMatrix, x: Float32Array): void {
  const cols = w.cols;
  const xh = new Float32Array(cols);
  for (let c = 0; c < cols; c++) xh[c] = f16ToF32(f32ToF16(x[c]!));
  const wrow = new Float32Array(cols);
  for (let r = 0; r < w.rows; r++) out[r] = dotF16Ggml(w.row(r, wrow), 0, xh, 0, cols);
}

/**
 * Whether matvecGgml emulates llama.cpp's kernel for weights of this type. Not f32: emulating
 * tinyBLAS<16, __m512> the same way left stories260k-f32's logits 1-2 ulp from llama.cpp's, no closer
 * than the f64 sum, so f32 weights keep the exact product.
 */
export function hasGgmlMatvec(type: GGMLType): boolean {
  return type === GGMLType.Q8_0 || type === GGMLType.F16;
}

/** out = W·x by the emulation of the kernel llama.cpp picks for W's type (see hasGgmlMatvec). */
export function matvecGgml(out: Float32Array, w: WeightMatrix, x: Float32Array): void {
  if (w.type.id === GGMLType.Q8_0) matvecQ8_0Ggml(out, w, x);
  else if (w.type.id === GGMLType.F16) matvecF16Ggml(out, w, x);
  else throw new Error(`internal: no ggml emulation of the ${w.type.name} product`);
}

/**
 * ggml_compute_forward_rope_f32, normal (adjacent-pair) and NeoX, with gcc's contraction
 * (-ffp-contract=fast, the default under -std=gnu11) of each rotation: the product with cos is
 * rounded, the product with sin is fused — x0·cos − x1·sin is fnmadd(x1, sin, x0·cos) and
 * x0·sin + x1·cos is fmadd(x0, sin, x1·cos). Of the four ways to contract the two lines, this is the
 * one that reproduces llama.cpp's logits bit for bit over the whole stories260k-q8_0 greedy run.
 */
export function ropeGgml(x: Float32Array, nHeads: number, headDim: number, nRot: number, neox: boolean, cos: Float64Array, sin: Float64Array): void {
  const half = nRot / 2;
  for (let h = 0; h < nHeads; h++) {
    const o = h * headDim;
    for (let i = 0; i < half; i++) {
      const a = neox ? o + i : o + 2 * i;
      const b = neox ? a + half : a + 1;
      const x0 = x[a]!, x1 = x[b]!, c = cos[i]!, s = sin[i]!;
      x[a] = fmaF32(-x1, s, f(x0 * c));
      x[b] = fmaF32(x0, s, f(x1 * c));
    }
  }
}
