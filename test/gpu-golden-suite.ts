// The golden checks every GPU backend (webgpu, cuda) passes, the way test/reference-*.test.ts checks
// the reference: both run graph.ts's ops with f32 activations times the decoded weights, the exact
// math, so the same limits hold for both.
// - logits of synthetic-k256 f32 / q4_k_m / q6_k (and the qwen2/phi3/gemma2 q8_0 graphs): against the
//   float64 pass within 1e-8 NMSE, and against llama.cpp within the limits (1e-6 f32 weights,
//   1e-3 quantized; llama.cpp rounds the activations to q8_K first), also with the f16 KV cache;
// - greedy stories260k f32 / q8_0 / q4_0: free-running ids equal llama.cpp's up to the first step
//   whose recorded top-1/top-2 margin is a near-tie, and teacher-forced argmax equal at every step
//   whose margin is clear (thresholds below, with why).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Backend } from "../engine/runtime/backend.js";
import { golden, nmse, readF32 } from "./golden.js";
import { greedyIds, teacherForcedMismatches, type GreedyRecord } from "./greedy.js";

export type BackendFor = (modelFile: string, kvType: "f32" | "f16") => Promise<Backend>;

const LOGITS_CASES: [string, string, number][] = [
  // [model, golden logits file, NMSE limit]
  ["synthetic-k256-f32", "synthetic-k256-f32-logits-f64ref", 1e-8],
  ["synthetic-k256-f32", "synthetic-k256-f32-logits", 1e-6],
  ["synthetic-k256-f32", "synthetic-k256-f32-logits-kvf16", 1e-6],
  ["synthetic-k256-q4_k_m", "synthetic-k256-q4_k_m-logits-f64ref", 1e-8],
  ["synthetic-k256-q4_k_m", "synthetic-k256-q4_k_m-logits", 1e-3],
  ["synthetic-k256-q4_k_m", "synthetic-k256-q4_k_m-logits-kvf16", 1e-3],
  ["synthetic-k256-q6_k", "synthetic-k256-q6_k-logits-f64ref", 1e-8],
  ["synthetic-k256-q6_k", "synthetic-k256-q6_k-logits", 1e-3],
  ["synthetic-k256-q6_k", "synthetic-k256-q6_k-logits-kvf16", 1e-3],
  // the other graphs: qwen2's biases, phi3's fused q|k|v and gate|up with a sliding window, gemma2's
  // scaled embedding, extra norms, GeGLU, alternating window and soft-caps
  ["qwen2-synthetic-q8_0", "qwen2-synthetic-q8_0-logits-f64ref", 1e-8],
  ["phi3-synthetic-q8_0", "phi3-synthetic-q8_0-logits-f64ref", 1e-8],
  ["gemma2-synthetic-q8_0", "gemma2-synthetic-q8_0-logits-f64ref", 1e-8],
  ["gemma2-synthetic-q8_0", "gemma2-synthetic-q8_0-logits", 1e-3],
];

interface GreedyJSON extends GreedyRecord {
  model_file: string;
}

/** Defines the logits and greedy suites for one backend; skipped (the caller says why) when skipWhy is set. */
export function gpuGoldenSuites(label: string, backendFor: BackendFor, skipWhy: string): void {
  describe.skipIf(skipWhy !== "")(`${label} backend logits match the goldens`, () => {
    for (const [model, file, limit] of LOGITS_CASES) {
      const kv = file.includes("-kvf16") ? "f16" : "f32";
      it(`${file}: NMSE <= ${limit}${kv === "f16" ? " (f16 KV cache)" : ""}`, async () => {
        const meta = JSON.parse(readFileSync(golden("logits", file + ".json"), "utf8")) as { token_ids: number[]; shape: [number, number] };
        const want = readF32(golden("logits", file + ".f32"));
        const seq = (await backendFor(model + ".gguf", kv)).createSequence({ nCtx: 64 });
        const got = await seq.forward(meta.token_ids, 0, "all");
        seq.free();
        expect(got.length).toBe(meta.shape[0] * meta.shape[1]);
        const e = nmse(got, want);
        expect(e, `NMSE ${e.toExponential(2)}`).toBeLessThanOrEqual(limit);
      });
    }

    it("gives the same logits evaluating the prompt in one batch and token by token", async () => {
      // the batched prefill and the per-token decode path must agree with each other and with
      // llama.cpp's last row
      const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-f32-logits.json"), "utf8")) as { token_ids: number[] };
      const want = readF32(golden("logits", "synthetic-k256-f32-logits.f32"));
      const seq = (await backendFor("synthetic-k256-f32.gguf", "f32")).createSequence({ nCtx: 64 });
      let last: Float32Array = new Float32Array();
      for (let i = 0; i < meta.token_ids.length; i++) last = await seq.forward([meta.token_ids[i]!], i, "last");
      seq.free();
      const e = nmse(last, want.subarray(want.length - last.length));
      expect(e, `NMSE ${e.toExponential(2)}`).toBeLessThanOrEqual(1e-6);
    });
  });

  // These backends compute the exact math (f32 activations), while llama.cpp rounds activations to q8_0
  // for quantized weights (golden README, Tolerances): their logits differ by about 0.04 rms on
  // stories260k, so for quantized files a margin under 0.1 is a near-tie; for f32 weights both compute
  // the exact math and 0.02 is (the reference test's threshold).
  describe.skipIf(skipWhy !== "")(`${label} backend greedy decoding matches llama.cpp`, () => {
    for (const model of ["stories260k-f32", "stories260k-q8_0", "stories260k-q4_0"]) {
      const g = JSON.parse(readFileSync(golden("greedy", model + ".json"), "utf8")) as GreedyJSON;
      const nearTie = model.endsWith("-f32") ? 0.02 : 0.1;
      const firstTie = g.top1_top2_margin.findIndex((m) => m < nearTie);
      const n = firstTie < 0 ? g.generated_token_ids.length : firstTie;

      it(`${model}: free-running, the first ${n} ids (before the first margin < ${nearTie}) equal llama.cpp's`, async () => {
        const seq = (await backendFor(g.model_file, "f32")).createSequence();
        const ids = await greedyIds(seq, g.prompt_token_ids, n);
        seq.free();
        expect(n).toBeGreaterThan(10);
        expect(ids).toEqual(g.generated_token_ids.slice(0, n));
      });

      it(`${model}: teacher-forced, the argmax equals llama.cpp's token at every step with margin >= ${nearTie}`, async () => {
        const seq = (await backendFor(g.model_file, "f32")).createSequence();
        const logits = await seq.forward([...g.prompt_token_ids, ...g.generated_token_ids], 0, "all");
        seq.free();
        const { checked, mismatches } = teacherForcedMismatches(logits, g, nearTie);
        expect(checked).toBeGreaterThan(200);
        expect(mismatches).toEqual([]);
      });
    }
  });
}
