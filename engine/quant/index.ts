// Public entry to the reference quantization of every ggml type: dequantizeRow / quantizeRow over one
// row of whole blocks, and which types can be quantized (canQuantize) or need importance weights
// (needsImportance). The per-type code lives in legacy.ts (scalar and 32-value blocks), kquants.ts,
// iquants.ts (i-quant dequantizers), iquants-quantize.ts and ternary.ts; block layouts in layouts.ts.
// Reference: ggml's type_traits (to_float, from_float_ref) in ggml.c and ggml-quants.c.

import { KilnError } from "../errors.js";
import { ALL_TYPES, GGMLType, typeInfo, typeInfoById, type TypeInfo } from "./types.js";
import * as legacy from "./legacy.js";
import * as k from "./kquants.js";
import * as iq from "./iquants.js";
import * as tq from "./ternary.js";
import * as iqq from "./iquants-quantize.js";
import type { Dequantizer, Quantizer } from "./legacy.js";

export { GGMLType } from "./types.js";
export { f16ToF32, f32ToF16, bf16ToF32, f32ToBf16 } from "./half.js";
export { LAYOUTS, layoutOf } from "./layouts.js";

const dequantizers = new Map<number, Dequantizer>([
  [GGMLType.F32, legacy.dequantizeRowF32],
  [GGMLType.F16, legacy.dequantizeRowF16],
  [GGMLType.BF16, legacy.dequantizeRowBF16],
  [GGMLType.Q4_0, legacy.dequantizeRowQ4_0],
  [GGMLType.Q4_1, legacy.dequantizeRowQ4_1],
  [GGMLType.Q5_0, legacy.dequantizeRowQ5_0],
  [GGMLType.Q5_1, legacy.dequantizeRowQ5_1],
  [GGMLType.Q8_0, legacy.dequantizeRowQ8_0],
  [GGMLType.Q8_1, legacy.dequantizeRowQ8_1],
  [GGMLType.MXFP4, legacy.dequantizeRowMXFP4],
  [GGMLType.Q2_K, k.dequantizeRowQ2_K],
  [GGMLType.Q3_K, k.dequantizeRowQ3_K],
  [GGMLType.Q4_K, k.dequantizeRowQ4_K],
  [GGMLType.Q5_K, k.dequantizeRowQ5_K],
  [GGMLType.Q6_K, k.dequantizeRowQ6_K],
  [GGMLType.Q8_K, k.dequantizeRowQ8_K],
  [GGMLType.IQ2_XXS, iq.dequantizeRowIQ2_XXS],
  [GGMLType.IQ2_XS, iq.dequantizeRowIQ2_XS],
  [GGMLType.IQ2_S, iq.dequantizeRowIQ2_S],
  [GGMLType.IQ3_XXS, iq.dequantizeRowIQ3_XXS],
  [GGMLType.IQ3_S, iq.dequantizeRowIQ3_S],
  [GGMLType.IQ1_S, iq.dequantizeRowIQ1_S],
  [GGMLType.IQ1_M, iq.dequantizeRowIQ1_M],
  [GGMLType.IQ4_NL, iq.dequantizeRowIQ4_NL],
  [GGMLType.IQ4_XS, iq.dequantizeRowIQ4_XS],
  [GGMLType.TQ1_0, tq.dequantizeRowTQ1_0],
  [GGMLType.TQ2_0, tq.dequantizeRowTQ2_0],
]);

const quantizers = new Map<number, Quantizer>([
  [GGMLType.F32, legacy.quantizeRowF32],
  [GGMLType.F16, legacy.quantizeRowF16],
  [GGMLType.BF16, legacy.quantizeRowBF16],
  [GGMLType.Q4_0, legacy.quantizeRowQ4_0],
  [GGMLType.Q4_1, legacy.quantizeRowQ4_1],
  [GGMLType.Q5_0, legacy.quantizeRowQ5_0],
  [GGMLType.Q5_1, legacy.quantizeRowQ5_1],
  [GGMLType.Q8_0, legacy.quantizeRowQ8_0],
  [GGMLType.Q8_1, legacy.quantizeRowQ8_1],
  [GGMLType.MXFP4, legacy.quantizeRowMXFP4],
  [GGMLType.Q2_K, k.quantizeRowQ2_K],
  [GGMLType.Q3_K, k.quantizeRowQ3_K],
  [GGMLType.Q4_K, k.quantizeRowQ4_K],
  [GGMLType.Q5_K, k.quantizeRowQ5_K],
  [GGMLType.Q6_K, k.quantizeRowQ6_K],
  [GGMLType.Q8_K, k.quantizeRowQ8_K],
  [GGMLType.IQ3_XXS, iqq.quantizeRowIQ3_XXS],
  [GGMLType.IQ3_S, iqq.quantizeRowIQ3_S],
  [GGMLType.IQ2_S, iqq.quantizeRowIQ2_S],
  [GGMLType.IQ4_NL, iqq.quantizeRowIQ4_NL],
  [GGMLType.IQ4_XS, iqq.quantizeRowIQ4_XS],
  [GGMLType.IQ1_M, iqq.quantizeRowIQ1_M],
  [GGMLType.TQ1_0, tq.quantizeRowTQ1_0],
  [GGMLType.TQ2_0, tq.quantizeRowTQ2_0],
]);

/** Types ggml quantizes only with importance weights (an imatrix): quantizeRow needs `importance`. */
const importanceQuantizers = new Map<number, iqq.ImportanceQuantizer>([
  [GGMLType.IQ2_XXS, iqq.quantizeRowIQ2_XXS],
  [GGMLType.IQ2_XS, iqq.quantizeRowIQ2_XS],
  [GGMLType.IQ1_S, iqq.quantizeRowIQ1_S],
]);

/** Why ggml has no reference quantizer for a type (shown in the KilnError). */
const NO_QUANTIZER_REASON: Partial<Record<number, string>> = {
  [GGMLType.I8]: "it is an integer type, not a quantization of floats",
  [GGMLType.I16]: "it is an integer type, not a quantization of floats",
  [GGMLType.I32]: "it is an integer type, not a quantization of floats",
  [GGMLType.I64]: "it is an integer type, not a quantization of floats",
  [GGMLType.F64]: "kiln keeps no f64 tensors",
};

function info(type: GGMLType): TypeInfo {
  const t = typeInfoById(type);
  if (!t) throw new KilnError(`ggml type ${type} is not a ggml type id (known: ${ALL_TYPES.map((x) => `${x.name}=${x.id}`).join(", ")})`);
  return t;
}

function checkLength(t: TypeInfo, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n % t.blockSize !== 0) {
    throw new KilnError(
      `${t.name}: a row of ${n} values is not a whole number of ${t.blockSize}-value blocks (pad or cut the row to a multiple of ${t.blockSize})`,
    );
  }
  return n / t.blockSize;
}

/** True when this type has a dequantizer (every type ggml can turn into floats). */
export function canDequantize(type: GGMLType): boolean {
  return dequantizers.has(type);
}

/** True when ggml has a reference quantizer for this type, so quantizeRow gives ggml's exact bytes. */
export function canQuantize(type: GGMLType): boolean {
  return quantizers.has(type);
}

/**
 * True for the types ggml quantizes only with importance weights (iq2_xxs, iq2_xs, iq1_s):
 * quantizeRow accepts them when given `importance`, one weight per value.
 */
export function needsImportance(type: GGMLType): boolean {
  return importanceQuantizers.has(type);
}

/**
 * Decodes `n` values (a whole number of blocks) from `src` into `out` (allocated when not given),
 * bit-exact with ggml's dequantize_row_*.
 */
export function dequantizeRow(type: GGMLType, src: Uint8Array, n: number, out?: Float32Array): Float32Array {
  const t = info(type);
  const nb = checkLength(t, n);
  const need = nb * t.typeSize;
  if (src.length < need) {
    throw new KilnError(`${t.name}: ${n} values need ${need} bytes but the input has ${src.length} (truncated data?)`);
  }
  const dst = out ?? new Float32Array(n);
  if (dst.length < n) throw new KilnError(`${t.name}: the output holds ${dst.length} values, fewer than the ${n} asked for`);
  const f = dequantizers.get(type);
  if (!f) throw new KilnError(`${t.name}: kiln has no dequantizer for this type`);
  f(src, dst, t.blockSize === 1 ? n : nb);
  return dst;
}

/**
 * Block quantizers search scales with float arithmetic that NaN or infinity derails (ggml does not
 * check; its output is then garbage), so refuse such input up front. f32/f16/bf16 carry them as is.
 */
function checkFinite(t: TypeInfo, src: Float32Array, what: string): void {
  if (t.blockSize === 1) return;
  for (let i = 0; i < src.length; i++) {
    if (!Number.isFinite(src[i])) {
      throw new KilnError(`${t.name}: ${what} ${i} of the row is ${src[i]}; quantization needs finite values (check the source tensor)`);
    }
  }
}

/**
 * Encodes `src` (a whole number of blocks) with ggml's reference quantizer for `type`
 * (quantize_row_*_ref: no importance matrix), byte for byte the same as ggml. For the types that
 * ggml quantizes only with an importance matrix (see needsImportance), pass `importance`: one weight
 * per value of src, as ggml_quantize_chunk takes them.
 */
export function quantizeRow(type: GGMLType, src: Float32Array, importance?: Float32Array): Uint8Array {
  const t = info(type);
  const g = importanceQuantizers.get(type);
  if (g) {
    if (!importance) {
      throw new KilnError(`cannot quantize to ${t.name} without importance weights: ggml quantizes it only with an importance matrix (pass one weight per value)`);
    }
    if (importance.length !== src.length) {
      throw new KilnError(`${t.name}: ${importance.length} importance weights for ${src.length} values (give exactly one per value)`);
    }
    const nb = checkLength(t, src.length);
    checkFinite(t, src, "value");
    checkFinite(t, importance, "importance weight");
    const dst = new Uint8Array(nb * t.typeSize);
    g(src, dst, nb, importance);
    return dst;
  }
  if (importance) {
    throw new KilnError(`${t.name}: kiln quantizes this type with ggml's reference quantizer, which takes no importance weights (drop them)`);
  }
  const f = quantizers.get(type);
  if (!f) {
    const why = NO_QUANTIZER_REASON[type] ?? "kiln has no reference quantizer for it";
    const can = ALL_TYPES.filter((x) => quantizers.has(x.id)).map((x) => x.name).join(", ");
    throw new KilnError(`cannot quantize to ${t.name}: ${why}; types that can be quantized: ${can}`);
  }
  const nb = checkLength(t, src.length);
  checkFinite(t, src, "value");
  const dst = new Uint8Array(nb * t.typeSize);
  f(src, dst, t.blockSize === 1 ? src.length : nb);
  return dst;
}

/** Bytes of a row of n values of this type. */
export function rowSize(type: GGMLType, n: number): number {
  const t = typeInfo(type);
  return checkLength(t, n) * t.typeSize;
}
