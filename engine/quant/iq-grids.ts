// The i-quant lookup tables, expanded from the compressed grids in iq-grids-data.ts, plus the small
// constant tables of ggml-common.h (ksigns_iq2xs, kmask_iq2xs, kvalues_iq4nl, IQ1S_DELTA).
// Each grid point is stored as its coordinates, 8 (iq2/iq1) or 4 (iq3) bytes per point, exactly the
// bytes of ggml's uint64/uint32 grid entries (iq2xxs_grid, iq2xs_grid, iq2s_grid, iq1s_grid,
// iq3xxs_grid, iq3s_grid in ggml-common.h), so a dequantizer reads grid[8 * index + j].

import {
  KGRID_1BIT_2048, KGRID_2BIT_1024, KGRID_2BIT_256, KGRID_2BIT_512, KGRID_3BIT_256, KGRID_3BIT_512,
} from "./iq-grids-data.js";

function expand(kgrid: readonly number[], dims: number, bits: number, levels: readonly number[], name: string): Int16Array {
  for (let i = 1; i < kgrid.length; i++) {
    if (kgrid[i] <= kgrid[i - 1]) throw new Error(`internal: ${name} is not increasing at ${i} (data corrupted)`);
  }
  const out = new Int16Array(kgrid.length * dims);
  const mask = (1 << bits) - 1;
  for (let k = 0; k < kgrid.length; k++) {
    for (let i = 0; i < dims; i++) {
      const v = levels[(kgrid[k] >> (bits * i)) & mask];
      if (v === undefined) throw new Error(`internal: ${name}[${k}] has a level outside the grid`);
      out[k * dims + i] = v;
    }
  }
  return out;
}

/** iq2 grid coordinate levels 0, 1, 2 -> the byte ggml stores (0x08, 0x19, 0x2b). */
const IQ2_LEVELS = [8, 25, 43];
/** iq3_xxs levels 0..7 -> byte. */
const IQ3XXS_LEVELS = [4, 12, 20, 28, 36, 44, 52, 62];
/** iq3_s levels 0..7 -> byte: the odd numbers 1..15. */
const IQ3S_LEVELS = [1, 3, 5, 7, 9, 11, 13, 15];
/** iq1 levels 0, 1, 2 -> -1, 0, +1. */
const IQ1_LEVELS = [-1, 0, 1];

export const IQ2XXS_GRID: Uint8Array = Uint8Array.from(expand(KGRID_2BIT_256, 8, 2, IQ2_LEVELS, "kgrid_2bit_256"));
export const IQ2XS_GRID: Uint8Array = Uint8Array.from(expand(KGRID_2BIT_512, 8, 2, IQ2_LEVELS, "kgrid_2bit_512"));
export const IQ2S_GRID: Uint8Array = Uint8Array.from(expand(KGRID_2BIT_1024, 8, 2, IQ2_LEVELS, "kgrid_2bit_1024"));
export const IQ1S_GRID: Int8Array = Int8Array.from(expand(KGRID_1BIT_2048, 8, 2, IQ1_LEVELS, "kgrid_1bit_2048"));
export const IQ3XXS_GRID: Uint8Array = Uint8Array.from(expand(KGRID_3BIT_256, 4, 3, IQ3XXS_LEVELS, "kgrid_256"));
export const IQ3S_GRID: Uint8Array = Uint8Array.from(expand(KGRID_3BIT_512, 4, 3, IQ3S_LEVELS, "kgrid_512"));

/** The compressed grids themselves, for the quantizers' neighbour search. */
export const KGRIDS = {
  iq2_xxs: KGRID_2BIT_256, iq2_xs: KGRID_2BIT_512, iq2_s: KGRID_2BIT_1024, iq1_s: KGRID_1BIT_2048,
  iq3_xxs: KGRID_3BIT_256, iq3_s: KGRID_3BIT_512,
} as const;

/**
 * ksigns_iq2xs: 7 stored sign bits -> 8 sign bits, the 8th making the count of minus signs even
 * (the i-quants flip one sign so that only 7 need storing).
 */
export const KSIGNS_IQ2XS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < 128; i++) {
    let ones = 0;
    for (let b = 0; b < 7; b++) ones += (i >> b) & 1;
    t[i] = i | ((ones & 1) << 7);
  }
  return t;
})();

export const KMASK_IQ2XS: Uint8Array = Uint8Array.from([1, 2, 4, 8, 16, 32, 64, 128]);

/** The 16 non-linear levels of iq4_nl and iq4_xs. */
export const KVALUES_IQ4NL: Int8Array = Int8Array.from([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);

/** The shift iq1_s/iq1_m add to every grid value (sign chosen per 32 or 8 values). */
export const IQ1S_DELTA = Math.fround(0.125);
