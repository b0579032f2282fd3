// The interp backend (targets/interp: the model graph run with the DSL kernels in the IR interpreter)
// against llama.cpp's greedy continuations of stories260K (golden/greedy: f32 weights with an f32 KV cache,
// q8_0 weights with an f16 one). The interpreter needs seconds per token, so the test takes the first
// steps only; each has a clear top-1 margin in the golden file, so a kernel bug (not rounding) is what
// would change a token.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { argmax } from "../engine/sampling/sampler.js";
import { createInterpBackend } from "../targets/interp/backend.js";
import { golden } from "./golden.js";

interface GreedyJSON {
  model_file: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  top1_top2_margin: number[];
}

const STEPS = 3;

describe("interp backend", () => {
  for (const [file, kvType] of [["stories260k-f32.json", "f32"], ["stories260k-q8_0-kvf16.json", "f16"]] as const) {
    it(`generates llama.cpp's first ${STEPS} greedy tokens of ${file} with the kernels (${kvType} KV cache)`, async () => {
      const g = JSON.parse(readFileSync(golden("greedy", file), "utf8")) as GreedyJSON;
      for (const m of g.top1_top2_margin.slice(0, STEPS)) expect(m).toBeGreaterThan(0.5);
      const f = GGUFFile.open(golden("models", g.model_file));
      const backend = await createInterpBackend(f, modelConfigFromGGUF(f), { kvType });
      f.close();
      const seq = backend.createSequence({ nCtx: 32 });
      let logits = await seq.forward(g.prompt_token_ids, 0, "last");
      const got: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        const next = argmax(logits);
        got.push(next);
        if (s < STEPS - 1) logits = await seq.forward([next], seq.nPast, "last");
      }
      expect(got).toEqual(g.generated_token_ids.slice(0, STEPS));
    });
  }

  it("refuses a model feature it lacks with the feature's name", async () => {
    const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    const config = modelConfigFromGGUF(f);
    await expect(createInterpBackend(f, { ...config, rope: { ...config.rope, scaling: { type: "yarn", factor: 2, originalContext: 128, extFactor: 1, attnFactor: 1, betaFast: 32, betaSlow: 1 } } }, {}))
      .rejects.toThrow("the interp backend does not run llama models with yarn RoPE scaling yet (use --backend reference)");
    f.close();
  });
});
