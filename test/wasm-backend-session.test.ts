// The wasm backend under the Session (engine/runtime/session.ts), as the CLI and the server use it:
// loadModel(..., { backend: "wasm" }), generation that reuses the cached prompt prefix (a rewind of the
// KV cache), and many sequences created and freed (their KV blocks are reused, not leaked). Checked
// against llama.cpp's greedy text for stories260k-f32 (golden/greedy; no near-tie in its first 110 steps).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadModel } from "../engine/runtime/model.js";
import { golden } from "./golden.js";

interface GreedyJSON {
  generated_pieces: string[];
}

describe("wasm backend behind a Session", () => {
  it("generates llama.cpp's greedy text, twice on one session (the second reuses the cached prompt)", async () => {
    const g = JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as GreedyJSON;
    const want = g.generated_pieces.slice(0, 100).join("");
    const model = await loadModel(golden("models", "stories260k-f32.gguf"), { backend: "wasm", threads: 2 });
    try {
      expect(model.backend.name).toBe("wasm");
      const session = model.createSession();
      const a = await session.generate("Once upon a time", { maxTokens: 100, temperature: 0 }).result;
      expect(a.text).toBe(want);
      const b = await session.generate("Once upon a time", { maxTokens: 40, temperature: 0 }).result;
      expect(b.text).toBe(g.generated_pieces.slice(0, 40).join(""));
    } finally {
      model.close();
    }
  });

  it("frees KV caches for reuse: 200 full-context sequences created and freed in turn leave under 64 MB in use (520 MB if leaked)", async () => {
    const model = await loadModel(golden("models", "stories260k-q8_0.gguf"), { backend: "wasm", threads: 1 });
    try {
      // each full-context sequence holds 5 layers x 2048 positions x 64 x 4 bytes = 2.6 MB of KV cache
      for (let i = 0; i < 200; i++) {
        const seq = model.backend.createSequence();
        const logits = await seq.forward([1, 403], 0, "last");
        expect(logits.length).toBe(512);
        seq.free();
      }
      const used = (model.backend as unknown as { shards: { used: number }[] }).shards[0]!.used;
      expect(used).toBeLessThan(64 << 20);
    } finally {
      model.close();
    }
  });
});
