// GGUF reader (versions 2 and 3). Parses the header, metadata and tensor table; tensor data stays on
// disk and is read by offset on request, so a model is never loaded whole into memory. Every length
// read from the file is checked against the bytes that remain before anything is allocated, so a
// corrupt file gives one GGUFError naming the key or tensor, never a hang or a huge allocation.
// Format: ggml docs/gguf.md and ggml/src/gguf.cpp. Writer: writer.ts (round-trips what this reads
// byte for byte). Split models (model-00001-of-00003.gguf): split.ts.

import { GGUFError } from "../errors.js";
import { typeInfoById } from "../quant/types.js";
import {
  GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPE_NAMES, GGUFValueType, isGGUFArray,
  type GGUFKV, type GGUFTensorInfo, type GGUFValue,
} from "./types.js";
import { BufferSource, FileSource, readFully, type ByteSource } from "./source.js";

const MAX_DIMS = 4;
/** Minimum encoded size of one item of each value type, used to bound array lengths by the file size. */
const MIN_ITEM_BYTES: Record<number, number> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 9: 12, 10: 8, 11: 8, 12: 8,
};

/** Buffered sequential reads from a file descriptor, with bounds checks against the file's size. */
class Cursor {
  private buf = Buffer.alloc(1 << 16);
  private bufStart = 0; // file offset of buf[0]
  private bufLen = 0;
  pos = 0;

  readonly size: number;
  constructor(private readonly src: ByteSource, readonly label: string) {
    this.size = src.size;
  }

  remaining(): number {
    return this.size - this.pos;
  }

  /**
   * Makes the next n bytes available in `buf` and advances; returns their offset in `buf` (valid until
   * the next call). `what` names the field for the error when the file ends first.
   */
  private ensure(n: number, what: string): number {
    if (n > this.remaining()) {
      throw new GGUFError(
        `${this.label}: ${what} needs ${n} bytes at offset ${this.pos} but the file ends at ${this.size} (file truncated?)`,
      );
    }
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.bufLen) {
      // n <= remaining() here, so a grown buffer is never larger than the file.
      if (n > this.buf.length) this.buf = Buffer.alloc(n);
      this.bufStart = this.pos;
      this.bufLen = Math.min(this.buf.length, this.size - this.pos);
      readFully(this.src, this.buf.subarray(0, this.bufLen), this.pos, this.label);
    }
    const off = this.pos - this.bufStart;
    this.pos += n;
    return off;
  }

  /** A view of the next n bytes (valid until the next call); advances. */
  take(n: number, what: string): Buffer {
    const off = this.ensure(n, what);
    return this.buf.subarray(off, off + n);
  }

  u8(what: string): number { return this.buf.readUInt8(this.ensure(1, what)); }
  i8(what: string): number { return this.buf.readInt8(this.ensure(1, what)); }
  u16(what: string): number { return this.buf.readUInt16LE(this.ensure(2, what)); }
  i16(what: string): number { return this.buf.readInt16LE(this.ensure(2, what)); }
  u32(what: string): number { return this.buf.readUInt32LE(this.ensure(4, what)); }
  i32(what: string): number { return this.buf.readInt32LE(this.ensure(4, what)); }
  f32(what: string): number { return this.buf.readFloatLE(this.ensure(4, what)); }
  f64(what: string): number { return this.buf.readDoubleLE(this.ensure(8, what)); }
  u64(what: string): bigint { return this.buf.readBigUInt64LE(this.ensure(8, what)); }
  i64(what: string): bigint { return this.buf.readBigInt64LE(this.ensure(8, what)); }

  /** A u64 length or count that must be at most `limit`; `what` is a thunk so the hot path builds no string. */
  lengthOf(what: () => string, limit: number): number {
    const off = this.ensure(8, "length");
    const lo = this.buf.readUInt32LE(off);
    const hi = this.buf.readUInt32LE(off + 4);
    // hi * 2^32 + lo is exact while hi < 2^21; anything larger is far beyond any limit anyway.
    if (hi >= 1 << 21 || hi * 4294967296 + lo > limit) {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      throw new GGUFError(
        `${this.label}: ${what()} is ${v}, more than the ${Math.max(0, limit)} that fit in the rest of the file (corrupt or truncated file)`,
      );
    }
    return hi * 4294967296 + lo;
  }

  length(what: string, limit: number): number {
    return this.lengthOf(() => what, limit);
  }

  string(what: string): string {
    const n = this.lengthOf(() => `length of ${what}`, this.remaining() - 8);
    const off = this.ensure(n, what);
    return this.buf.toString("utf8", off, off + n);
  }
}

export interface GGUFReadOptions {
  /** Label used in error messages (defaults to the path). */
  readonly label?: string;
}

/** One parsed GGUF file (or, from openModel, all parts of a split model). Tensor data is read lazily. */
export class GGUFFile {
  readonly kvs: GGUFKV[];
  readonly metadata: ReadonlyMap<string, GGUFKV>;
  readonly tensors: GGUFTensorInfo[];
  readonly tensorsByName: ReadonlyMap<string, GGUFTensorInfo>;
  /** The files a split model spans, in split.no order (one entry for a single file). */
  readonly partPaths: readonly string[];
  private sources: ByteSource[];

  private constructor(
    readonly path: string,
    readonly version: number,
    readonly alignment: number,
    readonly dataOffset: number,
    readonly fileSize: number,
    kvs: GGUFKV[],
    tensors: GGUFTensorInfo[],
    sources: ByteSource[],
    partPaths: readonly string[],
  ) {
    this.kvs = kvs;
    this.metadata = new Map(kvs.map((kv) => [kv.key, kv]));
    this.tensors = tensors;
    this.tensorsByName = new Map(tensors.map((t) => [t.name, t]));
    this.sources = sources;
    this.partPaths = partPaths;
  }

  /** Opens and parses a GGUF file. Throws GGUFError with a clear message for anything malformed. */
  static open(path: string, opts: GGUFReadOptions = {}): GGUFFile {
    const src = new FileSource(path);
    try {
      return GGUFFile.parse(src, path, opts.label ?? path);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  /** Parses GGUF bytes held in memory (fixtures, fuzzing). */
  static fromBytes(bytes: Uint8Array, label = "<memory>"): GGUFFile {
    return GGUFFile.parse(new BufferSource(bytes), label, label);
  }

  /** Parses GGUF from any byte source; the file takes ownership of the source. */
  static fromSource(src: ByteSource, label: string): GGUFFile {
    return GGUFFile.parse(src, label, label);
  }

  private static parse(src: ByteSource, path: string, label: string): GGUFFile {
    const size = src.size;
    const c = new Cursor(src, label);
    if (size < 4) throw new GGUFError(`${label}: file is ${size} bytes, too short to be GGUF`);
    const magic = c.u32("magic");
    if (magic !== GGUF_MAGIC) {
      throw new GGUFError(
        `${label}: not a GGUF file (magic ${JSON.stringify(Buffer.from(new Uint32Array([magic]).buffer).toString("latin1"))}, expected "GGUF")`,
      );
    }
    const version = c.u32("version");
    if (version === 0x02000000 || version === 0x03000000) {
      throw new GGUFError(`${label}: a big-endian GGUF file; kiln reads little-endian GGUF only (convert it with gguf-py's gguf_convert_endian.py)`);
    }
    if (version !== 2 && version !== 3) {
      throw new GGUFError(`${label}: GGUF version ${version} is not supported (kiln reads versions 2 and 3)`);
    }
    const nTensors = c.length("tensor count", Math.floor(c.remaining() / 24));
    const nKV = c.length("metadata key/value count", Math.floor(c.remaining() / 12));

    const kvs: GGUFKV[] = [];
    const seenKeys = new Set<string>();
    for (let i = 0; i < nKV; i++) {
      const key = c.string(`metadata key #${i}`);
      if (seenKeys.has(key)) throw new GGUFError(`${label}: metadata key "${key}" appears twice (corrupt file)`);
      seenKeys.add(key);
      const type = c.u32(`type of metadata key "${key}"`);
      const value = readValue(c, type, key, 0);
      kvs.push({ key, type: type as GGUFValueType, value });
    }

    let alignment = GGUF_DEFAULT_ALIGNMENT;
    const alignKV = kvs.find((kv) => kv.key === "general.alignment");
    if (alignKV) {
      const a = alignKV.value;
      if (alignKV.type !== GGUFValueType.UINT32) {
        throw new GGUFError(
          `${label}: general.alignment is stored as ${GGUF_VALUE_TYPE_NAMES[alignKV.type] ?? alignKV.type}; GGUF requires a uint32`,
        );
      }
      if (typeof a !== "number" || !Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) {
        throw new GGUFError(`${label}: general.alignment is ${String(a)}; it must be a power of two`);
      }
      alignment = a;
    }

    const raw: { name: string; ne: number[]; type: number; rel: bigint }[] = [];
    const seenNames = new Set<string>();
    for (let i = 0; i < nTensors; i++) {
      const name = c.string(`name of tensor #${i}`);
      if (seenNames.has(name)) throw new GGUFError(`${label}: tensor "${name}" appears twice (corrupt file)`);
      seenNames.add(name);
      const nDims = c.u32(`dimension count of tensor "${name}"`);
      if (nDims < 1 || nDims > MAX_DIMS) {
        throw new GGUFError(`${label}: tensor "${name}" has ${nDims} dimensions; GGUF allows 1 to ${MAX_DIMS}`);
      }
      const ne: number[] = [];
      for (let d = 0; d < nDims; d++) {
        const v = c.u64(`ne[${d}] of tensor "${name}"`);
        if (v === 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new GGUFError(`${label}: tensor "${name}" has dimension ne[${d}] = ${v} (corrupt file)`);
        }
        ne.push(Number(v));
      }
      const type = c.u32(`type of tensor "${name}"`);
      const rel = c.u64(`offset of tensor "${name}"`);
      raw.push({ name, ne, type, rel });
    }
    const dataOffset = Math.ceil(c.pos / alignment) * alignment;

    const tensors: GGUFTensorInfo[] = [];
    for (const r of raw) {
      const info = typeInfoById(r.type);
      if (!info) {
        throw new GGUFError(
          `${label}: tensor "${r.name}": type ${r.type} is not a ggml type kiln knows (file truncated, corrupt, or from a newer ggml?)`,
        );
      }
      if (r.ne[0]! % info.blockSize !== 0) {
        throw new GGUFError(
          `${label}: tensor "${r.name}": row length ${r.ne[0]} is not a multiple of ${info.name}'s block size ${info.blockSize}`,
        );
      }
      let nelements = 1;
      for (const n of r.ne) nelements *= n;
      const nbytes = (nelements / info.blockSize) * info.typeSize;
      if (!Number.isSafeInteger(nbytes) || r.rel > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new GGUFError(`${label}: tensor "${r.name}" is impossibly large (corrupt file)`);
      }
      const relOffset = Number(r.rel);
      if (relOffset % alignment !== 0) {
        throw new GGUFError(`${label}: tensor "${r.name}": offset ${relOffset} is not a multiple of the alignment ${alignment}`);
      }
      const offset = dataOffset + relOffset;
      if (offset + nbytes > size) {
        throw new GGUFError(
          `${label}: tensor "${r.name}" (${info.name}, [${r.ne.join(", ")}]) spans bytes ${offset}..${offset + nbytes} but the file ends at ${size} (file truncated?)`,
        );
      }
      tensors.push({
        name: r.name, ne: r.ne, type: info.id, typeInfo: info, relOffset, offset, nbytes, nelements, part: 0,
      });
    }
    // Overlapping tensors mean a corrupt table: check neighbours in offset order.
    const sorted = [...tensors].sort((a, b) => a.relOffset - b.relOffset);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (prev.relOffset + prev.nbytes > cur.relOffset) {
        throw new GGUFError(`${label}: tensors "${prev.name}" and "${cur.name}" overlap in the file (corrupt tensor table)`);
      }
    }
    return new GGUFFile(path, version, alignment, dataOffset, size, kvs, tensors, [src], [path]);
  }

  /** Combines already-opened split parts into one logical model (used by openModel). */
  static fromParts(parts: GGUFFile[]): GGUFFile {
    const first = parts[0]!;
    const tensors: GGUFTensorInfo[] = [];
    parts.forEach((p, i) => {
      for (const t of p.tensors) tensors.push({ ...t, part: i });
    });
    const names = new Set<string>();
    for (const t of tensors) {
      if (names.has(t.name)) throw new GGUFError(`${first.path}: tensor "${t.name}" appears in two split parts`);
      names.add(t.name);
    }
    return new GGUFFile(
      first.path, first.version, first.alignment, first.dataOffset, first.fileSize, first.kvs, tensors,
      parts.flatMap((p) => p.sources), parts.flatMap((p) => p.partPaths),
    );
  }

  has(key: string): boolean {
    return this.metadata.has(key);
  }

  /** The raw metadata value, or undefined. */
  get(key: string): GGUFValue | undefined {
    return this.metadata.get(key)?.value;
  }

  getString(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new GGUFError(`${this.path}: metadata "${key}" should be a string, found ${describe(v)}`);
    return v;
  }

  /** A numeric value (any integer or float type); 64-bit integers are converted when safe. */
  getNumber(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "bigint" && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    if (typeof v === "boolean") return v ? 1 : 0;
    throw new GGUFError(`${this.path}: metadata "${key}" should be a number, found ${describe(v)}`);
  }

  getBool(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    throw new GGUFError(`${this.path}: metadata "${key}" should be a bool, found ${describe(v)}`);
  }

  /** Array items, or undefined. */
  getArray(key: string): GGUFValue[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!isGGUFArray(v)) throw new GGUFError(`${this.path}: metadata "${key}" should be an array, found ${describe(v)}`);
    return v.items;
  }

  tensor(name: string): GGUFTensorInfo {
    const t = this.tensorsByName.get(name);
    if (!t) throw new GGUFError(`${this.path}: tensor "${name}" is missing`);
    return t;
  }

  /** Reads a tensor's bytes from disk into a new buffer. */
  readTensor(t: GGUFTensorInfo | string): Uint8Array {
    const info = typeof t === "string" ? this.tensor(t) : t;
    return this.readBytes(info.part, info.offset, info.nbytes);
  }

  /**
   * Reads the tensor's bytes straight into `dst` (exactly its size; a view of a WebAssembly memory, say),
   * with no buffer of its own between the file and the destination.
   */
  readTensorInto(t: GGUFTensorInfo | string, dst: Uint8Array): void {
    const info = typeof t === "string" ? this.tensor(t) : t;
    if (dst.length !== info.nbytes) {
      throw new GGUFError(`${this.path}: tensor "${info.name}" is ${info.nbytes} bytes; the destination holds ${dst.length}`);
    }
    const src = this.sources[info.part];
    if (src === undefined) throw new GGUFError(`${this.path}: file is closed`);
    readFully(src, dst, info.offset, this.partPaths[info.part] ?? this.path);
  }

  /**
   * The tensor's bytes in chunks of at most `chunkBytes`, read as they are consumed: the way to stream
   * a multi-GB tensor (into the writer, a hash, a quantizer) without holding it in memory.
   */
  *readTensorChunks(t: GGUFTensorInfo | string, chunkBytes = 1 << 24): Generator<Uint8Array> {
    const info = typeof t === "string" ? this.tensor(t) : t;
    for (let done = 0; done < info.nbytes; done += chunkBytes) {
      yield this.readBytes(info.part, info.offset + done, Math.min(chunkBytes, info.nbytes - done));
    }
  }

  /** Reads `length` bytes at an absolute offset of split part `part`. */
  readBytes(part: number, offset: number, length: number): Uint8Array {
    const src = this.sources[part];
    if (src === undefined) throw new GGUFError(`${this.path}: file is closed`);
    const out = new Uint8Array(length);
    readFully(src, out, offset, this.partPaths[part] ?? this.path);
    return out;
  }

  close(): void {
    for (const s of this.sources) s.close();
    this.sources = [];
  }
}

function describe(v: GGUFValue): string {
  if (isGGUFArray(v)) return `an array of ${GGUF_VALUE_TYPE_NAMES[v.itemType]}`;
  return `${typeof v} ${JSON.stringify(typeof v === "bigint" ? v.toString() : v)}`;
}

/** Bytes of one item of the fixed-size value types, read in bulk inside arrays. */
const FIXED_ITEM_BYTES: Partial<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 10: 8, 11: 8, 12: 8 };

function readValue(c: Cursor, type: number, key: string, depth: number, whatIn?: string): GGUFValue {
  const what = whatIn ?? `value of "${key}"`;
  switch (type) {
    case GGUFValueType.UINT8: return c.u8(what);
    case GGUFValueType.INT8: return c.i8(what);
    case GGUFValueType.UINT16: return c.u16(what);
    case GGUFValueType.INT16: return c.i16(what);
    case GGUFValueType.UINT32: return c.u32(what);
    case GGUFValueType.INT32: return c.i32(what);
    case GGUFValueType.FLOAT32: return c.f32(what);
    case GGUFValueType.BOOL: {
      const b = c.u8(what);
      if (b > 1) throw new GGUFError(`${c.label}: metadata "${key}": bool byte is ${b}, expected 0 or 1`);
      return b === 1;
    }
    case GGUFValueType.STRING: return c.string(what);
    case GGUFValueType.UINT64: return c.u64(what);
    case GGUFValueType.INT64: return c.i64(what);
    case GGUFValueType.FLOAT64: return c.f64(what);
    case GGUFValueType.ARRAY: {
      if (depth > 8) throw new GGUFError(`${c.label}: metadata "${key}": arrays nested deeper than 8 levels`);
      const itemType = c.u32(`item type of "${key}"`);
      if (!(itemType in MIN_ITEM_BYTES)) {
        throw new GGUFError(`${c.label}: metadata "${key}": array item type ${itemType} is not a GGUF value type`);
      }
      const n = c.length(`length of array "${key}"`, Math.floor(c.remaining() / MIN_ITEM_BYTES[itemType]!));
      const fixed = FIXED_ITEM_BYTES[itemType];
      if (fixed !== undefined) {
        // Fixed-size items: one bounds check for the whole array (n * fixed <= remaining, checked above).
        const bytes = c.take(n * fixed, `items of array "${key}"`);
        return { itemType: itemType as GGUFValueType, items: decodeFixed(bytes, itemType, n) };
      }
      // Grown item by item: a lying length runs into the end of the file before memory runs out.
      const items: GGUFValue[] = [];
      for (let i = 0; i < n; i++) items.push(readValue(c, itemType, key, depth + 1, what));
      return { itemType: itemType as GGUFValueType, items };
    }
    default:
      throw new GGUFError(`${c.label}: metadata "${key}": value type ${type} is not a GGUF value type (corrupt file?)`);
  }
}

function decodeFixed(b: Buffer, itemType: number, n: number): GGUFValue[] {
  const items: GGUFValue[] = new Array<GGUFValue>(n);
  switch (itemType) {
    case GGUFValueType.UINT8: for (let i = 0; i < n; i++) items[i] = b.readUInt8(i); break;
    case GGUFValueType.INT8: for (let i = 0; i < n; i++) items[i] = b.readInt8(i); break;
    case GGUFValueType.UINT16: for (let i = 0; i < n; i++) items[i] = b.readUInt16LE(2 * i); break;
    case GGUFValueType.INT16: for (let i = 0; i < n; i++) items[i] = b.readInt16LE(2 * i); break;
    case GGUFValueType.UINT32: for (let i = 0; i < n; i++) items[i] = b.readUInt32LE(4 * i); break;
    case GGUFValueType.INT32: for (let i = 0; i < n; i++) items[i] = b.readInt32LE(4 * i); break;
    case GGUFValueType.FLOAT32: for (let i = 0; i < n; i++) items[i] = b.readFloatLE(4 * i); break;
    case GGUFValueType.UINT64: for (let i = 0; i < n; i++) items[i] = b.readBigUInt64LE(8 * i); break;
    case GGUFValueType.INT64: for (let i = 0; i < n; i++) items[i] = b.readBigInt64LE(8 * i); break;
    case GGUFValueType.FLOAT64: for (let i = 0; i < n; i++) items[i] = b.readDoubleLE(8 * i); break;
  }
  return items;
}
