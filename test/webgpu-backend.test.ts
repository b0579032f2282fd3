// The webgpu backend (Dawn in a `node --no-opt` GPU process; lavapipe in CI, a real GPU where there is
// one) against llama.cpp's goldens: the checks of test/gpu-golden-suite.ts (logits against the float64
// pass and llama.cpp, greedy stories260k), and the f16 KV cache kept in f32 storage where the adapter
// has no shader-f16.
// Skipped, saying why, where Dawn finds no adapter (no Vulkan driver and no .cache/lavapipe).

import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { createWebGPUBackend, type WebGPUBackend } from "../targets/wgsl/backend/webgpu-backend.js";
import { golden, nmse, readF32 } from "./golden.js";
import { gpuGoldenSuites } from "./gpu-golden-suite.js";

const backends = new Map<string, Promise<WebGPUBackend>>();
/** noF16: the GPU process does not ask for shader-f16, so an f16 KV cache is rounded and kept in f32. */
function backendFor(modelFile: string, kvType: "f32" | "f16", noF16 = false): Promise<WebGPUBackend> {
  const key = `${modelFile}/${kvType}/${noF16}`;
  let b = backends.get(key);
  if (!b) {
    const f = GGUFFile.open(golden("models", modelFile));
    if (noF16) process.env.KILN_WEBGPU_NO_F16 = "1";
    b = createWebGPUBackend(f, modelConfigFromGGUF(f), { kvType }).finally(() => f.close());
    delete process.env.KILN_WEBGPU_NO_F16;
    backends.set(key, b);
  }
  return b;
}
afterAll(async () => {
  for (const b of backends.values()) (await b.catch(() => undefined))?.dispose();
});

// One probe decides whether the suite can run here at all.
let skipWhy = "";
try {
  const b = await backendFor("stories260k-f32.gguf", "f32");
  process.stderr.write(`webgpu backend tests on ${b.adapter} (KV storage with --kv-type f16: ${(await backendFor("synthetic-k256-q4_k_m.gguf", "f16")).kvStorage})\n`);
} catch (e) {
  if (!(e instanceof KilnError)) throw e;
  skipWhy = e.message;
  process.stderr.write(`webgpu backend tests skipped: ${skipWhy}\n`);
}

gpuGoldenSuites("webgpu", backendFor, skipWhy);

describe.skipIf(skipWhy !== "")("webgpu backend without shader-f16", () => {
  it("synthetic-k256-q4_k_m-logits-kvf16 with the f16 cache rounded into f32 storage (no shader-f16): NMSE <= 1e-3", async () => {
    const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-q4_k_m-logits-kvf16.json"), "utf8")) as { token_ids: number[] };
    const want = readF32(golden("logits", "synthetic-k256-q4_k_m-logits-kvf16.f32"));
    const b = await backendFor("synthetic-k256-q4_k_m.gguf", "f16", true);
    expect(b.kvStorage).toBe("f32");
    const seq = b.createSequence({ nCtx: 64 });
    const got = await seq.forward(meta.token_ids, 0, "all");
    seq.free();
    const e = nmse(got, want);
    expect(e, `NMSE ${e.toExponential(2)}`).toBeLessThanOrEqual(1e-3);
  });
});
