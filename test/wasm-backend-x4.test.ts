// The wasm backend's interleaved ("x4") layout for q4_0 and q8_0 matrices (targets/wasm-simd/backend:
// repackX4 and the dotX4 kernels) against the row-by-row kernels, whose outputs the golden tests check
// against llama.cpp: the same bits for every row count (padded groups of four included) and token count
// (the one- and two-token kernels), with the rows split across threads as the pool splits them, and
// nothing written past the last row.
import { describe, expect, it } from "vitest";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { WA } from "../targets/wasm-simd/backend/wasm-api.js";

type Fn = (...args: number[]) => number;

describe("wasm backend x4 layout", async () => {
  const module = await kernelModule();
  const memory = new WA.Memory({ initial: 64, maximum: 65536, shared: true });
  const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

  for (const [type, name, blockBytes] of [[2, "q4_0", 18], [8, "q8_0", 34]] as const) {
    for (const rows of [1, 3, 4, 6, 258]) {
      for (const nTok of [1, 2, 3, 5]) {
        for (const nth of [1, 3]) {
          it(`${name}: ${rows} rows x ${nTok} tokens on ${nth} thread(s) gives the row-by-row kernel's bits`, () => {
            const k = 128;
            const rowBytes = (k / 32) * blockBytes;
            const padded = Math.ceil(rows / 4) * 4;
            const xStride = (k / 32) * 96;
            let top = 65536;
            const alloc = (n: number): number => { const a = top; top += Math.ceil(n / 64) * 64 + 64; return a; };
            const A = alloc(padded * rowBytes), B = alloc(padded * rowBytes), X = alloc(nTok * k * 4), XQ = alloc(nTok * xStride);
            const O1 = alloc(nTok * rows * 4 + 64), O2 = alloc(nTok * rows * 4 + 64), J = alloc(64), S = alloc(4 * rowBytes * nth);
            const u8 = new Uint8Array(memory.buffer);
            const dv = new DataView(memory.buffer);
            u8.fill(0, A, A + padded * rowBytes);
            for (let i = 0; i < rows * rowBytes; i++) u8[A + i] = (rand() * 256) | 0;
            for (let r = 0; r < rows; r++) for (let b = 0; b < k / 32; b++) dv.setUint16(A + r * rowBytes + b * blockBytes, 0x2000 + ((rand() * 1024) | 0), true);
            u8.copyWithin(B, A, A + padded * rowBytes);
            for (let tid = 0; tid < nth; tid++) ex.repackX4!(tid, nth, B, rowBytes, padded / 4, blockBytes, S, 4 * rowBytes);
            const x = new Float32Array(memory.buffer, X, nTok * k);
            for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
            ex.quantizeQ8_0X!(0, 1, X, k * 4, XQ, xStride, nTok, k);
            // guard values after each output
            new Float32Array(memory.buffer, O1, nTok * rows + 16).fill(7);
            new Float32Array(memory.buffer, O2, nTok * rows + 16).fill(7);
            const job = new Uint32Array(memory.buffer, J, 11);
            job.set([type, A, rowBytes, rows, k, XQ, xStride, nTok, O1, rows, rows]);
            for (let tid = 0; tid < nth; tid++) ex.matmul!(tid, nth, J, 1);
            job.set([type | 0x100, B, rowBytes, padded, k, XQ, xStride, nTok, O2, rows, rows]);
            for (let tid = 0; tid < nth; tid++) ex.matmul!(tid, nth, J, 1);
            const o1 = new Uint32Array(memory.buffer, O1, nTok * rows + 16);
            const o2 = new Uint32Array(memory.buffer, O2, nTok * rows + 16);
            expect(Array.from(o2)).toEqual(Array.from(o1));
            expect(new Float32Array(memory.buffer, O2, nTok * rows + 16).slice(nTok * rows).every((v) => v === 7)).toBe(true);
          });
        }
      }
    }
  }
});
