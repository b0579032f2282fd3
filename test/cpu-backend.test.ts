// The default backend, `cpu` (engine/runtime/cpu-backend.ts): the wasm backend where it can run the
// model, else the reference backend with one line on stderr saying why; `activations: "ggml"` (a
// reference mode) picks the reference backend.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadModel } from "../engine/runtime/model.js";
import { golden } from "./golden.js";
import { greedyIds } from "./greedy.js";
import { writeIQ2XXSAttnQModel } from "./unsupported-type-model.js";

afterEach(() => vi.restoreAllMocks());

describe("the default backend", () => {
  it("runs stories260k on the wasm backend, with llama.cpp's greedy continuation", async () => {
    const g = JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as { prompt_token_ids: number[]; generated_token_ids: number[] };
    const model = await loadModel(golden("models", "stories260k-f32.gguf"), { threads: 2 });
    try {
      expect(model.backend.name).toBe("wasm");
      const ids = await greedyIds(model.backend.createSequence(), g.prompt_token_ids, 32);
      expect(ids).toEqual(g.generated_token_ids.slice(0, 32));
    } finally {
      model.close();
    }
  });

  it("falls back to the reference backend for a weight type the wasm backend has no kernel for, saying so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-cpu-backend-"));
    try {
      const path = await writeIQ2XXSAttnQModel(dir);
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const model = await loadModel(path);
      try {
        expect(model.backend.name).toBe("reference");
        const said = stderr.mock.calls.map((c) => String(c[0])).join("");
        expect(said).toMatch(/the wasm backend cannot run .*iq2_xxs-attn-q\.gguf \(.*blk\.0\.attn_q\.weight is iq2_xxs.*\); running it on the reference backend/);
      } finally {
        model.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the reference backend for its llama.cpp-rounding mode", async () => {
    const model = await loadModel(golden("models", "stories260k-f32.gguf"), { activations: "ggml" });
    try {
      expect(model.backend.name).toBe("reference");
    } finally {
      model.close();
    }
  });
});
