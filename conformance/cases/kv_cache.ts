// Cases for engine/kernels/kv_cache.kernel.ts: kv_store_f32 (a row into an f32 cache at step[0]), round_f16 (values rounded to the nearest half, kept as
// f32) and kv_store_f16 (a row of halves packed two to a u32 word at row step[0] of a cache). Oracle:
// engine/quant/half.ts f32ToF16 / f16ToF32 (F16C's bits, ggml's ggml_compute_fp32_to_fp16), bit for bit.
// Inputs mix random values at every scale with the edges of the conversion: ties to even in normal
// and subnormal halves, the subnormal boundary, the overflow threshold 65520, infinities, signed zeros.
import { f16ToF32, f32ToF16 } from "../../engine/quant/half.js";
import { caseName, type ConformanceCase } from "../case.js";
import type { Rng } from "../prng.js";

const FILE = "engine/kernels/kv_cache.kernel.ts";
const dispatch = (n: number): [number, number, number] => [Math.ceil(n / 256), 1, 1];

/** n f32 values: hand-picked edges first, then random magnitudes 2^-30 .. 2^17 of either sign. */
function halfEdgeValues(rng: Rng, n: number): Float32Array {
  const edges = [
    0, -0, 1, -1, 65504, -65504, 65519.99, 65520, -65520, 1e6, Infinity, -Infinity,
    2 ** -14, 2 ** -14 * (1 - 2 ** -11), 2 ** -24, 2 ** -25, 2 ** -25 * 1.0000001, 3 * 2 ** -25, 5 * 2 ** -25, -3 * 2 ** -25,
    1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -20, 2047.5, 2048 + 1, 2048 + 3, 1e-30, -1e-40, 2 ** -149,
  ];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i < edges.length) out[i] = edges[i]!;
    else {
      const bits = new Uint32Array(1);
      // a random mantissa at a random exponent: every rounding path, ties included now and then
      const e = 97 + rng.int(48);
      let m = rng.int(1 << 23);
      if (rng.int(4) === 0) m = (m & ~0x1fff) | 0x1000; // an exact tie for a normal half
      bits[0] = (rng.int(2) << 31) | (e << 23) | m;
      out[i] = new Float32Array(bits.buffer)[0]!;
    }
  }
  return out;
}

const roundToHalf = (v: number): number => f16ToF32(f32ToF16(v));

export const kvCacheCases: ConformanceCase[] = [
  ...[700, 4096].map((n, i): ConformanceCase => ({
    name: caseName("round_f16", { n }), op: "round_f16", file: FILE, kernel: "round_f16", seed: 1800 + i,
    build(rng) {
      const x = halfEdgeValues(rng, n);
      return { buffers: { x }, uniforms: { n }, dispatch: dispatch(n), expected: { x: x.map(roundToHalf) } };
    },
  })),
  ...[{ n: 300, rows: 5, pos: 4 }, { n: 7, rows: 3, pos: 1 }].map(({ n, rows, pos }, i): ConformanceCase => ({
    name: caseName("kv_store_f32", { n, rows, pos }), op: "kv_store_f32", file: FILE, kernel: "kv_store_f32", seed: 1820 + i,
    build(rng) {
      const src = rng.f32(n, -4, 4);
      // the other rows hold older tokens, which must survive
      const dst = rng.f32(rows * n, -4, 4);
      const want = dst.slice();
      want.set(src, pos * n);
      return { buffers: { src, dst, step: Uint32Array.of(pos, 0) }, uniforms: { n }, dispatch: dispatch(n), expected: { dst: want } };
    },
  })),
  // even rows (words whole), odd rows (a row starting or ending inside a word keeps its neighbour's half)
  ...[
    { n: 64, rows: 8, pos: 5 },
    { n: 300, rows: 4, pos: 3 },
    { n: 7, rows: 6, pos: 3 },
    { n: 7, rows: 6, pos: 4 },
    { n: 1, rows: 5, pos: 2 },
  ].map(({ n, rows, pos }, i): ConformanceCase => ({
    name: caseName("kv_store_f16", { n, rows, pos }), op: "kv_store_f16", file: FILE, kernel: "kv_store_f16", seed: 1810 + i,
    build(rng) {
      const src = halfEdgeValues(rng, n);
      // the cache before: other rows' halves, which must survive
      const halves = new Uint16Array(rows * n + (rows * n) % 2);
      for (let j = 0; j < halves.length; j++) halves[j] = rng.int(0x7c00) | (rng.int(2) << 15);
      const dst = new Uint32Array(halves.buffer.slice(0));
      for (let j = 0; j < n; j++) halves[pos * n + j] = f32ToF16(src[j]!);
      const want = new Uint32Array(halves.buffer);
      return { buffers: { src, dst, step: Uint32Array.of(pos, 0) }, uniforms: { n }, dispatch: dispatch(n), expected: { dst: want } };
    },
  })),
];
