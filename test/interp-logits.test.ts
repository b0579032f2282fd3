// Whole-model conformance of the interp backend: its logits against the reference backend's (exact f32
// activations) on the same tokens, within the whole-model limit of DESIGN.md (NMSE 2e-3), for models
// whose weights exercise the quantized matvec and matmul kernels (q4_0, q8_0, q4_k_m's q4_k/q6_k mix and
// the f16/f32 fallbacks of rows that are not whole blocks), qwen2's biases and NeoX RoPE, phi3's fused
// projections and gemma2's GeGLU, post-norms and soft-caps. Few tokens each: the interpreter needs
// seconds per token.
import { describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import type { Backend } from "../engine/runtime/backend.js";
import { createReferenceBackend } from "../engine/runtime/reference-backend.js";
import { argmax } from "../engine/sampling/sampler.js";
import { createInterpBackend } from "../targets/interp/backend.js";
import { golden } from "./golden.js";

async function open(file: string, make: typeof createInterpBackend): Promise<Backend> {
  const f = GGUFFile.open(golden("models", file));
  try {
    return await make(f, modelConfigFromGGUF(f), { kvType: "f32", activations: "exact" });
  } finally {
    f.close();
  }
}

function nmse(got: Float32Array, want: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i]! - want[i]!) ** 2;
    den += want[i]! ** 2;
  }
  return num / den;
}

describe("interp backend logits match the reference", () => {
  for (const [file, tokens] of [
    ["stories260k-q4_0.gguf", [1, 403]],
    ["qwen2-synthetic-q8_0.gguf", [1, 2]],
    ["synthetic-k256-q4_k_m.gguf", [1]],
    ["phi3-synthetic-q8_0.gguf", [1]],
    ["gemma2-synthetic-q8_0.gguf", [1]],
  ] as const) {
    it(`${file}, tokens ${tokens.join(",")}`, async () => {
      const interp = (await open(file, createInterpBackend)).createSequence({ nCtx: 8 });
      const ref = (await open(file, createReferenceBackend)).createSequence({ nCtx: 8 });
      const got = await interp.forward([...tokens], 0, "all");
      const want = await ref.forward([...tokens], 0, "all");
      const n = want.length / tokens.length;
      for (let t = 0; t < tokens.length; t++) {
        const g = got.subarray(t * n, (t + 1) * n), w = want.subarray(t * n, (t + 1) * n);
        expect(nmse(g, w), `token ${t}`).toBeLessThan(2e-3);
        expect(argmax(g), `token ${t}`).toBe(argmax(w));
      }
    });
  }
});
