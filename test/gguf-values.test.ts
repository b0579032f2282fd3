// Every GGUF metadata value type, nested arrays, versions 2 and 3 and a non-default alignment, through
// the writer and back through the reader. The expected encodings are spelled out from ggml's
// docs/gguf.md (little-endian, u64 lengths, u32 type tags), not taken from the writer.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { GGUFValueType as V } from "../engine/gguf/types.js";
import { encodeGGUF, kv, writeGGUF, type GGUFWriterSpec } from "../engine/gguf/writer.js";
import { KilnError } from "../engine/errors.js";
import { GGMLType } from "../engine/quant/types.js";

const nested = kv.array("test.nested", V.ARRAY, [
  kv.arrayValue(V.STRING, ["a", "bé"]),
  kv.arrayValue(V.ARRAY, [kv.arrayValue(V.INT16, [-2, 3])]),
  kv.arrayValue(V.BOOL, []),
]);

const spec = (version: 2 | 3): GGUFWriterSpec => ({
  version,
  kvs: [
    kv.u32("general.alignment", 64),
    kv.u8("t.u8", 255), kv.i8("t.i8", -128), kv.u16("t.u16", 65535), kv.i16("t.i16", -32768),
    kv.u32("t.u32", 4294967295), kv.i32("t.i32", -2147483648), kv.f32("t.f32", 0.1), kv.bool("t.bool", true),
    kv.str("t.str", "héllo ▁world"), kv.u64("t.u64", 0xffffffffffffffffn), kv.i64("t.i64", -0x8000000000000000n),
    kv.f64("t.f64", Math.PI), nested,
  ],
  tensors: [
    { name: "a", type: GGMLType.F16, ne: [3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
    { name: "b", type: GGMLType.Q8_0, ne: [32, 2], data: new Uint8Array(68).fill(9) },
  ],
});

describe("GGUF metadata values", () => {
  it.each([2, 3] as const)("reads back every value type from a version %i file", (version) => {
    const bytes = encodeGGUF(spec(version));
    const f = GGUFFile.fromBytes(bytes);
    expect(f.version).toBe(version);
    expect(f.alignment).toBe(64);
    expect(f.get("t.u8")).toBe(255);
    expect(f.get("t.i8")).toBe(-128);
    expect(f.get("t.u16")).toBe(65535);
    expect(f.get("t.i16")).toBe(-32768);
    expect(f.get("t.u32")).toBe(4294967295);
    expect(f.get("t.i32")).toBe(-2147483648);
    expect(f.get("t.f32")).toBe(Math.fround(0.1));
    expect(f.get("t.bool")).toBe(true);
    expect(f.get("t.str")).toBe("héllo ▁world");
    expect(f.get("t.u64")).toBe(0xffffffffffffffffn);
    expect(f.get("t.i64")).toBe(-0x8000000000000000n);
    expect(f.get("t.f64")).toBe(Math.PI);
    expect(f.get("test.nested")).toEqual(nested.value);
    expect(f.kvs.map((k) => k.type)).toEqual([V.UINT32, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 9]);
    // Tensor data starts at a multiple of 64 and each tensor too.
    expect(f.dataOffset % 64).toBe(0);
    expect(f.tensor("b").relOffset).toBe(64);
    expect([...f.readTensor("a")]).toEqual([1, 2, 3, 4, 5, 6]);
    // b ends at 64 + 68 = 132; the file is padded to the next multiple of 64.
    expect(bytes.length).toBe(f.dataOffset + 192);
    // Writing what was read gives the same bytes.
    const again = encodeGGUF({ version, kvs: f.kvs, tensors: f.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne, data: f.readTensor(t) })) });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it("encodes a key/value exactly as docs/gguf.md lays it out", () => {
    const bytes = Buffer.from(encodeGGUF({ kvs: [kv.u16("k", 0x1234), kv.array("s", V.STRING, ["xy"])], tensors: [] }));
    const expected = Buffer.concat([
      Buffer.from("GGUF", "latin1"), u32(3), u64(0), u64(2),
      u64(1), Buffer.from("k"), u32(2), Buffer.from([0x34, 0x12]),
      u64(1), Buffer.from("s"), u32(9), u32(8), u64(1), u64(2), Buffer.from("xy"),
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it("refuses values that do not fit their declared type", () => {
    expect(() => encodeGGUF({ kvs: [kv.u8("x", 256)], tensors: [] })).toThrow(KilnError);
    expect(() => encodeGGUF({ kvs: [kv.u8("x", 256)], tensors: [] })).toThrow(/metadata "x": value 256 does not fit/);
    expect(() => encodeGGUF({ kvs: [kv.u32("x", 1), kv.u32("x", 2)], tensors: [] })).toThrow(/metadata "x": key given twice/);
    expect(() => encodeGGUF({ kvs: [], tensors: [{ name: "q", type: GGMLType.Q4_0, ne: [31] }] })).toThrow(
      /tensor "q": row length 31 is not a multiple of q4_0's block size 32/,
    );
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

describe("GGUF writer streaming", () => {
  it("removes the file when a data source gives the wrong number of bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-gguf-w-"));
    const path = join(dir, "short.gguf");
    try {
      await expect(
        writeGGUF(path, {
          kvs: [],
          tensors: [{ name: "w", type: GGMLType.F32, ne: [4, 2], data: function* () { yield new Uint8Array(16); } }],
        }),
      ).rejects.toThrow(/tensor "w": data source gave 16 bytes, its shape needs 32/);
      expect(existsSync(path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
