// Every weight type the wasm backend multiplies in ggml's own row layout (the types without an
// interleaved "x4" kernel: f32, f16, bf16, q4_1, q5_0, q5_1, q2_K, q3_K, q5_K, iq4_nl, iq4_xs; the x4 types
// q4_0, q8_0, q4_K and q6_K are checked in wasm-backend-kernels.test.ts and by the golden models).
// - The kernels: weights quantized by engine/quant (bit-exact with ggml's quantizers, golden/quants),
//   activations converted by the module's own quantizer to the type's vec_dot_type, and the product
//   against ggml's definition of the dot product computed in float64 from the two rows' bytes (each block's
//   decoded weights times its decoded activations; for q8_1 activations the weight's min times the
//   activation block's stored sum s, as ggml_vec_dot_q4_1_q8_1 does). The f32 result must agree to
//   f32 rounding (1e-5 of the sum of |products|); a wrong bit plane, scale or table entry is off by
//   far more. Rows split over one and three threads, one and three tokens, in both kernel flavours.
// - Whole models: golden/models/synthetic-k256-f32.gguf quantized by kiln (`quantizeModel`, llama-quantize's
//   mix rules) to each file type, then the 16-token logits prompt run on the wasm backend. Its distance
//   from the exact math (the reference backend on the same weights) must be the distance llama.cpp
//   measured for the same file type (golden/README.md, "NMSE between llama.cpp's logits and the float64
//   reference", synthetic-k256, F32 KV), within a factor of 1.5 either way: the backend converts
//   activations as llama.cpp does, so it lands where llama.cpp lands (a faulty kernel lands orders of
//   magnitude further; exact math would land far closer).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { quantizeModel } from "../engine/gguf/quantize.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { createReferenceBackend } from "../engine/runtime/reference-backend.js";
import { dequantizeRow, f16ToF32, GGMLType, quantizeRow, rowSize } from "../engine/quant/index.js";
import { createWasmBackend } from "../targets/wasm-simd/backend/backend.js";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { WA } from "../targets/wasm-simd/backend/wasm-api.js";
import { golden, nmse } from "./golden.js";
import { kernelInstance, type KernelFn } from "./wasm-kernels.js";

// weight type, its vec_dot_type (undefined: f32 activations), and the module's quantizer for it
const TYPES: readonly [GGMLType, string, GGMLType | undefined, string][] = [
  [GGMLType.F32, "f32", undefined, ""],
  [GGMLType.F16, "f16", GGMLType.F16, "quantizeF16"],
  [GGMLType.BF16, "bf16", GGMLType.BF16, "quantizeBF16"],
  [GGMLType.Q4_1, "q4_1", GGMLType.Q8_1, "quantizeQ8_1"],
  [GGMLType.Q5_0, "q5_0", GGMLType.Q8_0, "quantizeQ8_0"],
  [GGMLType.Q5_1, "q5_1", GGMLType.Q8_1, "quantizeQ8_1"],
  [GGMLType.Q2_K, "q2_K", GGMLType.Q8_K, "quantizeQ8_K"],
  [GGMLType.Q3_K, "q3_K", GGMLType.Q8_K, "quantizeQ8_K"],
  [GGMLType.Q5_K, "q5_K", GGMLType.Q8_K, "quantizeQ8_K"],
  [GGMLType.IQ4_NL, "iq4_nl", GGMLType.Q8_0, "quantizeQ8_0"],
  [GGMLType.IQ4_XS, "iq4_xs", GGMLType.Q8_K, "quantizeQ8_K"],
];

/** ggml's dot product of one weight row and one activation row, in float64, from their bytes. */
function ggmlDot(type: GGMLType, w: Uint8Array, vdt: GGMLType | undefined, x: Uint8Array, k: number): { dot: number; size: number } {
  const wd = dequantizeRow(type, w, k);
  const xd = vdt === undefined ? new Float32Array(x.buffer, x.byteOffset, k) : dequantizeRow(vdt, x, k);
  let dot = 0;
  let size = 0;
  for (let c = 0; c < k; c++) {
    dot += wd[c]! * xd[c]!;
    size += Math.abs(wd[c]! * xd[c]!);
  }
  if (vdt === GGMLType.Q8_1) {
    // the weight's min m multiplies the activation block's stored s = f16(d * sum(q)), not d * sum(q)
    const wBlock = type === GGMLType.Q4_1 ? 20 : 24;
    for (let b = 0; b < k / 32; b++) {
      const m = f16ToF32(w[b * wBlock + 2]! | (w[b * wBlock + 3]! << 8));
      const d = f16ToF32(x[b * 36]! | (x[b * 36 + 1]! << 8));
      const s = f16ToF32(x[b * 36 + 2]! | (x[b * 36 + 3]! << 8));
      let sum = 0;
      for (let j = 0; j < 32; j++) sum += (x[b * 36 + 4 + j]! << 24) >> 24;
      dot += m * (s - d * sum);
    }
  }
  return { dot, size };
}

describe.each(["plain", "relaxed"] as const)("wasm backend row kernels against ggml's dot product, %s SIMD", async (flavour) => {
  const inst = await kernelInstance(flavour, 64);
  if (!inst) {
    it.skip("relaxed SIMD is not usable in this engine", () => {});
    return;
  }
  const { memory, ex } = inst;
  let seed = 777;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const normal = (): number => (rand() + rand() + rand() + rand() - 2) * 1.7;

  for (const [type, name, vdt, quantizer] of TYPES) {
    for (const nTok of [1, 3, 6]) {
      for (const nth of [1, 3]) {
        it(`${name}: 7 rows x ${nTok} token(s) on ${nth} thread(s)`, () => {
          const k = 512;
          const rows = 7;
          const rowBytes = rowSize(type, k);
          const xRowBytes = vdt === undefined ? 4 * k : rowSize(vdt, k);
          let top = 65536;
          const alloc = (n: number): number => { const a = top; top += Math.ceil(n / 64) * 64 + 64; return a; };
          const W = alloc(rows * rowBytes), X = alloc(nTok * k * 4), XQ = alloc(nTok * xRowBytes), O = alloc((nTok * rows + 16) * 4), J = alloc(64);
          const u8 = new Uint8Array(memory.buffer);
          const weights: Uint8Array[] = [];
          for (let r = 0; r < rows; r++) {
            // rows of different magnitudes, one with a large outlier (the scales' range)
            const v = Float32Array.from({ length: k }, () => normal() * 0.02 * (1 + r));
            if (r === 2) v[37] = 0.9;
            const q = quantizeRow(type, v);
            expect(q.length).toBe(rowBytes);
            weights.push(q);
            u8.set(q, W + r * rowBytes);
          }
          const x = new Float32Array(memory.buffer, X, nTok * k);
          for (let i = 0; i < x.length; i++) x[i] = normal();
          if (vdt !== undefined) ex[quantizer]!(0, 1, X, k * 4, XQ, xRowBytes, nTok, k);
          new Float32Array(memory.buffer, O, nTok * rows + 16).fill(7);
          new Uint32Array(memory.buffer, J, 11).set([type, W, rowBytes, rows, k, vdt === undefined ? X : XQ, xRowBytes, nTok, O, rows, rows]);
          for (let tid = 0; tid < nth; tid++) ex.matmul!(tid, nth, J, 1);
          const out = new Float32Array(memory.buffer, O, nTok * rows + 16);
          for (let t = 0; t < nTok; t++) {
            const xRow = new Uint8Array(memory.buffer, (vdt === undefined ? X : XQ) + t * xRowBytes, xRowBytes).slice();
            for (let r = 0; r < rows; r++) {
              const { dot, size } = ggmlDot(type, weights[r]!, vdt, xRow, k);
              const got = out[t * rows + r]!;
              expect(Math.abs(got - dot), `token ${t} row ${r}: ${got} vs ${dot}`).toBeLessThanOrEqual(1e-5 * size + 1e-30);
            }
          }
          expect(Array.from(out.subarray(nTok * rows)).every((v) => v === 7), "nothing written past the output").toBe(true);
        });
      }
    }
  }

  if (flavour === "relaxed") {
    // the relaxed q2_K, q3_K, q5_K and iq4_xs kernels (pair products, four tokens per unpacked block; decode's
    // four row streams) sum the same integers and scale them as the plain ones do: the same bits
    const plain = new WA.Instance((await kernelModule("plain")).module, { env: { memory } }).exports as Record<string, KernelFn>;
    for (const [type, name] of [[GGMLType.Q2_K, "q2_K"], [GGMLType.Q3_K, "q3_K"], [GGMLType.Q5_K, "q5_K"], [GGMLType.IQ4_XS, "iq4_xs"]] as const) {
      for (const nTok of [1, 2, 3, 4, 5, 9]) {
        it(`${name}: ${nTok} token(s), the plain kernel's bits`, () => {
          const k = 768;
          const rows = 13; // one token: rows 0, 4, 8, 12 in decode's four streams, the rest one by one
          const rowBytes = rowSize(type, k);
          const xRowBytes = rowSize(GGMLType.Q8_K, k);
          let top = 65536;
          const alloc = (n: number): number => { const a = top; top += Math.ceil(n / 64) * 64 + 64; return a; };
          const W = alloc(rows * rowBytes), X = alloc(nTok * k * 4), XQ = alloc(nTok * xRowBytes), O1 = alloc((nTok * rows + 16) * 4), O2 = alloc((nTok * rows + 16) * 4), J = alloc(64);
          for (let r = 0; r < rows; r++) new Uint8Array(memory.buffer).set(quantizeRow(type, Float32Array.from({ length: k }, () => normal() * 0.03)), W + r * rowBytes);
          const x = new Float32Array(memory.buffer, X, nTok * k);
          for (let i = 0; i < x.length; i++) x[i] = normal();
          ex.quantizeQ8_K!(0, 1, X, k * 4, XQ, xRowBytes, nTok, k);
          const run = (m: Record<string, KernelFn>, o: number): Uint32Array => {
            new Float32Array(memory.buffer, o, nTok * rows + 16).fill(7);
            new Uint32Array(memory.buffer, J, 11).set([type, W, rowBytes, rows, k, XQ, xRowBytes, nTok, o, rows, rows]);
            m.matmul!(0, 1, J, 1);
            return new Uint32Array(memory.buffer, o, nTok * rows + 16).slice();
          };
          expect(Array.from(run(ex, O2))).toEqual(Array.from(run(plain, O1)));
        });
      }
    }
  }

  it("bf16 activations are rounded to nearest even, as ggml's GGML_FP32_TO_BF16", () => {
    const vals = [1, -1, 1.00390625, 1.005859375, 1.0078125, 3.4e38, -0, 1e-40, 65504.5, Number.NaN, Infinity];
    const X = 65536, Y = X + 4096;
    const x = new Float32Array(memory.buffer, X, vals.length);
    x.set(vals);
    ex.quantizeBF16!(0, 1, X, vals.length * 4, Y, vals.length * 2, 1, vals.length);
    const got = Array.from(new Uint16Array(memory.buffer, Y, vals.length));
    const want = Array.from(new Uint16Array(quantizeRow(GGMLType.BF16, Float32Array.from(vals)).buffer));
    expect(got).toEqual(want);
  });
});

// llama.cpp's NMSE against the float64 pass, synthetic-k256, F32 KV cache (golden/README.md's table)
const LLAMA_CPP_NMSE: readonly [string, number][] = [
  ["F16", 2.2e-7],
  ["BF16", 1.3e-5],
  ["Q4_1", 1.7e-4],
  ["Q5_0", 1.7e-4],
  ["Q5_1", 1.8e-4],
  ["Q2_K", 3.2e-4],
  ["Q3_K_S", 3.0e-4],
  ["Q3_K_M", 3.0e-4],
  ["Q3_K_L", 2.7e-4],
  ["Q5_K_M", 2.5e-4],
  ["IQ4_NL", 1.4e-4],
  ["IQ4_XS", 2.5e-4],
];

describe("wasm backend on every file type llama-quantize makes of synthetic-k256 lands where llama.cpp lands", () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-wasm-types-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-f32-logits.json"), "utf8")) as { token_ids: number[] };

  for (const [fileType, llama] of LLAMA_CPP_NMSE) {
    it(`${fileType}: NMSE against the exact math within 1.5x of llama.cpp's ${llama.toExponential(1)}`, async () => {
      const path = join(dir, `${fileType}.gguf`);
      await quantizeModel(golden("models", "synthetic-k256-f32.gguf"), path, fileType);
      const f = GGUFFile.open(path);
      try {
        const config = modelConfigFromGGUF(f);
        const wasm = await createWasmBackend(f, config, { threads: 2, kvType: "f32" });
        let got: Float32Array;
        try {
          got = await wasm.createSequence().forward(meta.token_ids, 0, "all");
        } finally {
          wasm.dispose();
        }
        const exact = await (await createReferenceBackend(f, config, { kvType: "f32" })).createSequence().forward(meta.token_ids, 0, "all");
        const e = nmse(got, exact);
        expect(e, `NMSE ${e.toExponential(2)}`).toBeLessThanOrEqual(llama * 1.5);
        expect(e, `NMSE ${e.toExponential(2)}`).toBeGreaterThanOrEqual(llama / 1.5);
      } finally {
        f.close();
      }
    });
  }
});
