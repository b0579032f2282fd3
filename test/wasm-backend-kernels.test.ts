// The wasm backend's fast kernels (targets/wasm-simd/backend/assembly/kernels.as) against its one-row
// one-token kernels, whose outputs the golden tests check against llama.cpp:
// - the interleaved ("x4") layout for q4_0 and q8_0 matrices (repackX4 and the dotX4 kernels; relaxed q4_0
//   with its quants interleaved four bytes at a time): with plain
//   SIMD the same bits, with relaxed SIMD (other lanes, the same exact integer block sums) within f32
//   rounding; for every row count (padded groups of four included) and token count, with the rows split
//   across threads as the pool splits them (fixed ranges, or chunks from a counter), and nothing written
//   past the last row; repackX4's note of f16-subnormal scales; the check that keeps q8_0 weights of
//   -128 off the relaxed kernels;
// - q4_K and q6_K: prefill's two tokens per block, decode's eight streams, and the relaxed-SIMD kernels
//   against ggml's q8_K (decode streams, prefill four tokens per block, rows in chunks): the same bits;
//   and q4_K and q6_K in the x4 layout the relaxed kernels use (q6_K's quants unpacked a byte each; decode
//   streams, prefill two tokens a pass, padded groups, rows in chunks, nothing written past the last row or
//   the layout): the same bits;
// - the constants backend.ts sizes buffers and layouts by (KERNEL_CONSTANTS) equal the module's exports.
import { describe, expect, it } from "vitest";
import { KERNEL_CONSTANTS } from "../targets/wasm-simd/backend/backend.js";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { WA } from "../targets/wasm-simd/backend/wasm-api.js";
import { kernelInstance, relaxedModule } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number;


describe.each(["plain", "relaxed"] as const)("wasm backend x4 layout, %s SIMD", async (flavour) => {
  const inst = await kernelInstance(flavour, 64);
  if (!inst) {
    it.skip("relaxed SIMD is not usable in this engine", () => {});
    return;
  }
  const { memory, ex } = inst;
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

  for (const [type, name, blockBytes] of [[2, "q4_0", 18], [8, "q8_0", 34]] as const) {
    for (const rows of [1, 3, 4, 6, 258]) {
      for (const nTok of [1, 2, 3, 4, 5, 7]) {
        for (const nth of [1, 3]) {
          it(`${name}: ${rows} rows x ${nTok} tokens on ${nth} thread(s) gives the row-by-row kernel's ${flavour === "plain" ? "bits" : "values"}`, () => {
            const k = 128;
            const rowBytes = (k / 32) * blockBytes;
            const padded = Math.ceil(rows / 4) * 4;
            const xStride = (k / 32) * 96;
            let top = 65536;
            const alloc = (n: number): number => { const a = top; top += Math.ceil(n / 64) * 64 + 64; return a; };
            const A = alloc(padded * rowBytes), B = alloc(padded * rowBytes), X = alloc(nTok * k * 4), XQ = alloc(nTok * xStride), XR = alloc(nTok * xStride);
            const O1 = alloc(nTok * rows * 4 + 64), O2 = alloc(nTok * rows * 4 + 64), J = alloc(64), S = alloc(4 * rowBytes * nth), F = alloc(4);
            const u8 = new Uint8Array(memory.buffer);
            const dv = new DataView(memory.buffer);
            u8.fill(0, A, A + padded * rowBytes);
            for (let i = 0; i < rows * rowBytes; i++) u8[A + i] = (rand() * 256) | 0;
            // q8_0 quants of -128 go to the plain kernels (countQ8_0Min below); ggml's quantizer never writes them
            if (flavour === "relaxed" && name === "q8_0") for (let i = 0; i < rows * rowBytes; i++) if (u8[A + i] === 0x80) u8[A + i] = 0x81;
            for (let r = 0; r < rows; r++) for (let b = 0; b < k / 32; b++) dv.setUint16(A + r * rowBytes + b * blockBytes, 0x2000 + ((rand() * 1024) | 0), true);
            u8.copyWithin(B, A, A + padded * rowBytes);
            new Uint32Array(memory.buffer, F, 1)[0] = 0;
            // relaxed q4_0: the quants interleaved four bytes at a time, as the backend repacks them
            const bytes4 = flavour === "relaxed" && name === "q4_0" ? 1 : 0;
            for (let tid = 0; tid < nth; tid++) ex.repackX4!(tid, nth, B, rowBytes, padded / 4, type, S, 4 * rowBytes, F, bytes4);
            expect(new Uint32Array(memory.buffer, F, 1)[0], "no subnormal scale").toBe(0);
            const x = new Float32Array(memory.buffer, X, nTok * k);
            for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
            ex.quantizeQ8_0X!(0, 1, X, k * 4, XQ, xStride, nTok, k);
            if (flavour === "relaxed") ex.quantizeQ8_0R!(0, 1, X, k * 4, XR, xStride, nTok, k);
            // guard values after each output
            new Float32Array(memory.buffer, O1, nTok * rows + 16).fill(7);
            const job = new Uint32Array(memory.buffer, J, 12);
            job.set([type, A, rowBytes, rows, k, XQ, xStride, nTok, O1, rows, rows]);
            for (let tid = 0; tid < nth; tid++) ex.matmul!(tid, nth, J, 1);
            // plain: the x4 kernels; relaxed: their scales converted by f16x4, and by f16x4n (0x400)
            for (const flags of flavour === "plain" ? [0x100] : [0x300, 0x700]) {
              new Float32Array(memory.buffer, O2, nTok * rows + 16).fill(7);
              job.set([type | flags, B, rowBytes, padded, k, flavour === "plain" ? XQ : XR, xStride, nTok, O2, rows, rows]);
              for (let tid = 0; tid < nth; tid++) ex.matmul!(tid, nth, J, 1);
              if (flavour === "plain") {
                const o1 = new Uint32Array(memory.buffer, O1, nTok * rows + 16);
                const o2 = new Uint32Array(memory.buffer, O2, nTok * rows + 16);
                expect(Array.from(o2)).toEqual(Array.from(o1));
              } else {
                // the same integer block sums, accumulated in other lanes: f32 rounding apart
                const o1 = new Float32Array(memory.buffer, O1, nTok * rows);
                const o2 = new Float32Array(memory.buffer, O2, nTok * rows);
                const scale = Math.max(...Array.from(o1, Math.abs));
                for (let i = 0; i < o1.length; i++) expect(Math.abs(o2[i]! - o1[i]!), `flags ${flags} output ${i}: ${o2[i]} vs ${o1[i]}`).toBeLessThanOrEqual(1e-5 * scale);
              }
              expect(new Float32Array(memory.buffer, O2, nTok * rows + 16).slice(nTok * rows).every((v) => v === 7)).toBe(true);
              if (nTok === 1) {
                // decode's dynamic split (0x800): chunks claimed from the counter after the record, the same bits
                const want = Array.from(new Uint32Array(memory.buffer, O2, rows + 16));
                new Float32Array(memory.buffer, O2, rows + 16).fill(7);
                job[11] = 0;
                job.set([type | flags | 0x800], 0);
                for (let tid = 0; tid < nth; tid++) ex.matmul!(tid, nth, J, 1);
                expect(Array.from(new Uint32Array(memory.buffer, O2, rows + 16))).toEqual(want);
              }
            }
          });
        }
      }
    }
  }
});

describe("the backend sizes its buffers and layouts by the kernels' own constants", async () => {
  for (const flavour of ["plain", "relaxed"] as const) {
    it(`${flavour} module: ${Object.keys(KERNEL_CONSTANTS).join(", ")}`, async () => {
      const inst = await kernelInstance(flavour, 1);
      if (!inst) return;
      const ex = inst.ex as unknown as Record<string, { value: number } | undefined>;
      for (const [name, value] of Object.entries(KERNEL_CONSTANTS)) expect(ex[name]?.value, name).toBe(value);
    });
  }
});

describe("repackX4 notes whether a block scale is an f16 subnormal (such matrices keep the full f16 conversion)", async () => {
  const { module } = await kernelModule("plain");
  const memory = new WA.Memory({ initial: 8, maximum: 65536, shared: true });
  const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
  const blockBytes = 18, rowBytes = 4 * blockBytes, rows = 8, W = 65536, S = W + rows * rowBytes + 64, F = S + 4 * rowBytes * 2 + 64;
  // [what, the f16 bits of one block's scale (row 5, block 2), the flag]
  const cases: [string, number, number][] = [["normal scales", 0x3c00, 0], ["a zero scale", 0x0000, 0], ["a negative normal scale", 0x8400, 0], ["the smallest subnormal", 0x0001, 1], ["a negative subnormal", 0x83ff, 1]];
  for (const [what, bits, want] of cases) {
    it(`${what}: ${want}`, () => {
      const dv = new DataView(memory.buffer);
      for (let i = 0; i < rows * rowBytes; i++) dv.setUint8(W + i, (i * 37) & 0xff);
      for (let r = 0; r < rows; r++) for (let b = 0; b < 4; b++) dv.setUint16(W + r * rowBytes + b * blockBytes, 0x2000 + r * 4 + b, true);
      dv.setUint16(W + 5 * rowBytes + 2 * blockBytes, bits, true);
      for (const nth of [1, 2]) {
        new Uint32Array(memory.buffer, F, 1)[0] = 0;
        const copy = new Uint8Array(memory.buffer, W, rows * rowBytes).slice();
        for (let tid = 0; tid < nth; tid++) ex.repackX4!(tid, nth, W, rowBytes, rows / 4, 2, S, 4 * rowBytes, F, 0);
        expect(new Uint32Array(memory.buffer, F, 1)[0]).toBe(want);
        // the x4 layout keeps the scale's bits: group 1 (rows 4-7), block 2, lane 1
        expect(dv.getUint16(W + 4 * rowBytes + 2 * 4 * blockBytes + 2, true)).toBe(bits);
        new Uint8Array(memory.buffer, W, rows * rowBytes).set(copy);
      }
    });
  }
});

describe("q8_0 weights of -128 (which the relaxed kernels cannot take) are found", async () => {
  const { module } = await kernelModule("plain");
  const memory = new WA.Memory({ initial: 8, maximum: 65536, shared: true });
  const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
  const nb = 4, nGroups = 3, groupBytes = nb * 136, W = 65536, FLAG = W + nGroups * groupBytes + 64;
  const cases: [string, number, number][] = [["no -128", -1, 0], ["a -128 among the quants", W + groupBytes * 2 + 136 * 3 + 8 + 127, 1], ["0x80 in a scale only", W + 136 + 1, 0]];
  for (const [what, at, want] of cases) {
    it(`${what}: ${want}`, () => {
      const u8 = new Uint8Array(memory.buffer);
      for (let i = 0; i < nGroups * groupBytes; i++) u8[W + i] = i % 255 === 128 ? 0x81 : i % 255;
      if (at >= 0) u8[at] = 0x80;
      for (const nth of [1, 2]) {
        new Uint32Array(memory.buffer, FLAG, 1)[0] = 0;
        for (let tid = 0; tid < nth; tid++) ex.countQ8_0Min!(tid, nth, W, nGroups, nb, FLAG);
        expect(new Uint32Array(memory.buffer, FLAG, 1)[0]).toBe(want);
      }
    });
  }
});

describe("wasm backend x4 q4_K and q6_K (relaxed SIMD): four rows interleaved give the one-row one-token bits", async () => {
  if (!relaxedModule) {
    it.skip("relaxed SIMD is not usable in this engine", () => {});
    return;
  }
  const { module } = await kernelModule("plain");
  const memory = new WA.Memory({ initial: 64, maximum: 65536, shared: true });
  const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
  const rx = new WA.Instance(relaxedModule.module, { env: { memory } }).exports as Record<string, Fn>;
  let seed = 4242;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  // [ggml type id, name, block bytes, offsets of the f16 scales in a block]
  for (const [type, name, blockBytes, f16At] of [[12, "q4_K", 144, [0, 2]], [14, "q6_K", 210, [208]]] as const) {
    for (const rows of [1, 3, 4, 6, 30, 258]) {
      for (const nTok of [1, 2, 3, 5]) {
        for (const nth of [1, 3]) {
          it(`${name}: ${rows} rows x ${nTok} tokens on ${nth} thread(s)`, () => {
            const k = 512, rowBytes = (k / 256) * blockBytes, padded = Math.ceil(rows / 4) * 4;
            const xStride = (k / 256) * 560, kStride = (k / 256) * 292;
            let top = 65536;
            const alloc = (n: number): number => { const a = top; top += Math.ceil(n / 64) * 64 + 64; return a; };
            // the x4 layout's size: q6_K's quants are unpacked a byte each (X4_Q6_K bytes a block of four rows)
            const x4Bytes = name === "q6_K" ? (padded / 4) * (k / 256) * KERNEL_CONSTANTS.X4_Q6_K : padded * rowBytes;
            const A = alloc(rows * rowBytes), B = alloc(x4Bytes + 64), X = alloc(nTok * k * 4), XQ = alloc(nTok * xStride), XK = alloc(nTok * kStride);
            const O1 = alloc(nTok * rows * 4), O2 = alloc(nTok * rows * 4 + 64), J = alloc(64), S = alloc(4 * rowBytes * nth), F = alloc(4);
            const u8 = new Uint8Array(memory.buffer);
            const dv = new DataView(memory.buffer);
            for (let i = 0; i < rows * rowBytes; i++) u8[A + i] = (rand() * 256) | 0;
            // the f16 scales: normal and subnormal halves of both signs
            for (let b = 0; b < rows * (k / 256); b++) for (const at of f16At) dv.setUint16(A + b * blockBytes + at, (rand() < 0.1 ? (rand() * 1024) | 0 : 0x1800 + ((rand() * 1024) | 0)) + (rand() < 0.5 ? 0x8000 : 0), true);
            u8.fill(0, B, B + x4Bytes);
            u8.fill(0xee, B + x4Bytes, B + x4Bytes + 64);
            u8.copyWithin(B, A, A + rows * rowBytes);
            for (let tid = 0; tid < nth; tid++) rx.repackX4!(tid, nth, B, rowBytes, padded / 4, type, S, 4 * rowBytes, F, 0);
            expect(u8.subarray(B + x4Bytes, B + x4Bytes + 64).every((v) => v === 0xee), "nothing written past the layout").toBe(true);
            const x = new Float32Array(memory.buffer, X, nTok * k);
            for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
            ex.quantizeQ8_KX!(0, 1, X, k * 4, XQ, xStride, nTok, k);
            rx.quantizeQ8_K!(0, 1, X, k * 4, XK, kStride, nTok, k);
            const job = new Uint32Array(memory.buffer, J, 12);
            // the one-row one-token kernel (plain SIMD; the golden tests check it against llama.cpp)
            for (let t = 0; t < nTok; t++) {
              for (let r = 0; r < rows; r++) {
                job.set([type, A + r * rowBytes, rowBytes, 1, k, XQ + t * xStride, xStride, 1, O1 + (t * rows + r) * 4, rows, 1]);
                ex.matmul!(0, 1, J, 1);
              }
            }
            const want = Array.from(new Uint32Array(memory.buffer, O1, nTok * rows));
            const check = (what: string, flags: number, perToken: boolean): void => {
              new Float32Array(memory.buffer, O2, nTok * rows + 16).fill(7);
              const jobs = perToken ? Array.from({ length: nTok }, (_, t) => [XK + t * kStride, 1, O2 + t * rows * 4]) : [[XK, nTok, O2]];
              for (const [xk, n, out] of jobs) {
                job[11] = 0; // the chunk counter (DYNAMIC)
                job.set([type | flags, B, rowBytes, padded, k, xk!, kStride, n!, out!, rows, rows]);
                for (let tid = 0; tid < nth; tid++) rx.matmul!(tid, nth, J, 1);
              }
              expect(Array.from(new Uint32Array(memory.buffer, O2, nTok * rows)), what).toEqual(want);
              expect(new Float32Array(memory.buffer, O2, nTok * rows + 16).slice(nTok * rows).every((v) => v === 7), `${what}: nothing past the last row`).toBe(true);
            };
            check("decode", 0x300, true);
            check("decode, rows in chunks", 0x300 | 0x800, true);
            if (nTok > 1) {
              check("prefill", 0x300, false);
              check("prefill, rows in chunks", 0x300 | 0x800, false);
            }
          });
        }
      }
    }
  }
});

// q4_K and q6_K products have three paths: one row by one token (dotQ4_KX, dotQ6_KX, which the golden
// logits tests check against llama.cpp), prefill's two tokens per weight block (dotQ4_KXx2, dotQ6_KXx2)
// and decode's eight rows side by side (dotKStreams). The last two must give the first one's bits, as
// must the relaxed-SIMD kernels (decode and prefill), which take ggml's q8_K (i8) instead of the widened q8_K.
describe("wasm backend q4_K/q6_K prefill and decode paths give the one-row one-token bits", async () => {
  const { module } = await kernelModule("plain");
  const memory = new WA.Memory({ initial: 64, maximum: 65536, shared: true });
  const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
  const rx = relaxedModule ? (new WA.Instance(relaxedModule.module, { env: { memory } }).exports as Record<string, Fn>) : undefined;
  let seed = 777;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  // [ggml type id, block bytes, offsets of the f16 scales in a block]
  for (const [type, name, blockBytes, f16At] of [[12, "q4_K", 144, [0, 2]], [14, "q6_K", 210, [208]]] as const) {
    for (const [rows, nTok] of [[30, 1], [24, 2], [7, 3], [9, 4], [30, 5], [200, 3]] as const) {
      it(`${name}: ${rows} rows x ${nTok} tokens`, () => {
        const k = 512, rowBytes = (k / 256) * blockBytes, xStride = (k / 256) * 560;
        const W = 65536, X = W + rows * rowBytes + 64, XQ = X + nTok * k * 4 + 64;
        const O1 = XQ + nTok * xStride + 64, O2 = O1 + nTok * rows * 4 + 64, O3 = O2 + nTok * rows * 4 + 64, J = O3 + nTok * rows * 4 + 64;
        const XK = J + 64, kStride = (k / 256) * 292, O4 = XK + nTok * kStride + 64;
        const u8 = new Uint8Array(memory.buffer);
        const dv = new DataView(memory.buffer);
        for (let i = 0; i < rows * rowBytes; i++) u8[W + i] = (rand() * 256) | 0;
        for (let b = 0; b < rows * (k / 256); b++) for (const at of f16At) dv.setUint16(W + b * blockBytes + at, 0x1800 + ((rand() * 1024) | 0) + (rand() < 0.5 ? 0x8000 : 0), true);
        const x = new Float32Array(memory.buffer, X, nTok * k);
        for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
        ex.quantizeQ8_KX!(0, 1, X, k * 4, XQ, xStride, nTok, k);
        const job = new Uint32Array(memory.buffer, J, 11);
        for (const nth of [1, 2]) {
          // one job of nTok tokens (prefill); one job per token (decode); one job per row and token
          for (let tid = 0; tid < nth; tid++) {
            job.set([type, W, rowBytes, rows, k, XQ, xStride, nTok, O1, rows, rows]);
            ex.matmul!(tid, nth, J, 1);
            for (let t = 0; t < nTok; t++) {
              job.set([type, W, rowBytes, rows, k, XQ + t * xStride, xStride, 1, O2 + t * rows * 4, rows, rows]);
              ex.matmul!(tid, nth, J, 1);
            }
          }
          for (let t = 0; t < nTok; t++) {
            for (let r = 0; r < rows; r++) {
              job.set([type, W + r * rowBytes, rowBytes, 1, k, XQ + t * xStride, xStride, 1, O3 + (t * rows + r) * 4, rows, 1]);
              ex.matmul!(0, 1, J, 1);
            }
          }
          const single = Array.from(new Uint32Array(memory.buffer, O3, nTok * rows));
          expect(Array.from(new Uint32Array(memory.buffer, O1, nTok * rows))).toEqual(single);
          expect(Array.from(new Uint32Array(memory.buffer, O2, nTok * rows))).toEqual(single);
          if (rx) {
            rx.quantizeQ8_K!(0, 1, X, k * 4, XK, kStride, nTok, k);
            // relaxed decode: one job per token against q8_K, rows split over nth threads
            new Float32Array(memory.buffer, O4, nTok * rows).fill(7);
            for (let tid = 0; tid < nth; tid++) {
              for (let t = 0; t < nTok; t++) {
                job.set([type | 0x200, W, rowBytes, rows, k, XK + t * kStride, kStride, 1, O4 + t * rows * 4, rows, rows]);
                rx.matmul!(tid, nth, J, 1);
              }
            }
            expect(Array.from(new Uint32Array(memory.buffer, O4, nTok * rows))).toEqual(single);
            if (nTok > 1) {
              // relaxed prefill: one job of nTok tokens against q8_K, up to four tokens per weight block
              new Float32Array(memory.buffer, O4, nTok * rows).fill(7);
              for (let tid = 0; tid < nth; tid++) {
                job.set([type | 0x200, W, rowBytes, rows, k, XK, kStride, nTok, O4, rows, rows]);
                rx.matmul!(tid, nth, J, 1);
              }
              expect(Array.from(new Uint32Array(memory.buffer, O4, nTok * rows)), "relaxed prefill").toEqual(single);
              // the same with rows claimed in chunks from the counter after the job record (DYNAMIC)
              new Float32Array(memory.buffer, O4, nTok * rows).fill(7);
              new Uint32Array(memory.buffer, J + 44, 1)[0] = 0;
              for (let tid = 0; tid < nth; tid++) {
                job.set([type | 0x200 | 0x800, W, rowBytes, rows, k, XK, kStride, nTok, O4, rows, rows]);
                rx.matmul!(tid, nth, J, 1);
              }
              expect(Array.from(new Uint32Array(memory.buffer, O4, nTok * rows)), "relaxed prefill, rows in chunks").toEqual(single);
            }
          }
          expect(new Float32Array(memory.buffer, O3, nTok * rows).every(Number.isFinite)).toBe(true);
        }
      });
    }
  }
});
