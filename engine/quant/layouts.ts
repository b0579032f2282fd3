// The byte layout of one block of every ggml tensor type, declared once as data: each field's name,
// element type, count and byte offset. The reference (de)quantizers, the kernel DSL (`W.block(i).d`,
// `.qs[j]`) and the code emitters read these, so nobody re-derives an offset by hand.
// Reference: ggml-common.h (the block_* structs and their static_asserts on sizeof). A self-check at
// load time proves that each layout's fields tile its block exactly, with no gap and no overlap.

import { GGMLType, typeInfo, type TypeInfo } from "./types.js";

/**
 * Element type of a block field. `f16`/`bf16` are 16-bit floats stored as bits; `e8m0` is an
 * exponent-only byte (MXFP4's shared scale, value 2^(e-127)); integers are little-endian.
 */
export type FieldType = "f32" | "f16" | "bf16" | "e8m0" | "u8" | "i8" | "u16" | "i16" | "i32" | "i64" | "f64";

/** Bytes per element of each field type. */
export const FIELD_BYTES: Readonly<Record<FieldType, number>> = {
  f32: 4, f16: 2, bf16: 2, e8m0: 1, u8: 1, i8: 1, u16: 2, i16: 2, i32: 4, i64: 8, f64: 8,
};

export interface BlockField {
  /** ggml's member name: d, dmin, m, s, e, scales, qs, qh, ql, hmask, signs, bsums, scales_h, scales_l. */
  readonly name: string;
  readonly type: FieldType;
  /** Number of elements (1 for a scalar member). */
  readonly count: number;
  /** Byte offset of the first element from the start of the block. */
  readonly offset: number;
  /** count * FIELD_BYTES[type]. */
  readonly bytes: number;
  /** What the field holds, in a few words. */
  readonly doc: string;
}

export interface BlockLayout {
  readonly id: GGMLType;
  /** ggml's lower-case type name. */
  readonly name: string;
  /** Values per block. */
  readonly blockSize: number;
  /** Bytes per block; the fields tile exactly this many bytes. */
  readonly typeSize: number;
  /**
   * Largest natural alignment any field's offset honours within a block. Blocks are packed back to
   * back, so a field is only as aligned as both this and typeSize allow (q4_0's 18-byte blocks leave
   * `qs` 2-byte aligned at best); kernels must read wider words byte-wise or through unaligned loads.
   */
  readonly fieldAlign: number;
  /**
   * Alignment every block start has in a row whose first block is aligned to at least this much: the
   * largest power of two (up to 16) dividing typeSize. q4_0: 2, q4_k: 16, q8_k: 4.
   */
  readonly blockAlign: number;
  readonly fields: readonly BlockField[];
  /** Fields by name. */
  readonly field: Readonly<Record<string, BlockField>>;
}

/** Largest power of two dividing n, at most `cap` (n = 0 gives cap). */
function pow2Divisor(n: number, cap: number): number {
  let a = 1;
  while (a < cap && n % (2 * a) === 0) a *= 2;
  return a;
}

type FieldSpec = readonly [name: string, type: FieldType, count: number, offset: number, doc: string];

function layout(id: GGMLType, specs: readonly FieldSpec[]): BlockLayout {
  const info: TypeInfo = typeInfo(id);
  const fields = specs.map(([name, type, count, offset, doc]): BlockField => ({
    name, type, count, offset, bytes: count * FIELD_BYTES[type], doc,
  }));
  // Self-check: sorted by offset, each field starts where the previous ended and the last ends at
  // typeSize (what ggml's static_assert(sizeof(block_x) == ...) guarantees for the C struct).
  let at = 0;
  for (const f of [...fields].sort((a, b) => a.offset - b.offset)) {
    if (f.offset !== at) {
      throw new Error(`internal: layout ${info.name}: field ${f.name} at byte ${f.offset}, expected ${at} (gap or overlap)`);
    }
    if (f.offset % FIELD_BYTES[f.type] !== 0) {
      throw new Error(`internal: layout ${info.name}: field ${f.name} (${f.type}) at byte ${f.offset} is misaligned`);
    }
    at += f.bytes;
  }
  if (at !== info.typeSize) {
    throw new Error(`internal: layout ${info.name}: fields cover ${at} bytes but a block is ${info.typeSize}`);
  }
  const fieldAlign = Math.max(1, ...fields.map((f) => FIELD_BYTES[f.type]));
  return {
    id, name: info.name, blockSize: info.blockSize, typeSize: info.typeSize, fieldAlign,
    blockAlign: pow2Divisor(info.typeSize, 16),
    fields, field: Object.fromEntries(fields.map((f) => [f.name, f])),
  };
}

const D = "block scale (delta)";
const QK_K = 256;

/** Block layouts keyed by ggml type id. */
export const LAYOUTS: ReadonlyMap<GGMLType, BlockLayout> = new Map<GGMLType, BlockLayout>(
  [
    layout(GGMLType.F32, [["v", "f32", 1, 0, "the value"]]),
    layout(GGMLType.F16, [["v", "f16", 1, 0, "the value"]]),
    layout(GGMLType.BF16, [["v", "bf16", 1, 0, "the value"]]),
    layout(GGMLType.F64, [["v", "f64", 1, 0, "the value"]]),
    layout(GGMLType.I8, [["v", "i8", 1, 0, "the value"]]),
    layout(GGMLType.I16, [["v", "i16", 1, 0, "the value"]]),
    layout(GGMLType.I32, [["v", "i32", 1, 0, "the value"]]),
    layout(GGMLType.I64, [["v", "i64", 1, 0, "the value"]]),

    // 32-value blocks: x = d * q (+ m)
    layout(GGMLType.Q4_0, [["d", "f16", 1, 0, D], ["qs", "u8", 16, 2, "4-bit quants: low nibbles values 0..15, high nibbles 16..31"]]),
    layout(GGMLType.Q4_1, [
      ["d", "f16", 1, 0, D], ["m", "f16", 1, 2, "block minimum"],
      ["qs", "u8", 16, 4, "4-bit quants: low nibbles values 0..15, high nibbles 16..31"],
    ]),
    layout(GGMLType.Q5_0, [
      ["d", "f16", 1, 0, D], ["qh", "u8", 4, 2, "5th bit of each quant, bit j = value j (little-endian u32)"],
      ["qs", "u8", 16, 6, "low 4 bits: low nibbles values 0..15, high nibbles 16..31"],
    ]),
    layout(GGMLType.Q5_1, [
      ["d", "f16", 1, 0, D], ["m", "f16", 1, 2, "block minimum"],
      ["qh", "u8", 4, 4, "5th bit of each quant, bit j = value j (little-endian u32)"],
      ["qs", "u8", 16, 8, "low 4 bits: low nibbles values 0..15, high nibbles 16..31"],
    ]),
    layout(GGMLType.Q8_0, [["d", "f16", 1, 0, D], ["qs", "i8", 32, 2, "8-bit quants"]]),
    layout(GGMLType.Q8_1, [
      ["d", "f16", 1, 0, D], ["s", "f16", 1, 2, "d * sum(qs)"], ["qs", "i8", 32, 4, "8-bit quants"],
    ]),
    layout(GGMLType.IQ4_NL, [["d", "f16", 1, 0, D], ["qs", "u8", 16, 2, "4-bit indexes into kvalues_iq4nl"]]),
    layout(GGMLType.MXFP4, [
      ["e", "e8m0", 1, 0, "shared scale 2^(e-127)"],
      ["qs", "u8", 16, 1, "fp4 e2m1 codes: low nibbles values 0..15, high nibbles 16..31"],
    ]),

    // 256-value super-blocks (QK_K)
    layout(GGMLType.Q2_K, [
      ["scales", "u8", QK_K / 16, 0, "per 16 values: scale (low nibble) and min (high nibble)"],
      ["qs", "u8", QK_K / 4, 16, "2-bit quants"],
      ["d", "f16", 1, 80, "super-block scale for the scales"],
      ["dmin", "f16", 1, 82, "super-block scale for the mins"],
    ]),
    layout(GGMLType.Q3_K, [
      ["hmask", "u8", QK_K / 8, 0, "high bit of each quant"],
      ["qs", "u8", QK_K / 4, 32, "low 2 bits of each quant"],
      ["scales", "u8", 12, 96, "16 6-bit scales, packed"],
      ["d", "f16", 1, 108, "super-block scale"],
    ]),
    layout(GGMLType.Q4_K, [
      ["d", "f16", 1, 0, "super-block scale for the scales"],
      ["dmin", "f16", 1, 2, "super-block scale for the mins"],
      ["scales", "u8", 12, 4, "8 6-bit scales and 8 6-bit mins, packed"],
      ["qs", "u8", QK_K / 2, 16, "4-bit quants"],
    ]),
    layout(GGMLType.Q5_K, [
      ["d", "f16", 1, 0, "super-block scale for the scales"],
      ["dmin", "f16", 1, 2, "super-block scale for the mins"],
      ["scales", "u8", 12, 4, "8 6-bit scales and 8 6-bit mins, packed"],
      ["qh", "u8", QK_K / 8, 16, "5th bit of each quant"],
      ["qs", "u8", QK_K / 2, 48, "low 4 bits of each quant"],
    ]),
    layout(GGMLType.Q6_K, [
      ["ql", "u8", QK_K / 2, 0, "low 4 bits of each quant"],
      ["qh", "u8", QK_K / 4, 128, "high 2 bits of each quant"],
      ["scales", "i8", QK_K / 16, 192, "8-bit scale per 16 values"],
      ["d", "f16", 1, 208, "super-block scale"],
    ]),
    layout(GGMLType.Q8_K, [
      ["d", "f32", 1, 0, D],
      ["qs", "i8", QK_K, 4, "8-bit quants"],
      ["bsums", "i16", QK_K / 16, 260, "sum of each group of 16 quants"],
    ]),
    layout(GGMLType.IQ2_XXS, [
      ["d", "f16", 1, 0, D],
      ["qs", "u16", QK_K / 8, 2, "per 32 values: 4 grid indexes (bytes), then 4x7 sign bits and a 4-bit scale"],
    ]),
    layout(GGMLType.IQ2_XS, [
      ["d", "f16", 1, 0, D],
      ["qs", "u16", QK_K / 8, 2, "9-bit iq2xs_grid index and 7 sign bits per 8 values"],
      ["scales", "u8", QK_K / 32, 66, "two 4-bit scales per 32 values"],
    ]),
    layout(GGMLType.IQ2_S, [
      ["d", "f16", 1, 0, D],
      ["qs", "u8", QK_K / 4, 2, "low 8 bits of the grid indexes, then the sign bytes"],
      ["qh", "u8", QK_K / 32, 66, "high 2 bits of the grid indexes"],
      ["scales", "u8", QK_K / 32, 74, "two 4-bit scales per 32 values"],
    ]),
    layout(GGMLType.IQ3_XXS, [
      ["d", "f16", 1, 0, D],
      ["qs", "u8", (3 * QK_K) / 8, 2, "iq3xxs_grid indexes, then per 32 values 4x7 sign bits and a 4-bit scale"],
    ]),
    layout(GGMLType.IQ3_S, [
      ["d", "f16", 1, 0, D],
      ["qs", "u8", QK_K / 4, 2, "low 8 bits of the iq3s_grid indexes"],
      ["qh", "u8", QK_K / 32, 66, "9th bit of the grid indexes"],
      ["signs", "u8", QK_K / 8, 74, "one sign bit per value"],
      ["scales", "u8", QK_K / 64, 106, "two 4-bit scales per 64 values"],
    ]),
    layout(GGMLType.IQ1_S, [
      ["d", "f16", 1, 0, D],
      ["qs", "u8", QK_K / 8, 2, "low 8 bits of the iq1s_grid indexes"],
      ["qh", "u16", QK_K / 32, 34, "per 32 values: 4x3 high index bits, 3-bit scale, delta sign"],
    ]),
    layout(GGMLType.IQ1_M, [
      ["qs", "u8", QK_K / 8, 0, "low 8 bits of the iq1s_grid indexes"],
      ["qh", "u8", QK_K / 16, 32, "high 3 index bits and delta sign, a nibble per 8 values"],
      ["scales", "u8", QK_K / 32, 48, "3-bit scales; the f16 super-block scale is spread over their top nibbles"],
    ]),
    layout(GGMLType.IQ4_XS, [
      ["d", "f16", 1, 0, D],
      ["scales_h", "u16", 1, 2, "high 2 bits of the 8 6-bit scales"],
      ["scales_l", "u8", QK_K / 64, 4, "low 4 bits of the 8 6-bit scales"],
      ["qs", "u8", QK_K / 2, 8, "4-bit indexes into kvalues_iq4nl"],
    ]),
    layout(GGMLType.TQ1_0, [
      ["qs", "u8", (QK_K - (4 * QK_K) / 64) / 5, 0, "5 ternary digits per byte (base 3, scaled to 0..255)"],
      ["qh", "u8", QK_K / 64, 48, "4 ternary digits per byte"],
      ["d", "f16", 1, 52, D],
    ]),
    layout(GGMLType.TQ2_0, [["qs", "u8", QK_K / 4, 0, "2-bit ternary values (0, 1, 2 = -1, 0, +1)"], ["d", "f16", 1, 64, D]]),
  ].map((l) => [l.id, l]),
);

/** The block layout of a type; throws for a type without one (there is none such among ggml's types). */
export function layoutOf(id: GGMLType): BlockLayout {
  const l = LAYOUTS.get(id);
  if (!l) throw new Error(`internal: no block layout for ggml type ${id}`);
  return l;
}

/**
 * Alignment (in bytes, up to 16) guaranteed for the first byte of field `name` in every block of a row
 * whose start is 16-byte aligned: what a kernel may assume before reading it in wider words.
 * q4_0's qs: 2 (18-byte blocks); q4_k's qs: 16.
 */
export function fieldAlignment(l: BlockLayout, name: string): number {
  const f = l.field[name];
  if (!f) throw new Error(`internal: layout ${l.name} has no field ${name}`);
  return Math.min(l.blockAlign, pow2Divisor(f.offset, 16));
}

/** Byte offset of element `index` of field `name` in block `block` of a row of this layout. */
export function fieldByteOffset(l: BlockLayout, block: number, name: string, index = 0): number {
  const f = l.field[name];
  if (!f) throw new Error(`internal: layout ${l.name} has no field ${name}`);
  return block * l.typeSize + f.offset + index * FIELD_BYTES[f.type];
}
