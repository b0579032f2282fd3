// GGUF value types and the in-memory shape of a parsed file. The format: ggml's docs/gguf.md.

import type { GGMLType, TypeInfo } from "../quant/types.js";

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_DEFAULT_ALIGNMENT = 32;

export const GGUFValueType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7,
  STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;
export type GGUFValueType = (typeof GGUFValueType)[keyof typeof GGUFValueType];

export const GGUF_VALUE_TYPE_NAMES: Record<number, string> = {
  0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32", 5: "int32", 6: "float32", 7: "bool",
  8: "string", 9: "array", 10: "uint64", 11: "int64", 12: "float64",
};

/** A metadata value as stored: 64-bit integers stay bigint so a rewrite is byte-identical. */
export type GGUFScalar = number | bigint | boolean | string;
export interface GGUFArray {
  readonly itemType: GGUFValueType;
  readonly items: GGUFValue[];
}
export type GGUFValue = GGUFScalar | GGUFArray;

export interface GGUFKV {
  readonly key: string;
  readonly type: GGUFValueType;
  readonly value: GGUFValue;
}

export interface GGUFTensorInfo {
  readonly name: string;
  /** ggml `ne` order: ne[0] is the row length (the contiguous dimension). */
  readonly ne: readonly number[];
  readonly type: GGMLType;
  readonly typeInfo: TypeInfo;
  /** Offset relative to the start of the data section, as stored in the file. */
  readonly relOffset: number;
  /** Absolute offset of the first byte in the file (in the split part that holds it). */
  readonly offset: number;
  readonly nbytes: number;
  readonly nelements: number;
  /** Index of the split part (0 for single-file models). */
  readonly part: number;
}

export function isGGUFArray(v: GGUFValue): v is GGUFArray {
  return typeof v === "object" && v !== null && "itemType" in v;
}
