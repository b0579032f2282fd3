// GGUF writer (versions 2 and 3): metadata with explicit value types, a tensor table, and tensor data
// laid out the way llama.cpp's gguf.cpp and gguf-py's GGUFWriter lay it out (each tensor at the next
// multiple of the alignment, zero padding after each tensor), so reading a file and writing it back
// gives the same bytes. Tensor data may come from a callback that yields chunks, so a multi-GB model
// never sits in memory; a tensor without data is left as a hole (zeros) in a sparse file.
// Format: ggml docs/gguf.md. Reader: reader.ts.

import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from "node:fs";
import { KilnError } from "../errors.js";
import { typeInfoById, type GGMLType } from "../quant/types.js";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUFValueType, isGGUFArray, type GGUFKV, type GGUFValue } from "./types.js";
import type { GGUFFile } from "./reader.js";

/** A tensor's bytes: in memory, or produced chunk by chunk when the writer reaches it. */
export type GGUFTensorData =
  | Uint8Array
  | (() => Iterable<Uint8Array> | AsyncIterable<Uint8Array>);

export interface GGUFWriterTensor {
  readonly name: string;
  readonly type: GGMLType;
  /** ggml `ne` order: ne[0] is the row length. */
  readonly ne: readonly number[];
  /** Omitted: the tensor is all zeros and is not written (a hole in a sparse file). */
  readonly data?: GGUFTensorData;
}

export interface GGUFWriterSpec {
  /** 3 unless given; 2 has the same encoding. */
  readonly version?: 2 | 3;
  readonly kvs: readonly GGUFKV[];
  readonly tensors: readonly GGUFWriterTensor[];
}

export interface GGUFLayoutTensor {
  readonly name: string;
  readonly type: GGMLType;
  readonly ne: readonly number[];
  /** Offset from the start of the data section, as stored in the tensor table. */
  readonly relOffset: number;
  /** Absolute file offset of the first byte. */
  readonly offset: number;
  readonly nbytes: number;
}

/** The encoded header and where every tensor goes. */
export interface GGUFLayout {
  /** Magic through the tensor table, plus the padding up to the data section. */
  readonly header: Uint8Array;
  readonly alignment: number;
  readonly dataOffset: number;
  readonly tensors: readonly GGUFLayoutTensor[];
  readonly fileSize: number;
}

/** Metadata entries with explicit GGUF value types: `kv.u32("llama.block_count", 5)`. */
export const kv = {
  u8: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.UINT8, value }),
  i8: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.INT8, value }),
  u16: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.UINT16, value }),
  i16: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.INT16, value }),
  u32: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.UINT32, value }),
  i32: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.INT32, value }),
  u64: (key: string, value: bigint | number): GGUFKV => ({ key, type: GGUFValueType.UINT64, value: BigInt(value) }),
  i64: (key: string, value: bigint | number): GGUFKV => ({ key, type: GGUFValueType.INT64, value: BigInt(value) }),
  f32: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.FLOAT32, value }),
  f64: (key: string, value: number): GGUFKV => ({ key, type: GGUFValueType.FLOAT64, value }),
  bool: (key: string, value: boolean): GGUFKV => ({ key, type: GGUFValueType.BOOL, value }),
  str: (key: string, value: string): GGUFKV => ({ key, type: GGUFValueType.STRING, value }),
  /** An array of `itemType`; nested arrays are items of type ARRAY built with kv.arrayValue. */
  array: (key: string, itemType: GGUFValueType, items: GGUFValue[]): GGUFKV => ({
    key, type: GGUFValueType.ARRAY, value: { itemType, items },
  }),
  arrayValue: (itemType: GGUFValueType, items: GGUFValue[]): GGUFValue => ({ itemType, items }),
};

/** Growable little-endian byte buffer for the header. */
class Encoder {
  private buf = Buffer.alloc(1 << 16);
  len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void { this.reserve(1); this.buf.writeUInt8(v, this.len); this.len += 1; }
  i8(v: number): void { this.reserve(1); this.buf.writeInt8(v, this.len); this.len += 1; }
  u16(v: number): void { this.reserve(2); this.buf.writeUInt16LE(v, this.len); this.len += 2; }
  i16(v: number): void { this.reserve(2); this.buf.writeInt16LE(v, this.len); this.len += 2; }
  u32(v: number): void { this.reserve(4); this.buf.writeUInt32LE(v, this.len); this.len += 4; }
  i32(v: number): void { this.reserve(4); this.buf.writeInt32LE(v, this.len); this.len += 4; }
  f32(v: number): void { this.reserve(4); this.buf.writeFloatLE(v, this.len); this.len += 4; }
  f64(v: number): void { this.reserve(8); this.buf.writeDoubleLE(v, this.len); this.len += 8; }
  u64(v: bigint): void { this.reserve(8); this.buf.writeBigUInt64LE(v, this.len); this.len += 8; }
  i64(v: bigint): void { this.reserve(8); this.buf.writeBigInt64LE(v, this.len); this.len += 8; }
  bytes(b: Uint8Array): void { this.reserve(b.length); this.buf.set(b, this.len); this.len += b.length; }
  string(s: string): void {
    // Length prefix then UTF-8 bytes, encoded in place (no temporary buffer, no BigInt per string).
    const n = Buffer.byteLength(s, "utf8");
    this.reserve(8 + n);
    this.buf.writeUInt32LE(n >>> 0, this.len);
    this.buf.writeUInt32LE(Math.floor(n / 4294967296), this.len + 4);
    this.buf.write(s, this.len + 8, n, "utf8");
    this.len += 8 + n;
  }
  zeros(n: number): void { this.reserve(n); this.buf.fill(0, this.len, this.len + n); this.len += n; }
  result(): Uint8Array { return new Uint8Array(this.buf.subarray(0, this.len)); }
}

function fail(where: string, what: string): never {
  throw new KilnError(`GGUF writer: ${where}: ${what}`, "GGUF_WRITE");
}

function checkNumber(v: GGUFValue, type: number, lo: number, hi: number, int: boolean, where: string): number {
  if (typeof v !== "number" || (int && (!Number.isInteger(v) || v < lo || v > hi))) {
    fail(where, `value ${String(v)} does not fit the declared type ${type} (range ${lo}..${hi})`);
  }
  return v;
}

function checkBigInt(v: GGUFValue, lo: bigint, hi: bigint, where: string): bigint {
  const b = typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : undefined;
  if (b === undefined || b < lo || b > hi) fail(where, `value ${String(v)} is not a 64-bit integer in range`);
  return b;
}

/** `where` names the key for errors; `index` is the item's position inside an array (-1 outside one). */
function encodeValue(e: Encoder, type: number, v: GGUFValue, where: string, index = -1): void {
  const at = (): string => (index < 0 ? where : `${where}[${index}]`);
  switch (type) {
    case GGUFValueType.UINT8: return e.u8(checkNumber(v, type, 0, 0xff, true, at()));
    case GGUFValueType.INT8: return e.i8(checkNumber(v, type, -0x80, 0x7f, true, at()));
    case GGUFValueType.UINT16: return e.u16(checkNumber(v, type, 0, 0xffff, true, at()));
    case GGUFValueType.INT16: return e.i16(checkNumber(v, type, -0x8000, 0x7fff, true, at()));
    case GGUFValueType.UINT32: return e.u32(checkNumber(v, type, 0, 0xffffffff, true, at()));
    case GGUFValueType.INT32: return e.i32(checkNumber(v, type, -0x80000000, 0x7fffffff, true, at()));
    case GGUFValueType.FLOAT32: return e.f32(typeof v === "number" ? v : checkNumber(v, type, -Infinity, Infinity, false, at()));
    case GGUFValueType.FLOAT64: return e.f64(typeof v === "number" ? v : checkNumber(v, type, -Infinity, Infinity, false, at()));
    case GGUFValueType.UINT64: return e.u64(checkBigInt(v, 0n, 0xffffffffffffffffn, where));
    case GGUFValueType.INT64: return e.i64(checkBigInt(v, -0x8000000000000000n, 0x7fffffffffffffffn, where));
    case GGUFValueType.BOOL:
      if (typeof v !== "boolean") fail(at(), `value ${String(v)} is not a bool`);
      return e.u8(v ? 1 : 0);
    case GGUFValueType.STRING:
      if (typeof v !== "string") fail(at(), `value ${String(v)} is not a string`);
      return e.string(v);
    case GGUFValueType.ARRAY: {
      if (!isGGUFArray(v)) fail(at(), "value is not an array ({ itemType, items })");
      e.u32(v.itemType);
      e.u64(BigInt(v.items.length));
      const items = v.items;
      const inner = index < 0 ? where : `${where}[${index}]`;
      for (let i = 0; i < items.length; i++) encodeValue(e, v.itemType, items[i]!, inner, i);
      return;
    }
    default:
      fail(at(), `value type ${type} is not a GGUF value type`);
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Encodes the header and computes every tensor's offset; writes nothing. */
export function layoutGGUF(spec: GGUFWriterSpec): GGUFLayout {
  const alignKV = spec.kvs.find((k) => k.key === "general.alignment");
  const alignment = alignKV ? Number(alignKV.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    fail("general.alignment", `${String(alignKV?.value)} is not a power of two`);
  }
  const e = new Encoder();
  e.u32(GGUF_MAGIC);
  e.u32(spec.version ?? 3);
  e.u64(BigInt(spec.tensors.length));
  e.u64(BigInt(spec.kvs.length));
  const keys = new Set<string>();
  for (const k of spec.kvs) {
    if (keys.has(k.key)) fail(`metadata "${k.key}"`, "key given twice");
    keys.add(k.key);
    e.string(k.key);
    e.u32(k.type);
    encodeValue(e, k.type, k.value, `metadata "${k.key}"`);
  }
  const names = new Set<string>();
  const tensors: GGUFLayoutTensor[] = [];
  let rel = 0;
  for (const t of spec.tensors) {
    const where = `tensor "${t.name}"`;
    if (names.has(t.name)) fail(where, "name given twice");
    names.add(t.name);
    const info = typeInfoById(t.type);
    if (!info) fail(where, `type ${t.type} is not a ggml type`);
    if (t.ne.length < 1 || t.ne.length > 4 || t.ne.some((n) => !Number.isSafeInteger(n) || n < 1)) {
      fail(where, `shape [${t.ne.join(", ")}] is not 1 to 4 positive dimensions`);
    }
    if (t.ne[0]! % info.blockSize !== 0) {
      fail(where, `row length ${t.ne[0]} is not a multiple of ${info.name}'s block size ${info.blockSize}`);
    }
    const nelements = t.ne.reduce((a, b) => a * b, 1);
    const nbytes = (nelements / info.blockSize) * info.typeSize;
    e.string(t.name);
    e.u32(t.ne.length);
    for (const n of t.ne) e.u64(BigInt(n));
    e.u32(t.type);
    e.u64(BigInt(rel));
    tensors.push({ name: t.name, type: t.type, ne: t.ne, relOffset: rel, offset: 0, nbytes });
    rel = alignUp(rel + nbytes, alignment);
  }
  // A file without tensors ends right after its metadata (gguf-py's vocab-only files do).
  const dataOffset = tensors.length > 0 ? alignUp(e.len, alignment) : e.len;
  e.zeros(dataOffset - e.len);
  return {
    header: e.result(),
    alignment,
    dataOffset,
    tensors: tensors.map((t) => ({ ...t, offset: dataOffset + t.relOffset })),
    fileSize: dataOffset + rel,
  };
}

/** The whole file in memory; every tensor's data must be a Uint8Array (or omitted: zeros). Fixtures. */
export function encodeGGUF(spec: GGUFWriterSpec): Uint8Array {
  const layout = layoutGGUF(spec);
  const out = new Uint8Array(layout.fileSize);
  out.set(layout.header, 0);
  spec.tensors.forEach((t, i) => {
    const lt = layout.tensors[i]!;
    if (t.data === undefined) return;
    if (!(t.data instanceof Uint8Array)) fail(`tensor "${t.name}"`, "encodeGGUF needs data in memory; use writeGGUF to stream");
    if (t.data.length !== lt.nbytes) fail(`tensor "${t.name}"`, `data is ${t.data.length} bytes, the shape needs ${lt.nbytes}`);
    out.set(t.data, lt.offset);
  });
  return out;
}

export interface GGUFWriteProgress {
  /** Called after each chunk with the tensor's index and the data bytes written so far in the file. */
  onData?(tensorIndex: number, bytesWritten: number, totalBytes: number): void;
}

/**
 * Writes a GGUF file, streaming each tensor's data from its source in order. Tensors without data
 * become holes, so `writeGGUF` with large data-less tensors makes a sparse file of the full size.
 * On any error (a source that fails or gives the wrong size) the partial file is removed.
 */
export async function writeGGUF(path: string, spec: GGUFWriterSpec, progress: GGUFWriteProgress = {}): Promise<GGUFLayout> {
  const layout = layoutGGUF(spec);
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new KilnError(`${path}: cannot create (${err.code ?? err.message}); check the folder exists and is writable`, "GGUF_WRITE");
  }
  try {
    writeAll(fd, layout.header, 0);
    const totalBytes = layout.tensors.reduce((a, t) => a + t.nbytes, 0);
    let written = 0;
    for (let i = 0; i < spec.tensors.length; i++) {
      const t = spec.tensors[i]!;
      const lt = layout.tensors[i]!;
      if (t.data === undefined) {
        written += lt.nbytes;
        progress.onData?.(i, written, totalBytes);
        continue;
      }
      let done = 0;
      const chunks = t.data instanceof Uint8Array ? [t.data] : t.data();
      for await (const chunk of chunks) {
        if (done + chunk.length > lt.nbytes) {
          fail(`tensor "${t.name}"`, `data source gave more than the ${lt.nbytes} bytes its shape needs`);
        }
        writeAll(fd, chunk, lt.offset + done);
        done += chunk.length;
        written += chunk.length;
        progress.onData?.(i, written, totalBytes);
      }
      if (done !== lt.nbytes) fail(`tensor "${t.name}"`, `data source gave ${done} bytes, its shape needs ${lt.nbytes}`);
    }
    // Sets the size exactly: covers trailing padding and trailing holes without writing them.
    ftruncateSync(fd, layout.fileSize);
  } catch (e) {
    // A half-written file must not be mistaken for a finished one.
    closeSync(fd);
    rmSync(path, { force: true });
    throw e;
  }
  closeSync(fd);
  return layout;
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    done += writeSync(fd, data, done, Math.min(data.length - done, 1 << 30), position + done);
  }
}

/** A spec that rewrites an opened file as it is (metadata and tensors in file order, data streamed). */
export function specFromFile(f: GGUFFile): GGUFWriterSpec {
  return {
    version: f.version === 2 ? 2 : 3,
    kvs: f.kvs,
    tensors: f.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne, data: () => f.readTensorChunks(t) })),
  };
}
