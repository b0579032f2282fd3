// The part of Node's Buffer that the engine's GGUF reader uses (engine/gguf/reader.ts: little-endian
// reads, alloc, from, subarray, toString), for the browser bundle: build.mjs injects it wherever the
// bundled code names the global `Buffer`. Not a general polyfill.

const utf8 = new TextDecoder("utf-8");

export class Buffer extends Uint8Array {
  static alloc(n: number): Buffer {
    return new Buffer(n);
  }

  static override from(src: string | ArrayBuffer | ArrayLike<number> | Iterable<number>): Buffer {
    if (typeof src === "string") return new Buffer(new TextEncoder().encode(src));
    if (src instanceof ArrayBuffer) return new Buffer(src);
    return new Buffer(Array.from(src as ArrayLike<number>));
  }

  static isBuffer(x: unknown): x is Buffer {
    return x instanceof Buffer;
  }

  private view(): DataView {
    return new DataView(this.buffer, this.byteOffset, this.byteLength);
  }

  readUInt8(o: number): number { return this[o]!; }
  readInt8(o: number): number { return this.view().getInt8(o); }
  readUInt16LE(o: number): number { return this.view().getUint16(o, true); }
  readInt16LE(o: number): number { return this.view().getInt16(o, true); }
  readUInt32LE(o: number): number { return this.view().getUint32(o, true); }
  readInt32LE(o: number): number { return this.view().getInt32(o, true); }
  readFloatLE(o: number): number { return this.view().getFloat32(o, true); }
  readDoubleLE(o: number): number { return this.view().getFloat64(o, true); }
  readBigUInt64LE(o: number): bigint { return this.view().getBigUint64(o, true); }
  readBigInt64LE(o: number): bigint { return this.view().getBigInt64(o, true); }

  override toString(encoding = "utf8", start = 0, end = this.length): string {
    const bytes = this.subarray(start, end);
    if (encoding === "latin1" || encoding === "binary") return String.fromCharCode(...bytes);
    return utf8.decode(bytes);
  }
}
