// Reference quantizers for the i-quants that ggml quantizes without an importance matrix:
// iq4_nl and iq4_xs (non-linear levels), iq3_xxs and iq3_s (points of a 4-D lattice grid) and iq2_s
// (points of an 8-D grid). Bit-exact with ggml's quantize_row_*_ref.
// Reference: ggml-quants.c (quantize_row_iq4_nl_impl, quantize_row_iq3_xxs_impl,
// quantize_row_iq3_s_impl, quantize_row_iq2_s_impl, iq2xs_init_impl/iq3xs_init_impl for the grid maps
// and neighbour lists, iq*_find_best_neighbour). Every C float operation is one fround.

import { KGRIDS, KVALUES_IQ4NL } from "./iq-grids.js";
import { f32ToF16 } from "./half.js";
import { layoutOf } from "./layouts.js";
import { type Quantizer, writeF16 } from "./legacy.js";
import { clamp, fr, nearestInt } from "./numeric.js";
import { GGMLType } from "./types.js";

const QK_K = 256;
const GROUP_MAX_EPS = fr(1e-15);
const GROUP_MAX_EPS_IQ3_XXS = fr(1e-8);
const GROUP_MAX_EPS_IQ2_S = fr(1e-8);
const FLT_MAX = 3.4028234663852886e38;

// ---- grids for quantization: coordinates 2l+1, a map from packed levels to grid index, and for
// points off the grid the list of nearest grid points (ggml's kmap/kneighbours, built on demand) ----

class SearchGrid {
  /** Coordinates (2l + 1) of each grid point, `dims` per point. */
  readonly coords: Int8Array;
  /** Packed levels -> grid index, or -1 when the point is not on the grid. */
  readonly map: Int32Array;
  private readonly neighbourCache = new Map<number, Uint16Array>();
  private readonly dist: Int32Array;

  constructor(kgrid: readonly number[], readonly dims: number, readonly bits: number, mapSize: number, readonly nwant: number) {
    this.coords = new Int8Array(kgrid.length * dims);
    this.map = new Int32Array(mapSize).fill(-1);
    const mask = (1 << bits) - 1;
    for (let k = 0; k < kgrid.length; k++) {
      for (let i = 0; i < dims; i++) this.coords[k * dims + i] = 2 * ((kgrid[k] >> (bits * i)) & mask) + 1;
      this.map[kgrid[k]] = k;
    }
    this.dist = new Int32Array(kgrid.length);
  }

  /**
   * Grid points nearest to the off-grid point `u`: every point whose squared distance is among the
   * `nwant` smallest distinct distances, ordered by distance then index (ggml sorts (d2, index) pairs).
   */
  neighbours(u: number): Uint16Array {
    let list = this.neighbourCache.get(u);
    if (list) return list;
    const { dims, bits, coords, dist } = this;
    const n = dist.length;
    const mask = (1 << bits) - 1;
    const distinct: number[] = [];
    for (let j = 0; j < n; j++) {
      let d2 = 0;
      for (let k = 0; k < dims; k++) {
        const diff = coords[j * dims + k] - (2 * ((u >> (bits * k)) & mask) + 1);
        d2 += diff * diff;
      }
      dist[j] = d2;
      // keep the nwant smallest distinct distances
      if (distinct.length < this.nwant || d2 < distinct[distinct.length - 1]) {
        if (!distinct.includes(d2)) {
          distinct.push(d2);
          distinct.sort((a, b) => a - b);
          if (distinct.length > this.nwant) distinct.pop();
        }
      }
    }
    const limit = distinct[distinct.length - 1];
    const picked: number[] = [];
    for (let j = 0; j < n; j++) if (dist[j] <= limit) picked.push(j);
    picked.sort((a, b) => dist[a] - dist[b] || a - b);
    list = Uint16Array.from(picked);
    this.neighbourCache.set(u, list);
    return list;
  }

  /**
   * ggml's iq2/iq3_find_best_neighbour: the neighbour minimising sum w (scale*q - x)^2; writes its
   * levels to L[lo..] and returns its index.
   */
  bestNeighbour(
    u: number, xval: Float32Array, xo: number, w: Float32Array, scale: number, L: Int8Array, lo: number,
  ): number {
    const { dims, coords } = this;
    let bestD2 = FLT_MAX;
    let gridIndex = -1;
    for (const j of this.neighbours(u)) {
      let d2 = 0;
      for (let i = 0; i < dims; i++) {
        const diff = fr(fr(scale * coords[j * dims + i]) - xval[xo + i]);
        d2 = fr(d2 + fr(fr(w[xo + i] * diff) * diff));
      }
      if (d2 < bestD2) { bestD2 = d2; gridIndex = j; }
    }
    for (let i = 0; i < dims; i++) L[lo + i] = (coords[gridIndex * dims + i] - 1) >> 1;
    return gridIndex;
  }
}

let iq3xxsGrid: SearchGrid | undefined;
let iq3sGrid: SearchGrid | undefined;
let iq2sGrid: SearchGrid | undefined;
const gridIq3xxs = (): SearchGrid => (iq3xxsGrid ??= new SearchGrid(KGRIDS.iq3_xxs, 4, 3, 4096, 2));
const gridIq3s = (): SearchGrid => (iq3sGrid ??= new SearchGrid(KGRIDS.iq3_s, 4, 3, 4096, 3));
const gridIq2s = (): SearchGrid => (iq2sGrid ??= new SearchGrid(KGRIDS.iq2_s, 8, 2, 43692, 1));

// Scratch shared by the grid quantizers (never re-entered).
const weight = new Float32Array(32);
const waux = new Float32Array(32);
const xval = new Float32Array(32);
const L = new Int8Array(32);
const Laux = new Int8Array(32);
const isOnGrid = new Uint8Array(8);
const isOnGridAux = new Uint8Array(8);
const blockSigns = new Uint8Array(8);
const scales = new Float32Array(QK_K / 16);

// Results of weightedSums, in module scope so the search loop allocates nothing.
let sumQX = 0, sumQ2 = 0;

/** sum w*x*q and sum w*q*q over n values with q = 2*L + 1, in C's float order. */
function weightedSums(n: number, Ls: Int8Array): void {
  let sumqx = 0, sumq2 = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    const q = 2 * Ls[i] + 1;
    sumqx = fr(sumqx + fr(fr(w * xval[i]) * q));
    sumq2 = fr(sumq2 + fr(fr(w * q) * q));
  }
  sumQX = sumqx;
  sumQ2 = sumq2;
}

/** Level of one coordinate for inverse scale id: nearest_int(0.5 * (id * x - 1)), clamped. */
function level(id: number, x: number, kMaxQ: number): number {
  return clamp(nearestInt(fr(0.5 * fr(fr(id * x) - 1))), 0, kMaxQ - 1);
}

/**
 * The scale search shared by iq3_xxs, iq3_s and iq2_s for one group of n values split into n/dims
 * grid points: tries 2*nsteps+1 scales, snaps each point onto the grid, keeps the best weighted fit,
 * then re-snaps the off-grid points at the chosen scale. Leaves the levels in L; returns the scale.
 */
function searchGroup(
  g: SearchGrid, n: number, kMaxQ: number, nsteps: number, step: number, max: number,
  initialOnGrid: boolean, resnapAll: boolean,
): number {
  const dims = g.dims, npts = n / dims;
  let best = 0;
  let scale = fr(max / (2 * kMaxQ - 1));
  isOnGrid.fill(initialOnGrid ? 1 : 0, 0, npts);
  for (let is = -nsteps; is <= nsteps; is++) {
    const id = fr(fr(2 * kMaxQ - 1 + fr(is * step)) / max);
    const thisScale = fr(1 / id);
    for (let k = 0; k < npts; k++) {
      let u = 0;
      for (let i = 0; i < dims; i++) {
        const l = level(id, xval[dims * k + i], kMaxQ);
        Laux[dims * k + i] = l;
        u |= l << (g.bits * i);
      }
      isOnGridAux[k] = 1;
      if (g.map[u] < 0) {
        isOnGridAux[k] = 0;
        g.bestNeighbour(u, xval, dims * k, waux, thisScale, Laux, dims * k);
      }
    }
    weightedSums(n, Laux);
    const sumqx = sumQX, sumq2 = sumQ2;
    if (sumq2 > 0 && fr(sumqx * sumqx) > fr(best * sumq2)) {
      scale = fr(sumqx / sumq2);
      best = fr(scale * sumqx);
      L.set(Laux.subarray(0, n));
      isOnGrid.set(isOnGridAux.subarray(0, npts));
    }
  }
  let nNotOnGrid = 0;
  for (let k = 0; k < npts; k++) if (!isOnGrid[k]) nNotOnGrid++;
  if (nNotOnGrid > 0 && scale > 0) {
    const id = fr(1 / scale);
    for (let k = 0; k < npts; k++) {
      if (!resnapAll && isOnGrid[k]) continue;
      let u = 0;
      for (let i = 0; i < dims; i++) {
        const l = level(id, xval[dims * k + i], kMaxQ);
        L[dims * k + i] = l;
        u |= l << (g.bits * i);
      }
      if (g.map[u] < 0) g.bestNeighbour(u, xval, dims * k, waux, scale, L, dims * k);
    }
    weightedSums(n, L);
    const sumqx = sumQX, sumq2 = sumQ2;
    if (sumq2 > 0) scale = fr(sumqx / sumq2);
  }
  return scale;
}

/** Grid index of the point whose levels are L[lo..lo+dims); the search guarantees it is on the grid. */
function gridIndexOf(g: SearchGrid, lo: number): number {
  let u = 0;
  for (let i = 0; i < g.dims; i++) u |= L[lo + i] << (g.bits * i);
  const idx = g.map[u];
  if (idx < 0) throw new Error(`internal: point ${u} is not on the grid`);
  return idx;
}

/** Sum of squares in float, as ggml's `sumx2 += x*x`. */
function sumSquares(x: Float32Array, at: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = fr(s + fr(x[at + i] * x[at + i]));
  return s;
}

/**
 * Signs split off: xval = |x|, one sign bit per value. With evenSigns (iq3_xxs), an odd count of
 * negatives flips the sign of the value that matters least so only 7 bits per 8 need storing.
 */
function splitSigns(x: Float32Array, xo: number, k: number, evenSigns: boolean): number {
  let s = 0, nflip = 0;
  for (let i = 0; i < 8; i++) {
    const v = x[xo + 8 * k + i];
    if (v >= 0) xval[8 * k + i] = v;
    else { xval[8 * k + i] = -v; nflip++; s |= 1 << i; }
  }
  if (evenSigns && nflip % 2) {
    let imin = 0;
    let min = fr(fr(weight[8 * k] * x[xo + 8 * k]) * x[xo + 8 * k]);
    for (let i = 1; i < 8; i++) {
      const v = x[xo + 8 * k + i];
      const ax = fr(fr(weight[8 * k + i] * v) * v);
      if (ax < min) { min = ax; imin = i; }
    }
    xval[8 * k + imin] = -xval[8 * k + imin];
    s ^= 1 << imin;
  }
  return s;
}

function maxOf(a: Float32Array, n: number): number {
  let m = a[0];
  for (let i = 1; i < n; i++) m = m > a[i] ? m : a[i];
  return m;
}

// ---- iq3_xxs ----

const IQ3XXS = layoutOf(GGMLType.IQ3_XXS);
const IQ3XXS_D = IQ3XXS.field.d.offset, IQ3XXS_QS = IQ3XXS.field.qs.offset;

export const quantizeRowIQ3_XXS: Quantizer = (x, dst, nb) => {
  const g = gridIq3xxs();
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ3XXS.typeSize;
    dst.fill(0, b, b + IQ3XXS.typeSize);
    const signsAt = b + IQ3XXS_QS + QK_K / 4; // scales_and_signs: one u32 per 32 values
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const xb = xbl + 32 * ib;
      for (let i = 0; i < 32; i++) weight[i] = fr(x[xb + i] * x[xb + i]);
      for (let i = 0; i < 32; i++) waux[i] = fr(Math.sqrt(weight[i]));
      for (let k = 0; k < 4; k++) blockSigns[k] = splitSigns(x, xb, k, true) & 127;
      const max = maxOf(xval, 32);
      L.fill(0);
      if (max < GROUP_MAX_EPS_IQ3_XXS) { scales[ib] = 0; continue; }
      let scale = searchGroup(g, 32, 8, 15, fr(0.2), max, true, false);
      if (scale < 0) {
        scale = -scale;
        for (let k = 0; k < 4; k++) blockSigns[k] = ~blockSigns[k] & 127;
      }
      for (let k = 0; k < 8; k++) dst[b + IQ3XXS_QS + 8 * ib + k] = gridIndexOf(g, 4 * k);
      const ss = (blockSigns[0] | (blockSigns[1] << 7) | (blockSigns[2] << 14) | (blockSigns[3] << 21)) >>> 0;
      writeU32(dst, signsAt + 4 * ib, ss);
      scales[ib] = scale;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) {
      dst.fill(0, b + IQ3XXS_QS, b + IQ3XXS.typeSize);
      continue;
    }
    const d = fr(maxScale / 31);
    writeF16(dst, b + IQ3XXS_D, fr(d * fr(1.0125))); // ggml's fudge factor
    const id = fr(1 / d);
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const l = clamp(nearestInt(fr(0.5 * fr(fr(id * scales[ib]) - 1))), 0, 15);
      writeU32(dst, signsAt + 4 * ib, (readU32(dst, signsAt + 4 * ib) | (l << 28)) >>> 0);
    }
  }
};

function readU32(a: Uint8Array, o: number): number {
  return (a[o] | (a[o + 1] << 8) | (a[o + 2] << 16) | (a[o + 3] << 24)) >>> 0;
}
function writeU32(a: Uint8Array, o: number, v: number): void {
  a[o] = v & 0xff; a[o + 1] = (v >>> 8) & 0xff; a[o + 2] = (v >>> 16) & 0xff; a[o + 3] = (v >>> 24) & 0xff;
}

// ---- iq3_s ----

const IQ3S = layoutOf(GGMLType.IQ3_S);
const IQ3S_D = IQ3S.field.d.offset, IQ3S_QS = IQ3S.field.qs.offset, IQ3S_QH = IQ3S.field.qh.offset;
const IQ3S_SIGNS = IQ3S.field.signs.offset, IQ3S_SC = IQ3S.field.scales.offset;

export const quantizeRowIQ3_S: Quantizer = (x, dst, nb) => {
  const g = gridIq3s();
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ3S.typeSize;
    dst.fill(0, b, b + IQ3S.typeSize);
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const xb = xbl + 32 * ib;
      for (let i = 0; i < 32; i++) weight[i] = fr(x[xb + i] * x[xb + i]);
      for (let i = 0; i < 32; i++) waux[i] = fr(Math.sqrt(weight[i]));
      for (let k = 0; k < 4; k++) blockSigns[k] = splitSigns(x, xb, k, false);
      const max = maxOf(xval, 32);
      L.fill(0);
      if (!max) { scales[ib] = 0; continue; }
      let scale = searchGroup(g, 32, 8, 9, fr(0.2), max, false, true);
      if (scale < 0) {
        scale = -scale;
        for (let k = 0; k < 4; k++) blockSigns[k] = ~blockSigns[k] & 0xff;
      }
      for (let k = 0; k < 8; k++) {
        const gi = gridIndexOf(g, 4 * k);
        dst[b + IQ3S_QS + 8 * ib + k] = gi & 255;
        dst[b + IQ3S_QH + ((ib * 8 + k) >> 3)] |= (gi >> 8) << ((ib * 8 + k) % 8);
      }
      for (let k = 0; k < 4; k++) dst[b + IQ3S_SIGNS + 4 * ib + k] = blockSigns[k];
      scales[ib] = scale;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) continue;
    const d = fr(maxScale / 31);
    writeF16(dst, b + IQ3S_D, fr(d * fr(1.033)));
    const id = fr(1 / d);
    for (let ib = 0; ib < QK_K / 32; ib += 2) {
      const l1 = clamp(nearestInt(fr(0.5 * fr(fr(id * scales[ib]) - 1))), 0, 15);
      const l2 = clamp(nearestInt(fr(0.5 * fr(fr(id * scales[ib + 1]) - 1))), 0, 15);
      dst[b + IQ3S_SC + (ib >> 1)] = l1 | (l2 << 4);
    }
  }
};

// ---- iq2_s ----

const IQ2S = layoutOf(GGMLType.IQ2_S);
const IQ2S_D = IQ2S.field.d.offset, IQ2S_QS = IQ2S.field.qs.offset;
const IQ2S_QH = IQ2S.field.qh.offset, IQ2S_SC = IQ2S.field.scales.offset;

export const quantizeRowIQ2_S: Quantizer = (x, dst, nb) => {
  const g = gridIq2s();
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ2S.typeSize;
    dst.fill(0, b, b + IQ2S.typeSize);
    const sigma2 = fr(fr(2 * sumSquares(x, xbl, QK_K)) / QK_K);
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const xb = xbl + 16 * ib;
      for (let i = 0; i < 16; i++) weight[i] = fr(fr(0.25 * sigma2) + fr(x[xb + i] * x[xb + i]));
      for (let i = 0; i < 16; i++) waux[i] = fr(Math.sqrt(weight[i]));
      for (let k = 0; k < 2; k++) blockSigns[k] = splitSigns(x, xb, k, false);
      const max = maxOf(xval, 16);
      L.fill(0);
      if (max < GROUP_MAX_EPS_IQ2_S) { scales[ib] = 0; continue; }
      let scale = searchGroup(g, 16, 3, 9, fr(0.1), max, true, false);
      if (scale < 0) {
        scale = -scale;
        for (let k = 0; k < 2; k++) blockSigns[k] = ~blockSigns[k] & 0xff;
      }
      for (let k = 0; k < 2; k++) {
        const gi = gridIndexOf(g, 8 * k);
        const i8 = 2 * ib + k;
        dst[b + IQ2S_QS + i8] = gi & 255;
        dst[b + IQ2S_QH + (i8 >> 2)] |= (gi >> 8) << (2 * (i8 % 4));
        dst[b + IQ2S_QS + QK_K / 8 + i8] = blockSigns[k];
      }
      scales[ib] = scale;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) continue;
    const d = fr(maxScale / 31);
    writeF16(dst, b + IQ2S_D, fr(d * fr(0.9875)));
    const id = fr(1 / d);
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const l = clamp(nearestInt(fr(0.5 * fr(fr(id * scales[ib]) - 1))), 0, 15);
      if (ib % 2 === 0) dst[b + IQ2S_SC + (ib >> 1)] = l;
      else dst[b + IQ2S_SC + (ib >> 1)] |= l << 4;
    }
  }
};

// ---- iq4_nl and iq4_xs: 16 non-linear levels ----

/** Index of the level nearest to x in the sorted `values` (ggml's best_index_int8; ties go up). */
function bestIndexInt8(values: Int8Array, x: number): number {
  const n = values.length;
  if (x <= values[0]) return 0;
  if (x >= values[n - 1]) return n - 1;
  let ml = 0, mu = n - 1;
  while (mu - ml > 1) {
    const mav = (ml + mu) >> 1;
    if (x < values[mav]) mu = mav;
    else ml = mav;
  }
  return fr(x - values[mu - 1]) < fr(values[mu] - x) ? mu - 1 : mu;
}

const Lnl = new Uint8Array(QK_K);
const nlScales = new Float32Array(QK_K / 32);

/**
 * ggml's quantize_row_iq4_nl_impl without importance weights (weights x^2) over one super-block of
 * superSize values in 32-value blocks. ntry < 0 is iq4_nl's reference path (no scale search).
 * Writes L (levels) and returns the super-block scale; for iq4_xs, also the 6-bit block scales.
 */
function quantizeNl(
  x: Float32Array, xo: number, superSize: number, ntry: number, dst: Uint8Array, offD: number,
  offQs: number, offScalesH: number, offScalesL: number,
): void {
  const values = KVALUES_IQ4NL;
  let maxScale = 0, amaxScale = 0;
  const nblocks = superSize / 32;
  for (let ib = 0; ib < nblocks; ib++) {
    const xb = xo + 32 * ib;
    for (let j = 0; j < 32; j++) weight[j] = fr(x[xb + j] * x[xb + j]);
    let amax = 0, max = 0;
    for (let j = 0; j < 32; j++) {
      const ax = Math.abs(x[xb + j]);
      if (ax > amax) { amax = ax; max = x[xb + j]; }
    }
    if (amax < GROUP_MAX_EPS) {
      nlScales[ib] = 0;
      Lnl.fill(0, 32 * ib, 32 * ib + 32);
      continue;
    }
    let d = ntry > 0 ? fr(-max / values[0]) : fr(max / values[0]);
    let id = fr(1 / d);
    let sumqx = 0, sumq2 = 0;
    for (let j = 0; j < 32; j++) {
      const l = bestIndexInt8(values, fr(id * x[xb + j]));
      Lnl[32 * ib + j] = l;
      const q = values[l], w = weight[j];
      sumqx = fr(sumqx + fr(fr(w * q) * x[xb + j]));
      sumq2 = fr(sumq2 + fr(fr(w * q) * q));
    }
    d = sumq2 > 0 ? fr(sumqx / sumq2) : 0;
    let best = fr(d * sumqx);
    for (let itry = -ntry; itry <= ntry; itry++) {
      id = fr((itry + values[0]) / max);
      sumqx = sumq2 = 0;
      for (let j = 0; j < 32; j++) {
        const q = values[bestIndexInt8(values, fr(id * x[xb + j]))], w = weight[j];
        sumqx = fr(sumqx + fr(fr(w * q) * x[xb + j]));
        sumq2 = fr(sumq2 + fr(fr(w * q) * q));
      }
      if (sumq2 > 0 && fr(sumqx * sumqx) > fr(best * sumq2)) {
        d = fr(sumqx / sumq2);
        best = fr(d * sumqx);
      }
    }
    nlScales[ib] = d;
    const absD = Math.abs(d);
    if (absD > amaxScale) { amaxScale = absD; maxScale = d; }
  }
  if (nblocks > 1) {
    dst[offScalesH] = 0; dst[offScalesH + 1] = 0;
    const d = fr(-maxScale / 32);
    writeF16(dst, offD, d);
    const id = d ? fr(1 / d) : 0;
    let scalesH = 0;
    for (let ib = 0; ib < nblocks; ib++) {
      let l = clamp(nearestInt(fr(id * nlScales[ib])), -32, 31);
      const dl = fr(d * l);
      const idl = dl ? fr(1 / dl) : 0;
      for (let j = 0; j < 32; j++) Lnl[32 * ib + j] = bestIndexInt8(values, fr(idl * x[xo + 32 * ib + j]));
      l += 32;
      const lLow = l & 0xf, lHigh = l >> 4;
      if (ib % 2 === 0) dst[offScalesL + (ib >> 1)] = lLow;
      else dst[offScalesL + (ib >> 1)] |= lLow << 4;
      scalesH |= lHigh << (2 * (ib % 8));
    }
    dst[offScalesH] = scalesH & 0xff;
    dst[offScalesH + 1] = (scalesH >> 8) & 0xff;
  } else {
    writeF16(dst, offD, nlScales[0]);
    if (ntry > 0) {
      const id = nlScales[0] ? fr(1 / nlScales[0]) : 0;
      for (let j = 0; j < superSize; j++) Lnl[j] = bestIndexInt8(values, fr(id * x[xo + j]));
    }
  }
  for (let i = 0; i < superSize / 32; i++) {
    for (let j = 0; j < 16; j++) dst[offQs + 16 * i + j] = Lnl[32 * i + j] | (Lnl[32 * i + 16 + j] << 4);
  }
}

const IQ4NL = layoutOf(GGMLType.IQ4_NL);

export const quantizeRowIQ4_NL: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * IQ4NL.typeSize;
    dst.fill(0, b, b + IQ4NL.typeSize);
    // ntry = -1: the reference path keeps the first scale (llama-quantize searches with ntry = 7)
    quantizeNl(x, 32 * i, 32, -1, dst, b + IQ4NL.field.d.offset, b + IQ4NL.field.qs.offset, -1, -1);
  }
};

const IQ4XS = layoutOf(GGMLType.IQ4_XS);

export const quantizeRowIQ4_XS: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * IQ4XS.typeSize;
    dst.fill(0, b, b + IQ4XS.typeSize);
    quantizeNl(
      x, QK_K * i, QK_K, 7, dst, b + IQ4XS.field.d.offset, b + IQ4XS.field.qs.offset,
      b + IQ4XS.field.scales_h.offset, b + IQ4XS.field.scales_l.offset,
    );
  }
};

// ---- iq1_m: ggml quantizes it without an importance matrix too (weights x^2), through
// quantize_iq1_m(..., NULL); there is no _ref function, but that path is deterministic ----

const IQ1M = layoutOf(GGMLType.IQ1_M);
const IQ1M_QS = IQ1M.field.qs.offset, IQ1M_QH = IQ1M.field.qh.offset, IQ1M_SC = IQ1M.field.scales.offset;
const IQ1M_DELTA = fr(0.125);
const GROUP_MAX_EPS_IQ1_M = fr(1e-7);
/** The three levels of a 16-value half block, shifted by +delta (x_p) or -delta (x_m). */
const X_P = Float32Array.from([-1 + IQ1M_DELTA, IQ1M_DELTA, 1 + IQ1M_DELTA]);
const X_M = Float32Array.from([-1 - IQ1M_DELTA, -IQ1M_DELTA, 1 - IQ1M_DELTA]);
/** qh bits recording the shift sign of each 8-value half: k = 0 (+,+), 1 (+,-), 2 (-,+), 3 (-,-). */
const IQ1M_MASKS = [0x00, 0x80, 0x08, 0x88];

let iq1Grid: SearchGrid | undefined;
const gridIq1 = (): SearchGrid => (iq1Grid ??= new SearchGrid(KGRIDS.iq1_s, 8, 2, 43692, 3));

/**
 * ggml's iq1_find_best_neighbour2: the neighbour of off-grid point u minimising
 * sum w (scale * xx[level] - x)^2; writes its levels to L[lo..] and returns its index.
 */
function iq1BestNeighbour(
  g: SearchGrid, u: number, xb: Float32Array, xo: number, w: Float32Array, wo: number, scale: number,
  xx: Float32Array, Ls: Int8Array, lo: number,
): number {
  let best = FLT_MAX;
  let gridIndex = -1;
  for (const j of g.neighbours(u)) {
    let d2 = 0;
    for (let i = 0; i < 8; i++) {
      const q = xx[(g.coords[8 * j + i] - 1) >> 1];
      const diff = fr(fr(scale * q) - xb[xo + i]);
      d2 = fr(d2 + fr(fr(w[wo + i] * diff) * diff));
    }
    if (d2 < best) { best = d2; gridIndex = j; }
  }
  if (gridIndex < 0) throw new Error("internal: iq1_m found no grid point (non-finite input?)");
  for (let i = 0; i < 8; i++) Ls[lo + i] = (g.coords[8 * gridIndex + i] - 1) >> 1;
  return gridIndex;
}

const iq1Order = new Int32Array(16);
const iq1Scales = new Float32Array(QK_K / 16);
const iq1Shifts = new Int8Array(QK_K / 16);
const iq1Index = new Uint16Array(2);
const sumqxK = new Float32Array(4);
const sumq2K = new Float32Array(4);

export const quantizeRowIQ1_M: Quantizer = (x, dst, nb) => {
  const g = gridIq1();
  const bs = 16;
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ1M.typeSize;
    dst.fill(0, b, b + IQ1M.typeSize);
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / bs; ib++) {
      const xb = xbl + bs * ib;
      for (let i = 0; i < bs; i++) weight[i] = fr(x[xb + i] * x[xb + i]);
      let max = Math.abs(x[xb]);
      for (let i = 1; i < bs; i++) max = Math.max(max, Math.abs(x[xb + i]));
      if (max < GROUP_MAX_EPS_IQ1_M) { iq1Scales[ib] = 0; iq1Shifts[ib] = 0; continue; }
      // Exhaustive search over the two boundaries that split the sorted values into levels 0, 1, 2,
      // for each of the four shift-sign combinations of the two halves.
      for (let j = 0; j < bs; j++) iq1Order[j] = j;
      const order = Array.from(iq1Order).sort((p, q) => x[xb + p] - x[xb + q]); // stable, like glibc's merge sort
      let bestScore = -FLT_MAX, scale = max;
      let besti1 = -1, besti2 = -1, bestK = -1;
      for (let i1 = 0; i1 <= bs; i1++) {
        for (let i2 = i1; i2 <= bs; i2++) {
          sumqxK.fill(0);
          sumq2K.fill(0);
          for (let j = 0; j < bs; j++) {
            const i = order[j];
            const lvl = j < i1 ? 0 : j < i2 ? 1 : 2;
            const w = weight[i], xi = x[xb + i];
            const p = X_P[lvl], m = X_M[lvl];
            const qxP = fr(fr(w * p) * xi), qxM = fr(fr(w * m) * xi);
            const q2P = fr(fr(w * p) * p), q2M = fr(fr(w * m) * m);
            // k: 0 (+,+), 1 (+,-), 2 (-,+), 3 (-,-), first letter for the first 8 values
            const first = i < bs / 2;
            sumqxK[0] = fr(sumqxK[0] + qxP);
            sumqxK[1] = fr(sumqxK[1] + (first ? qxP : qxM));
            sumqxK[2] = fr(sumqxK[2] + (first ? qxM : qxP));
            sumqxK[3] = fr(sumqxK[3] + qxM);
            sumq2K[0] = fr(sumq2K[0] + q2P);
            sumq2K[1] = fr(sumq2K[1] + (first ? q2P : q2M));
            sumq2K[2] = fr(sumq2K[2] + (first ? q2M : q2P));
            sumq2K[3] = fr(sumq2K[3] + q2M);
          }
          for (let k = 0; k < 4; k++) {
            if (sumq2K[k] > 0 && fr(sumqxK[k] * sumqxK[k]) > fr(bestScore * sumq2K[k])) {
              scale = fr(sumqxK[k] / sumq2K[k]);
              bestScore = fr(scale * sumqxK[k]);
              besti1 = i1; besti2 = i2; bestK = k;
            }
          }
        }
      }
      if (besti1 < 0 || besti2 < 0 || bestK < 0) { iq1Scales[ib] = 0; iq1Shifts[ib] = 0; continue; }
      for (let j = 0; j < bs; j++) L[order[j]] = j < besti1 ? 0 : j < besti2 ? 1 : 2;
      if (scale < 0) {
        for (let j = 0; j < bs; j++) L[j] = 2 - L[j];
        scale = -scale;
        bestK = 3 - bestK;
      }
      let allOnGrid = true;
      for (let k = 0; k < 2; k++) {
        const xx = (k === 0 ? bestK < 2 : bestK % 2 === 0) ? X_P : X_M;
        let u = 0;
        for (let j = 0; j < 8; j++) u |= L[8 * k + j] << (2 * j);
        let gi = g.map[u];
        if (gi < 0) {
          allOnGrid = false;
          gi = iq1BestNeighbour(g, u, x, xb + 8 * k, weight, 8 * k, scale, xx, L, 8 * k);
        }
        iq1Index[k] = gi;
      }
      if (!allOnGrid) {
        let sumqx = 0, sumq2 = 0;
        for (let k = 0; k < 2; k++) {
          const xx = (k === 0 ? bestK < 2 : bestK % 2 === 0) ? X_P : X_M;
          for (let j = 0; j < 8; j++) {
            const w = weight[8 * k + j];
            const q = xx[(g.coords[8 * iq1Index[k] + j] - 1) >> 1];
            sumqx = fr(sumqx + fr(fr(w * q) * x[xb + 8 * k + j]));
            sumq2 = fr(sumq2 + fr(fr(w * q) * q));
          }
        }
        if (sumqx > 0 && sumq2 > 0) scale = fr(sumqx / sumq2);
      }
      dst[b + IQ1M_QS + 2 * ib] = iq1Index[0] & 255;
      dst[b + IQ1M_QS + 2 * ib + 1] = iq1Index[1] & 255;
      dst[b + IQ1M_QH + ib] = (iq1Index[0] >> 8) | ((iq1Index[1] >> 8) << 4);
      iq1Scales[ib] = scale;
      iq1Shifts[ib] = bestK;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) continue;
    // The 3-bit block scales, then a refit of the super-block scale over every block.
    const sc = [0, 0, 0, 0];
    let d = fr(maxScale / 15);
    const id = fr(1 / d);
    let sumqx = 0, sumq2 = 0;
    for (let ib = 0; ib < QK_K / bs; ib++) {
      const l = clamp(nearestInt(fr(0.5 * fr(fr(id * iq1Scales[ib]) - 1))), 0, 7);
      sc[ib >> 2] |= l << (3 * (ib % 4));
      dst[b + IQ1M_QH + ib] |= IQ1M_MASKS[iq1Shifts[ib]];
      const xb = xbl + bs * ib;
      for (let i = 0; i < bs; i++) weight[i] = fr(x[xb + i] * x[xb + i]);
      const qh = dst[b + IQ1M_QH + ib];
      for (let k = 0; k < 2; k++) {
        const xx = (k === 0 ? iq1Shifts[ib] < 2 : iq1Shifts[ib] % 2 === 0) ? X_P : X_M;
        const gi = dst[b + IQ1M_QS + 2 * ib + k] + ((qh << (8 - 4 * k)) & 0x700);
        for (let j = 0; j < 8; j++) {
          const w = weight[8 * k + j];
          const q = fr(xx[(g.coords[8 * gi + j] - 1) >> 1] * (2 * l + 1));
          sumqx = fr(sumqx + fr(fr(w * q) * x[xb + 8 * k + j]));
          sumq2 = fr(sumq2 + fr(fr(w * q) * q));
        }
      }
    }
    if (sumq2 > 0) d = fr(sumqx / sumq2);
    // The f16 super-block scale is spread over the top nibbles of the four 16-bit scale words.
    const s = f32ToF16(fr(d * fr(1.1125)));
    sc[0] |= (s & 0x000f) << 12;
    sc[1] |= (s & 0x00f0) << 8;
    sc[2] |= (s & 0x0f00) << 4;
    sc[3] |= s & 0xf000;
    for (let k = 0; k < 4; k++) {
      dst[b + IQ1M_SC + 2 * k] = sc[k] & 0xff;
      dst[b + IQ1M_SC + 2 * k + 1] = (sc[k] >> 8) & 0xff;
    }
  }
};

// ---- iq2_xxs, iq2_xs and iq1_s: ggml quantizes these only with importance weights (an imatrix),
// one weight per value; error weights are qw * sqrt(sigma2 + x^2) ----

/** Quantizes nb blocks of x with importance weights qw (one per value of x). */
export type ImportanceQuantizer = (x: Float32Array, dst: Uint8Array, nb: number, qw: Float32Array) => void;

let iq2xxsGrid: SearchGrid | undefined;
let iq2xsGrid: SearchGrid | undefined;
const gridIq2xxs = (): SearchGrid => (iq2xxsGrid ??= new SearchGrid(KGRIDS.iq2_xxs, 8, 2, 43692, 2));
const gridIq2xs = (): SearchGrid => (iq2xsGrid ??= new SearchGrid(KGRIDS.iq2_xs, 8, 2, 43692, 2));

const Lqp = new Uint8Array(32);

/**
 * ggml's make_qp_quants: non-negative quantization of x to [0, nmax] with weights qw, searching 8
 * scales and then moving single quants. L is uint8 in C, so a negative level wraps like there.
 */
function makeQpQuants(n: number, nmax: number, xs: Float32Array, Lq: Uint8Array, qw: Float32Array): number {
  let max = 0;
  for (let i = 0; i < n; i++) max = max > xs[i] ? max : xs[i];
  if (max < GROUP_MAX_EPS) {
    Lq.fill(0, 0, n);
    return 0;
  }
  let iscale = fr(nmax / max);
  for (let i = 0; i < n; i++) Lq[i] = nearestInt(fr(iscale * xs[i])) & 0xff;
  const scale0 = fr(1 / iscale);
  let bestMse = 0;
  for (let i = 0; i < n; i++) {
    const diff = fr(xs[i] - fr(scale0 * Lq[i]));
    bestMse = fr(bestMse + fr(fr(qw[i] * diff) * diff));
  }
  for (let is = -4; is <= 4; is++) {
    if (is === 0) continue;
    const iscaleIs = fr(fr(fr(fr(0.1) * is) + nmax) / max);
    const scaleIs = fr(1 / iscaleIs);
    let mse = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.min(nmax, nearestInt(fr(iscaleIs * xs[i])));
      const diff = fr(xs[i] - fr(scaleIs * l));
      mse = fr(mse + fr(fr(qw[i] * diff) * diff));
    }
    if (mse < bestMse) { bestMse = mse; iscale = iscaleIs; }
  }
  let sumlx = 0, suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = Math.min(nmax, nearestInt(fr(iscale * xs[i])));
    Lq[i] = l & 0xff;
    const w = qw[i];
    sumlx = fr(sumlx + fr(fr(w * xs[i]) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < n; i++) {
      const w = qw[i], li = Lq[i];
      let slx = fr(sumlx - fr(fr(w * xs[i]) * li));
      let sl2 = fr(suml2 - fr(fr(w * li) * li));
      if (slx > 0 && sl2 > 0) {
        const newL = Math.min(nmax, nearestInt(fr(fr(xs[i] * sl2) / slx)));
        if (newL !== li) {
          slx = fr(slx + fr(fr(w * xs[i]) * newL));
          sl2 = fr(sl2 + fr(fr(w * newL) * newL));
          if (fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
            Lq[i] = newL & 0xff; sumlx = slx; suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (!nChanged) break;
  }
  return suml2 > 0 ? fr(sumlx / suml2) : 0;
}

/** weight[i] = qw[i] * sqrt(sigma2 + x^2) and waux = sqrt(weight) for n values at xo. */
function importanceWeights(x: Float32Array, qw: Float32Array, xo: number, n: number, sigma2: number): void {
  for (let i = 0; i < n; i++) weight[i] = fr(qw[xo + i] * fr(Math.sqrt(fr(sigma2 + fr(x[xo + i] * x[xo + i])))));
  for (let i = 0; i < n; i++) waux[i] = fr(Math.sqrt(weight[i]));
}

const IQ2XXS = layoutOf(GGMLType.IQ2_XXS);
const IQ2XXS_D = IQ2XXS.field.d.offset, IQ2XXS_QS = IQ2XXS.field.qs.offset;

export const quantizeRowIQ2_XXS: ImportanceQuantizer = (x, dst, nb, qw) => {
  const g = gridIq2xxs();
  const kMaxQ = 3;
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ2XXS.typeSize;
    dst.fill(0, b, b + IQ2XXS.typeSize);
    const q2 = b + IQ2XXS_QS; // two u32 per 32 values: 4 grid indexes, then signs and the scale
    const sigma2 = fr(sumSquares(x, xbl, QK_K) / QK_K);
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const xb = xbl + 32 * ib;
      importanceWeights(x, qw, xb, 32, sigma2);
      for (let k = 0; k < 4; k++) blockSigns[k] = splitSigns(x, xb, k, true) & 127;
      const max = maxOf(xval, 32);
      if (max < GROUP_MAX_EPS) { scales[ib] = 0; L.fill(0); continue; }
      let scale = makeQpQuants(32, kMaxQ + 1, xval, Lqp, weight);
      const effMax = fr(scale * kMaxQ);
      if (effMax <= 0) { scales[ib] = 0; L.fill(0); continue; }
      for (let i = 0; i < 32; i++) L[i] = (Lqp[i] << 24) >> 24;
      let best = 0;
      for (let is = -6; is <= 6; is++) {
        const id = fr(fr(2 * kMaxQ - 1 + fr(is * fr(0.1))) / effMax);
        const thisScale = fr(1 / id);
        for (let k = 0; k < 4; k++) {
          let u = 0;
          for (let i = 0; i < 8; i++) {
            const l = level(id, xval[8 * k + i], kMaxQ);
            Laux[8 * k + i] = l;
            u |= l << (2 * i);
          }
          if (g.map[u] < 0) g.bestNeighbour(u, xval, 8 * k, waux, thisScale, Laux, 8 * k);
        }
        weightedSums(32, Laux);
        if (sumQ2 > 0 && fr(sumQX * sumQX) > fr(best * sumQ2)) {
          scale = fr(sumQX / sumQ2);
          best = fr(scale * sumQX);
          L.set(Laux.subarray(0, 32));
        }
      }
      if (scale > 0) {
        const id = fr(1 / scale);
        for (let k = 0; k < 4; k++) {
          let u = 0;
          for (let i = 0; i < 8; i++) u |= level(id, xval[8 * k + i], kMaxQ) << (2 * i);
          let gi = g.map[u];
          if (gi < 0) gi = g.bestNeighbour(u, xval, 8 * k, waux, scale, L, 8 * k);
          for (let i = 0; i < 8; i++) L[8 * k + i] = (g.coords[8 * gi + i] - 1) >> 1;
        }
        weightedSums(32, L);
        if (sumQ2 > 0) scale = fr(sumQX / sumQ2);
      }
      if (scale < 0) {
        scale = -scale;
        for (let k = 0; k < 4; k++) blockSigns[k] = ~blockSigns[k] & 127;
      }
      let signs = 0;
      for (let k = 0; k < 4; k++) {
        dst[q2 + 8 * ib + k] = gridIndexOf(g, 8 * k);
        signs |= blockSigns[k] << (7 * k);
      }
      writeU32(dst, q2 + 8 * ib + 4, signs >>> 0);
      scales[ib] = scale;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) {
      dst.fill(0, q2, b + IQ2XXS.typeSize);
      continue;
    }
    const d = fr(maxScale / 31);
    writeF16(dst, b + IQ2XXS_D, d);
    const id = fr(1 / d);
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const l = clamp(nearestInt(fr(0.5 * fr(fr(id * scales[ib]) - 1))), 0, 15);
      writeU32(dst, q2 + 8 * ib + 4, (readU32(dst, q2 + 8 * ib + 4) | (l << 28)) >>> 0);
    }
  }
};

const IQ2XS = layoutOf(GGMLType.IQ2_XS);
const IQ2XS_D = IQ2XS.field.d.offset, IQ2XS_QS = IQ2XS.field.qs.offset, IQ2XS_SC = IQ2XS.field.scales.offset;

export const quantizeRowIQ2_XS: ImportanceQuantizer = (x, dst, nb, qw) => {
  const g = gridIq2xs();
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ2XS.typeSize;
    dst.fill(0, b, b + IQ2XS.typeSize);
    const sigma2 = fr(sumSquares(x, xbl, QK_K) / QK_K);
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const xb = xbl + 16 * ib;
      importanceWeights(x, qw, xb, 16, sigma2);
      for (let k = 0; k < 2; k++) blockSigns[k] = splitSigns(x, xb, k, true) & 127;
      const max = maxOf(xval, 16);
      L.fill(0);
      if (max < GROUP_MAX_EPS) { scales[ib] = 0; continue; }
      let scale = searchGroup(g, 16, 3, 9, fr(0.1), max, true, false);
      if (scale < 0) {
        scale = -scale;
        for (let k = 0; k < 2; k++) blockSigns[k] = ~blockSigns[k] & 127;
      }
      for (let k = 0; k < 2; k++) {
        const v = gridIndexOf(g, 8 * k) | (blockSigns[k] << 9);
        dst[b + IQ2XS_QS + 2 * (2 * ib + k)] = v & 0xff;
        dst[b + IQ2XS_QS + 2 * (2 * ib + k) + 1] = v >> 8;
      }
      scales[ib] = scale;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) {
      dst.fill(0, b + IQ2XS_QS, b + IQ2XS_SC);
      continue;
    }
    const d = fr(maxScale / 31);
    writeF16(dst, b + IQ2XS_D, d);
    const id = fr(1 / d);
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const l = clamp(nearestInt(fr(0.5 * fr(fr(id * scales[ib]) - 1))), 0, 15);
      if (ib % 2 === 0) dst[b + IQ2XS_SC + (ib >> 1)] = l;
      else dst[b + IQ2XS_SC + (ib >> 1)] |= l << 4;
    }
  }
};

const IQ1S = layoutOf(GGMLType.IQ1_S);
const IQ1S_D = IQ1S.field.d.offset, IQ1S_QS = IQ1S.field.qs.offset, IQ1S_QH = IQ1S.field.qh.offset;
const GROUP_MAX_EPS_IQ1_S = fr(1e-12);
const IQ1S_DELTA_Q = fr(0.125);
const X1_P = Float32Array.from([-1 + IQ1S_DELTA_Q, IQ1S_DELTA_Q, 1 + IQ1S_DELTA_Q]);
const X1_M = Float32Array.from([-1 - IQ1S_DELTA_Q, -IQ1S_DELTA_Q, 1 - IQ1S_DELTA_Q]);
const prefixX = new Float32Array(33);
const prefixW = new Float32Array(33);
const iq1sIndex = new Uint16Array(4);

/** sum over the three level groups split at i1, i2 of (prefix difference) * v[level] (* v[level] again for q2). */
function splitSum(p: Float32Array, i1: number, i2: number, n: number, v: Float32Array, squared: boolean): number {
  const a = squared ? fr(fr(fr(p[i1] - p[0]) * v[0]) * v[0]) : fr(fr(p[i1] - p[0]) * v[0]);
  const m = squared ? fr(fr(fr(p[i2] - p[i1]) * v[1]) * v[1]) : fr(fr(p[i2] - p[i1]) * v[1]);
  const c = squared ? fr(fr(fr(p[n] - p[i2]) * v[2]) * v[2]) : fr(fr(p[n] - p[i2]) * v[2]);
  return fr(fr(a + m) + c);
}

export const quantizeRowIQ1_S: ImportanceQuantizer = (x, dst, nb, qw) => {
  const g = gridIq1();
  const bs = 32;
  for (let ibl = 0; ibl < nb; ibl++) {
    const xbl = QK_K * ibl, b = ibl * IQ1S.typeSize;
    dst.fill(0, b, b + IQ1S.typeSize);
    const sigma2 = fr(fr(2 * sumSquares(x, xbl, QK_K)) / QK_K);
    let maxScale = 0;
    for (let ib = 0; ib < QK_K / bs; ib++) {
      const xb = xbl + bs * ib;
      importanceWeights(x, qw, xb, bs, sigma2);
      let max = Math.abs(x[xb]);
      for (let i = 1; i < bs; i++) max = Math.max(max, Math.abs(x[xb + i]));
      if (max < GROUP_MAX_EPS_IQ1_S) { iq1Scales[ib] = 0; iq1Shifts[ib] = 1; continue; }
      // Exhaustive search of the two boundaries splitting the sorted values into levels -1, 0, +1
      // (shifted by +delta or -delta), with prefix sums of w*x and w.
      const order = Array.from({ length: bs }, (_, j) => j).sort((p, q) => x[xb + p] - x[xb + q]);
      prefixX[0] = prefixW[0] = 0;
      for (let j = 0; j < bs; j++) {
        const i = order[j];
        prefixX[j + 1] = fr(prefixX[j] + fr(weight[i] * x[xb + i]));
        prefixW[j + 1] = fr(prefixW[j] + weight[i]);
      }
      let bestScore = -FLT_MAX, scale = max;
      let besti1 = -1, besti2 = -1, bestShift = 0;
      for (let i1 = 0; i1 <= bs; i1++) {
        for (let i2 = i1; i2 <= bs; i2++) {
          let sumqx = splitSum(prefixX, i1, i2, bs, X1_P, false);
          let sumq2 = splitSum(prefixW, i1, i2, bs, X1_P, true);
          if (sumq2 > 0 && fr(sumqx * sumqx) > fr(bestScore * sumq2)) {
            scale = fr(sumqx / sumq2); bestScore = fr(scale * sumqx);
            besti1 = i1; besti2 = i2; bestShift = 1;
          }
          sumqx = splitSum(prefixX, i1, i2, bs, X1_M, false);
          sumq2 = splitSum(prefixW, i1, i2, bs, X1_M, true);
          if (sumq2 > 0 && fr(sumqx * sumqx) > fr(bestScore * sumq2)) {
            scale = fr(sumqx / sumq2); bestScore = fr(scale * sumqx);
            besti1 = i1; besti2 = i2; bestShift = -1;
          }
        }
      }
      if (besti1 < 0 || besti2 < 0 || bestShift === 0) { iq1Scales[ib] = 0; iq1Shifts[ib] = 1; continue; }
      for (let j = 0; j < bs; j++) L[order[j]] = j < besti1 ? 0 : j < besti2 ? 1 : 2;
      if (scale < 0) {
        for (let j = 0; j < bs; j++) L[j] = 2 - L[j];
        scale = -scale;
        bestShift = -bestShift;
      }
      const xx = bestShift === 1 ? X1_P : X1_M;
      let allOnGrid = true;
      for (let k = 0; k < bs / 8; k++) {
        let u = 0;
        for (let j = 0; j < 8; j++) u |= L[8 * k + j] << (2 * j);
        let gi = g.map[u];
        if (gi < 0) {
          allOnGrid = false;
          gi = iq1BestNeighbour(g, u, x, xb + 8 * k, weight, 8 * k, scale, xx, L, 8 * k);
        }
        iq1sIndex[k] = gi;
      }
      if (!allOnGrid) {
        let sumqx = 0, sumq2 = 0;
        for (let k = 0; k < bs / 8; k++) {
          for (let j = 0; j < 8; j++) {
            const w = weight[8 * k + j];
            const q = xx[(g.coords[8 * iq1sIndex[k] + j] - 1) >> 1];
            sumqx = fr(sumqx + fr(fr(w * q) * x[xb + 8 * k + j]));
            sumq2 = fr(sumq2 + fr(fr(w * q) * q));
          }
        }
        if (sumqx > 0 && sumq2 > 0) scale = fr(sumqx / sumq2);
      }
      let h = 0;
      for (let k = 0; k < bs / 8; k++) {
        dst[b + IQ1S_QS + (bs / 8) * ib + k] = iq1sIndex[k] & 255;
        h |= (iq1sIndex[k] >> 8) << (3 * k);
      }
      dst[b + IQ1S_QH + 2 * ib] = h & 0xff;
      dst[b + IQ1S_QH + 2 * ib + 1] = h >> 8;
      iq1Scales[ib] = scale;
      iq1Shifts[ib] = bestShift;
      maxScale = maxScale > scale ? maxScale : scale;
    }
    if (!maxScale) continue;
    const d = fr(maxScale / 15);
    writeF16(dst, b + IQ1S_D, fr(d * fr(1.125)));
    const id = fr(1 / d);
    for (let ib = 0; ib < QK_K / bs; ib++) {
      let l = clamp(nearestInt(fr(0.5 * fr(fr(id * iq1Scales[ib]) - 1))), 0, 7);
      if (iq1Shifts[ib] === -1) l |= 8;
      dst[b + IQ1S_QH + 2 * ib + 1] |= l << 4; // bits 12..15 of the u16
    }
  }
};
