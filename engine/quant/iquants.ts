// Reference dequantizers for the i-quants (iq1_s, iq1_m, iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s,
// iq4_nl, iq4_xs): values are points of a lattice grid (or non-linear levels) times block scales,
// with signs stored separately. Quantizers live in iquants-quantize.ts.
// Reference: ggml-quants.c (dequantize_row_iq*), grids from iq-grids.ts.

import {
  IQ1S_DELTA, IQ1S_GRID, IQ2S_GRID, IQ2XS_GRID, IQ2XXS_GRID, IQ3S_GRID, IQ3XXS_GRID, KMASK_IQ2XS,
  KSIGNS_IQ2XS, KVALUES_IQ4NL,
} from "./iq-grids.js";
import { F16_TO_F32_TABLE as F16 } from "./half.js";
import { layoutOf } from "./layouts.js";
import { type Dequantizer, readF16 } from "./legacy.js";
import { fr } from "./numeric.js";
import { GGMLType } from "./types.js";

const QK_K = 256;

function u16(src: Uint8Array, o: number): number {
  return src[o] | (src[o + 1] << 8);
}
function u32(src: Uint8Array, o: number): number {
  return (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
}

const IQ2XXS = layoutOf(GGMLType.IQ2_XXS);
const IQ2XXS_D = IQ2XXS.field.d.offset, IQ2XXS_QS = IQ2XXS.field.qs.offset;

export const dequantizeRowIQ2_XXS: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ2XXS.typeSize;
    const d = readF16(src, b + IQ2XXS_D);
    for (let ib32 = 0; ib32 < QK_K / 32; ib32++) {
      const q = b + IQ2XXS_QS + 8 * ib32;
      const aux1 = u32(src, q + 4);
      const db = fr(fr(d * fr(0.5 + (aux1 >>> 28))) * 0.25);
      for (let l = 0; l < 4; l++) {
        const g = 8 * src[q + l];
        const signs = KSIGNS_IQ2XS[(aux1 >>> (7 * l)) & 127];
        for (let j = 0; j < 8; j++) {
          const v = fr(db * IQ2XXS_GRID[g + j]);
          out[y++] = signs & KMASK_IQ2XS[j] ? -v : v;
        }
      }
    }
  }
};

const IQ2XS = layoutOf(GGMLType.IQ2_XS);
const IQ2XS_D = IQ2XS.field.d.offset, IQ2XS_QS = IQ2XS.field.qs.offset, IQ2XS_SC = IQ2XS.field.scales.offset;

export const dequantizeRowIQ2_XS: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ2XS.typeSize;
    const d = readF16(src, b + IQ2XS_D);
    for (let ib32 = 0; ib32 < QK_K / 32; ib32++) {
      const sc = src[b + IQ2XS_SC + ib32];
      const db0 = fr(fr(d * fr(0.5 + (sc & 0xf))) * 0.25);
      const db1 = fr(fr(d * fr(0.5 + (sc >> 4))) * 0.25);
      for (let l = 0; l < 4; l++) {
        const qv = u16(src, b + IQ2XS_QS + 2 * (4 * ib32 + l));
        const g = 8 * (qv & 511);
        const signs = KSIGNS_IQ2XS[qv >> 9];
        const db = l < 2 ? db0 : db1;
        for (let j = 0; j < 8; j++) {
          const v = fr(db * IQ2XS_GRID[g + j]);
          out[y++] = signs & KMASK_IQ2XS[j] ? -v : v;
        }
      }
    }
  }
};

const IQ2S = layoutOf(GGMLType.IQ2_S);
const IQ2S_D = IQ2S.field.d.offset, IQ2S_QS = IQ2S.field.qs.offset;
const IQ2S_QH = IQ2S.field.qh.offset, IQ2S_SC = IQ2S.field.scales.offset;

export const dequantizeRowIQ2_S: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ2S.typeSize;
    const d = readF16(src, b + IQ2S_D);
    let qs = b + IQ2S_QS;
    let signs = qs + QK_K / 8; // the second half of qs holds the sign bytes
    for (let ib32 = 0; ib32 < QK_K / 32; ib32++) {
      const sc = src[b + IQ2S_SC + ib32];
      const db0 = fr(fr(d * fr(0.5 + (sc & 0xf))) * 0.25);
      const db1 = fr(fr(d * fr(0.5 + (sc >> 4))) * 0.25);
      const qh = src[b + IQ2S_QH + ib32];
      for (let l = 0; l < 4; l++) {
        const dl = l < 2 ? db0 : db1;
        const g = 8 * (src[qs + l] | ((qh << (8 - 2 * l)) & 0x300));
        const s = src[signs + l];
        for (let j = 0; j < 8; j++) {
          const v = fr(dl * IQ2S_GRID[g + j]);
          out[y++] = s & KMASK_IQ2XS[j] ? -v : v;
        }
      }
      qs += 4;
      signs += 4;
    }
  }
};

const IQ3XXS = layoutOf(GGMLType.IQ3_XXS);
const IQ3XXS_D = IQ3XXS.field.d.offset, IQ3XXS_QS = IQ3XXS.field.qs.offset;

export const dequantizeRowIQ3_XXS: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ3XXS.typeSize;
    const d = readF16(src, b + IQ3XXS_D);
    let qs = b + IQ3XXS_QS;
    const scalesAndSigns = qs + QK_K / 4;
    for (let ib32 = 0; ib32 < QK_K / 32; ib32++) {
      const aux = u32(src, scalesAndSigns + 4 * ib32);
      const db = fr(fr(d * fr(0.5 + (aux >>> 28))) * 0.5);
      for (let l = 0; l < 4; l++) {
        const signs = KSIGNS_IQ2XS[(aux >>> (7 * l)) & 127];
        const g1 = 4 * src[qs + 2 * l], g2 = 4 * src[qs + 2 * l + 1];
        for (let j = 0; j < 4; j++) {
          const v1 = fr(db * IQ3XXS_GRID[g1 + j]);
          const v2 = fr(db * IQ3XXS_GRID[g2 + j]);
          out[y + j] = signs & KMASK_IQ2XS[j] ? -v1 : v1;
          out[y + j + 4] = signs & KMASK_IQ2XS[j + 4] ? -v2 : v2;
        }
        y += 8;
      }
      qs += 8;
    }
  }
};

const IQ3S = layoutOf(GGMLType.IQ3_S);
const IQ3S_D = IQ3S.field.d.offset, IQ3S_QS = IQ3S.field.qs.offset, IQ3S_QH = IQ3S.field.qh.offset;
const IQ3S_SIGNS = IQ3S.field.signs.offset, IQ3S_SC = IQ3S.field.scales.offset;

export const dequantizeRowIQ3_S: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ3S.typeSize;
    const d = readF16(src, b + IQ3S_D);
    let qs = b + IQ3S_QS, qh = b + IQ3S_QH, signs = b + IQ3S_SIGNS;
    for (let ib32 = 0; ib32 < QK_K / 32; ib32 += 2) {
      const sc = src[b + IQ3S_SC + (ib32 >> 1)];
      for (let half = 0; half < 2; half++) {
        const db = fr(d * (1 + 2 * (half === 0 ? sc & 0xf : sc >> 4)));
        const h = src[qh + half];
        for (let l = 0; l < 4; l++) {
          const g1 = 4 * (src[qs + 2 * l] | ((h << (8 - 2 * l)) & 256));
          const g2 = 4 * (src[qs + 2 * l + 1] | ((h << (7 - 2 * l)) & 256));
          const s = src[signs + l];
          for (let j = 0; j < 4; j++) {
            const v1 = fr(db * IQ3S_GRID[g1 + j]);
            const v2 = fr(db * IQ3S_GRID[g2 + j]);
            out[y + j] = s & KMASK_IQ2XS[j] ? -v1 : v1;
            out[y + j + 4] = s & KMASK_IQ2XS[j + 4] ? -v2 : v2;
          }
          y += 8;
        }
        qs += 8;
        signs += 4;
      }
      qh += 2;
    }
  }
};

const IQ1S = layoutOf(GGMLType.IQ1_S);
const IQ1S_D = IQ1S.field.d.offset, IQ1S_QS = IQ1S.field.qs.offset, IQ1S_QH = IQ1S.field.qh.offset;

export const dequantizeRowIQ1_S: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ1S.typeSize;
    const d = readF16(src, b + IQ1S_D);
    let qs = b + IQ1S_QS;
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const qh = u16(src, b + IQ1S_QH + 2 * ib);
      const dl = fr(d * (2 * ((qh >> 12) & 7) + 1));
      const delta = qh & 0x8000 ? -IQ1S_DELTA : IQ1S_DELTA;
      for (let l = 0; l < 4; l++) {
        const g = 8 * (src[qs + l] | (((qh >> (3 * l)) & 7) << 8));
        for (let j = 0; j < 8; j++) out[y++] = fr(dl * (IQ1S_GRID[g + j] + delta));
      }
      qs += 4;
    }
  }
};

const IQ1M = layoutOf(GGMLType.IQ1_M);
const IQ1M_QS = IQ1M.field.qs.offset, IQ1M_QH = IQ1M.field.qh.offset, IQ1M_SC = IQ1M.field.scales.offset;

export const dequantizeRowIQ1_M: Dequantizer = (src, out, nb) => {
  let y = 0;
  const sc = [0, 0, 0, 0];
  const delta = [0, 0, 0, 0];
  const idx = [0, 0, 0, 0];
  for (let i = 0; i < nb; i++) {
    const b = i * IQ1M.typeSize;
    for (let k = 0; k < 4; k++) sc[k] = u16(src, b + IQ1M_SC + 2 * k);
    // The f16 super-block scale is spread over the top nibble of the four 16-bit scale words.
    const d = F16[(sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000)];
    let qs = b + IQ1M_QS, qh = b + IQ1M_QH;
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const s = sc[ib >> 1];
      const dl1 = fr(d * (2 * ((s >> (6 * (ib % 2))) & 7) + 1));
      const dl2 = fr(d * (2 * ((s >> (6 * (ib % 2) + 3)) & 7) + 1));
      const h0 = src[qh], h1 = src[qh + 1];
      idx[0] = src[qs] | ((h0 << 8) & 0x700);
      idx[1] = src[qs + 1] | ((h0 << 4) & 0x700);
      idx[2] = src[qs + 2] | ((h1 << 8) & 0x700);
      idx[3] = src[qs + 3] | ((h1 << 4) & 0x700);
      delta[0] = h0 & 0x08 ? -IQ1S_DELTA : IQ1S_DELTA;
      delta[1] = h0 & 0x80 ? -IQ1S_DELTA : IQ1S_DELTA;
      delta[2] = h1 & 0x08 ? -IQ1S_DELTA : IQ1S_DELTA;
      delta[3] = h1 & 0x80 ? -IQ1S_DELTA : IQ1S_DELTA;
      for (let l = 0; l < 4; l++) {
        const dl = l < 2 ? dl1 : dl2;
        const g = 8 * idx[l];
        for (let j = 0; j < 8; j++) out[y++] = fr(dl * (IQ1S_GRID[g + j] + delta[l]));
      }
      qs += 4;
      qh += 2;
    }
  }
};

const IQ4NL = layoutOf(GGMLType.IQ4_NL);
const IQ4NL_D = IQ4NL.field.d.offset, IQ4NL_QS = IQ4NL.field.qs.offset;

export const dequantizeRowIQ4_NL: Dequantizer = (src, out, nb) => {
  for (let i = 0; i < nb; i++) {
    const b = i * IQ4NL.typeSize;
    const d = readF16(src, b + IQ4NL_D);
    for (let j = 0; j < 16; j++) {
      const q = src[b + IQ4NL_QS + j];
      out[i * 32 + j] = fr(d * KVALUES_IQ4NL[q & 0xf]);
      out[i * 32 + j + 16] = fr(d * KVALUES_IQ4NL[q >> 4]);
    }
  }
};

const IQ4XS = layoutOf(GGMLType.IQ4_XS);
const IQ4XS_D = IQ4XS.field.d.offset, IQ4XS_SH = IQ4XS.field.scales_h.offset;
const IQ4XS_SL = IQ4XS.field.scales_l.offset, IQ4XS_QS = IQ4XS.field.qs.offset;

export const dequantizeRowIQ4_XS: Dequantizer = (src, out, nb) => {
  let y = 0;
  for (let i = 0; i < nb; i++) {
    const b = i * IQ4XS.typeSize;
    const d = readF16(src, b + IQ4XS_D);
    const sh = u16(src, b + IQ4XS_SH);
    let qs = b + IQ4XS_QS;
    for (let ib = 0; ib < QK_K / 32; ib++) {
      const ls = ((src[b + IQ4XS_SL + (ib >> 1)] >> (4 * (ib % 2))) & 0xf) | (((sh >> (2 * ib)) & 3) << 4);
      const dl = fr(d * (ls - 32));
      for (let j = 0; j < 16; j++) {
        out[y + j] = fr(dl * KVALUES_IQ4NL[src[qs + j] & 0xf]);
        out[y + j + 16] = fr(dl * KVALUES_IQ4NL[src[qs + j] >> 4]);
      }
      y += 32;
      qs += 16;
    }
  }
};
