// `kiln inspect --json` agrees with models.json (written from llama.cpp's view of each golden model)
// on every tensor's name, ggml type, shape and size, for every model.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/main.js";
import { inspectModel, type InspectResult } from "../cli/commands/inspect.js";
import { golden } from "./golden.js";

interface GoldenTensor { name: string; ggml_type: string; ggml_type_id: number; ne: number[]; n_bytes: number }
interface GoldenModel { file: string; bytes: number; "general.file_type": number | null; tensors: GoldenTensor[] }

const models = (JSON.parse(readFileSync(golden("models", "models.json"), "utf8")) as { models: GoldenModel[] }).models;

describe("kiln inspect --json", () => {
  it("covers the 12 golden models", () => {
    expect(models).toHaveLength(12);
  });

  it.each(models.map((m) => [m.file, m] as const))("matches models.json for %s", (file, m) => {
    const r = inspectModel(golden("models", file));
    const want = m.tensors.map((t) => ({ name: t.name, type: t.ggml_type.toLowerCase(), ne: t.ne, bytes: t.n_bytes }));
    const got = r.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne, bytes: t.bytes }));
    expect(got).toEqual(want);
    expect(r.metadata["general.file_type"] ?? null).toBe(m["general.file_type"]);
    const last = r.tensors.reduce((a, t) => Math.max(a, t.offset + t.bytes), 0);
    expect(last).toBeLessThanOrEqual(m.bytes);
  });

  it("prints a readable table without --json", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      await runCli(["node", "kiln", "inspect", golden("models", "stories260k-q4_0.gguf")]);
    } finally {
      spy.mockRestore();
    }
    const text = out.join("");
    expect(text).toMatch(/GGUF v3, 21 metadata keys, 48 tensors/);
    expect(text).toMatch(/general.file_type = 2/);
    expect(text).toMatch(/blk\.4\.ffn_down\.weight\s+f16\s+\[172, 64\]/);
  });

  it("prints the same JSON from the command line", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    try {
      await runCli(["node", "kiln", "inspect", golden("models", "synthetic-k256-q4_k_m.gguf"), "--json"]);
    } finally {
      spy.mockRestore();
    }
    const r = JSON.parse(out.join("")) as InspectResult;
    const m = models.find((x) => x.file === "synthetic-k256-q4_k_m.gguf")!;
    expect(r.tensors.map((t) => [t.name, t.type.toUpperCase(), t.ne])).toEqual(
      m.tensors.map((t) => [t.name, t.ggml_type, t.ne]),
    );
  });
});
