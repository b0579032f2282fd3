// Weight types the quantized kernels (get_rows, matvec, matmul) cover, and how a case builds a weight
// matrix of each: seeded f32 values through ggml's reference quantizer (engine/quant quantizeRow), bound
// the way the kernel declares W (quant blocks as bytes; f16/bf16 as u32 words, two values each).
import { dequantizeRow, f32ToF16, layoutOf, quantizeRow } from "../../engine/quant/index.js";
import { typeInfoByName, type TypeInfo } from "../../engine/quant/types.js";
import type { Rng } from "../prng.js";
import type { TargetBuffer } from "../target.js";

export const WEIGHT_TYPES = ["f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "iq4_nl", "iq4_xs"] as const;
/** Types with a get_rows (dequantize) kernel but no matvec/matmul: activation types, the ternary ones and mxfp4. */
export const LOOKUP_ONLY_TYPES = ["q8_1", "q8_k", "tq1_0", "tq2_0", "mxfp4"] as const;
/**
 * The lattice i-quants (engine/kernels/get_rows_iq.kernel.ts). ggml quantizes some of them only with an
 * importance matrix, so their cases decode random blocks (every index, sign and scale bit pattern) with
 * a sane f16 scale d; iq1_m, whose scale is spread over other fields, goes through its quantizer.
 */
export const LATTICE_TYPES = ["iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq1_s", "iq1_m"] as const;
export type WeightType = (typeof WEIGHT_TYPES)[number] | (typeof LOOKUP_ONLY_TYPES)[number] | (typeof LATTICE_TYPES)[number];

export interface Weights {
  readonly type: TypeInfo;
  /** The tensor's bytes as ggml stores them. */
  readonly bytes: Uint8Array;
  /** The buffers to bind: W. */
  readonly bind: Readonly<Record<string, TargetBuffer>>;
}

/** A (rows, k) weight matrix of `type` from seeded values in [-1, 1). */
export function makeWeights(name: WeightType, rows: number, k: number, rng: Rng): Weights {
  const type = typeInfoByName(name)!;
  let bytes: Uint8Array;
  if ((LATTICE_TYPES as readonly string[]).includes(name) && name !== "iq1_m") {
    const nb = (rows * k) / type.blockSize;
    bytes = Uint8Array.from({ length: nb * type.typeSize }, () => rng.int(256));
    const d = layoutOf(type.id).field.d!;
    for (let b = 0; b < nb; b++) {
      const h = f32ToF16(rng.uniform(0.001, 0.01));
      bytes[b * type.typeSize + d.offset] = h & 0xff;
      bytes[b * type.typeSize + d.offset + 1] = h >> 8;
    }
  } else if (name === "mxfp4") {
    // every nibble, and exponents from the subnormal scales (e = 0, 1) up to 2^72 (no overflow to inf)
    const nb = (rows * k) / type.blockSize;
    bytes = Uint8Array.from({ length: nb * type.typeSize }, () => rng.int(256));
    const e = layoutOf(type.id).field.e!.offset;
    for (let b = 0; b < nb; b++) bytes[b * type.typeSize + e] = b < 2 ? b : rng.int(200);
  } else bytes = quantizeRow(type.id, rng.f32(rows * k));
  let W: TargetBuffer = bytes;
  if (name === "f32") W = new Float32Array(bytes.buffer, bytes.byteOffset, rows * k);
  else if (name === "f16" || name === "bf16") W = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const bind: Record<string, TargetBuffer> = { W };
  return { type, bytes, bind };
}

/** The whole matrix decoded by the reference (rows * k,). */
export function decodeAll(w: Weights, n: number): Float32Array {
  return dequantizeRow(w.type.id, w.bytes, n);
}

/** Values per row a case uses: two blocks of the type, at least 64 (two 32-value runs). */
export function rowLength(type: WeightType, blocks = 2): number {
  return Math.max(64, typeInfoByName(type)!.blockSize * blocks);
}
