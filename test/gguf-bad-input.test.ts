// Malformed GGUF files give one GGUFError that names the key or tensor and what is wrong: never a
// stack trace, a hang, or an allocation larger than the file. Fixtures are written with the writer
// and then damaged at a known field; the truncations cut a golden model made by llama.cpp.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { GGUFError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { GGUFValueType } from "../engine/gguf/types.js";
import { encodeGGUF, kv, layoutGGUF, type GGUFWriterSpec } from "../engine/gguf/writer.js";
import { GGMLType } from "../engine/quant/types.js";
import { runCli } from "../cli/main.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-gguf-bad-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: GGUFWriterSpec = {
  kvs: [
    kv.str("general.architecture", "llama"),
    kv.u32("llama.block_count", 1),
    kv.array("test.numbers", GGUFValueType.UINT32, [1, 2, 3]),
    kv.str("test.text", "hello"),
  ],
  tensors: [
    { name: "alpha.weight", type: GGMLType.F32, ne: [8, 2], data: new Uint8Array(64).fill(1) },
    { name: "bravo.weight", type: GGMLType.F32, ne: [8], data: new Uint8Array(32).fill(2) },
  ],
};

function fixture(): Buffer {
  return Buffer.from(encodeGGUF(spec));
}

/** Offset of the first byte after the length-prefixed string `s` in the file. */
function after(buf: Buffer, s: string): number {
  const i = buf.indexOf(Buffer.from(s, "utf8"));
  if (i < 0) throw new Error(`fixture has no "${s}"`);
  return i + Buffer.byteLength(s);
}

function parseError(buf: Uint8Array): GGUFError {
  try {
    GGUFFile.fromBytes(buf, "bad.gguf").close();
  } catch (e) {
    expect(e).toBeInstanceOf(GGUFError);
    return e as GGUFError;
  }
  throw new Error("the damaged file parsed without error");
}

describe("GGUF reader on bad input", () => {
  it("reads the undamaged fixture", () => {
    const f = GGUFFile.fromBytes(fixture());
    expect(f.tensors.map((t) => t.name)).toEqual(["alpha.weight", "bravo.weight"]);
    expect(f.getArray("test.numbers")).toEqual([1, 2, 3]);
    expect([...f.readTensor("bravo.weight")]).toEqual(new Array(32).fill(2));
  });

  it("rejects a wrong magic", () => {
    const b = fixture();
    b.write("GGML", 0, "latin1");
    expect(parseError(b).message).toMatch(/not a GGUF file \(magic "GGML", expected "GGUF"\)/);
  });

  it("rejects an unsupported version", () => {
    const b = fixture();
    b.writeUInt32LE(7, 4);
    expect(parseError(b).message).toMatch(/GGUF version 7 is not supported/);
  });

  it("names a big-endian file as such", () => {
    const b = fixture();
    b.writeUInt32BE(3, 4);
    expect(parseError(b).message).toMatch(/a big-endian GGUF file; kiln reads little-endian GGUF only/);
  });

  it("rejects an unknown tensor type id, naming the tensor", () => {
    const b = fixture();
    // name, n_dims (4), ne[0], ne[1] (8 each), then the type.
    b.writeUInt32LE(99, after(b, "alpha.weight") + 4 + 16);
    expect(parseError(b).message).toMatch(/tensor "alpha.weight": type 99 is not a ggml type/);
  });

  it("rejects a tensor that lies beyond the end of the file", () => {
    const b = fixture();
    b.writeBigUInt64LE(1n << 20n, after(b, "bravo.weight") + 4 + 8 + 4);
    expect(parseError(b).message).toMatch(/tensor "bravo.weight" \(f32, \[8\]\) spans bytes .* but the file ends at/);
  });

  it("rejects overlapping tensors, naming both", () => {
    const b = fixture();
    b.writeBigUInt64LE(32n, after(b, "bravo.weight") + 4 + 8 + 4); // inside alpha's 64 bytes
    expect(parseError(b).message).toMatch(/tensors "alpha.weight" and "bravo.weight" overlap/);
  });

  it("rejects an array length of 2^60 before allocating anything", () => {
    const b = fixture();
    b.writeBigUInt64LE(1n << 60n, after(b, "test.numbers") + 4 + 4);
    const spy = vi.spyOn(Buffer, "alloc");
    const msg = parseError(b).message;
    const largest = Math.max(0, ...spy.mock.calls.map((c) => Number(c[0])));
    spy.mockRestore();
    expect(msg).toMatch(/length of array "test.numbers" is 1152921504606846976, more than the \d+ that fit/);
    expect(largest).toBeLessThanOrEqual(Math.max(b.length, 1 << 16));
  });

  it("rejects a string longer than the file, naming the key", () => {
    const b = fixture();
    b.writeBigUInt64LE(BigInt(b.length + 1), after(b, "test.text") + 4);
    expect(parseError(b).message).toMatch(/length of value of "test.text" is \d+, more than the \d+ that fit/);
  });

  it("rejects a tensor name longer than the file", () => {
    const b = fixture();
    b.writeBigUInt64LE(0xffffffffffffffffn, after(b, "bravo.weight") - "bravo.weight".length - 8);
    expect(parseError(b).message).toMatch(/length of name of tensor #1 is 18446744073709551615/);
  });

  it("rejects duplicate metadata keys", () => {
    // The writer refuses duplicates, so write two keys of the same length and rename one.
    const dup = Buffer.from(
      encodeGGUF({ kvs: [kv.u32("dup.key.a", 1), kv.u32("dup.key.b", 2)], tensors: [] }),
    );
    dup.write("dup.key.a", dup.indexOf(Buffer.from("dup.key.b")), "utf8");
    expect(parseError(dup).message).toMatch(/metadata key "dup.key.a" appears twice/);
  });

  it("rejects duplicate tensor names", () => {
    const b = fixture();
    b.write("alpha", b.indexOf(Buffer.from("bravo.weight")), "utf8");
    expect(parseError(b).message).toMatch(/tensor "alpha.weight" appears twice/);
  });

  it("rejects an unknown metadata value type, naming the key", () => {
    const b = fixture();
    b.writeUInt32LE(77, after(b, "test.text"));
    expect(parseError(b).message).toMatch(/metadata "test.text": value type 77 is not a GGUF value type/);
  });

  it("rejects a general.alignment that is not a power of two", () => {
    const b = Buffer.from(encodeGGUF({ ...spec, kvs: [kv.u32("general.alignment", 32), ...spec.kvs] }));
    b.writeUInt32LE(24, after(b, "general.alignment") + 4);
    expect(parseError(b).message).toMatch(/general.alignment is 24; it must be a power of two/);
  });

  it("rejects a general.alignment stored as another type than uint32", () => {
    const b = Buffer.from(encodeGGUF({ ...spec, kvs: [kv.u64("general.alignment", 32n), ...spec.kvs] }));
    expect(parseError(b).message).toMatch(/general.alignment is stored as uint64; GGUF requires a uint32/);
  });

  it("rejects every truncation of a golden model with an error naming what was cut", () => {
    const whole = readFileSync(golden("models", "stories260k-q4_0.gguf"));
    const f = GGUFFile.fromBytes(whole);
    const tableStart = layoutGGUF({ kvs: f.kvs, tensors: [] }).header.length;
    const cuts: [number, RegExp][] = [
      [0, /too short to be GGUF/],
      [6, /version needs 4 bytes at offset 4 but the file ends at 6/],
      [30, /tensor count is 48, more than the 0 that fit in the rest of the file \(corrupt or truncated file\)/],
      [tableStart - 3, /value of "general.file_type" needs 4 bytes at offset \d+ but the file ends/],
      [tableStart + 10, /tensor #0|tensor "token_embd.weight"/],
      [f.dataOffset + 100, /tensor "token_embd.weight" \(q4_0, \[64, 512\]\) spans bytes/],
      [whole.length - 1, /tensor "blk.4.ffn_norm.weight" \(f32, \[64\]\) spans bytes .* file ends at 260639/],
    ];
    f.close();
    for (const [cut, re] of cuts) expect(parseError(whole.subarray(0, cut)).message).toMatch(re);
    // A vocabulary file has no tensors, so a cut in its token list is reported at the array item.
    const vocab = readFileSync(golden("tokenizer", "ggml-vocab-llama-spm.gguf"));
    expect(parseError(vocab.subarray(0, 5000)).message).toMatch(
      /value of "tokenizer.ggml.tokens" needs \d+ bytes at offset \d+ but the file ends at 5000|length of array "tokenizer.ggml.tokens"/,
    );
  });

  it("kiln inspect prints one line for a corrupt file, with no stack trace", async () => {
    const b = fixture();
    b.writeUInt32LE(99, after(b, "alpha.weight") + 4 + 16);
    const path = join(dir, "bad.gguf");
    writeFileSync(path, b);
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    });
    const before = process.exitCode;
    try {
      await runCli(["node", "kiln", "inspect", path, "--json"]);
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
    const text = err.join("");
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(text).toMatch(/^kiln: .*bad.gguf: tensor "alpha.weight": type 99 is not a ggml type/);
    expect(text).not.toMatch(/\n\s+at /);
  });
});
