// Builds the wasm benchmark's model: TinyLlama-1.1B's shape (llama, n_embd 2048, n_ff 5632, 22 layers,
// 32 heads, 4 KV heads, vocabulary 32000) with random weights and the tokenizer of
// golden/tokenizer/ggml-vocab-llama-spm.gguf, written by kiln's GGUF writer in Q4_0, Q8_0 or Q4_K_M.
// The type of every tensor comes from kiln's planQuantization (llama-quantize's mix rules), run on a
// sparse F32 skeleton of the same model.
//
// Speed matters here, not the weights' values: kiln's K-quant quantizer runs at well under a million
// values a second in TypeScript, so quantizing 1.1 billion random values would take an hour. Each tensor
// is built instead from a pool of 64 distinct random rows, quantized with kiln's quantizer, placed in a
// scrambled order. Memory traffic and arithmetic per token are exactly those of a real model.
// Files are cached in the system temp folder (KILN_BENCH_DIR overrides) by type.

import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GGUFFile } from "../../engine/gguf/reader.js";
import { fileTypeByName, planQuantization } from "../../engine/gguf/quantize.js";
import type { GGUFKV } from "../../engine/gguf/types.js";
import { kv, writeGGUF, type GGUFWriterTensor } from "../../engine/gguf/writer.js";
import { GGMLType, quantizeRow, rowSize } from "../../engine/quant/index.js";

export const TINYLLAMA = { nEmbd: 2048, nFF: 5632, nLayer: 22, nHead: 32, nHeadKv: 4, nVocab: 32000, nCtx: 2048 } as const;

export function benchDir(): string {
  const dir = process.env.KILN_BENCH_DIR ?? join(tmpdir(), "kiln-bench-wasm");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function tensorShapes(): { name: string; ne: [number] | [number, number] }[] {
  const { nEmbd, nFF, nLayer, nHead, nHeadKv, nVocab } = TINYLLAMA;
  const headDim = nEmbd / nHead;
  const out: { name: string; ne: [number] | [number, number] }[] = [
    { name: "token_embd.weight", ne: [nEmbd, nVocab] },
    { name: "output_norm.weight", ne: [nEmbd] },
    { name: "output.weight", ne: [nEmbd, nVocab] },
  ];
  for (let l = 0; l < nLayer; l++) {
    const p = `blk.${l}.`;
    out.push(
      { name: p + "attn_norm.weight", ne: [nEmbd] },
      { name: p + "attn_q.weight", ne: [nEmbd, nEmbd] },
      { name: p + "attn_k.weight", ne: [nEmbd, nHeadKv * headDim] },
      { name: p + "attn_v.weight", ne: [nEmbd, nHeadKv * headDim] },
      { name: p + "attn_output.weight", ne: [nEmbd, nEmbd] },
      { name: p + "ffn_norm.weight", ne: [nEmbd] },
      { name: p + "ffn_gate.weight", ne: [nEmbd, nFF] },
      { name: p + "ffn_up.weight", ne: [nEmbd, nFF] },
      { name: p + "ffn_down.weight", ne: [nFF, nEmbd] },
    );
  }
  return out;
}

function metadata(tokenizerPath: string, fileType: number): GGUFKV[] {
  const t = TINYLLAMA;
  const vocab = GGUFFile.open(tokenizerPath);
  try {
    return [
      kv.str("general.architecture", "llama"),
      kv.str("general.name", "tinyllama-shaped random"),
      kv.u32("general.file_type", fileType),
      kv.u32("general.quantization_version", 2),
      kv.u32("llama.context_length", t.nCtx),
      kv.u32("llama.embedding_length", t.nEmbd),
      kv.u32("llama.block_count", t.nLayer),
      kv.u32("llama.feed_forward_length", t.nFF),
      kv.u32("llama.attention.head_count", t.nHead),
      kv.u32("llama.attention.head_count_kv", t.nHeadKv),
      kv.u32("llama.rope.dimension_count", t.nEmbd / t.nHead),
      kv.f32("llama.rope.freq_base", 10000),
      kv.f32("llama.attention.layer_norm_rms_epsilon", 1e-5),
      ...vocab.kvs.filter((k) => k.key.startsWith("tokenizer.")),
    ];
  } finally {
    vocab.close();
  }
}

/** A small xorshift generator: normal(0, std) values by the sum of four uniforms (plenty for a benchmark). */
function randomRow(n: number, seed: number, std: number): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  const scale = std * Math.sqrt(3); // sum of 4 uniforms on [-0.5, 0.5) has variance 1/3
  for (let i = 0; i < n; i++) {
    let u = 0;
    for (let j = 0; j < 4; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      u += (s >>> 0) / 4294967296 - 0.5;
    }
    out[i] = u * scale;
  }
  return out;
}

const POOL = 64;

function tensorData(type: GGMLType, ne: readonly number[], seed: number): () => Iterable<Uint8Array> {
  return function* () {
    const cols = ne[0]!;
    const rows = ne[1] ?? 1;
    if (ne.length === 1) {
      yield new Uint8Array(new Float32Array(cols).fill(1).buffer); // norm weights: ones
      return;
    }
    const rb = rowSize(type, cols);
    const pool = Array.from({ length: POOL }, (_, i) => quantizeRow(type, randomRow(cols, seed * 1000 + i + 1, 0.02)));
    const rowsPerChunk = Math.max(1, Math.floor((4 << 20) / rb));
    for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, rows - r0);
      const chunk = new Uint8Array(n * rb);
      for (let r = 0; r < n; r++) chunk.set(pool[(Math.imul(r0 + r, 2654435761) >>> 7) % POOL]!, r * rb);
      yield chunk;
    }
  };
}

/**
 * The model file for llama.cpp file type `typeName` (q4_0, q8_0, q4_k_m), built on first use.
 * `log` receives progress lines.
 */
export async function tinyLlamaModel(typeName: string, tokenizerPath: string, log: (s: string) => void): Promise<string> {
  const ft = fileTypeByName(typeName);
  const dir = benchDir();
  const path = join(dir, `tinyllama-shaped-${typeName.toLowerCase()}.gguf`);
  if (existsSync(path)) return path;
  const shapes = tensorShapes();
  // the mix's type for each tensor, from a sparse F32 skeleton
  const skeleton = join(dir, `skeleton-${process.pid}.gguf`);
  await writeGGUF(skeleton, {
    kvs: metadata(tokenizerPath, 0),
    tensors: shapes.map((s) => ({ name: s.name, type: GGMLType.F32, ne: s.ne })),
  });
  const types = new Map<string, GGMLType>();
  const f = GGUFFile.open(skeleton);
  try {
    for (const e of planQuantization(f, ft)) types.set(e.tensor.name, e.type);
  } finally {
    f.close();
    rmSync(skeleton, { force: true });
  }
  log(`building ${path} (${ft.name})`);
  const tensors: GGUFWriterTensor[] = shapes.map((s, i) => {
    const type = types.get(s.name) ?? GGMLType.F32;
    return { name: s.name, type, ne: s.ne, data: tensorData(type, s.ne, i) };
  });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeGGUF(tmp, { kvs: metadata(tokenizerPath, ft.id), tensors });
  renameSync(tmp, path);
  return path;
}
