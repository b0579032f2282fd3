// Where GGUF bytes come from: a file descriptor (the normal case; reads by offset, never the whole
// file) or a buffer in memory (fixtures and the fuzz test, which parse thousands of mutated copies).
// Offsets are plain numbers: safe up to 2^53 bytes, so files past 4 GB need nothing special.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { GGUFError } from "../errors.js";

/** Random-access bytes of known size. */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into dst[dstOffset..]; returns the count (0 at the end). */
  read(dst: Uint8Array, dstOffset: number, length: number, position: number): number;
  close(): void;
}

export class FileSource implements ByteSource {
  private fd: number | undefined;
  readonly size: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "r");
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new GGUFError(`${path}: cannot open (${err.code ?? err.message}); check the path`);
    }
    this.size = fstatSync(this.fd).size;
  }

  read(dst: Uint8Array, dstOffset: number, length: number, position: number): number {
    if (this.fd === undefined) throw new GGUFError(`${this.path}: read after close`);
    // readSync takes at most 2 GB per call; callers loop.
    return readSync(this.fd, dst, dstOffset, Math.min(length, 1 << 30), position);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(dst: Uint8Array, dstOffset: number, length: number, position: number): number {
    const n = Math.max(0, Math.min(length, this.size - position));
    dst.set(this.bytes.subarray(position, position + n), dstOffset);
    return n;
  }

  close(): void {}
}

/** Fills dst from `position`, or throws naming what was being read. */
export function readFully(src: ByteSource, dst: Uint8Array, position: number, label: string): void {
  let done = 0;
  while (done < dst.length) {
    const n = src.read(dst, done, dst.length - done, position + done);
    if (n === 0) {
      throw new GGUFError(`${label}: unexpected end of file reading ${dst.length} bytes at offset ${position} (file truncated?)`);
    }
    done += n;
  }
}
