// The cuda backend on a real GPU against llama.cpp's goldens: the checks every GPU backend passes
// (test/gpu-golden-suite.ts: logits against the float64 pass and llama.cpp, f16 KV cache included,
// greedy stories260k). Skipped, saying why, where no CUDA driver, binding or nvcc exists (CI has no
// GPU; test/cuda-backend.test.ts checks the host logic there).

import { afterAll } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import type { Backend } from "../engine/runtime/backend.js";
import { createCudaBackend, cudaAvailability } from "../targets/cuda/backend/cuda-backend.js";
import { golden } from "./golden.js";
import { gpuGoldenSuites } from "./gpu-golden-suite.js";

const backends = new Map<string, Promise<Backend>>();
function backendFor(modelFile: string, kvType: "f32" | "f16"): Promise<Backend> {
  const key = `${modelFile}/${kvType}`;
  let b = backends.get(key);
  if (!b) {
    const f = GGUFFile.open(golden("models", modelFile));
    b = createCudaBackend(f, modelConfigFromGGUF(f), { kvType }).finally(() => f.close());
    backends.set(key, b);
  }
  return b;
}
afterAll(async () => {
  for (const b of backends.values()) (await b.catch(() => undefined))?.dispose();
});

const avail = cudaAvailability();
const skipWhy = avail.ok ? "" : avail.why;
if (skipWhy) process.stderr.write(`cuda backend golden tests skipped: ${skipWhy}\n`);

gpuGoldenSuites("cuda", backendFor, skipWhy);
