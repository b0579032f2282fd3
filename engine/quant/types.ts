// The ggml tensor types: id, name, block size (values per block) and bytes per block, as ggml-common.h
// and ggml.c's type_traits define them. This table is the single place these numbers live; the field
// layouts of each block are declared in layouts.ts next to it.

export const GGMLType = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q5_0: 6, Q5_1: 7, Q8_0: 8, Q8_1: 9,
  Q2_K: 10, Q3_K: 11, Q4_K: 12, Q5_K: 13, Q6_K: 14, Q8_K: 15,
  IQ2_XXS: 16, IQ2_XS: 17, IQ3_XXS: 18, IQ1_S: 19, IQ4_NL: 20, IQ3_S: 21, IQ2_S: 22, IQ4_XS: 23,
  I8: 24, I16: 25, I32: 26, I64: 27, F64: 28, IQ1_M: 29, BF16: 30,
  TQ1_0: 34, TQ2_0: 35, MXFP4: 39,
} as const;
export type GGMLType = (typeof GGMLType)[keyof typeof GGMLType];

export interface TypeInfo {
  /** ggml's id, as stored in GGUF tensor infos. */
  readonly id: GGMLType;
  /** ggml's lower-case name: "q4_k", "iq4_nl", "f32". */
  readonly name: string;
  /** Values per block (1 for plain scalar types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

const table: TypeInfo[] = [
  { id: 0, name: "f32", blockSize: 1, typeSize: 4 },
  { id: 1, name: "f16", blockSize: 1, typeSize: 2 },
  { id: 2, name: "q4_0", blockSize: 32, typeSize: 18 },
  { id: 3, name: "q4_1", blockSize: 32, typeSize: 20 },
  { id: 6, name: "q5_0", blockSize: 32, typeSize: 22 },
  { id: 7, name: "q5_1", blockSize: 32, typeSize: 24 },
  { id: 8, name: "q8_0", blockSize: 32, typeSize: 34 },
  { id: 9, name: "q8_1", blockSize: 32, typeSize: 36 },
  { id: 10, name: "q2_k", blockSize: 256, typeSize: 84 },
  { id: 11, name: "q3_k", blockSize: 256, typeSize: 110 },
  { id: 12, name: "q4_k", blockSize: 256, typeSize: 144 },
  { id: 13, name: "q5_k", blockSize: 256, typeSize: 176 },
  { id: 14, name: "q6_k", blockSize: 256, typeSize: 210 },
  { id: 15, name: "q8_k", blockSize: 256, typeSize: 292 },
  { id: 16, name: "iq2_xxs", blockSize: 256, typeSize: 66 },
  { id: 17, name: "iq2_xs", blockSize: 256, typeSize: 74 },
  { id: 18, name: "iq3_xxs", blockSize: 256, typeSize: 98 },
  { id: 19, name: "iq1_s", blockSize: 256, typeSize: 50 },
  { id: 20, name: "iq4_nl", blockSize: 32, typeSize: 18 },
  { id: 21, name: "iq3_s", blockSize: 256, typeSize: 110 },
  { id: 22, name: "iq2_s", blockSize: 256, typeSize: 82 },
  { id: 23, name: "iq4_xs", blockSize: 256, typeSize: 136 },
  { id: 24, name: "i8", blockSize: 1, typeSize: 1 },
  { id: 25, name: "i16", blockSize: 1, typeSize: 2 },
  { id: 26, name: "i32", blockSize: 1, typeSize: 4 },
  { id: 27, name: "i64", blockSize: 1, typeSize: 8 },
  { id: 28, name: "f64", blockSize: 1, typeSize: 8 },
  { id: 29, name: "iq1_m", blockSize: 256, typeSize: 56 },
  { id: 30, name: "bf16", blockSize: 1, typeSize: 2 },
  { id: 34, name: "tq1_0", blockSize: 256, typeSize: 54 },
  { id: 35, name: "tq2_0", blockSize: 256, typeSize: 66 },
  { id: 39, name: "mxfp4", blockSize: 32, typeSize: 17 },
];

const byId = new Map<number, TypeInfo>(table.map((t) => [t.id, t]));
const byName = new Map<string, TypeInfo>(table.map((t) => [t.name, t]));

export const ALL_TYPES: readonly TypeInfo[] = table;

/** The type with this ggml id, or undefined when ggml has no such type. */
export function typeInfoById(id: number): TypeInfo | undefined {
  return byId.get(id);
}

/** The type with this ggml name, case-insensitive ("Q4_K" and "q4_k" are the same). */
export function typeInfoByName(name: string): TypeInfo | undefined {
  return byName.get(name.toLowerCase());
}

export function typeInfo(id: GGMLType): TypeInfo {
  const t = byId.get(id);
  if (!t) throw new Error(`internal: no type info for ggml type ${id}`);
  return t;
}

/** Bytes needed for a row of `n` values of this type; n must be a multiple of the block size. */
export function rowBytes(t: TypeInfo, n: number): number {
  return (n / t.blockSize) * t.typeSize;
}
