// The wasm backend's attention and its f16 rounding (targets/wasm-simd/backend/assembly/kernels.as):
// - roundF16 (an f16 cache's queries and the softmax weights are rounded to f16 on four lanes at a time):
//   the same values as ggml's own f32 -> f16 -> f32 conversion of the golden quantizer input, and the same
//   bits as the one-value path (f32tof16) for every boundary case: each f16's neighbourhood and the
//   midpoints between neighbours (ties to even), f16 subnormals, the overflow threshold, zeros,
//   infinities and NaN;
// - attentionGrouped (the query heads that share a KV head together, several heads' sums side by side, an
//   f16 cache's V rows converted ATT_ROWS at a time, prefill in blocks of tokens) against the per-head
//   loop of attention(), which the golden tests check against llama.cpp: the same bits, over f16 and f32
//   caches, for head sizes that take every path (8, 20, 36, 38, 44, 64, 72), groups of 1 (multi-head
//   attention), 2, 3, 4, 5 and 8 heads, contexts across several ATT_ROWS chunks, prefill and decode on
//   1 to 3 threads, soft-capping and a sliding window; and a scratch smaller than the backend reserves
//   traps instead of looping.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KERNEL_CONSTANTS } from "../targets/wasm-simd/backend/backend.js";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { WA } from "../targets/wasm-simd/backend/wasm-api.js";
import { golden, readF32 } from "./golden.js";

type Fn = (...args: number[]) => number;

const { module } = await kernelModule();
const memory = new WA.Memory({ initial: 256, maximum: 65536, shared: true });
const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
const BASE = 65536;

/** roundF16 over `values` in one call (four lanes at a time but for a tail) and one value per call (the one-value path). */
function rounded(values: Float32Array): { vector: Uint32Array; scalar: Uint32Array } {
  const f = new Float32Array(memory.buffer, BASE, values.length);
  f.set(values);
  ex.roundF16!(BASE, values.length);
  const vector = new Uint32Array(memory.buffer, BASE, values.length).slice();
  f.set(values);
  for (let i = 0; i < values.length; i++) ex.roundF16!(BASE + 4 * i, 1);
  return { vector, scalar: new Uint32Array(memory.buffer, BASE, values.length).slice() };
}

describe("roundF16: f32 values rounded to f16", () => {
  it("gives ggml's f32 -> f16 -> f32 values for the golden quantizer input (quants/f16-seed1)", () => {
    const input = readF32(golden("quants", "input-seed1.f32"));
    const want = new Uint32Array(readF32(golden("quants", "f16-seed1.f32")).buffer);
    const { vector, scalar } = rounded(input);
    expect(Array.from(vector)).toEqual(Array.from(want));
    expect(Array.from(scalar)).toEqual(Array.from(want));
  });

  it("gives the one-value path's bits at every f16 boundary, tie, subnormal, overflow, zero, infinity and NaN", () => {
    const bits: number[] = [];
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let h = 0; h < 0x7c00; h++) {
      // the f16 value h as f32 bits, then its neighbours and the midpoint up to the next f16
      const v = h < 0x400 ? h * 2 ** -24 : 2 ** ((h >> 10) - 15) * (1 + (h & 0x3ff) / 1024);
      f32[0] = v;
      const b = u32[0]!;
      const next = h + 1 < 0x400 ? (h + 1) * 2 ** -24 : 2 ** (((h + 1) >> 10) - 15) * (1 + ((h + 1) & 0x3ff) / 1024);
      f32[0] = (v + next) / 2;
      const mid = u32[0]!;
      for (const x of [b, b - 1, b + 1, mid, mid - 1, mid + 1]) if (x >= 0) bits.push(x, (x | 0x80000000) >>> 0);
    }
    // overflow (65520 rounds to infinity), infinities, NaNs, f32 subnormals, the largest f32
    bits.push(0x477fe000, 0x477fefff, 0x477ff000, 0x477ff001, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc00000, 0x00000001, 0x807fffff, 0, 0x80000000);
    const values = new Float32Array(new Uint32Array(bits).buffer);
    const { vector, scalar } = rounded(values);
    const diffs = [];
    for (let i = 0; i < values.length && diffs.length < 5; i++) if (vector[i] !== scalar[i]) diffs.push(`${bits[i]!.toString(16)}: ${vector[i]!.toString(16)} vs ${scalar[i]!.toString(16)}`);
    expect(diffs).toEqual([]);
    // and the one-value path itself at a few fixed points: a tie to even, the f16 maximum, overflow
    expect(Array.from(rounded(new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519, 65520, 2 ** -25, 3 * 2 ** -25])).scalar, (b) => new Float32Array(new Uint32Array([b]).buffer)[0])).toEqual([1, 1 + 2 ** -9, 65504, 65504, Infinity, 0, 2 ** -23]);
  });
});

describe("attention: the grouped kernel gives the per-head loop's bits", () => {
  let seed = 99;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const cases: [string, { head: number; nHead: number; nKv: number; nTok: number; pos0: number; softcap?: number; window?: number; f32?: boolean }][] = [
    ["head 64, 8 heads a KV head, decode at 100", { head: 64, nHead: 32, nKv: 4, nTok: 1, pos0: 99 }],
    ["head 64, 8 heads a KV head, prefill of 40 after 30", { head: 64, nHead: 16, nKv: 2, nTok: 40, pos0: 30 }],
    ["head 8, 2 heads a KV head, decode at 70", { head: 8, nHead: 8, nKv: 4, nTok: 1, pos0: 69 }],
    ["head 36, 3 heads a KV head, prefill of 5 after 64", { head: 36, nHead: 6, nKv: 2, nTok: 5, pos0: 64 }],
    ["head 38, 2 heads a KV head, decode at 33", { head: 38, nHead: 4, nKv: 2, nTok: 1, pos0: 32 }],
    ["head 72, 4 heads a KV head, prefill of 3 at 0", { head: 72, nHead: 8, nKv: 2, nTok: 3, pos0: 0 }],
    ["head 44, 4 heads a KV head, decode at 50", { head: 44, nHead: 8, nKv: 2, nTok: 1, pos0: 49 }],
    ["head 20, 5 heads a KV head, prefill of 4 after 35", { head: 20, nHead: 10, nKv: 2, nTok: 4, pos0: 35 }],
    ["head 64, one head a KV head (multi-head attention), decode at 60", { head: 64, nHead: 4, nKv: 4, nTok: 1, pos0: 59 }],
    ["head 36, one head a KV head, prefill of 9 after 20", { head: 36, nHead: 3, nKv: 3, nTok: 9, pos0: 20 }],
    ["f32 cache: head 64, 8 heads a KV head, decode at 100", { head: 64, nHead: 16, nKv: 2, nTok: 1, pos0: 99, f32: true }],
    ["f32 cache: head 36, 5 heads a KV head, prefill of 7 after 40", { head: 36, nHead: 10, nKv: 2, nTok: 7, pos0: 40, f32: true }],
    ["f32 cache: head 44, one head a KV head, soft-capped, a window of 30, prefill of 6 after 50", { head: 44, nHead: 2, nKv: 2, nTok: 6, pos0: 50, softcap: 5, window: 30, f32: true }],
    ["head 64, soft-capped, a sliding window of 40, prefill of 6 after 90", { head: 64, nHead: 16, nKv: 2, nTok: 6, pos0: 90, softcap: 5, window: 40 }],
  ];
  for (const [what, c] of cases) {
    it(what, () => {
      const { head, nHead, nKv, nTok, pos0 } = c;
      const nCtx = 128, group = nHead / nKv, nQ = nHead * head, nK = nKv * head;
      const { ATT_TOKENS, ATT_ROWS } = KERNEL_CONSTANTS;
      const scratchStride = ATT_TOKENS * group * (nCtx + 8) + ATT_ROWS * head; // as the backend sizes it (attentionScratch)
      let top = BASE;
      const alloc = (n: number): number => { const a = top; top += Math.ceil(n / 64) * 64 + 64; return a; };
      const el = c.f32 ? 4 : 2;
      const Q = alloc(4 * nTok * nQ), K = alloc(el * nCtx * nK), V = alloc(el * nCtx * nK), O1 = alloc(4 * nTok * nQ + 64), O2 = alloc(4 * nTok * nQ + 64);
      const nth = nTok * nKv + 1; // the per-head loop runs where the (token, KV head) pairs are fewer than the threads
      const S = alloc(4 * scratchStride * nth);
      const q = new Float32Array(memory.buffer, Q, nTok * nQ);
      for (let i = 0; i < q.length; i++) q[i] = rand() * 2 - 1;
      if (c.f32) {
        const kf = new Float32Array(memory.buffer, K, nCtx * nK), vf = new Float32Array(memory.buffer, V, nCtx * nK);
        for (let i = 0; i < kf.length; i++) { kf[i] = rand() * 2 - 1; vf[i] = rand() * 2 - 1; }
      } else {
        // queries as an f16 cache's are: rounded to f16
        ex.roundF16!(Q, q.length);
        // K and V halves: random normal values of both signs, with zeros and f16 subnormals among them
        const kv = new Uint16Array(memory.buffer, K, nCtx * nK);
        const vv = new Uint16Array(memory.buffer, V, nCtx * nK);
        const half = (): number => { const r = rand(); return r < 0.02 ? 0 : r < 0.05 ? (rand() * 0x3ff) | 0 : 0x2c00 + ((rand() * 0x1400) | 0); };
        for (let i = 0; i < kv.length; i++) { kv[i] = half() | (rand() < 0.5 ? 0x8000 : 0); vv[i] = half() | (rand() < 0.5 ? 0x8000 : 0); }
      }
      const run = (out: number, threads: number): Uint32Array => {
        new Float32Array(memory.buffer, out, nTok * nQ + 16).fill(7);
        for (let tid = 0; tid < threads; tid++) {
          ex.attention!(tid, threads, Q, nQ, K, V, nK, nK, out, nQ, nTok, pos0, nHead, nKv, head, head, 1 / Math.sqrt(head), c.softcap ?? 0, c.window ?? 0, c.f32 ? 0 : 1, S, scratchStride);
        }
        return new Uint32Array(memory.buffer, out, nTok * nQ + 16).slice();
      };
      const perHead = run(O1, nth);
      for (const threads of [1, 2, 3]) {
        const grouped = run(O2, threads);
        expect(Array.from(grouped)).toEqual(Array.from(perHead));
      }
      // not all zeros, and the guard after the output untouched
      expect(new Float32Array(perHead.buffer).slice(0, nTok * nQ).some((v) => v !== 0)).toBe(true);
      expect(new Float32Array(perHead.buffer)[nTok * nQ]).toBe(7);
    });
  }

  it("traps, instead of looping, when given less scratch than the backend reserves", () => {
    const head = 64, nHead = 8, nKv = 2, nCtx = 64, nQ = nHead * head, nK = nKv * head;
    const Q = BASE, K = Q + 4 * nQ, V = K + 2 * nCtx * nK, O = V + 2 * nCtx * nK, S = O + 4 * nQ + 64;
    new Uint8Array(memory.buffer, BASE, S + 65536 - BASE).fill(0);
    // room for the scores of one token's heads but not for one converted row
    const scratchStride = (nHead / nKv) * 40;
    expect(() => ex.attention!(0, 1, Q, nQ, K, V, nK, nK, O, nQ, 1, 30, nHead, nKv, head, head, 0.125, 0, 0, 1, S, scratchStride)).toThrow(/unreachable/);
  });
});
