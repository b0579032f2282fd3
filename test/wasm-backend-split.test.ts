// The wasm backend's layer split across memories (a wasm32 memory holds at most 4 GiB) and its thread
// counts, against llama.cpp's outputs: a small artificial shard limit forces small golden models into
// several shards, and the results must still pass the golden checks. Bad limits, thread counts and
// weight types the kernels lack are errors that name the value.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { argmax } from "../engine/sampling/sampler.js";
import { createWasmBackend, type WasmBackend, type WasmBackendOptions } from "../targets/wasm-simd/backend/backend.js";
import { golden, nmse, readF32 } from "./golden.js";
import { writeIQ2XXSAttnQModel } from "./unsupported-type-model.js";

async function open(model: string, opts: WasmBackendOptions): Promise<WasmBackend> {
  const f = GGUFFile.open(golden("models", model));
  try {
    return await createWasmBackend(f, modelConfigFromGGUF(f), opts);
  } finally {
    f.close();
  }
}

interface GreedyJSON {
  prompt_token_ids: number[];
  generated_token_ids: number[];
  top1_top2_margin: number[];
}

describe("wasm backend split by layers across memories", () => {
  it("runs stories260k-q4_0 in three shards and continues greedily as llama.cpp does", async () => {
    // 2.5 MB holds about two layers with their full-context KV cache (512 KB a layer)
    const b = await open("stories260k-q4_0.gguf", { threads: 2, maxShardBytes: 2_500_000 });
    try {
      expect(b.shards.length).toBeGreaterThanOrEqual(3);
      const order = b.layers.map((l) => l.shard);
      expect(order).toEqual([...order].sort((x, y) => x - y)); // contiguous runs of layers
      const g = JSON.parse(readFileSync(golden("greedy", "stories260k-q4_0.json"), "utf8")) as GreedyJSON;
      const n = g.top1_top2_margin.findIndex((m) => m < 0.05); // the first near-tie (see the greedy test)
      const seq = b.createSequence();
      let logits = await seq.forward(g.prompt_token_ids, 0, "last");
      const ids: number[] = [];
      for (let s = 0; s < n; s++) {
        ids.push(argmax(logits));
        logits = await seq.forward([ids[s]!], g.prompt_token_ids.length + s, "last");
      }
      expect(ids).toEqual(g.generated_token_ids.slice(0, n));
    } finally {
      b.dispose();
    }
  });

  for (const threads of [1, 3]) {
    it(`matches llama.cpp's synthetic-k256-q4_k_m logits split in two shards on ${threads} thread(s)`, async () => {
      const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-q4_k_m-logits.json"), "utf8")) as { token_ids: number[] };
      const want = readF32(golden("logits", "synthetic-k256-q4_k_m-logits.f32"));
      const b = await open("synthetic-k256-q4_k_m.gguf", { threads, maxShardBytes: 4_500_000 });
      try {
        expect(b.shards.length).toBeGreaterThanOrEqual(2);
        const got = await b.createSequence().forward(meta.token_ids, 0, "all");
        expect(nmse(got, want)).toBeLessThanOrEqual(1e-12);
      } finally {
        b.dispose();
      }
    });
  }

  it("refuses a limit smaller than one layer or tensor, naming it and the sizes", async () => {
    await expect(open("stories260k-q4_0.gguf", { threads: 1, maxShardBytes: 600_000 })).rejects.toThrow(KilnError);
    await expect(open("stories260k-q4_0.gguf", { threads: 1, maxShardBytes: 600_000 })).rejects.toThrow(/(token_embd.weight|layer 0) needs \d+ bytes, more than one wasm memory shard holds \(600000\)/);
  });

  it("refuses a thread count that is not a whole number from 1 to 256", async () => {
    await expect(open("stories260k-q4_0.gguf", { threads: 0 })).rejects.toThrow(/--threads 0 is not a thread count/);
    await expect(open("stories260k-q4_0.gguf", { threads: 1.5 })).rejects.toThrow(KilnError);
  });

  it("refuses a weight type it has no kernel for, naming the tensor, the type and the way out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-wasm-type-"));
    try {
      const path = await writeIQ2XXSAttnQModel(dir);
      const f = GGUFFile.open(path);
      try {
        await expect(createWasmBackend(f, modelConfigFromGGUF(f), { threads: 1 })).rejects.toThrow(
          /tensor blk\.0\.attn_q\.weight is iq2_xxs, which the wasm backend cannot multiply yet \(use --backend reference/,
        );
      } finally {
        f.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
