// The reference's "ggml" activation mode (engine/reference/ggml-cpu.ts) against llama.cpp's own numbers:
// it re-does llama.cpp's CPU arithmetic (AVX-512 build of c392e509) in f32, so on q8_0 models its logits
// are llama.cpp's bit for bit, not merely close.
//
// - Greedy goldens record llama.cpp's top-1 and top-2 logits at every step (9 significant digits, which
//   name one f32). Feeding llama.cpp's ids, the reference's two largest logits must be those f32 values.
// - Logits goldens of the q8_0 models: the whole [16, 512] array, one batch of 16 tokens.
// - The primitives against exact arithmetic and their documented error bounds.
//
// Known remaining differences (measured, not hidden): qwen2-synthetic-q8_0's greedy step 45 (top-1 off
// by 2.0e-3, every other step exact; the cause is not found); stories260k-q8_0-kvf16 is exact through
// step 156 and drifts from step 157 (F16 KV cache); gemma2's logits are 1 ulp off in 40% of the values
// (NMSE 3.6e-15), most likely glibc's tanhf (the soft-caps), which is not correctly rounded and is
// emulated by a rounded tanh.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { expfAvx512, fmaF32 } from "../engine/reference/ggml-cpu.js";
import { createReferenceBackend } from "../engine/runtime/reference-backend.js";
import { golden } from "./golden.js";

async function ggmlLogits(modelFile: string, tokens: number[], kvType: "f32" | "f16"): Promise<Float32Array> {
  const f = GGUFFile.open(golden("models", modelFile));
  try {
    const backend = await createReferenceBackend(f, modelConfigFromGGUF(f), { kvType, activations: "ggml" });
    return await backend.createSequence().forward(tokens, 0, "all");
  } finally {
    f.close();
  }
}

interface GreedyJSON {
  model_file: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  top1_logit: number[];
  top2_logit: number[];
}

/** Steps whose two largest logits (teacher-forced on llama.cpp's ids) are not llama.cpp's f32 values. */
async function greedyLogitDifferences(name: string): Promise<{ steps: number; differing: string[] }> {
  const g = JSON.parse(readFileSync(golden("greedy", name + ".json"), "utf8")) as GreedyJSON;
  const all = [...g.prompt_token_ids, ...g.generated_token_ids];
  const logits = await ggmlLogits(g.model_file, all, name.endsWith("-kvf16") ? "f16" : "f32");
  const nVocab = logits.length / all.length;
  const p = g.prompt_token_ids.length;
  const differing: string[] = [];
  for (let s = 0; s < g.generated_token_ids.length; s++) {
    const row = Array.from(logits.subarray((p - 1 + s) * nVocab, (p + s) * nVocab)).sort((a, b) => b - a);
    const want1 = Math.fround(g.top1_logit[s]!), want2 = Math.fround(g.top2_logit[s]!);
    if (row[0] !== want1 || row[1] !== want2) differing.push(`step ${s}: ${row[0]}, ${row[1]} instead of ${want1}, ${want2}`);
  }
  return { steps: g.generated_token_ids.length, differing };
}

describe("ggml emulation: teacher-forced greedy runs give llama.cpp's top-1/top-2 logits bit for bit", () => {
  for (const name of ["stories260k-q8_0", "phi3-synthetic-q8_0"]) {
    it(`${name}: every step`, async () => {
      const { steps, differing } = await greedyLogitDifferences(name);
      expect(steps).toBeGreaterThanOrEqual(64);
      expect(differing).toEqual([]);
    });
  }

  it("qwen2-synthetic-q8_0: every step but one (step 45, see the top of this file)", async () => {
    const { differing } = await greedyLogitDifferences("qwen2-synthetic-q8_0");
    expect(differing.length, differing.join("\n")).toBeLessThanOrEqual(1);
  });

  it("stories260k-q8_0-kvf16 (F16 KV cache): the first 157 steps", async () => {
    const { differing } = await greedyLogitDifferences("stories260k-q8_0-kvf16");
    const first = differing.length > 0 ? Number(/^step (\d+)/.exec(differing[0]!)![1]) : Infinity;
    expect(first, differing[0]).toBeGreaterThanOrEqual(157);
  });
});

describe("ggml emulation: llama.cpp's logits of the q8_0 models (one batch of 16 tokens)", () => {
  const read = (model: string): { ids: number[]; modelFile: string; want: Float32Array } => {
    const meta = JSON.parse(readFileSync(golden("logits", `${model}-logits.json`), "utf8")) as { token_ids: number[]; model_file: string };
    const buf = readFileSync(golden("logits", `${model}-logits.f32`));
    return { ids: meta.token_ids, modelFile: meta.model_file, want: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) };
  };

  for (const model of ["qwen2-synthetic-q8_0", "phi3-synthetic-q8_0"]) {
    it(`${model}: every value equal`, async () => {
      const { ids, modelFile, want } = read(model);
      const got = await ggmlLogits(modelFile, ids, "f32");
      let differing = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differing++;
      expect(got.length).toBe(want.length);
      expect(differing).toBe(0);
    });
  }

  it("gemma2-synthetic-q8_0: NMSE <= 1e-14 (1-ulp differences)", async () => {
    const { ids, modelFile, want } = read("gemma2-synthetic-q8_0");
    const got = await ggmlLogits(modelFile, ids, "f32");
    let num = 0, den = 0;
    for (let i = 0; i < want.length; i++) {
      num += (got[i]! - want[i]!) ** 2;
      den += want[i]! ** 2;
    }
    expect(num / den).toBeLessThanOrEqual(1e-14);
  });
});

describe("ggml emulation: primitives", () => {
  it("fmaF32 rounds a·b + c once, where rounding the f64 sum to f32 would round twice", () => {
    // a·b = 2^-22 + 2^-54 (2^32 + 1 = 641 · 6700417), c = 1 − 3·2^-24: the exact sum 1 + 2^-24 + 2^-54 lies just
    // above the midpoint of 1 and 1 + 2^-23, so it rounds up; its f64 value is the midpoint itself, which
    // rounds to even (1).
    const a = 641 * 2 ** -27, b = 6700417 * 2 ** -27, c = 1 - 3 * 2 ** -24;
    expect(Math.fround(a * b + c)).toBe(1);
    expect(fmaF32(a, b, c)).toBe(1 + 2 ** -23);
    // a·b = 2^-22 − 2^-54, c = 1 − 2^-24: exact 1 + 3·2^-24 − 2^-54, just below the midpoint of 1 + 2^-23 and
    // 1 + 2^-22, so it rounds down; the f64 midpoint would round to even (1 + 2^-22).
    const a2 = (2 ** 16 + 1) * 2 ** -27, b2 = (2 ** 16 - 1) * 2 ** -27, c2 = 1 - 2 ** -24;
    expect(Math.fround(a2 * b2 + c2)).toBe(1 + 2 ** -22);
    expect(fmaF32(a2, b2, c2)).toBe(1 + 2 ** -23);
    // an exact tie still rounds to even
    expect(fmaF32(1, 2 ** -24, 1)).toBe(1);
    expect(fmaF32(3, 2 ** -24, 1)).toBe(1 + 2 ** -22);
  });

  // ggml's comment gives the Arm routine's bound, 1.45358 + 0.5 ulp, for the form that adds the final 1
  // inside the last fma (its AVX2 variant: k + k·j). The AVX-512 variant rounds 1 + C1·b first and scales
  // by 2^n after, one more rounding: measured here up to 2.17 ulp (at x = -46.84). A wrong constant or
  // a missing term shows as many ulp.
  it("expfAvx512 is within 2.5 ulp of exp (an approximation, not expf), and flushes like ggml_v_expf", () => {
    let worst = 0;
    for (let i = 0; i <= 20000; i++) {
      const x = Math.fround(-87 + (175 * i) / 20000);
      const exact = Math.exp(x);
      const ulp = 2 ** (Math.floor(Math.log2(exact)) - 23); // of the exact value's binade
      worst = Math.max(worst, Math.abs(expfAvx512(x) - exact) / ulp);
    }
    expect(worst).toBeLessThanOrEqual(2.5);
    expect(worst).toBeGreaterThan(0); // an approximation, not expf
    expect(expfAvx512(-Infinity)).toBe(0);
    expect(expfAvx512(-200)).toBe(0);
    expect(expfAvx512(200)).toBe(Infinity);
    expect(expfAvx512(0)).toBe(1);
  });
});
