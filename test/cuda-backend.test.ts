// The cuda backend's host logic, checked without a GPU against outside truth:
// - argument packing against the parameter lists nvcc writes into the PTX of the very kernels the
//   backend launches (skipped, saying so, where no nvcc exists);
// - the launch sequence against the tensor shapes llama.cpp recorded in golden/models/models.json
//   (a matvec's grid is its tensor's rows), every copy inside its buffers, the KV store at the position;
// - device memory planning: aligned, disjoint;
// - where no CUDA driver exists, creating the backend fails with a KilnError naming what is missing.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { loadWeights } from "../engine/model/weights.js";
import { createCudaBackend, cudaAvailability } from "../targets/cuda/backend/cuda-backend.js";
import { ARENA_ALIGN, encodeLaunches, packParams, planArena, planLaunches, type Launch } from "../targets/cuda/backend/launch.js";
import { buildPtx, cudaKernel, findNvcc, ptxEntryParams } from "../targets/cuda/backend/ptx.js";
import { batchOps, kernelsUsed, planGraph, type GraphPlan } from "../targets/wgsl/backend/graph.js";
import { golden } from "./golden.js";

interface ModelsJSON {
  models: { file: string; tensors: { name: string; ne: number[] }[] }[];
}
const modelsJson = JSON.parse(readFileSync(golden("models", "models.json"), "utf8")) as ModelsJSON;

function planFor(file: string, kvType: "f32" | "f16" = "f32"): GraphPlan {
  const f = GGUFFile.open(golden("models", file));
  try {
    const config = modelConfigFromGGUF(f);
    return planGraph(config, loadWeights(f, config), { kvType, nCtx: 32, maxBatch: 8 });
  } finally {
    f.close();
  }
}

// the models whose kernels together cover every stand-in and the quant types of the acceptance set
const MODELS = ["stories260k-q4_0.gguf", "stories260k-q8_0.gguf", "synthetic-k256-q4_k_m.gguf", "synthetic-k256-q6_k.gguf", "gemma2-synthetic-q8_0.gguf"];

const nvcc = findNvcc();
describe.skipIf(!("path" in nvcc))("cuda argument packing matches nvcc's PTX", () => {
  const names = [...new Set([...MODELS.flatMap((m) => kernelsUsed(planFor(m, "f16"))), "matvec_f32", "get_rows_f32"])];
  const ptx = "path" in nvcc ? ptxEntryParams(buildPtx(names)) : new Map();

  for (const name of names) {
    it(`${name}: one argument slot per parameter the PTX .entry declares, in its order and of its type`, () => {
      const { kernel } = cudaKernel(name);
      const params = ptx.get(kernel.entry);
      expect(params, `no .entry ${kernel.entry} in the PTX`).toBeDefined();
      const bufs = [...kernel.buffers].sort((a, b) => a.binding - b.binding);
      expect(params!.length).toBe(bufs.length + kernel.uniforms.length);
      // distinct values, so a swapped or shifted parameter reads back wrong
      const pointers = Object.fromEntries(bufs.map((b, i) => [b.name, 0x7f0000000000n + BigInt(i) * 0x1000n + 0x40n]));
      const uniforms = Object.fromEntries(kernel.uniforms.map((u, i) => [u.name, u.type === "f32" ? 1.5 + i : 1000 + i]));
      const packed = packParams(kernel, pointers, uniforms);
      const view = new DataView(packed.buffer);
      // kernelParams: the driver reads slot i as PTX parameter i (its type's size from the slot's start)
      expect(packed.length).toBe(8 * params!.length);
      bufs.forEach((b, i) => {
        const p = params![i]!;
        expect(p.type).toBe("u64");
        expect(view.getBigUint64(8 * i, true)).toBe(pointers[b.name]);
      });
      kernel.uniforms.forEach((u, i) => {
        const p = params![bufs.length + i]!;
        expect(p.type).toBe(u.type === "f32" ? "f32" : u.type === "i32" ? "s32" : "u32");
        const at = 8 * (bufs.length + i);
        const got = p.type === "f32" ? view.getFloat32(at, true) : p.type === "s32" ? view.getInt32(at, true) : view.getUint32(at, true);
        expect(got).toBe(uniforms[u.name]);
      });
    });
  }
});

describe("cuda launch sequence", () => {
  it("launches each matvec over its tensor's rows as llama.cpp recorded them, with the kernel's block size", () => {
    const plan = planFor("stories260k-q4_0.gguf");
    const shapes = new Map(modelsJson.models.find((m) => m.file === "stories260k-q4_0.gguf")!.tensors.map((t) => [t.name, t.ne]));
    const arena = planArena([...plan.scratch, ...[...plan.matrices].map(([n, m]) => [n, m.plan.bytes] as [string, number]),
      ...[...plan.vectors].map(([n, v]) => [n, v.byteLength] as [string, number])]);
    const base = 0x7f0000000000n;
    const addressOf = (n: string): bigint => base + BigInt(arena.offsets.get(n)!);
    const { ops } = batchOps(plan, 3, 4, "all");
    const launches = planLaunches(ops, (n) => cudaKernel(n).kernel, addressOf, (n) => arena.sizes.get(n));
    let matvecs = 0;
    ops.forEach((op, i) => {
      const l = launches[i]!;
      if (op.kind !== "dispatch") return;
      expect(l.kind).toBe("launch");
      if (l.kind !== "launch") return;
      expect(l.block).toEqual(cudaKernel(op.kernel).kernel.workgroupSize);
      if (op.kernel.startsWith("matvec_")) {
        matvecs++;
        const ne = shapes.get(op.buffers.W!)!;
        expect(ne, `tensor ${op.buffers.W}`).toBeDefined();
        expect(l.grid).toEqual([ne[1], 1, 1]);
      }
    });
    // 3 tokens x 5 layers x 7 matrices, plus the classifier for each token ("all")
    expect(matvecs).toBe(3 * 5 * 7 + 3);
  });

  it("stores K and V at the token's position in each layer's cache", () => {
    const plan = planFor("stories260k-f32.gguf");
    const kvDim = 4 * 8; // 4 KV heads of 8 (golden README)
    const { ops } = batchOps(plan, 2, 5, "last");
    // each store writes row step[0] of its cache: step[0] is the position the last step copy set
    let pos = -1;
    const stores: [string, number, number][] = [];
    for (const o of ops) {
      if (o.kind === "copy" && o.dst === "step") pos = (plan.vectors.get("positions") as Uint32Array)[o.srcOffset / 4]!;
      if (o.kind === "dispatch" && o.kernel === "kv_store_f32" && o.buffers.dst!.startsWith("kcache.")) stores.push([o.buffers.dst!, pos, o.uniforms.n!]);
    }
    expect(stores).toEqual([
      ...[0, 1, 2, 3, 4].map((l) => [`kcache.${l}`, 5, kvDim]),
      ...[0, 1, 2, 3, 4].map((l) => [`kcache.${l}`, 6, kvDim]),
    ]);
  });

  it("refuses a copy outside its buffer, naming it", () => {
    const plan = planFor("stories260k-f32.gguf");
    const { ops } = batchOps(plan, 1, 0, "last");
    const tooSmall = (n: string): number | undefined => (n === "readback" ? 16 : undefined);
    expect(() => planLaunches(ops, (n) => cudaKernel(n).kernel, () => 0n, tooSmall)).toThrow(/readback/);
  });

  it("encodes the launch list as records the driver runs in one call", () => {
    const launches: Launch[] = [
      { kind: "launch", kernel: "rmsnorm", grid: [1, 1, 1], block: [256, 1, 1], params: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
      { kind: "copy", dst: 0x1_0000_0010n, src: 0x2_0000_0020n, bytes: 256 },
      { kind: "launch", kernel: "add", grid: [3, 1, 1], block: [256, 1, 1], params: new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]) },
      { kind: "launch", kernel: "rmsnorm", grid: [1, 1, 1], block: [256, 1, 1], params: new Uint8Array([0, 0, 0, 0, 1, 1, 1, 1]) },
    ];
    const { records, params, kernels } = encodeLaunches(launches);
    expect(kernels).toEqual(["rmsnorm", "add"]);
    expect([...records.subarray(0, 9)]).toEqual([0, 0, 1, 1, 1, 256, 1, 1, 0]);
    expect([...records.subarray(9, 18)]).toEqual([1, 0, 0x10, 1, 0x20, 2, 256, 0, 0]);
    expect([...records.subarray(18, 27)]).toEqual([0, 1, 3, 1, 1, 256, 1, 1, 8]);
    expect(records[27 + 1]).toBe(0);
    expect(params.length).toBe(24);
    expect([...params.subarray(8, 16)]).toEqual([9, 9, 9, 9, 9, 9, 9, 9]);
  });
});

describe("cuda device memory planning", () => {
  it("puts every buffer at a 256-byte boundary, none overlapping, for a whole model", () => {
    const plan = planFor("synthetic-k256-q4_k_m.gguf");
    const arena = planArena([...plan.matrices].map(([n, m]) => [n, m.plan.bytes] as [string, number]));
    const spans = [...arena.offsets].map(([n, o]) => [o, o + arena.sizes.get(n)!] as const).sort((a, b) => a[0] - b[0]);
    for (const [o] of spans) expect(o % ARENA_ALIGN).toBe(0);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(arena.total).toBeGreaterThanOrEqual(spans.at(-1)![1]);
  });

  it("refuses a buffer planned twice", () => {
    expect(() => planArena([["a", 4], ["a", 8]])).toThrow(/a is planned twice/);
  });
});

describe.skipIf(cudaAvailability().ok)("cuda backend where no CUDA driver exists", () => {
  it("fails to load with a KilnError that says what is missing", async () => {
    const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    const err = await createCudaBackend(f, modelConfigFromGGUF(f), {}).catch((e: unknown) => e).finally(() => f.close());
    expect(err).toBeInstanceOf(KilnError);
    expect((err as KilnError).message).toMatch(/^cuda: (no CUDA driver|the CUDA driver binding|no nvcc)/);
  });
});
