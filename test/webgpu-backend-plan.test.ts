// The GPU backends' graph planner (targets/wgsl/backend/graph.ts), without a GPU: device layouts of
// the weights against the GGUF files' own bytes, and the op list against the model facts the golden
// README states (phi3's fused q|k|v and gate|up rows, gemma2's embedding scale, GeGLU and alternating sliding window,
// qwen2's biases, stories260k's 172-long ffn_down rows).

import { describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { loadWeights, WeightMatrix } from "../engine/model/weights.js";
import { batchOps, kernelsUsed, layoutMatrix, planGraph, type GraphPlan, type Op } from "../targets/wgsl/backend/graph.js";
import { golden } from "./golden.js";

function open(file: string, kvType: "f32" | "f16" = "f32", kvStorage: "f32" | "f16" = "f32"): { plan: GraphPlan; f: GGUFFile } {
  const f = GGUFFile.open(golden("models", file));
  const config = modelConfigFromGGUF(f);
  return { plan: planGraph(config, loadWeights(f, config), { kvType, kvStorage, nCtx: 32, maxBatch: 4 }), f };
}

const dispatches = (ops: Op[], kernel: string) => ops.filter((o): o is Extract<Op, { kind: "dispatch" }> => o.kind === "dispatch" && o.kernel === kernel);
const copies = (ops: Op[]) => ops.filter((o): o is Extract<Op, { kind: "copy" }> => o.kind === "copy");

describe("weight layout on the device", () => {
  it("pads stories260k-q8_0's f16 ffn_down rows of 172 to 192 halves, the file's bytes first and zeros after", () => {
    const { plan, f } = open("stories260k-q8_0.gguf");
    try {
      const t = f.tensor("blk.0.ffn_down.weight")!;
      expect(t.typeInfo.name).toBe("f16");
      const { plan: m, source } = plan.matrices.get("blk.0.ffn_down.weight")!;
      expect([m.cols, m.k, m.rows]).toEqual([172, 192, 64]);
      const file = f.readTensor(t);
      const dev = layoutMatrix(m, source!.bytes);
      expect(dev.length).toBe(192 * 2 * 64);
      for (const r of [0, 1, 37, 63]) {
        expect(dev.subarray(r * 384, r * 384 + 344)).toEqual(file.subarray(r * 344, (r + 1) * 344));
        expect(dev.subarray(r * 384 + 344, (r + 1) * 384).every((b) => b === 0)).toBe(true);
      }
    } finally {
      f.close();
    }
  });

  it("keeps quantized matrices byte for byte as the file stores them", () => {
    const { plan, f } = open("synthetic-k256-q4_k_m.gguf");
    try {
      for (const name of ["blk.0.attn_q.weight", "blk.1.ffn_down.weight", "output.weight"]) {
        const { plan: m, source } = plan.matrices.get(name)!;
        const file = f.readTensor(f.tensor(name)!);
        expect(m.k).toBe(m.cols);
        expect(layoutMatrix(m, source!.bytes).subarray(0, file.length)).toEqual(file);
      }
      // Q4_K_M: Q6_K for output, blk.1.attn_v and blk.1.ffn_down (golden README)
      expect(plan.matrices.get("output.weight")!.plan.type).toBe("q6_k");
      expect(plan.matrices.get("blk.1.ffn_down.weight")!.plan.type).toBe("q6_k");
      expect(kernelsUsed(plan)).toEqual(expect.arrayContaining(["matvec_q4_k", "matvec_q6_k", "get_rows_q4_k"]));
    } finally {
      f.close();
    }
  });

  it("shares one buffer for gemma2's tied output and token_embd", () => {
    const { plan, f } = open("gemma2-synthetic-q8_0.gguf");
    f.close();
    expect(plan.roles.output.buffer).toBe("token_embd.weight");
    expect([...plan.matrices.keys()].filter((n) => n === "token_embd.weight")).toHaveLength(1);
  });

  it("splits a matvec over more rows than one dispatch may have workgroups into 256-byte-aligned slices", () => {
    const f = GGUFFile.open(golden("models", "stories260k-q8_0.gguf"));
    const config = modelConfigFromGGUF(f);
    const weights = loadWeights(f, config);
    f.close();
    const q8 = weights.tokenEmbd.type; // 70000 rows of 64 q8_0 values (2 blocks of 34 bytes), as a 70k vocabulary would have
    const big = new WeightMatrix("output.weight", q8, 64, 70000, new Uint8Array(70000 * 2 * q8.typeSize));
    const plan = planGraph(config, { ...weights, output: big }, { kvType: "f32", nCtx: 8, maxBatch: 1 });
    const out = dispatches(batchOps(plan, 1, 0, "last").ops, "matvec_q8_0").filter((d) => d.buffers.W === "output.weight");
    // WebGPU guarantees 65535 workgroups a dimension
    expect(out.map((d) => d.groups[0])).toEqual([65280, 4720]);
    expect(out.map((d) => d.slices)).toEqual([
      { W: { offset: 0, size: 65280 * 68 }, out: { offset: 0, size: 65280 * 4 } },
      { W: { offset: 65280 * 68, size: 4720 * 68 }, out: { offset: 65280 * 4, size: 4720 * 4 } },
    ]);
    for (const d of out) for (const sl of Object.values(d.slices!)) expect(sl.offset % 256).toBe(0);
    expect(dispatches(batchOps(plan, 1, 0, "last").ops, "matvec_q8_0").filter((d) => d.buffers.W !== "output.weight").every((d) => d.slices === undefined)).toBe(true);
  });
});

describe("the op list follows the architectures' graphs", () => {
  it("phi3: q, k, v come from rows 0-255, 256-383 and 384-511 of the fused attn_qkv", () => {
    const { plan, f } = open("phi3-synthetic-q8_0.gguf");
    f.close();
    const { ops } = batchOps(plan, 1, 0, "last");
    const fromQkv = copies(ops).filter((c) => c.src === "qkv").slice(0, 3);
    expect(fromQkv.map((c) => [c.dst, c.srcOffset / 4, c.bytes / 4])).toEqual([["q", 0, 256], ["k", 256, 128], ["v", 384, 128]]);
    // fused ffn_up: gate is rows 0..255, up rows 256..511, then SwiGLU
    const fromHbf = copies(ops).filter((c) => c.src === "hbf").slice(0, 2);
    expect(fromHbf.map((c) => [c.dst, c.srcOffset / 4, c.bytes / 4])).toEqual([["hb", 0, 256], ["hb2", 256, 256]]);
    expect(dispatches(ops, "swiglu")[0]!.buffers).toEqual({ gate: "hb", up: "hb2", out: "hbg" });
    // sliding window 12 in every layer
    expect(dispatches(ops, "flash_attention_f32").map((d) => d.uniforms.window)).toEqual([12, 12]);
  });

  it("gemma2: embedding times sqrt(64) = 8, GeGLU, window 8 on even layers only, logits soft-capped at 0.5", () => {
    const { plan, f } = open("gemma2-synthetic-q8_0.gguf");
    f.close();
    const { ops } = batchOps(plan, 1, 0, "last");
    expect(dispatches(ops, "scale")[0]!.uniforms.scale).toBe(8);
    expect(dispatches(ops, "geglu")).toHaveLength(26);
    expect(dispatches(ops, "swiglu")).toHaveLength(0);
    const windows = dispatches(ops, "flash_attention_f32").map((d) => d.uniforms.window);
    expect(windows).toHaveLength(26);
    windows.forEach((w, l) => expect(w).toBe(l % 2 === 0 ? 8 : 0));
    expect(dispatches(ops, "flash_attention_f32")[0]!.uniforms).toMatchObject({ softcap: 0.03125, scale: 0.25, nHead: 4, nKvHead: 2, headDim: 16 });
    expect(dispatches(ops, "softcap_inplace")[0]!.uniforms.cap).toBe(0.5);
    // post-attention and post-ffw norms: 4 rmsnorms a layer, plus the output norm
    expect(dispatches(ops, "rmsnorm")).toHaveLength(26 * 4 + 1);
  });

  it("qwen2: adds the q, k and v biases; NEOX rope with n_rot = head size 64", () => {
    const { plan, f } = open("qwen2-synthetic-q8_0.gguf");
    f.close();
    const { ops } = batchOps(plan, 1, 0, "last");
    expect(dispatches(ops, "add").filter((d) => /^blk\.0\.b[qkv]$/.test(d.buffers.b!)).map((d) => [d.buffers.a, d.uniforms.n]))
      .toEqual([["q", 256], ["k", 128], ["v", 128]]);
    expect(dispatches(ops, "rope")[0]!.uniforms).toMatchObject({ nRot: 64, headDim: 64, neox: 1 });
  });

  it("evaluates a batch in order: each token sets its position, and only the wanted logits rows are copied out", () => {
    const { plan, f } = open("stories260k-f32.gguf");
    f.close();
    const all = batchOps(plan, 3, 7, "all");
    expect(all.rows).toBe(3);
    expect(copies(all.ops).filter((c) => c.dst === "step").map((c) => c.srcOffset / 4)).toEqual([7, 8, 9]);
    // attention of each token sees positions up to its own (nPast = its position)
    expect(dispatches(all.ops, "flash_attention_f32").filter((_, i) => i % 5 === 0).map((d) => d.uniforms.nPast)).toEqual([7, 8, 9]);
    expect(copies(all.ops).filter((c) => c.dst === "readback").map((c) => c.dstOffset / 4 / 512)).toEqual([0, 1, 2]);
    expect(batchOps(plan, 3, 7, "last").rows).toBe(1);
    expect(batchOps(plan, 3, 7, "none").rows).toBe(0);
    expect(() => batchOps(plan, 3, 30, "last")).toThrow(/do not fit in the context of 32 tokens/);
  });

  it("stores an f16 KV cache in 2 bytes a value when asked, else rounds it into f32", () => {
    const half = open("stories260k-f32.gguf", "f16", "f16");
    half.f.close();
    const rounded = open("stories260k-f32.gguf", "f16", "f32");
    rounded.f.close();
    expect(half.plan.scratch.get("kcache.0")).toBe(2 * 32 * 32);
    expect(rounded.plan.scratch.get("kcache.0")).toBe(4 * 32 * 32);
    expect(kernelsUsed(half.plan)).toEqual(expect.arrayContaining(["kv_store_f16", "flash_attention_f16"]));
    expect(kernelsUsed(rounded.plan)).toEqual(expect.arrayContaining(["round_f16", "flash_attention_f32"]));
  });
});
