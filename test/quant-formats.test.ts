// Specification checks that need no golden file: the f16/bf16 conversions against IEEE 754 values
// worked out by hand, MXFP4 against the OCP Microscaling spec (e8m0 scale 2^(e-127), fp4 e2m1 codes
// 0..7 = 0, 0.5, 1, 1.5, 2, 3, 4, 6 and 8..15 their negatives), the block layouts against
// ggml-common.h's structs, and the errors of the public API.
import { describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../engine/quant/half.js";
import { canQuantize, dequantizeRow, GGMLType, quantizeRow } from "../engine/quant/index.js";
import { FIELD_BYTES, fieldAlignment, LAYOUTS, layoutOf } from "../engine/quant/layouts.js";
import { ALL_TYPES, type GGMLType as GGMLTypeId } from "../engine/quant/types.js";

describe("f16", () => {
  it("rounds float32 to nearest, ties to even, like the F16C instruction", () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [65504, 0x7bff],
      [65519.99609375, 0x7bff], // just below the midpoint to infinity
      [65520, 0x7c00], // the midpoint rounds to even: infinity
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // half a unit: tie to even 0
      [3 * 2 ** -25, 0x0002], // 1.5 units: tie to even 2
      [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10: even mantissa
      [1 + 3 * 2 ** -11, 0x3c02],
      [-0, 0x8000], [Infinity, 0x7c00], [-Infinity, 0xfc00], [1e-10, 0x0000],
    ];
    for (const [v, bits] of cases) expect(f32ToF16(v), `f32ToF16(${v})`).toBe(bits);
    const nan = f32ToF16(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it("decodes exactly", () => {
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x3555)).toBe(0.333251953125);
    expect(f16ToF32(0xfc00)).toBe(-Infinity);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
    expect(Number.isNaN(f16ToF32(0x7e00))).toBe(true);
  });

  it("round-trips every non-NaN f16 bit pattern", () => {
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      if (f32ToF16(f16ToF32(h)) !== h) throw new Error(`f16 0x${h.toString(16)} does not round-trip`);
    }
  });
});

describe("bf16", () => {
  it("keeps the top 16 bits of a float32, rounding to nearest even", () => {
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie: even
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie: even
    expect(f32ToBf16(Math.PI)).toBe(0x4049);
    expect(bf16ToF32(0x4049)).toBe(3.140625);
    expect(bf16ToF32(0xbf80)).toBe(-1);
    const nan = f32ToBf16(NaN);
    expect(nan & 0x7f80).toBe(0x7f80);
    expect(nan & 0x7f).not.toBe(0);
  });
});

describe("mxfp4", () => {
  const E2M1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6];

  /** One block: scale byte e, then 16 bytes with code j in the low nibble and (15 - j) in the high. */
  function block(e: number): Uint8Array {
    const b = new Uint8Array(17);
    b[0] = e;
    for (let j = 0; j < 16; j++) b[1 + j] = j | ((15 - j) << 4);
    return b;
  }

  it("dequantizes as 2^(e-127) times the e2m1 value of each code", () => {
    for (const e of [127, 130, 120]) {
      const out = dequantizeRow(GGMLType.MXFP4, block(e), 32);
      const scale = 2 ** (e - 127);
      for (let j = 0; j < 16; j++) {
        // ggml's table has +0 for code 8 (-0 in the spec); compare values, not signs of zero
        expect(out[j] === E2M1[j] * scale, `e=${e} code ${j}`).toBe(true);
        expect(out[16 + j] === E2M1[15 - j] * scale, `e=${e} code ${15 - j}`).toBe(true);
      }
    }
    // e = 0: 2^-127 * 0.5 = 2^-128, a float32 subnormal
    expect(dequantizeRow(GGMLType.MXFP4, block(0), 32)[1]).toBe(2 ** -128);
  });

  it("quantizes values that are exact e2m1 multiples of the scale back to their codes", () => {
    // amax 6 * 2^3 = 48: floor(log2 48) - 2 = 3, so e = 130 and every value below is exact.
    const codes = [1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 7];
    const x = new Float32Array(32);
    for (let j = 0; j < 32; j++) x[j] = E2M1[codes[j % 16]] * 8;
    const q = quantizeRow(GGMLType.MXFP4, x);
    expect(q[0]).toBe(130);
    for (let j = 0; j < 16; j++) expect(q[1 + j], `byte ${j}`).toBe(codes[j] | (codes[j] << 4));
  });
});

describe("block layouts", () => {
  it("declare every ggml type once, with fields that tile the block exactly", () => {
    for (const t of ALL_TYPES) {
      const l = LAYOUTS.get(t.id);
      expect(l, t.name).toBeDefined();
      expect([l!.blockSize, l!.typeSize]).toEqual([t.blockSize, t.typeSize]);
      const covered = new Uint8Array(t.typeSize);
      for (const f of l!.fields) {
        expect(f.bytes).toBe(f.count * FIELD_BYTES[f.type]);
        for (let i = f.offset; i < f.offset + f.bytes; i++) covered[i]++;
      }
      expect(Array.from(covered).every((c) => c === 1), `${t.name}: every byte in exactly one field`).toBe(true);
    }
  });

  it("match ggml-common.h's structs", () => {
    const shape = (id: GGMLTypeId): string[] => layoutOf(id).fields.map((f) => `${f.name}:${f.type}[${f.count}]@${f.offset}`);
    expect(shape(GGMLType.Q4_K)).toEqual(["d:f16[1]@0", "dmin:f16[1]@2", "scales:u8[12]@4", "qs:u8[128]@16"]);
    expect(shape(GGMLType.Q6_K)).toEqual(["ql:u8[128]@0", "qh:u8[64]@128", "scales:i8[16]@192", "d:f16[1]@208"]);
    expect(shape(GGMLType.Q2_K)).toEqual(["scales:u8[16]@0", "qs:u8[64]@16", "d:f16[1]@80", "dmin:f16[1]@82"]);
    expect(shape(GGMLType.Q8_K)).toEqual(["d:f32[1]@0", "qs:i8[256]@4", "bsums:i16[16]@260"]);
    expect(shape(GGMLType.Q5_0)).toEqual(["d:f16[1]@0", "qh:u8[4]@2", "qs:u8[16]@6"]);
    expect(shape(GGMLType.IQ4_XS)).toEqual(["d:f16[1]@0", "scales_h:u16[1]@2", "scales_l:u8[4]@4", "qs:u8[128]@8"]);
    expect(shape(GGMLType.TQ1_0)).toEqual(["qs:u8[48]@0", "qh:u8[4]@48", "d:f16[1]@52"]);
    expect(shape(GGMLType.IQ1_M)).toEqual(["qs:u8[32]@0", "qh:u8[16]@32", "scales:u8[8]@48"]);
    expect(layoutOf(GGMLType.Q4_K).field.qs.offset).toBe(16);
  });

  it("say how aligned each field is in a row of packed blocks", () => {
    // q4_0 blocks are 18 bytes: block 1 starts at byte 18, so qs (offset 2) is only 2-byte aligned.
    expect(fieldAlignment(layoutOf(GGMLType.Q4_0), "qs")).toBe(2);
    expect(fieldAlignment(layoutOf(GGMLType.Q8_0), "qs")).toBe(2);
    // q4_k blocks are 144 = 9 * 16 bytes and qs sits at 16.
    expect(fieldAlignment(layoutOf(GGMLType.Q4_K), "qs")).toBe(16);
    expect(fieldAlignment(layoutOf(GGMLType.Q4_K), "scales")).toBe(4);
    // q8_k blocks are 292 = 4 * 73 bytes: bsums at 260 is 4-byte aligned.
    expect(fieldAlignment(layoutOf(GGMLType.Q8_K), "bsums")).toBe(4);
    expect(fieldAlignment(layoutOf(GGMLType.MXFP4), "qs")).toBe(1);
  });
});

describe("all-zero rows", () => {
  // ggml guards every scale computation against a zero block (d = 0, id = 0), so zeros must survive
  // quantize -> dequantize as zeros, never NaN.
  it("quantize and dequantize to zeros for every type with a reference quantizer", () => {
    for (const t of ALL_TYPES) {
      if (!canQuantize(t.id)) continue;
      const n = 512;
      const back = dequantizeRow(t.id, quantizeRow(t.id, new Float32Array(n)), n);
      const bad = Array.from(back).findIndex((v) => v !== 0);
      expect(bad, `${t.name}: value ${bad} is ${back[bad]}`).toBe(-1);
    }
  });

  it("encode q4_0 zeros as ggml does: d = 0 / -8 = -0 (f16 0x8000) and every nibble 8", () => {
    const q = quantizeRow(GGMLType.Q4_0, new Float32Array(32));
    expect(Array.from(q)).toEqual([0x00, 0x80, ...new Array(16).fill(0x88)]);
  });
});

describe("errors", () => {
  function kilnError(f: () => unknown): string {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(KilnError);
      return (e as Error).message;
    }
    throw new Error("expected a KilnError");
  }

  it("name the type and block size for a partial block", () => {
    expect(kilnError(() => quantizeRow(GGMLType.Q4_0, new Float32Array(33)))).toMatch(/q4_0: a row of 33 values is not a whole number of 32-value blocks/);
    expect(kilnError(() => dequantizeRow(GGMLType.Q4_K, new Uint8Array(144), 100))).toMatch(/q4_k: a row of 100 values/);
  });

  it("say why a type cannot be quantized", () => {
    expect(canQuantize(GGMLType.IQ1_S)).toBe(false);
    expect(kilnError(() => quantizeRow(GGMLType.IQ1_S, new Float32Array(256)))).toMatch(/cannot quantize to iq1_s without importance weights: ggml quantizes it only with an importance matrix/);
    expect(kilnError(() => quantizeRow(GGMLType.IQ2_XS, new Float32Array(256), new Float32Array(255)))).toMatch(/iq2_xs: 255 importance weights for 256 values/);
    expect(kilnError(() => quantizeRow(GGMLType.Q4_K, new Float32Array(256), new Float32Array(256)))).toMatch(/q4_k: .*takes no importance weights/);
    expect(kilnError(() => quantizeRow(GGMLType.I32, new Float32Array(4)))).toMatch(/cannot quantize to i32: it is an integer type/);
  });

  it("refuse NaN and infinity for block types, naming the position, but carry them through f16", () => {
    const x = new Float32Array(32);
    x[5] = NaN;
    expect(kilnError(() => quantizeRow(GGMLType.Q8_0, x))).toMatch(/q8_0: value 5 of the row is NaN; quantization needs finite values/);
    x[5] = 0;
    x[31] = -Infinity;
    expect(kilnError(() => quantizeRow(GGMLType.IQ4_NL, x))).toMatch(/iq4_nl: value 31 of the row is -Infinity/);
    expect(Array.from(quantizeRow(GGMLType.F16, x).subarray(62))).toEqual([0x00, 0xfc]);
  });

  it("reject short input and unknown type ids", () => {
    expect(kilnError(() => dequantizeRow(GGMLType.Q8_0, new Uint8Array(33), 32))).toMatch(/q8_0: 32 values need 34 bytes but the input has 33/);
    expect(kilnError(() => dequantizeRow(99 as GGMLTypeId, new Uint8Array(4), 1))).toMatch(/99 is not a ggml type id/);
  });
});
