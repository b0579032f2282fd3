// Reference quantization against ggml's own output: for every type in the golden index, dequantizing
// TYPE-seed1.bin must give TYPE-seed1.f32 bit for bit, and for every type ggml quantizes with a
// reference (_ref) quantizer, or without an importance matrix (iq1_m), quantizing input-seed1.f32 must
// give TYPE-seed1.bin byte for byte.
// Goldens: ../shared/golden/quants (README "quants/"), produced by ggml's quantizers.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canDequantize, canQuantize, dequantizeRow, needsImportance, quantizeRow } from "../engine/quant/index.js";
import { typeInfoByName, type GGMLType } from "../engine/quant/types.js";
import { golden } from "./golden.js";

interface GoldenType {
  ggml_type_id: number;
  type_name: string;
  block_size: number;
  bytes_per_block: number;
  n_values: number;
  quantizer: string;
  quantized_file: string;
  dequantized_file: string | null;
}
interface GoldenIndex {
  input: { file: string; n_values: number };
  types: GoldenType[];
}

const index = JSON.parse(readFileSync(golden("quants", "index-seed1.json"), "utf8")) as GoldenIndex;
const input = new Float32Array(new Uint8Array(readFileSync(golden("quants", index.input.file))).buffer);

function bytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(golden("quants", file)));
}

/** The first few positions where two arrays differ, for a readable failure. */
function firstDiffs(a: ArrayLike<number>, b: ArrayLike<number>, fmt: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 5; i++) if (a[i] !== b[i]) out.push(fmt(i));
  return out;
}

// Every type ggml quantizes without an importance matrix: the _ref quantizers, and iq1_m, whose golden
// bytes come from ggml_quantize_chunk with no importance matrix (it has no _ref function).
const refQuantized = index.types.filter(
  (t) => t.quantizer === "from_float_ref" || t.quantizer.endsWith("_ref") || t.quantizer === "ggml_quantize_chunk(imatrix=NULL)",
);

describe("golden quant files", () => {
  it("cover the types the index lists, with our block sizes", () => {
    expect(input.length).toBe(index.input.n_values);
    for (const t of index.types) {
      const info = typeInfoByName(t.type_name);
      expect(info, t.type_name).toBeDefined();
      expect([info!.id, info!.blockSize, info!.typeSize]).toEqual([t.ggml_type_id, t.block_size, t.bytes_per_block]);
    }
  });
});

describe("dequantizeRow", () => {
  for (const t of index.types.filter((x) => x.dequantized_file)) {
    it(`dequantizes ${t.type_name.toLowerCase()} exactly as ggml`, () => {
      expect(canDequantize(t.ggml_type_id as GGMLType)).toBe(true);
      const want = new Uint32Array(new Uint8Array(readFileSync(golden("quants", t.dequantized_file!))).buffer);
      const got = new Uint32Array(dequantizeRow(t.ggml_type_id as GGMLType, bytes(t.quantized_file), t.n_values).buffer);
      const diffs = firstDiffs(got, want, (i) => `[${i}] got 0x${got[i]?.toString(16)} want 0x${want[i]?.toString(16)}`);
      expect(diffs, `${t.type_name}: first differing values`).toEqual([]);
      expect(got.length).toBe(want.length);
    });
  }
});

describe("quantizeRow", () => {
  for (const t of refQuantized) {
    it(`quantizes ${t.type_name.toLowerCase()} exactly as ggml's ${t.quantizer}`, () => {
      expect(canQuantize(t.ggml_type_id as GGMLType)).toBe(true);
      const want = bytes(t.quantized_file);
      const got = quantizeRow(t.ggml_type_id as GGMLType, input);
      const per = t.bytes_per_block;
      const diffs = firstDiffs(got, want, (i) => `block ${Math.floor(i / per)} byte ${i % per}: got ${got[i]} want ${want[i]}`);
      expect(diffs, `${t.type_name}: first differing bytes`).toEqual([]);
      expect(got.length).toBe(want.length);
    });
  }
});

describe("quantizeRow with importance weights", () => {
  // iq2_xxs, iq2_xs and iq1_s: the goldens come from ggml_quantize_chunk with an importance matrix of all 1.0.
  for (const t of index.types.filter((x) => x.quantizer === "ggml_quantize_chunk(imatrix=all-ones)")) {
    it(`quantizes ${t.type_name.toLowerCase()} with an all-ones importance matrix exactly as ggml`, () => {
      expect(needsImportance(t.ggml_type_id as GGMLType)).toBe(true);
      const want = bytes(t.quantized_file);
      const got = quantizeRow(t.ggml_type_id as GGMLType, input, new Float32Array(input.length).fill(1));
      const per = t.bytes_per_block;
      const diffs = firstDiffs(got, want, (i) => `block ${Math.floor(i / per)} byte ${i % per}: got ${got[i]} want ${want[i]}`);
      expect(diffs, `${t.type_name}: first differing bytes`).toEqual([]);
      expect(got.length).toBe(want.length);
    });
  }
});
