// Reference (de)quantizers for the ternary types of BitNet b1.58 and TriLMs: tq1_0 (1.6875 bits per
// value: five base-3 digits per byte) and tq2_0 (2 bits per value). x = d * t with t in {-1, 0, 1}.
// Reference: ggml-quants.c (quantize_row_tq1_0_ref, quantize_row_tq2_0_ref, dequantize_row_tq*_0).

import { layoutOf } from "./layouts.js";
import { type Dequantizer, type Quantizer, readF16, writeF16 } from "./legacy.js";
import { fr, roundf } from "./numeric.js";
import { GGMLType } from "./types.js";

const QK_K = 256;
const POW3 = [1, 3, 9, 27, 81, 243];

const TQ1 = layoutOf(GGMLType.TQ1_0);
const TQ1_QS = TQ1.field.qs.offset, TQ1_QH = TQ1.field.qh.offset, TQ1_D = TQ1.field.d.offset;
const TQ1_NQS = TQ1.field.qs.count, TQ1_NQH = TQ1.field.qh.count;

/** Digit n (0 = most significant) of a byte that holds base-3 digits scaled by 256/243. */
function trit(q: number, n: number): number {
  return ((((q * POW3[n]) & 0xff) * 3) >> 8) - 1;
}

export const dequantizeRowTQ1_0: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * TQ1.typeSize;
    const d = readF16(src, b + TQ1_D);
    const main = TQ1_NQS - (TQ1_NQS % 32);
    for (let j = 0; j < main; j += 32) {
      for (let n = 0; n < 5; n++) for (let m = 0; m < 32; m++) out[y++] = fr(trit(src[b + TQ1_QS + j + m], n) * d);
    }
    for (let j = main; j < TQ1_NQS; j += 16) {
      for (let n = 0; n < 5; n++) for (let m = 0; m < 16; m++) out[y++] = fr(trit(src[b + TQ1_QS + j + m], n) * d);
    }
    for (let n = 0; n < 4; n++) for (let j = 0; j < TQ1_NQH; j++) out[y++] = fr(trit(src[b + TQ1_QH + j], n) * d);
  }
};

function absMax(x: Float32Array, at: number, n: number): number {
  let amax = 0;
  for (let j = 0; j < n; j++) amax = Math.max(amax, Math.abs(x[at + j]));
  return amax;
}

/** Packs digits (each -1, 0 or 1) into a byte: base 3, then scaled to 0..255 by ceil(q * 256 / 243). */
function packTrits(x: Float32Array, at: number, stride: number, count: number, id: number): number {
  let q = 0;
  for (let n = 0; n < count; n++) q = q * 3 + roundf(fr(x[at + n * stride] * id)) + 1;
  if (count === 4) q *= 3; // the first value becomes the most significant of five digits
  q &= 0xff;
  return Math.floor((q * 256 + 242) / 243) & 0xff;
}

export const quantizeRowTQ1_0: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    let xo = i * QK_K;
    const b = i * TQ1.typeSize;
    const d = absMax(x, xo, QK_K);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + TQ1_D, d);
    const main = TQ1_NQS - (TQ1_NQS % 32);
    for (let j = 0; j < main; j += 32) {
      for (let m = 0; m < 32; m++) dst[b + TQ1_QS + j + m] = packTrits(x, xo + m, 32, 5, id);
      xo += 5 * 32;
    }
    for (let j = main; j < TQ1_NQS; j += 16) {
      for (let m = 0; m < 16; m++) dst[b + TQ1_QS + j + m] = packTrits(x, xo + m, 16, 5, id);
      xo += 5 * 16;
    }
    for (let j = 0; j < TQ1_NQH; j++) dst[b + TQ1_QH + j] = packTrits(x, xo + j, TQ1_NQH, 4, id);
  }
};

const TQ2 = layoutOf(GGMLType.TQ2_0);
const TQ2_QS = TQ2.field.qs.offset, TQ2_D = TQ2.field.d.offset, TQ2_NQS = TQ2.field.qs.count;

export const dequantizeRowTQ2_0: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * TQ2.typeSize;
    const d = readF16(src, b + TQ2_D);
    for (let j = 0; j < TQ2_NQS; j += 32) {
      for (let l = 0; l < 4; l++) {
        for (let m = 0; m < 32; m++) out[y++] = fr((((src[b + TQ2_QS + j + m] >> (2 * l)) & 3) - 1) * d);
      }
    }
  }
};

export const quantizeRowTQ2_0: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    let xo = i * QK_K;
    const b = i * TQ2.typeSize;
    const d = absMax(x, xo, QK_K);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + TQ2_D, d);
    for (let j = 0; j < TQ2_NQS; j += 32) {
      for (let m = 0; m < 32; m++) {
        let q = 0;
        for (let n = 0; n < 4; n++) q += ((roundf(fr(x[xo + m + n * 32] * id)) + 1) & 3) << (2 * n);
        dst[b + TQ2_QS + j + m] = q & 0xff;
      }
      xo += 4 * 32;
    }
  }
};
