// GPU backends' throughput (not a test): greedy decode and prefill in tokens/s for `webgpu` (Dawn in
// its GPU process; on a machine without a GPU, the CPU Vulkan driver lavapipe) and `cuda` where a CUDA
// driver exists, on stories260K and the synthetic-k256 models of shared/golden. Runs only with --gpu;
// --compare adds the wasm backend (the CPU fast path) on the same cases. A backend that cannot start
// here is reported on stderr and skipped.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { defaultModelPath, packageRoot } from "../engine/paths.js";
import { backendFactory, type Backend } from "../engine/runtime/backend.js";
import "../engine/runtime/model.js"; // registers every backend
import { argmax } from "../engine/sampling/sampler.js";
import { type Benchmark, wanted } from "./harness.js";

const PROMPT = [1, 403, 407, 261, 378]; // "Once upon a time"

function goldenModel(name: string): string | undefined {
  const dir = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
  const p = join(dir, "models", name);
  return existsSync(p) ? p : undefined;
}

export const benchmark: Benchmark = {
  name: "gpu",
  description: "webgpu / cuda backends: prefill and greedy decode, tokens/s (needs --gpu)",
  async run(opts, report) {
    if (!opts.gpu) {
      process.stderr.write("bench gpu: skipped (pass --gpu)\n");
      return;
    }
    const nDecode = opts.quick ? 16 : 128;
    const nPrefill = opts.quick ? 16 : 128;
    const backends = ["webgpu", "cuda", ...(opts.compare ? ["wasm"] : [])];
    const models: [string, string | undefined][] = [
      ["stories260k-f32", defaultModelPath()],
      ["stories260k-q4_0", goldenModel("stories260k-q4_0.gguf")],
      ["synthetic-k256-q4_k_m", goldenModel("synthetic-k256-q4_k_m.gguf")],
      ["synthetic-k256-q6_k", goldenModel("synthetic-k256-q6_k.gguf")],
    ];
    for (const impl of backends) {
      for (const [name, path] of models) {
        if (!path) continue;
        const f = GGUFFile.open(path);
        const config = modelConfigFromGGUF(f);
        let backend: Backend;
        try {
          backend = await backendFactory(impl)(f, config, { kvType: "f32" });
        } catch (e) {
          process.stderr.write(`bench gpu: ${impl} unavailable (${(e as Error).message}), skipped\n`);
          break;
        } finally {
          f.close();
        }
        const decodeCase = `decode(model=${name},tokens=${nDecode})`;
        if (wanted(opts, decodeCase)) {
          const seq = backend.createSequence({ nCtx: 512 });
          let logits = await seq.forward(PROMPT, 0, "last");
          const start = process.hrtime.bigint();
          for (let i = 0; i < nDecode; i++) logits = await seq.forward([argmax(logits)], PROMPT.length + i, "last");
          const s = Number(process.hrtime.bigint() - start) / 1e9;
          report({ case: decodeCase, value: nDecode / s, unit: "tokens/s", impl });
          seq.free();
        }
        const prefillCase = `prefill(model=${name},tokens=${nPrefill})`;
        if (wanted(opts, prefillCase)) {
          const tokens = Array.from({ length: nPrefill }, (_, i) => (i === 0 ? 1 : 259 + (i % 200)));
          const seq = backend.createSequence({ nCtx: 512 });
          const start = process.hrtime.bigint();
          await seq.forward(tokens, 0, "last");
          const s = Number(process.hrtime.bigint() - start) / 1e9;
          report({ case: prefillCase, value: nPrefill / s, unit: "tokens/s", impl });
          seq.free();
        }
        backend.dispose();
      }
    }
  },
};
