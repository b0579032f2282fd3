// Model config from metadata (checked against the shapes the golden README gives for each model),
// clear errors for what is missing, the tied output projection, and RoPE scaling rules.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { kv, specFromFile, writeGGUF } from "../engine/gguf/writer.js";
import type { GGUFKV } from "../engine/gguf/types.js";
import { modelConfigFromGGUF, type ModelConfig, type RopeConfig } from "../engine/model/config.js";
import { loadWeights } from "../engine/model/weights.js";
import { ropeAngles } from "../engine/reference/ops.js";
import { createReferenceBackend } from "../engine/runtime/reference-backend.js";
import { golden } from "./golden.js";
import { greedyIds } from "./greedy.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-reference-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configOf(model: string): ModelConfig {
  const f = GGUFFile.open(golden("models", model));
  try {
    return modelConfigFromGGUF(f);
  } finally {
    f.close();
  }
}

/** A copy of a golden model with metadata keys and tensors changed. */
async function variant(
  model: string, name: string,
  edit: { dropKeys?: string[]; addKeys?: GGUFKV[]; dropTensors?: string[] },
): Promise<string> {
  const src = GGUFFile.open(golden("models", model));
  const spec = specFromFile(src);
  const path = join(dir, name);
  await writeGGUF(path, {
    ...spec,
    kvs: [...spec.kvs.filter((k) => !(edit.dropKeys ?? []).includes(k.key)), ...(edit.addKeys ?? [])],
    tensors: spec.tensors.filter((t) => !(edit.dropTensors ?? []).includes(t.name)),
  });
  src.close();
  return path;
}

function openConfig(path: string): ModelConfig {
  const f = GGUFFile.open(path);
  try {
    const c = modelConfigFromGGUF(f);
    loadWeights(f, c);
    return c;
  } finally {
    f.close();
  }
}

describe("model config from GGUF metadata", () => {
  it("reads stories260k as the README describes it", () => {
    const c = configOf("stories260k-f32.gguf");
    expect(c).toMatchObject({
      architecture: "llama", nEmbd: 64, nFF: 172, nLayer: 5, nHead: 8, nHeadKv: 4, headDimK: 8, headDimV: 8,
      nVocab: 512, nCtx: 2048, rmsEps: Math.fround(1e-5), slidingWindow: 0, attnSoftcap: 0, finalSoftcap: 0, embeddingScale: 1,
    });
    expect(c.rope).toEqual({ mode: "norm", nRot: 8, freqBase: 10000, scaling: { type: "none" } });
  });

  it("reads qwen2: NeoX rope with theta 1e6, n_rot = head size, eps 1e-6", () => {
    const c = configOf("qwen2-synthetic-q8_0.gguf");
    expect(c).toMatchObject({ architecture: "qwen2", nEmbd: 256, nFF: 256, nLayer: 2, nHead: 4, nHeadKv: 2, headDimK: 64, nCtx: 256 });
    expect(c.rope).toMatchObject({ mode: "neox", nRot: 64, freqBase: 1e6 });
    expect(c.rmsEps).toBe(Math.fround(1e-6));
  });

  it("reads phi3: a sliding window of 12 in every layer", () => {
    const c = configOf("phi3-synthetic-q8_0.gguf");
    expect(c).toMatchObject({ architecture: "phi3", slidingWindow: 12 });
    expect(c.rope.mode).toBe("neox");
    expect([0, 1].map(c.slidingWindowLayers)).toEqual([true, true]);
  });

  it("reads gemma2: soft-caps, window 8 on even layers, query scale 1/sqrt(16), embedding scale 8", () => {
    const c = configOf("gemma2-synthetic-q8_0.gguf");
    expect(c).toMatchObject({
      architecture: "gemma2", nEmbd: 64, nLayer: 26, headDimK: 16, attnSoftcap: 0.03125, finalSoftcap: 0.5,
      slidingWindow: 8, attnScale: 0.25, embeddingScale: 8,
    });
    expect([0, 1, 2, 25].map(c.slidingWindowLayers)).toEqual([true, false, true, false]);
  });

  it("names a missing required key", async () => {
    const p = await variant("stories260k-f32.gguf", "no-embd.gguf", { dropKeys: ["llama.embedding_length"] });
    expect(() => openConfig(p)).toThrow(KilnError);
    expect(() => openConfig(p)).toThrow(/llama\.embedding_length is missing/);
  });

  it("names a missing tensor", async () => {
    const p = await variant("stories260k-f32.gguf", "no-q.gguf", { dropTensors: ["blk.3.attn_q.weight"] });
    expect(() => openConfig(p)).toThrow(/tensor blk\.3\.attn_q\.weight is missing/);
  });

  it("refuses a phi3 file without a sliding window, as llama.cpp does", async () => {
    const p = await variant("phi3-synthetic-q8_0.gguf", "phi3-no-swa.gguf", { dropKeys: ["phi3.attention.sliding_window"] });
    expect(() => openConfig(p)).toThrow(/phi3\.attention\.sliding_window is missing/);
  });

  it("rejects an unknown rope scaling type, listing the known ones", async () => {
    const p = await variant("stories260k-f32.gguf", "rope-odd.gguf", {
      addKeys: [kv.str("llama.rope.scaling.type", "longrope2"), kv.f32("llama.rope.scaling.factor", 2)],
    });
    expect(() => openConfig(p)).toThrow(/"longrope2" is not supported \(supported: none, linear, yarn, llama3\)/);
  });
});

describe("tied output projection", () => {
  it("uses token_embd when output.weight is absent (stories260k's two are equal, so llama.cpp's greedy ids follow)", async () => {
    const g = JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as { prompt_token_ids: number[]; generated_token_ids: number[] };
    const p = await variant("stories260k-f32.gguf", "tied.gguf", { dropTensors: ["output.weight"] });
    const f = GGUFFile.open(p);
    const backend = await createReferenceBackend(f, modelConfigFromGGUF(f), { kvType: "f32" });
    f.close();
    const ids = await greedyIds(backend.createSequence(), g.prompt_token_ids, 32);
    expect(ids).toEqual(g.generated_token_ids.slice(0, 32));
  });
});

describe("rope scaling", () => {
  const angles = (rope: RopeConfig, pos: number): number[] => {
    const cos = new Float64Array(rope.nRot / 2);
    const sin = new Float64Array(rope.nRot / 2);
    ropeAngles(rope, pos, cos, sin);
    return Array.from(cos, (c, i) => Math.atan2(sin[i]!, c));
  };
  const wrap = (a: number): number => Math.atan2(Math.sin(a), Math.cos(a));

  it("rotates pair i by pos * base^(-2i/n_rot) without scaling", () => {
    const rope: RopeConfig = { mode: "norm", nRot: 8, freqBase: 10000, scaling: { type: "none" } };
    const a = angles(rope, 3);
    for (let i = 0; i < 4; i++) expect(a[i]).toBeCloseTo(wrap(3 * 10000 ** (-2 * i / 8)), 12);
  });

  it("linear scaling divides the position by the factor", () => {
    const base: RopeConfig = { mode: "norm", nRot: 16, freqBase: 10000, scaling: { type: "none" } };
    const lin: RopeConfig = { ...base, scaling: { type: "linear", factor: 4 } };
    const a = angles(lin, 12);
    const b = angles(base, 3);
    for (let i = 0; i < 8; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
  });

  it("YaRN keeps fast dimensions, interpolates slow ones, and scales magnitudes by 0.1 ln(s) + 1", () => {
    // Llama-2-style 4k model extended 8x. Dimensions rotating more than beta_fast = 32 times over the
    // original context extrapolate (unchanged angle); fewer than beta_slow = 1 interpolate (angle / s).
    const s = 8;
    const orig = 4096;
    const base: RopeConfig = { mode: "neox", nRot: 128, freqBase: 10000, scaling: { type: "none" } };
    const yarn: RopeConfig = {
      ...base, scaling: { type: "yarn", factor: s, originalContext: orig, extFactor: 1, attnFactor: 1, betaFast: 32, betaSlow: 1 },
    };
    const pos = 1000;
    const cos = new Float64Array(64);
    const sin = new Float64Array(64);
    ropeAngles(yarn, pos, cos, sin);
    for (let i = 0; i < 64; i++) {
      const freq = 10000 ** (-2 * i / 128);
      const rotations = (orig * freq) / (2 * Math.PI);
      const mag = Math.hypot(cos[i]!, sin[i]!);
      expect(mag).toBeCloseTo(1 + 0.1 * Math.log(s), 12);
      const angle = Math.atan2(sin[i]!, cos[i]!);
      if (rotations > 32 * 1.5) expect(angle).toBeCloseTo(wrap(pos * freq), 9);
      if (rotations < 1 / 1.5) expect(angle).toBeCloseTo(wrap((pos * freq) / s), 9);
    }
  });

  it("llama3 scaling follows Llama 3.1's rule: short wavelengths kept, long ones divided by the factor", () => {
    // Llama 3.1 8B: theta 500000, head size 128, factor 8, low/high frequency factors 1 and 4, 8192 positions.
    const rope: RopeConfig = {
      mode: "norm", nRot: 128, freqBase: 500000,
      scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 8192 },
    };
    const pos = 1;
    const a = angles(rope, pos);
    for (let i = 0; i < 64; i++) {
      const freq = 500000 ** (-2 * i / 128);
      const wavelen = (2 * Math.PI) / freq;
      if (wavelen < 8192 / 4) expect(a[i]).toBeCloseTo(freq, 12);
      else if (wavelen > 8192 / 1) expect(a[i]).toBeCloseTo(freq / 8, 12);
      else {
        const smooth = (8192 / wavelen - 1) / (4 - 1);
        expect(a[i]).toBeCloseTo((1 - smooth) * (freq / 8) + smooth * freq, 12);
      }
    }
  });
});
