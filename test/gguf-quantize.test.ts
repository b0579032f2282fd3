// kiln quantize against llama.cpp: the per-tensor types of every golden model that llama-quantize
// made (and of the gguf-requant stories260k files), and the bytes of the quantized tensors.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/main.js";
import { KilnError } from "../engine/errors.js";
import { fileTypeByName, planQuantization, quantizeModel } from "../engine/gguf/quantize.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { writeSplitGGUF } from "../engine/gguf/split.js";
import { specFromFile } from "../engine/gguf/writer.js";
import { typeInfo } from "../engine/quant/types.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-quantize-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface GoldenModel { file: string; tensors: { name: string; ggml_type: string }[] }
const models = (JSON.parse(readFileSync(golden("models", "models.json"), "utf8")) as { models: GoldenModel[] }).models;

function goldenTypes(file: string): Map<string, string> {
  return new Map(models.find((m) => m.file === file)!.tensors.map((t) => [t.name, t.ggml_type.toLowerCase()]));
}

// [input, golden output, file type, pure]. The stories260k files come from gguf-requant, which keeps
// the input's tensor order and gives every quantizable tensor the target type: so keepOrder for both,
// and pure for q4_0 (llama-quantize's q4_0 mix would make output.weight q8_0 on this model).
const cases: [string, string, string, boolean][] = [
  ["synthetic-k256-f32.gguf", "synthetic-k256-q4_k_m.gguf", "q4_k_m", false],
  ["synthetic-k256-f32.gguf", "synthetic-k256-q6_k.gguf", "q6_k", false],
  ["qwen2-synthetic-f32.gguf", "qwen2-synthetic-q8_0.gguf", "q8_0", false],
  ["phi3-synthetic-f32.gguf", "phi3-synthetic-q8_0.gguf", "q8_0", false],
  ["gemma2-synthetic-f32.gguf", "gemma2-synthetic-q8_0.gguf", "q8_0", false],
  ["stories260k-f32.gguf", "stories260k-q8_0.gguf", "q8_0", false],
  ["stories260k-f32.gguf", "stories260k-q4_0.gguf", "q4_0", true],
];
const keepOrder = (input: string) => input.startsWith("stories260k");

describe("quantization mix (llama_tensor_get_type)", () => {
  it.each(cases)("gives %s -> %s (%s) the types llama.cpp chose", (input, out, type, pure) => {
    const f = GGUFFile.open(golden("models", input));
    try {
      const plan = planQuantization(f, fileTypeByName(type), { pure });
      const got = new Map(plan.map((e) => [e.tensor.name, typeInfo(e.type).name]));
      expect(got).toEqual(goldenTypes(out));
    } finally {
      f.close();
    }
  });

  // The golden README lists the 2-D tensor types of the Q4_K_M files it does not ship.
  it.each([
    ["qwen2-synthetic-f32.gguf", ["q4_k", "q6_k"]],
    ["phi3-synthetic-f32.gguf", ["q4_k", "q5_k", "q6_k"]],
    ["gemma2-synthetic-f32.gguf", ["q4_k", "q5_0", "q6_k", "q8_0"]],
    ["stories260k-f32.gguf", ["f16", "q5_0", "q8_0"]],
  ])("gives %s under q4_k_m the 2-D types llama-quantize used: %j", (input, types) => {
    const f = GGUFFile.open(golden("models", input));
    const plan = planQuantization(f, fileTypeByName("q4_k_m"));
    f.close();
    const twoD = plan.filter((e) => e.tensor.ne.length > 1 && e.tensor.ne[1]! > 1);
    expect([...new Set(twoD.map((e) => typeInfo(e.type).name))].sort()).toEqual(types);
  });

  it("orders tensors as llama-quantize writes them (non-layer first, then by layer, then by name)", () => {
    const f = GGUFFile.open(golden("models", "synthetic-k256-f32.gguf"));
    const plan = planQuantization(f, fileTypeByName("q4_k_m"));
    f.close();
    expect(plan.map((e) => e.tensor.name)).toEqual(models.find((m) => m.file === "synthetic-k256-q4_k_m.gguf")!.tensors.map((t) => t.name));
  });

  it("falls back for rows that fit no block: stories260k ffn_down (172) becomes f16, output q8_0 under the q4_0 mix", () => {
    const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    const plan = planQuantization(f, fileTypeByName("q4_0"));
    const q4k = planQuantization(f, fileTypeByName("q4_k_m"));
    f.close();
    const types = new Map(plan.map((e) => [e.tensor.name, typeInfo(e.type).name]));
    expect(types.get("blk.0.ffn_down.weight")).toBe("f16");
    expect(plan.find((e) => e.tensor.name === "blk.0.ffn_down.weight")!.fallback).toMatch(/row length 172 is not a multiple of q4_0's 32/);
    expect(types.get("output.weight")).toBe("q8_0");
    expect(types.get("token_embd.weight")).toBe("q4_0");
    // Q4_K needs rows of 256: llama.cpp falls back to q5_0, and for 172 to f16.
    const k = new Map(q4k.map((e) => [e.tensor.name, typeInfo(e.type).name]));
    expect(k.get("blk.0.attn_q.weight")).toBe("q5_0");
    expect(k.get("blk.0.ffn_down.weight")).toBe("f16");
  });

  it("rejects an unknown type name, listing the valid ones", () => {
    expect(() => fileTypeByName("q4_z")).toThrow(KilnError);
    expect(() => fileTypeByName("q4_z")).toThrow(/"q4_z" is not a llama.cpp file type; use one of .*q4_k_m/);
    expect(fileTypeByName("Q4_K").name).toBe("Q4_K_M");
  });
});

function tensorHashes(path: string): Map<string, string> {
  const f = GGUFFile.open(path);
  try {
    return new Map(f.tensors.map((t) => [`${t.name} ${t.typeInfo.name} [${t.ne.join(",")}]`, createHash("sha256").update(f.readTensor(t)).digest("hex")]));
  } finally {
    f.close();
  }
}

describe("kiln quantize output", () => {
  it.each(cases)("quantizes %s to %s (%s), tensor data and then the whole file byte for byte", async (input, out, type, pure) => {
    const path = join(dir, out);
    await quantizeModel(golden("models", input), path, type, { pure, keepOrder: keepOrder(input) });
    // Per tensor first, so a failure names the tensor; then the file, which also covers metadata and order.
    expect(tensorHashes(path)).toEqual(tensorHashes(golden("models", out)));
    expect(readFileSync(path).equals(readFileSync(golden("models", out)))).toBe(true);
    const f = GGUFFile.open(path);
    const g = GGUFFile.open(golden("models", out));
    try {
      expect(f.getNumber("general.file_type")).toBe(g.getNumber("general.file_type"));
      expect(f.getNumber("general.quantization_version")).toBe(2);
      expect(f.kvs.map((k) => k.key)).toEqual(g.kvs.map((k) => k.key));
    } finally {
      f.close();
      g.close();
    }
    rmSync(path);
  });

  it("quantizes a split model from any of its parts into the same single file", async () => {
    const src = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    const parts = await writeSplitGGUF(join(dir, "split-f32"), specFromFile(src), 20);
    src.close();
    const path = join(dir, "from-split-q8_0.gguf");
    await quantizeModel(parts[1]!, path, "q8_0", { keepOrder: true });
    // llama-quantize drops the split.* keys, so the result is the golden single-file model.
    expect(readFileSync(path).equals(readFileSync(golden("models", "stories260k-q8_0.gguf")))).toBe(true);
  });

  it("refuses to requantize a quantized model unless allowed", async () => {
    const path = join(dir, "re.gguf");
    await expect(quantizeModel(golden("models", "stories260k-q8_0.gguf"), path, "q4_0")).rejects.toThrow(
      /tensor token_embd.weight is already q8_0; .* pass --allow-requantize/,
    );
  });

  it("refuses the 1- and 2-bit mixes that llama.cpp only makes with an importance matrix", async () => {
    await expect(quantizeModel(golden("models", "synthetic-k256-f32.gguf"), join(dir, "iq2.gguf"), "iq2_m")).rejects.toThrow(
      /tensor blk.0.attn_k.weight would be iq2_s, which llama.cpp only makes with an importance matrix/,
    );
  });

  it("runs from the command line with a progress bar and a summary on stderr, nothing on stdout", async () => {
    const path = join(dir, "cli-q8_0.gguf");
    const out: string[] = [];
    const err: string[] = [];
    const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    try {
      await runCli(["node", "kiln", "quantize", golden("models", "stories260k-f32.gguf"), path, "q8_0"]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    expect(out.join("")).toBe("");
    const text = err.join("");
    expect(text).toMatch(/quantize \[.*\] 100%/);
    expect(text).toMatch(/blk.0.ffn_down.weight: row length 172 is not a multiple of q8_0's 32: f16 instead/);
    expect(text).toMatch(/wrote .*cli-q8_0.gguf: .* MiB -> .* MiB of tensors \(32 q8_0, 11 f32, 5 f16\)|\(11 f32, 32 q8_0, 5 f16\)/);
    expect(tensorHashes(path)).toEqual(tensorHashes(golden("models", "stories260k-q8_0.gguf")));
  });
});
