// Reference (de)quantizers for the scalar types and the 32-value block types: f32, f16, bf16, q4_0,
// q4_1, q5_0, q5_1, q8_0, q8_1 and mxfp4. Plain loops, bit-exact with ggml.
// Reference: ggml-quants.c (quantize_row_*_ref, dequantize_row_*), ggml.c (fp16/bf16 row converters).
// Block offsets come from layouts.ts.

import { F16_TO_F32_TABLE as F16, bf16ToF32, f32ToBf16, f32ToF16 } from "./half.js";
import { layoutOf } from "./layouts.js";
import { fr, roundf } from "./numeric.js";
import { GGMLType } from "./types.js";

/** Reads `nb` blocks from `src` into `out` (nb * blockSize values). */
export type Dequantizer = (src: Uint8Array, out: Float32Array, nb: number) => void;
/** Writes `nb` blocks for the nb * blockSize values of `x` into `dst`. */
export type Quantizer = (x: Float32Array, dst: Uint8Array, nb: number) => void;

export function readF16(src: Uint8Array, o: number): number {
  return F16[src[o] | (src[o + 1] << 8)];
}

export function writeF16(dst: Uint8Array, o: number, v: number): void {
  const h = f32ToF16(v);
  dst[o] = h & 0xff;
  dst[o + 1] = h >> 8;
}

// ---- f32, f16, bf16 ----

export const dequantizeRowF32: Dequantizer = (src, out, n) => {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
};

export const quantizeRowF32: Quantizer = (x, dst, n) => {
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let i = 0; i < n; i++) dv.setFloat32(4 * i, x[i], true);
};

export const dequantizeRowF16: Dequantizer = (src, out, n) => {
  for (let i = 0; i < n; i++) out[i] = F16[src[2 * i] | (src[2 * i + 1] << 8)];
};

export const quantizeRowF16: Quantizer = (x, dst, n) => {
  for (let i = 0; i < n; i++) writeF16(dst, 2 * i, x[i]);
};

export const dequantizeRowBF16: Dequantizer = (src, out, n) => {
  for (let i = 0; i < n; i++) out[i] = bf16ToF32(src[2 * i] | (src[2 * i + 1] << 8));
};

export const quantizeRowBF16: Quantizer = (x, dst, n) => {
  for (let i = 0; i < n; i++) {
    const h = f32ToBf16(x[i]);
    dst[2 * i] = h & 0xff;
    dst[2 * i + 1] = h >> 8;
  }
};

// ---- q4_0: x = d * (q - 8) ----

const Q4_0 = layoutOf(GGMLType.Q4_0);
const Q4_0_D = Q4_0.field.d.offset, Q4_0_QS = Q4_0.field.qs.offset;

export const dequantizeRowQ4_0: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q4_0.typeSize;
    const d = readF16(src, b + Q4_0_D);
    for (let j = 0; j < 16; j++) {
      const q = src[b + Q4_0_QS + j];
      out[i * 32 + j] = fr(((q & 0x0f) - 8) * d);
      out[i * 32 + j + 16] = fr(((q >> 4) - 8) * d);
    }
  }
};

/** Shared by q4_0 (nmax 8) and q5_0 (nmax 16): d = max / -nmax, where max has the largest |x|. */
function signedMaxScale(x: Float32Array, at: number, nmax: number): number {
  let amax = 0, max = 0;
  for (let j = 0; j < 32; j++) {
    const v = x[at + j];
    if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
  }
  return fr(max / -nmax);
}

export const quantizeRowQ4_0: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q4_0.typeSize;
    const d = signedMaxScale(x, i * 32, 8);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + Q4_0_D, d);
    for (let j = 0; j < 16; j++) {
      // (int8_t)(x*id + 8.5f): C truncates toward zero
      const xi0 = Math.min(15, Math.trunc(fr(fr(x[i * 32 + j] * id) + 8.5)));
      const xi1 = Math.min(15, Math.trunc(fr(fr(x[i * 32 + 16 + j] * id) + 8.5)));
      dst[b + Q4_0_QS + j] = xi0 | (xi1 << 4);
    }
  }
};

// ---- q4_1: x = d * q + m ----

const Q4_1 = layoutOf(GGMLType.Q4_1);
const Q4_1_D = Q4_1.field.d.offset, Q4_1_M = Q4_1.field.m.offset, Q4_1_QS = Q4_1.field.qs.offset;

export const dequantizeRowQ4_1: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q4_1.typeSize;
    const d = readF16(src, b + Q4_1_D), m = readF16(src, b + Q4_1_M);
    for (let j = 0; j < 16; j++) {
      const q = src[b + Q4_1_QS + j];
      out[i * 32 + j] = fr(fr((q & 0x0f) * d) + m);
      out[i * 32 + j + 16] = fr(fr((q >> 4) * d) + m);
    }
  }
};

// Results of minMax, kept in module scope so the per-block call allocates nothing.
let blockMin = 0, blockMax = 0;

function minMax(x: Float32Array, at: number, n: number): void {
  let min = Infinity, max = -Infinity; // FLT_MAX in C; every finite input replaces them the same way
  for (let j = 0; j < n; j++) {
    const v = x[at + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  blockMin = min;
  blockMax = max;
}

export const quantizeRowQ4_1: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q4_1.typeSize;
    minMax(x, i * 32, 32);
    const min = blockMin, max = blockMax;
    const d = fr(fr(max - min) / 15);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + Q4_1_D, d);
    writeF16(dst, b + Q4_1_M, min);
    for (let j = 0; j < 16; j++) {
      const x0 = fr(fr(x[i * 32 + j] - min) * id);
      const x1 = fr(fr(x[i * 32 + 16 + j] - min) * id);
      const xi0 = Math.min(15, Math.trunc(fr(x0 + 0.5)));
      const xi1 = Math.min(15, Math.trunc(fr(x1 + 0.5)));
      dst[b + Q4_1_QS + j] = xi0 | (xi1 << 4);
    }
  }
};

// ---- q5_0: x = d * (q - 16), q's 5th bit in qh ----

const Q5_0 = layoutOf(GGMLType.Q5_0);
const Q5_0_D = Q5_0.field.d.offset, Q5_0_QH = Q5_0.field.qh.offset, Q5_0_QS = Q5_0.field.qs.offset;

function readU32(src: Uint8Array, o: number): number {
  return (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
}

function writeU32(dst: Uint8Array, o: number, v: number): void {
  dst[o] = v & 0xff;
  dst[o + 1] = (v >>> 8) & 0xff;
  dst[o + 2] = (v >>> 16) & 0xff;
  dst[o + 3] = (v >>> 24) & 0xff;
}

export const dequantizeRowQ5_0: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q5_0.typeSize;
    const d = readF16(src, b + Q5_0_D);
    const qh = readU32(src, b + Q5_0_QH);
    for (let j = 0; j < 16; j++) {
      const q = src[b + Q5_0_QS + j];
      const x0 = ((q & 0x0f) | (((qh >>> j) << 4) & 0x10)) - 16;
      const x1 = ((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
      out[i * 32 + j] = fr(x0 * d);
      out[i * 32 + j + 16] = fr(x1 * d);
    }
  }
};

export const quantizeRowQ5_0: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q5_0.typeSize;
    const d = signedMaxScale(x, i * 32, 16);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + Q5_0_D, d);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const xi0 = Math.min(31, Math.trunc(fr(fr(x[i * 32 + j] * id) + 16.5)));
      const xi1 = Math.min(31, Math.trunc(fr(fr(x[i * 32 + 16 + j] * id) + 16.5)));
      dst[b + Q5_0_QS + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
      qh |= ((xi0 & 0x10) >> 4) << j;
      qh |= ((xi1 & 0x10) >> 4) << (j + 16);
    }
    writeU32(dst, b + Q5_0_QH, qh >>> 0);
  }
};

// ---- q5_1: x = d * q + m, q's 5th bit in qh ----

const Q5_1 = layoutOf(GGMLType.Q5_1);
const Q5_1_D = Q5_1.field.d.offset, Q5_1_M = Q5_1.field.m.offset;
const Q5_1_QH = Q5_1.field.qh.offset, Q5_1_QS = Q5_1.field.qs.offset;

export const dequantizeRowQ5_1: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q5_1.typeSize;
    const d = readF16(src, b + Q5_1_D), m = readF16(src, b + Q5_1_M);
    const qh = readU32(src, b + Q5_1_QH);
    for (let j = 0; j < 16; j++) {
      const q = src[b + Q5_1_QS + j];
      const x0 = (q & 0x0f) | (((qh >>> j) << 4) & 0x10);
      const x1 = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
      out[i * 32 + j] = fr(fr(x0 * d) + m);
      out[i * 32 + j + 16] = fr(fr(x1 * d) + m);
    }
  }
};

export const quantizeRowQ5_1: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q5_1.typeSize;
    minMax(x, i * 32, 32);
    const min = blockMin, max = blockMax;
    const d = fr(fr(max - min) / 31);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + Q5_1_D, d);
    writeF16(dst, b + Q5_1_M, min);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      // (uint8_t)(x + 0.5f): truncation, no clamp in ggml
      const xi0 = Math.trunc(fr(fr(fr(x[i * 32 + j] - min) * id) + 0.5)) & 0xff;
      const xi1 = Math.trunc(fr(fr(fr(x[i * 32 + 16 + j] - min) * id) + 0.5)) & 0xff;
      dst[b + Q5_1_QS + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
      qh |= ((xi0 & 0x10) >> 4) << j;
      qh |= ((xi1 & 0x10) >> 4) << (j + 16);
    }
    writeU32(dst, b + Q5_1_QH, qh >>> 0);
  }
};

// ---- q8_0: x = d * q ----

const Q8_0 = layoutOf(GGMLType.Q8_0);
const Q8_0_D = Q8_0.field.d.offset, Q8_0_QS = Q8_0.field.qs.offset;

export const dequantizeRowQ8_0: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q8_0.typeSize;
    const d = readF16(src, b + Q8_0_D);
    for (let j = 0; j < 32; j++) out[i * 32 + j] = fr(((src[b + Q8_0_QS + j] << 24) >> 24) * d);
  }
};

function absMax(x: Float32Array, at: number, n: number): number {
  let amax = 0;
  for (let j = 0; j < n; j++) amax = Math.max(amax, Math.abs(x[at + j]));
  return amax;
}

export const quantizeRowQ8_0: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q8_0.typeSize;
    const d = fr(absMax(x, i * 32, 32) / 127);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + Q8_0_D, d);
    for (let j = 0; j < 32; j++) dst[b + Q8_0_QS + j] = roundf(fr(x[i * 32 + j] * id)) & 0xff;
  }
};

// ---- q8_1: q8_0 plus s = d * sum(q); an activation format, ggml has no dequantizer ----

const Q8_1 = layoutOf(GGMLType.Q8_1);
const Q8_1_D = Q8_1.field.d.offset, Q8_1_S = Q8_1.field.s.offset, Q8_1_QS = Q8_1.field.qs.offset;

export const quantizeRowQ8_1: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q8_1.typeSize;
    const d = fr(absMax(x, i * 32, 32) / 127);
    const id = d ? fr(1 / d) : 0;
    writeF16(dst, b + Q8_1_D, d);
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      const q = roundf(fr(x[i * 32 + j] * id));
      dst[b + Q8_1_QS + j] = q & 0xff;
      sum += (q << 24) >> 24;
    }
    writeF16(dst, b + Q8_1_S, fr(sum * d));
  }
};

/** The dequantizer ggml lacks: d * q, as for q8_0 (s is redundant). */
export const dequantizeRowQ8_1: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * Q8_1.typeSize;
    const d = readF16(src, b + Q8_1_D);
    for (let j = 0; j < 32; j++) out[i * 32 + j] = fr(((src[b + Q8_1_QS + j] << 24) >> 24) * d);
  }
};

// ---- mxfp4: x = 2^(e-127) * fp4_e2m1(q), stored as kvalues_mxfp4 (doubled e2m1 values) * 2^(e-128) ----

const MXFP4 = layoutOf(GGMLType.MXFP4);
const MXFP4_E = MXFP4.field.e.offset, MXFP4_QS = MXFP4.field.qs.offset;

/** fp4 e2m1 code -> value times 2 (so that every entry is an integer), as ggml's kvalues_mxfp4. */
export const KVALUES_MXFP4: Int8Array = Int8Array.from([0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]);

/** e8m0 byte -> 2^(e-127) / 2 (ggml's GGML_E8M0_TO_FP32_HALF; pairs with the doubled kvalues). */
export function e8m0ToF32Half(e: number): number {
  // e = 0 gives 2^-128, a float32 subnormal; e = 255 would be NaN in OCP MX, ggml computes 2^127.
  return e < 2 ? (e === 0 ? 2 ** -128 : 2 ** -127) : fr(2 ** (e - 128));
}

export const dequantizeRowMXFP4: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * MXFP4.typeSize;
    const d = e8m0ToF32Half(src[b + MXFP4_E]);
    for (let j = 0; j < 16; j++) {
      const q = src[b + MXFP4_QS + j];
      out[i * 32 + j] = fr(KVALUES_MXFP4[q & 0x0f] * d);
      out[i * 32 + j + 16] = fr(KVALUES_MXFP4[q >> 4] * d);
    }
  }
};

function bestIndexMXFP4(x: number, e: number): number {
  let best = 0;
  let bestErr = Math.abs(fr(fr(KVALUES_MXFP4[0] * e) - x));
  for (let i = 1; i < 16; i++) {
    const err = Math.abs(fr(fr(KVALUES_MXFP4[i] * e) - x));
    if (err < bestErr) { best = i; bestErr = err; }
  }
  return best;
}

export const quantizeRowMXFP4: Quantizer = (x, dst, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * MXFP4.typeSize;
    const amax = absMax(x, i * 32, 32);
    // floorf(log2f(amax)) - 2 + 127: the largest e2m1 magnitude, 6, is 1.5 * 2^2
    const e = amax > 0 ? (Math.floor(fr(Math.log2(amax))) - 2 + 127) & 0xff : 0; // log2f: a float32 result
    const d = e8m0ToF32Half(e);
    dst[b + MXFP4_E] = e;
    for (let j = 0; j < 16; j++) {
      const x0 = bestIndexMXFP4(x[i * 32 + j], d);
      const x1 = bestIndexMXFP4(x[i * 32 + 16 + j], d);
      dst[b + MXFP4_QS + j] = x0 | (x1 << 4);
    }
  }
};
