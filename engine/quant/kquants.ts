// Reference (de)quantizers for the k-quants: 256-value super-blocks of 16 or 32-value sub-blocks
// whose scales (and mins) are themselves quantized. q2_k, q3_k, q4_k, q5_k, q6_k and q8_k.
// Reference: ggml-quants.c (make_qx_quants, make_q3_quants, make_qkx2_quants, quantize_row_q*_K_ref,
// dequantize_row_q*_K). Every C `float` operation is one fround here (see numeric.ts), in C's order,
// because the quantizers' searches compare float errors and a different rounding picks other bytes.

import { layoutOf } from "./layouts.js";
import { type Dequantizer, type Quantizer, readF16, writeF16 } from "./legacy.js";
import { clamp, fr, nearestInt } from "./numeric.js";
import { GGMLType } from "./types.js";

export const QK_K = 256;
/** ggml's GROUP_MAX_EPS: a group whose largest |x| is below this quantizes to zeros. */
const GROUP_MAX_EPS = fr(1e-15);

// Scratch, reused across calls so the hot loops allocate nothing.
const Lq = new Int8Array(QK_K);
const Lu = new Uint8Array(QK_K);
const Laux = new Uint8Array(32);
const weights = new Float32Array(32);
const scales = new Float32Array(QK_K / 16);
const mins = new Float32Array(QK_K / 16);

const i8 = (v: number): number => (v << 24) >> 24;

/** The error weight make_qx_quants gives value xi: qw[i] when given, else by rmse_type. */
function qxWeight(xi: number, qw: Float32Array | null, i: number, rmseType: number): number {
  if (qw) return qw[i];
  return rmseType === 1 ? fr(xi * xi) : rmseType === 2 ? 1 : rmseType === 3 ? Math.abs(xi) : fr(Math.sqrt(Math.abs(xi)));
}

/**
 * ggml's make_qx_quants: symmetric quantization of x[xo..xo+n) to L in [0, 2*nmax), returning the
 * scale. rmse_type 1 weights errors by x^2 (or by qw when given) and searches 18 nearby scales.
 */
export function makeQxQuants(
  n: number, nmax: number, x: Float32Array, xo: number, L: Int8Array, lo: number, rmseType: number,
  qw: Float32Array | null,
): number {
  let max = 0, amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xo + i]);
    if (ax > amax) { amax = ax; max = x[xo + i]; }
  }
  if (amax < GROUP_MAX_EPS) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return 0;
  }
  let iscale = fr(-nmax / max);
  if (rmseType === 0) {
    for (let i = 0; i < n; i++) {
      const l = nearestInt(fr(iscale * x[xo + i]));
      L[lo + i] = nmax + clamp(l, -nmax, nmax - 1);
    }
    return fr(1 / iscale);
  }
  let returnEarly = false;
  if (rmseType < 0) { rmseType = -rmseType; returnEarly = true; }
  let sumlx = 0, suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i];
    const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
    L[lo + i] = l + nmax;
    const w = qxWeight(x[xo + i], qw, i, rmseType);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  let scale = suml2 ? fr(sumlx / suml2) : 0;
  if (returnEarly) return suml2 > 0 ? fr(0.5 * fr(scale + fr(1 / iscale))) : fr(1 / iscale);
  let best = fr(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fr(-fr(nmax + fr(fr(0.1) * is)) / max);
    sumlx = suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
      const w = qxWeight(x[xo + i], qw, i, rmseType);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      for (let i = 0; i < n; i++) {
        L[lo + i] = nmax + clamp(nearestInt(fr(iscale * x[xo + i])), -nmax, nmax - 1);
      }
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}

/** ggml's make_q3_quants with do_rmse: iteratively moves single quants while the weighted error drops. */
function makeQ3Quants(n: number, nmax: number, x: Float32Array, xo: number, L: Int8Array, lo: number): number {
  let max = 0, amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xo + i]);
    if (ax > amax) { amax = ax; max = x[xo + i]; }
  }
  if (amax < GROUP_MAX_EPS) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return 0;
  }
  const iscale = fr(-nmax / max);
  let sumlx = 0, suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i];
    const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
    L[lo + i] = l;
    const w = fr(xi * xi);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      const w = fr(xi * xi);
      const li = L[lo + i];
      let slx = fr(sumlx - fr(fr(w * xi) * li));
      if (slx > 0) {
        let sl2 = fr(suml2 - fr(fr(w * li) * li));
        const newL = clamp(nearestInt(fr(fr(xi * sl2) / slx)), -nmax, nmax - 1);
        if (newL !== li) {
          slx = fr(slx + fr(fr(w * xi) * newL));
          sl2 = fr(sl2 + fr(fr(w * newL) * newL));
          if (sl2 > 0 && fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
            L[lo + i] = newL; sumlx = slx; suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (!nChanged) break;
  }
  for (let i = 0; i < n; i++) L[lo + i] += nmax;
  return suml2 > 0 ? fr(sumlx / suml2) : 0;
}

/**
 * ggml's make_qkx2_quants: asymmetric quantization x ~ scale * L - min with L in [0, nmax], searching
 * nstep+1 scales around nmax / (max - min) for the least weighted error (|err| if useMad, else err^2).
 * Returns the scale; the (positive) min is written to mins[mi].
 */
function makeQkx2Quants(
  n: number, nmax: number, x: Float32Array, xo: number, w: Float32Array, L: Uint8Array, lo: number,
  minOut: Float32Array, mi: number, rmin: number, rdelta: number, nstep: number, useMad: boolean,
): number {
  let min = x[xo], max = x[xo];
  let sumW = w[0];
  let sumX = fr(sumW * x[xo]);
  for (let i = 1; i < n; i++) {
    const xi = x[xo + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    sumW = fr(sumW + w[i]);
    sumX = fr(sumX + fr(w[i] * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    minOut[mi] = -min;
    return 0;
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(fr(iscale * fr(x[xo + i] - min))), 0, nmax);
    L[lo + i] = l;
    let diff = fr(fr(fr(scale * l) + min) - x[xo + i]);
    diff = useMad ? Math.abs(diff) : fr(diff * diff);
    bestError = fr(bestError + fr(w[i] * diff));
  }
  if (nstep < 1) {
    minOut[mi] = -min;
    return scale;
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0, sumL2 = 0, sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      const l = clamp(nearestInt(fr(iscale * fr(xi - min))), 0, nmax);
      Laux[i] = l;
      const wl = fr(w[i] * l);
      sumL = fr(sumL + wl);
      sumL2 = fr(sumL2 + fr(wl * l));
      sumXL = fr(sumXL + fr(wl * xi));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = fr(fr(fr(thisScale * Laux[i]) + thisMin) - x[xo + i]);
        diff = useMad ? Math.abs(diff) : fr(diff * diff);
        curError = fr(curError + fr(w[i] * diff));
      }
      if (curError < bestError) {
        for (let i = 0; i < n; i++) L[lo + i] = Laux[i];
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  minOut[mi] = -min;
  return scale;
}

/** Scale and min of sub-block j from q4_k/q5_k's 12 packed bytes at `o` (ggml's get_scale_min_k4). */
function scaleK4(q: Uint8Array, o: number, j: number): number {
  return j < 4 ? q[o + j] & 63 : (q[o + j + 4] & 0xf) | ((q[o + j - 4] >> 6) << 4);
}
function minK4(q: Uint8Array, o: number, j: number): number {
  return j < 4 ? q[o + j + 4] & 63 : (q[o + j + 4] >> 4) | ((q[o + j] >> 6) << 4);
}

// ---- q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16 ----

const Q2K = layoutOf(GGMLType.Q2_K);
const Q2K_SC = Q2K.field.scales.offset, Q2K_QS = Q2K.field.qs.offset;
const Q2K_D = Q2K.field.d.offset, Q2K_DMIN = Q2K.field.dmin.offset;

export const dequantizeRowQ2_K: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * Q2K.typeSize;
    const d = readF16(src, b + Q2K_D), min = readF16(src, b + Q2K_DMIN);
    let q = b + Q2K_QS;
    let is = 0;
    for (let n = 0; n < QK_K; n += 128) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 32; half += 16) {
          const sc = src[b + Q2K_SC + is++];
          const dl = fr(d * (sc & 0xf)), ml = fr(min * (sc >> 4));
          for (let l = 0; l < 16; l++) out[y++] = fr(fr(dl * ((src[q + half + l] >> shift) & 3)) - ml);
        }
      }
      q += 32;
    }
  }
};

export const quantizeRowQ2_K: Quantizer = (x, dst, nb) => {
  const q4scale = 15;
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K, b = i * Q2K.typeSize;
    let maxScale = 0, maxMin = 0;
    for (let j = 0; j < QK_K / 16; j++) {
      for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[xo + 16 * j + l]);
      scales[j] = makeQkx2Quants(16, 3, x, xo + 16 * j, weights, Lu, 16 * j, mins, j, fr(-0.5), fr(0.1), 15, true);
      if (scales[j] > maxScale) maxScale = scales[j];
      if (mins[j] > maxMin) maxMin = mins[j];
    }
    if (maxScale > 0) {
      const iscale = fr(q4scale / maxScale);
      for (let j = 0; j < 16; j++) dst[b + Q2K_SC + j] = nearestInt(fr(iscale * scales[j])) & 0xff;
      writeF16(dst, b + Q2K_D, fr(maxScale / q4scale));
    } else {
      for (let j = 0; j < 16; j++) dst[b + Q2K_SC + j] = 0;
      writeF16(dst, b + Q2K_D, 0);
    }
    if (maxMin > 0) {
      const iscale = fr(q4scale / maxMin);
      for (let j = 0; j < 16; j++) dst[b + Q2K_SC + j] |= (nearestInt(fr(iscale * mins[j])) << 4) & 0xff;
      writeF16(dst, b + Q2K_DMIN, fr(maxMin / q4scale));
    } else {
      writeF16(dst, b + Q2K_DMIN, 0);
    }
    const dAll = readF16(dst, b + Q2K_D), mAll = readF16(dst, b + Q2K_DMIN);
    for (let j = 0; j < 16; j++) {
      const sc = dst[b + Q2K_SC + j];
      const d = fr(dAll * (sc & 0xf));
      if (!d) continue;
      const dm = fr(mAll * (sc >> 4));
      for (let ii = 0; ii < 16; ii++) {
        Lu[16 * j + ii] = clamp(nearestInt(fr(fr(x[xo + 16 * j + ii] + dm) / d)), 0, 3);
      }
    }
    for (let j = 0; j < QK_K; j += 128) {
      for (let l = 0; l < 32; l++) {
        dst[b + Q2K_QS + j / 4 + l] = Lu[j + l] | (Lu[j + l + 32] << 2) | (Lu[j + l + 64] << 4) | (Lu[j + l + 96] << 6);
      }
    }
  }
};

// ---- q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16, 6-bit scales ----

const Q3K = layoutOf(GGMLType.Q3_K);
const Q3K_HM = Q3K.field.hmask.offset, Q3K_QS = Q3K.field.qs.offset;
const Q3K_SC = Q3K.field.scales.offset, Q3K_D = Q3K.field.d.offset;

/** The signed 6-bit scale j of q3_k (-32..31) from the 12 packed bytes at `o`. */
function scaleQ3K(src: Uint8Array, o: number, j: number): number {
  const lo = j < 8 ? src[o + j] & 0xf : src[o + j - 8] >> 4;
  return (lo | (((src[o + 8 + (j & 3)] >> (2 * (j >> 2))) & 3) << 4)) - 32;
}

export const dequantizeRowQ3_K: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * Q3K.typeSize;
    const dAll = readF16(src, b + Q3K_D);
    let q = b + Q3K_QS;
    const hm = b + Q3K_HM;
    let m = 1, is = 0;
    for (let n = 0; n < QK_K; n += 128) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 32; half += 16) {
          const dl = fr(dAll * scaleQ3K(src, b + Q3K_SC, is++));
          for (let l = 0; l < 16; l++) {
            const v = ((src[q + half + l] >> shift) & 3) - (src[hm + half + l] & m ? 0 : 4);
            out[y++] = fr(dl * v);
          }
        }
        m <<= 1;
      }
      q += 32;
    }
  }
};

export const quantizeRowQ3_K: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K, b = i * Q3K.typeSize;
    let maxScale = 0, amax = 0;
    for (let j = 0; j < 16; j++) {
      scales[j] = makeQ3Quants(16, 4, x, xo + 16 * j, Lq, 16 * j);
      const scale = Math.abs(scales[j]);
      if (scale > amax) { amax = scale; maxScale = scales[j]; }
    }
    dst.fill(0, b + Q3K_SC, b + Q3K_SC + 12);
    if (maxScale) {
      const iscale = fr(-32 / maxScale);
      for (let j = 0; j < 16; j++) {
        let l = i8(nearestInt(fr(iscale * scales[j])));
        l = clamp(l, -32, 31) + 32;
        if (j < 8) dst[b + Q3K_SC + j] = l & 0xf;
        else dst[b + Q3K_SC + j - 8] |= (l & 0xf) << 4;
        l >>= 4;
        dst[b + Q3K_SC + (j % 4) + 8] |= l << (2 * (j >> 2));
      }
      writeF16(dst, b + Q3K_D, fr(1 / iscale));
    } else {
      writeF16(dst, b + Q3K_D, 0);
    }
    const dAll = readF16(dst, b + Q3K_D);
    for (let j = 0; j < 16; j++) {
      const d = fr(dAll * scaleQ3K(dst, b + Q3K_SC, j));
      if (!d) continue;
      for (let ii = 0; ii < 16; ii++) {
        Lq[16 * j + ii] = clamp(nearestInt(fr(x[xo + 16 * j + ii] / d)), -4, 3) + 4;
      }
    }
    dst.fill(0, b + Q3K_HM, b + Q3K_HM + 32);
    let m = 0, hm = 1;
    for (let j = 0; j < QK_K; j++) {
      if (Lq[j] > 3) {
        dst[b + Q3K_HM + m] |= hm;
        Lq[j] -= 4;
      }
      if (++m === QK_K / 8) { m = 0; hm <<= 1; }
    }
    for (let j = 0; j < QK_K; j += 128) {
      for (let l = 0; l < 32; l++) {
        dst[b + Q3K_QS + j / 4 + l] = Lq[j + l] | (Lq[j + l + 32] << 2) | (Lq[j + l + 64] << 4) | (Lq[j + l + 96] << 6);
      }
    }
  }
};

// ---- q4_k and q5_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32, 6-bit scales and mins ----

const Q4K = layoutOf(GGMLType.Q4_K);
const Q4K_D = Q4K.field.d.offset, Q4K_DMIN = Q4K.field.dmin.offset;
const Q4K_SC = Q4K.field.scales.offset, Q4K_QS = Q4K.field.qs.offset;

export const dequantizeRowQ4_K: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * Q4K.typeSize;
    const d = readF16(src, b + Q4K_D), min = readF16(src, b + Q4K_DMIN);
    let q = b + Q4K_QS;
    for (let is = 0; is < 8; is += 2) {
      const d1 = fr(d * scaleK4(src, b + Q4K_SC, is)), m1 = fr(min * minK4(src, b + Q4K_SC, is));
      const d2 = fr(d * scaleK4(src, b + Q4K_SC, is + 1)), m2 = fr(min * minK4(src, b + Q4K_SC, is + 1));
      for (let l = 0; l < 32; l++) out[y++] = fr(fr(d1 * (src[q + l] & 0xf)) - m1);
      for (let l = 0; l < 32; l++) out[y++] = fr(fr(d2 * (src[q + l] >> 4)) - m2);
      q += 32;
    }
  }
};

/**
 * The part q4_k and q5_k share: per 32 values a make_qkx2_quants fit, then the 8 scales and mins
 * quantized to 6 bits into `scales` at `so`, d and dmin, and the final quants in Lu.
 */
function quantizeSuperBlockK4(
  x: Float32Array, xo: number, dst: Uint8Array, b: number, nmax: number, rmin: number, nstep: number,
  offD: number, offDmin: number, so: number,
): void {
  let maxScale = 0, maxMin = 0;
  for (let j = 0; j < 8; j++) {
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[xo + 32 * j + l] * x[xo + 32 * j + l]));
    const avX = fr(Math.sqrt(fr(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[xo + 32 * j + l]));
    scales[j] = makeQkx2Quants(32, nmax, x, xo + 32 * j, weights, Lu, 32 * j, mins, j, rmin, fr(0.1), nstep, false);
    if (scales[j] > maxScale) maxScale = scales[j];
    if (mins[j] > maxMin) maxMin = mins[j];
  }
  const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
  for (let j = 0; j < 8; j++) {
    const ls = Math.min(63, nearestInt(fr(invScale * scales[j])) & 0xff);
    const lm = Math.min(63, nearestInt(fr(invMin * mins[j])) & 0xff);
    if (j < 4) {
      dst[so + j] = ls;
      dst[so + j + 4] = lm;
    } else {
      dst[so + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      dst[so + j - 4] |= (ls >> 4) << 6;
      dst[so + j] |= (lm >> 4) << 6;
    }
  }
  writeF16(dst, b + offD, fr(maxScale / 63));
  writeF16(dst, b + offDmin, fr(maxMin / 63));
  const dAll = readF16(dst, b + offD), mAll = readF16(dst, b + offDmin);
  for (let j = 0; j < 8; j++) {
    const d = fr(dAll * scaleK4(dst, so, j));
    if (!d) continue;
    const dm = fr(mAll * minK4(dst, so, j));
    for (let ii = 0; ii < 32; ii++) {
      Lu[32 * j + ii] = clamp(nearestInt(fr(fr(x[xo + 32 * j + ii] + dm) / d)), 0, nmax);
    }
  }
}

export const quantizeRowQ4_K: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q4K.typeSize;
    quantizeSuperBlockK4(x, i * QK_K, dst, b, 15, fr(-1), 20, Q4K_D, Q4K_DMIN, b + Q4K_SC);
    let q = b + Q4K_QS;
    for (let j = 0; j < QK_K; j += 64) {
      for (let l = 0; l < 32; l++) dst[q + l] = Lu[j + l] | (Lu[j + l + 32] << 4);
      q += 32;
    }
  }
};

const Q5K = layoutOf(GGMLType.Q5_K);
const Q5K_D = Q5K.field.d.offset, Q5K_DMIN = Q5K.field.dmin.offset;
const Q5K_SC = Q5K.field.scales.offset, Q5K_QH = Q5K.field.qh.offset, Q5K_QS = Q5K.field.qs.offset;

export const dequantizeRowQ5_K: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * Q5K.typeSize;
    const d = readF16(src, b + Q5K_D), min = readF16(src, b + Q5K_DMIN);
    let ql = b + Q5K_QS;
    const qh = b + Q5K_QH;
    let u1 = 1, u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      const d1 = fr(d * scaleK4(src, b + Q5K_SC, is)), m1 = fr(min * minK4(src, b + Q5K_SC, is));
      const d2 = fr(d * scaleK4(src, b + Q5K_SC, is + 1)), m2 = fr(min * minK4(src, b + Q5K_SC, is + 1));
      for (let l = 0; l < 32; l++) out[y++] = fr(fr(d1 * ((src[ql + l] & 0xf) + (src[qh + l] & u1 ? 16 : 0))) - m1);
      for (let l = 0; l < 32; l++) out[y++] = fr(fr(d2 * ((src[ql + l] >> 4) + (src[qh + l] & u2 ? 16 : 0))) - m2);
      ql += 32;
      u1 <<= 2; u2 <<= 2;
    }
  }
};

export const quantizeRowQ5_K: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q5K.typeSize;
    quantizeSuperBlockK4(x, i * QK_K, dst, b, 31, fr(-0.5), 15, Q5K_D, Q5K_DMIN, b + Q5K_SC);
    const qh = b + Q5K_QH;
    let ql = b + Q5K_QS;
    dst.fill(0, qh, qh + 32);
    let m1 = 1, m2 = 2;
    for (let n = 0; n < QK_K; n += 64) {
      for (let j = 0; j < 32; j++) {
        let l1 = Lu[n + j];
        if (l1 > 15) { l1 -= 16; dst[qh + j] |= m1; }
        let l2 = Lu[n + j + 32];
        if (l2 > 15) { l2 -= 16; dst[qh + j] |= m2; }
        dst[ql + j] = l1 | (l2 << 4);
      }
      m1 <<= 2; m2 <<= 2;
      ql += 32;
    }
  }
};

// ---- q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales ----

const Q6K = layoutOf(GGMLType.Q6_K);
const Q6K_QL = Q6K.field.ql.offset, Q6K_QH = Q6K.field.qh.offset;
const Q6K_SC = Q6K.field.scales.offset, Q6K_D = Q6K.field.d.offset;

export const dequantizeRowQ6_K: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * Q6K.typeSize;
    const d = readF16(src, b + Q6K_D);
    let ql = b + Q6K_QL, qh = b + Q6K_QH, sc = b + Q6K_SC;
    for (let n = 0; n < QK_K; n += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = src[qh + l];
        const q1 = ((src[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = fr(fr(d * i8(src[sc + is])) * q1);
        out[y + l + 32] = fr(fr(d * i8(src[sc + is + 2])) * q2);
        out[y + l + 64] = fr(fr(d * i8(src[sc + is + 4])) * q3);
        out[y + l + 96] = fr(fr(d * i8(src[sc + is + 6])) * q4);
      }
      y += 128;
      ql += 64; qh += 32; sc += 8;
    }
  }
};

export const quantizeRowQ6_K: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K, b = i * Q6K.typeSize;
    let maxScale = 0, maxAbsScale = 0;
    for (let ib = 0; ib < 16; ib++) {
      const scale = makeQxQuants(16, 32, x, xo + 16 * ib, Lq, 16 * ib, 1, null);
      scales[ib] = scale;
      const absScale = Math.abs(scale);
      if (absScale > maxAbsScale) { maxAbsScale = absScale; maxScale = scale; }
    }
    if (maxAbsScale < GROUP_MAX_EPS) {
      dst.fill(0, b, b + Q6K.typeSize);
      continue;
    }
    const iscale = fr(-128 / maxScale);
    writeF16(dst, b + Q6K_D, fr(1 / iscale));
    for (let ib = 0; ib < 16; ib++) dst[b + Q6K_SC + ib] = Math.min(127, nearestInt(fr(iscale * scales[ib]))) & 0xff;
    const dAll = readF16(dst, b + Q6K_D);
    for (let j = 0; j < 16; j++) {
      const d = fr(dAll * i8(dst[b + Q6K_SC + j]));
      if (!d) continue;
      for (let ii = 0; ii < 16; ii++) {
        Lq[16 * j + ii] = clamp(nearestInt(fr(x[xo + 16 * j + ii] / d)), -32, 31) + 32;
      }
    }
    let ql = b + Q6K_QL, qh = b + Q6K_QH;
    for (let j = 0; j < QK_K; j += 128) {
      for (let l = 0; l < 32; l++) {
        const L1 = Lq[j + l], L2 = Lq[j + l + 32], L3 = Lq[j + l + 64], L4 = Lq[j + l + 96];
        dst[ql + l] = (L1 & 0xf) | ((L3 & 0xf) << 4);
        dst[ql + l + 32] = (L2 & 0xf) | ((L4 & 0xf) << 4);
        dst[qh + l] = (L1 >> 4) | ((L2 >> 4) << 2) | ((L3 >> 4) << 4) | ((L4 >> 4) << 6);
      }
      ql += 64; qh += 32;
    }
  }
};

// ---- q8_k: x = d * q with a float32 d and per-16 sums; the activation format of the k-quant dots ----

const Q8K = layoutOf(GGMLType.Q8_K);
const Q8K_D = Q8K.field.d.offset, Q8K_QS = Q8K.field.qs.offset, Q8K_BSUMS = Q8K.field.bsums.offset;

export const dequantizeRowQ8_K: Dequantizer = (src, out, nb) => {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < nb; i++) {
    const b = i * Q8K.typeSize;
    const d = dv.getFloat32(b + Q8K_D, true);
    for (let j = 0; j < QK_K; j++) out[i * QK_K + j] = fr(d * i8(src[b + Q8K_QS + j]));
  }
};

export const quantizeRowQ8_K: Quantizer = (x, dst, nb) => {
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K, b = i * Q8K.typeSize;
    let max = 0, amax = 0;
    for (let j = 0; j < QK_K; j++) {
      const ax = Math.abs(x[xo + j]);
      if (ax > amax) { amax = ax; max = x[xo + j]; }
    }
    if (!amax) {
      // ggml leaves bsums untouched here; zero them so the output never depends on the buffer's past
      dst.fill(0, b, b + Q8K.typeSize);
      continue;
    }
    // -127 rather than -128 so that the SIMD dot products never see -128
    const iscale = fr(-127 / max);
    for (let j = 0; j < QK_K; j++) dst[b + Q8K_QS + j] = Math.min(127, nearestInt(fr(iscale * x[xo + j]))) & 0xff;
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let ii = 0; ii < 16; ii++) sum += i8(dst[b + Q8K_QS + 16 * j + ii]);
      dv.setInt16(b + Q8K_BSUMS + 2 * j, sum, true);
    }
    dv.setFloat32(b + Q8K_D, fr(1 / iscale), true);
  }
};
