// Greedy continuations of the wasm backend against llama.cpp's (golden/greedy), with the checks of
// reference-greedy.test.ts: free-running ids equal llama.cpp's up to the first recorded near-tie
// (margin < 0.02 for f32 weights, 0.05 for quantized ones), and teacher-forced argmaxes equal llama.cpp's
// token at every step whose margin is clear (0.02 f32 and gemma2, 0.1 other quantized files). The
// backend runs two threads, so the row and head splits across workers are exercised too.

import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import type { Backend } from "../engine/runtime/backend.js";
import { createWasmBackend } from "../targets/wasm-simd/backend/backend.js";
import { golden } from "./golden.js";
import { greedyIds, teacherForcedMismatches } from "./greedy.js";

interface GreedyJSON {
  model_file: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  top1_top2_margin: number[];
  settings: { kv_cache_type: string };
}

const files = readdirSync(golden("greedy")).filter((n) => n.endsWith(".json")).sort();
const backends = new Map<string, Promise<Backend>>();

function backendFor(g: GreedyJSON, name: string): Promise<Backend> {
  const kvType = name.includes("-kvf16") ? "f16" : "f32";
  expect(g.settings.kv_cache_type).toBe(kvType);
  const key = `${g.model_file}/${kvType}`;
  if (!backends.has(key)) {
    backends.set(key, (async () => {
      const f = GGUFFile.open(golden("models", g.model_file));
      try {
        return await createWasmBackend(f, modelConfigFromGGUF(f), { kvType, threads: 2 });
      } finally {
        f.close();
      }
    })());
  }
  return backends.get(key)!;
}
afterAll(async () => {
  for (const b of backends.values()) (await b).dispose();
});

describe("wasm backend greedy decoding matches llama.cpp", () => {
  it("finds the golden greedy files", () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  for (const name of files) {
    const g = JSON.parse(readFileSync(golden("greedy", name), "utf8")) as GreedyJSON;
    const quantized = !g.model_file.includes("-f32");
    const nearTie = quantized ? 0.05 : 0.02;
    const firstTie = g.top1_top2_margin.findIndex((m) => m < nearTie);
    const n = firstTie < 0 ? g.generated_token_ids.length : firstTie;

    it(`${name}: free-running, the first ${n} ids (before the first margin < ${nearTie}) equal llama.cpp's`, async () => {
      const seq = (await backendFor(g, name)).createSequence();
      const ids = await greedyIds(seq, g.prompt_token_ids, n);
      seq.free();
      expect(ids).toEqual(g.generated_token_ids.slice(0, n));
    });

    const clear = quantized && !g.model_file.startsWith("gemma2") ? 0.1 : 0.02;
    it(`${name}: teacher-forced, the argmax equals llama.cpp's token at every step with margin >= ${clear}`, async () => {
      const seq = (await backendFor(g, name)).createSequence();
      const logits = await seq.forward([...g.prompt_token_ids, ...g.generated_token_ids], 0, "all");
      seq.free();
      const { checked, mismatches } = teacherForcedMismatches(logits, g, clear);
      expect(checked).toBeGreaterThan(0);
      expect(mismatches).toEqual([]);
    });
  }
});
