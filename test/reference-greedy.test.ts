// Greedy continuations of the reference against llama.cpp's (golden/greedy).
//
// Ids must be equal up to the first step whose recorded top-1/top-2 margin is below a
// near-tie threshold; at such a step an engine that rounds differently may legitimately pick the other
// token, and from there the sequences part (golden README, greedy/). The threshold is 0.02 logits for
// f32 weights. For quantized weights llama.cpp rounds the activations to q8_0/f16 before each product;
// the reference reproduces that ("ggml" activations, exact to 1e-14 NMSE on the qwen2/phi3 q8_0 logits),
// but not bit for bit over hundreds of steps: one activation landing on the other side of a rounding
// boundary moves a logit by a few hundredths (measured on stories260k-q8_0: up to 0.08 by step 256, 0.056
// at step 131, where llama.cpp's margin is 0.023). Quantized files therefore use 0.05 (gemma2 keeps
// 0.02: see below).
//
// Beyond that: feeding llama.cpp's own ids, the reference's argmax must equal llama.cpp's token at
// every step whose margin is clear — all steps, not only those before the first near-tie. Clear is
// 0.02 for f32 weights and 0.1 for quantized ones, except gemma2, whose logits are soft-capped to
// ±0.5 (std 0.15): there the reference's "ggml" logits are within 0.006 of llama.cpp's on the logits
// prompt, so 0.02 is clear.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { createReferenceBackend } from "../engine/runtime/reference-backend.js";
import type { Backend } from "../engine/runtime/backend.js";
import { argmax } from "../engine/sampling/sampler.js";
import { golden } from "./golden.js";

interface GreedyJSON {
  model_file: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  top1_top2_margin: number[];
  settings: { kv_cache_type: string };
}

const files = readdirSync(golden("greedy")).filter((n) => n.endsWith(".json")).sort();

async function backendFor(g: GreedyJSON, name: string): Promise<Backend> {
  const kvType = name.includes("-kvf16") ? "f16" : "f32";
  expect(g.settings.kv_cache_type).toBe(kvType);
  const quantized = !g.model_file.includes("-f32");
  const f = GGUFFile.open(golden("models", g.model_file));
  try {
    return await createReferenceBackend(f, modelConfigFromGGUF(f), { kvType, activations: quantized ? "ggml" : "exact" });
  } finally {
    f.close();
  }
}

describe("reference greedy decoding matches llama.cpp", () => {
  it("finds the golden greedy files", () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  for (const name of files) {
    const g = JSON.parse(readFileSync(golden("greedy", name), "utf8")) as GreedyJSON;
    const quantized = !g.model_file.includes("-f32");
    const gemma2 = g.model_file.startsWith("gemma2");
    const nearTie = quantized && !gemma2 ? 0.05 : 0.02;
    const firstTie = g.top1_top2_margin.findIndex((m) => m < nearTie);
    const n = firstTie < 0 ? g.generated_token_ids.length : firstTie;

    const clear = quantized && !gemma2 ? 0.1 : 0.02;
    it(`${name}: the first ${n} ids (before the first margin < ${nearTie}) equal llama.cpp's, and every step with margin >= ${clear}`, async () => {
      // One pass over llama.cpp's own ids. While the reference's argmax equals llama.cpp's token, the
      // input is exactly what free-running greedy decoding would feed, so the first check is the
      // free-running comparison.
      const seq = (await backendFor(g, name)).createSequence();
      const all = [...g.prompt_token_ids, ...g.generated_token_ids];
      const logits = await seq.forward(all, 0, "all");
      const nVocab = logits.length / all.length;
      const p = g.prompt_token_ids.length;
      const ids = g.generated_token_ids.map((_, s) => argmax(logits.subarray((p - 1 + s) * nVocab, (p + s) * nVocab)));
      expect(ids.slice(0, n)).toEqual(g.generated_token_ids.slice(0, n));
      const mismatches: string[] = [];
      let checked = 0;
      for (let s = 0; s < ids.length; s++) {
        if (g.top1_top2_margin[s]! < clear) continue;
        checked++;
        if (ids[s] !== g.generated_token_ids[s]) mismatches.push(`step ${s}: ${ids[s]} instead of ${g.generated_token_ids[s]}`);
      }
      expect(checked).toBeGreaterThan(0);
      expect(mismatches).toEqual([]);
    });
  }
});
