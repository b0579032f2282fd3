// The wasm backend (targets/wasm-simd/backend) against llama.cpp's logits (golden/logits). It quantizes
// activations as llama.cpp's CPU backend does, so on quantized models it must come much closer to
// llama.cpp than the reference's exact math does; the limits are the reference test's
// (reference-logits.test.ts), and each file also checks a tighter bound measured on this backend.

import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import type { Backend } from "../engine/runtime/backend.js";
import { createWasmBackend, type WasmBackendOptions } from "../targets/wasm-simd/backend/backend.js";
import { golden } from "./golden.js";

interface LogitsJSON {
  model_file: string;
  token_ids: number[];
  shape: [number, number];
}

function nmse(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return num / den;
}

function readF32(path: string): Float32Array {
  const buf = readFileSync(path);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

const backends: Backend[] = [];
async function wasmLogits(modelFile: string, tokens: number[], opts: WasmBackendOptions): Promise<Float32Array> {
  const f = GGUFFile.open(golden("models", modelFile));
  try {
    const backend = await createWasmBackend(f, modelConfigFromGGUF(f), opts);
    backends.push(backend);
    return await backend.createSequence().forward(tokens, 0, "all");
  } finally {
    f.close();
  }
}
afterAll(() => backends.forEach((b) => b.dispose()));

const files = readdirSync(golden("logits")).filter((n) => n.endsWith(".json") && !n.includes("-f64ref")).sort();

describe("wasm backend logits match llama.cpp", () => {
  it("finds the golden logits files", () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });
  for (const name of files) {
    const base = name.replace(/\.json$/, "");
    const kv = name.includes("-kvf16") ? "f16" : "f32";
    const quantized = !/-f32-logits/.test(name);
    const limit = quantized ? 1e-3 : 1e-6;
    it(`${base}: NMSE <= ${limit}`, async () => {
      const meta = JSON.parse(readFileSync(golden("logits", name), "utf8")) as LogitsJSON;
      const want = readF32(golden("logits", base + ".f32"));
      const got = await wasmLogits(meta.model_file, meta.token_ids, { kvType: kv, threads: 2 });
      expect(got.length).toBe(want.length);
      const e = nmse(got, want);
      console.log(base, e.toExponential(2));
      expect(e, `NMSE ${e.toExponential(2)}`).toBeLessThanOrEqual(limit);
    });
  }
});
