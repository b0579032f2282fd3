// Reference backend throughput (not a test): prefill and greedy decode in tokens/s on stories260K
// (the vendored model) and the synthetic-k256 models of shared/golden (f32, q4_k_m, q6_k; skipped when
// the golden folder is absent; KILN_GOLDEN points elsewhere). The reference is the oracle, not the fast
// path: these numbers say what the checks cost, and are the baseline the kernel backends are held to.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { defaultModelPath, packageRoot } from "../engine/paths.js";
import { createReferenceBackend } from "../engine/runtime/reference-backend.js";
import { argmax } from "../engine/sampling/sampler.js";
import { type Benchmark, wanted } from "./harness.js";

const PROMPT = [1, 403, 407, 261, 378]; // "Once upon a time"

function goldenModel(name: string): string | undefined {
  const dir = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
  const p = join(dir, "models", name);
  return existsSync(p) ? p : undefined;
}

export const benchmark: Benchmark = {
  name: "reference",
  description: "reference backend prefill and greedy decode, tokens/s",
  async run(opts, report) {
    const nDecode = opts.quick ? 16 : 256;
    const nPrefill = opts.quick ? 16 : 128;
    const models: [string, string | undefined][] = [
      ["stories260k-f32", defaultModelPath()],
      ["synthetic-k256-f32", goldenModel("synthetic-k256-f32.gguf")],
      ["synthetic-k256-q4_k_m", goldenModel("synthetic-k256-q4_k_m.gguf")],
      ["synthetic-k256-q6_k", goldenModel("synthetic-k256-q6_k.gguf")],
    ];
    for (const [name, path] of models) {
      if (!path) {
        process.stderr.write(`bench reference: ${name} not found (set KILN_GOLDEN to shared/golden), skipped\n`);
        continue;
      }
      const f = GGUFFile.open(path);
      const config = modelConfigFromGGUF(f);
      const backend = await createReferenceBackend(f, config, { kvType: "f32" });
      f.close();
      const decodeCase = `decode(model=${name},tokens=${nDecode})`;
      const n = Math.min(nDecode, config.nCtx - PROMPT.length);
      if (wanted(opts, decodeCase)) {
        const seq = backend.createSequence();
        let logits = await seq.forward(PROMPT, 0, "last");
        const start = process.hrtime.bigint();
        for (let i = 0; i < n; i++) logits = await seq.forward([argmax(logits)], PROMPT.length + i, "last");
        const s = Number(process.hrtime.bigint() - start) / 1e9;
        report({ case: decodeCase, value: n / s, unit: "tokens/s" });
      }
      const prefillCase = `prefill(model=${name},tokens=${nPrefill})`;
      if (wanted(opts, prefillCase)) {
        const m = Math.min(nPrefill, config.nCtx);
        const tokens = Array.from({ length: m }, (_, i) => (i === 0 ? 1 : 259 + (i % 200)));
        const seq = backend.createSequence();
        const start = process.hrtime.bigint();
        await seq.forward(tokens, 0, "last");
        const s = Number(process.hrtime.bigint() - start) / 1e9;
        report({ case: prefillCase, value: m / s, unit: "tokens/s" });
      }
    }
  },
};
