// Seeded fuzzing of the GGUF reader: 12,000 mutated and truncated copies of the golden models. Every
// outcome must be a parsed file (whose tensors can then be read) or a GGUFError; anything else (a
// TypeError, a RangeError, a hang) fails with the seed and iteration that reproduce it. Mutations
// land mostly in the header, where parsing happens; tensor data is only bounds-checked.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GGUFError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import type { ByteSource } from "../engine/gguf/source.js";
import { layoutGGUF } from "../engine/gguf/writer.js";
import { golden } from "./golden.js";

const SEED = 0x6b696c6e; // "kiln"
const ITERATIONS = 12_000;

/** mulberry32: small, seedable, good enough to spread mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Model {
  name: string;
  bytes: Buffer;
  headerEnd: number; // data section start
  tableStart: number; // first byte of the tensor table
}

/** A golden file seen through a mutated copy of its header and a (possibly) shorter length. */
class MutatedSource implements ByteSource {
  constructor(private readonly head: Buffer, private readonly rest: Buffer, readonly size: number) {}
  read(dst: Uint8Array, dstOffset: number, length: number, position: number): number {
    const n = Math.max(0, Math.min(length, this.size - position));
    for (let done = 0; done < n; ) {
      const p = position + done;
      const fromHead = p < this.head.length;
      const src = fromHead ? this.head : this.rest;
      const end = fromHead ? Math.min(this.head.length, position + n) : position + n;
      dst.set(src.subarray(p, end), dstOffset + done);
      done += end - p;
    }
    return n;
  }
  close(): void {}
}

const INTERESTING_U64 = [0n, 1n, 2n, 7n, 31n, 32n, 255n, 256n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 1n << 53n, 1n << 60n, (1n << 63n) - 1n, (1n << 64n) - 1n];
const INTERESTING_U32 = [0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 39, 40, 99, 0x7fffffff, 0xffffffff];

function loadModels(): Model[] {
  return readdirSync(golden("models"))
    .filter((f) => f.endsWith(".gguf"))
    .sort()
    .map((name) => {
      const bytes = readFileSync(golden("models", name));
      const f = GGUFFile.fromBytes(bytes, name);
      const tableStart = layoutGGUF({ kvs: f.kvs, tensors: [] }).header.length;
      const m = { name, bytes, headerEnd: f.dataOffset, tableStart };
      f.close();
      return m;
    });
}

function mutate(m: Model, rnd: () => number): MutatedSource {
  const pick = (n: number) => Math.floor(rnd() * n);
  // Where to hit: the fixed header, the tensor table, or anywhere before the data.
  const where = (): number => {
    const r = rnd();
    if (r < 0.25) return pick(24);
    if (r < 0.65) return m.tableStart + pick(m.headerEnd - m.tableStart);
    return pick(m.headerEnd);
  };
  let head = Buffer.from(m.bytes.subarray(0, m.headerEnd + 64));
  let size = m.bytes.length;
  const edits = 1 + pick(3);
  for (let e = 0; e < edits; e++) {
    const kind = pick(6);
    const at = where();
    if (kind === 0) {
      head[at] = pick(256);
    } else if (kind === 1) {
      head[at] = head[at]! ^ (1 << pick(8));
    } else if (kind === 2 && at + 8 <= head.length) {
      head.writeBigUInt64LE(INTERESTING_U64[pick(INTERESTING_U64.length)]!, at);
    } else if (kind === 3 && at + 4 <= head.length) {
      head.writeUInt32LE(INTERESTING_U32[pick(INTERESTING_U32.length)]!, at);
    } else if (kind === 4) {
      // Insert or delete a few bytes: shifts every later field, as a buggy writer would.
      const n = 1 + pick(8);
      head = rnd() < 0.5
        ? Buffer.concat([head.subarray(0, at), Buffer.alloc(n, pick(256)), head.subarray(at)])
        : Buffer.concat([head.subarray(0, at), head.subarray(Math.min(head.length, at + n))]);
    } else {
      // Truncate: mostly inside the header, sometimes inside the tensor data.
      size = rnd() < 0.7 ? pick(m.headerEnd + 1) : m.headerEnd + pick(m.bytes.length - m.headerEnd);
    }
  }
  return new MutatedSource(head, m.bytes, Math.min(size, m.bytes.length));
}

describe("GGUF reader fuzzing", () => {
  it(`turns ${ITERATIONS} mutated copies of the golden models into a file or a GGUFError (seed ${SEED})`, () => {
    const models = loadModels();
    expect(models).toHaveLength(12);
    const rnd = prng(SEED);
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const m = models[i % models.length]!;
      const src = mutate(m, rnd);
      try {
        const f = GGUFFile.fromSource(src, m.name);
        // A file that parses must deliver its first and last tensors from within the file.
        if (f.tensors.length > 0) {
          for (const t of [f.tensors[0]!, f.tensors[f.tensors.length - 1]!]) {
            expect(t.offset + t.nbytes).toBeLessThanOrEqual(src.size);
            expect(f.readTensor(t).length).toBe(t.nbytes);
          }
        }
        f.close();
        parsed++;
      } catch (e) {
        if (!(e instanceof GGUFError)) {
          throw new Error(`iteration ${i} (seed ${SEED}, ${m.name}): ${(e as Error).stack ?? String(e)}`);
        }
        expect(e.message.length).toBeGreaterThan(0);
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(ITERATIONS);
    // Both outcomes occur, so the mutations neither always break nor never break the files.
    expect(parsed).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(1000);
  });
});
