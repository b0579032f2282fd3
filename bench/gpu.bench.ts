// GPU backends' throughput (not a test): greedy decode and prefill in tokens/s for `webgpu` (Dawn in
// its GPU process; on a machine without a GPU, the CPU Vulkan driver lavapipe) and `cuda` where a CUDA
// driver exists, on stories260K and the synthetic-k256 models of shared/golden, then on the
// TinyLlama-1.1B-shaped models of the wasm benchmark (Q4_0, Q8_0, Q4_K_M; bench/wasm/model.ts) with the
// weight bandwidth decode achieves: the bytes of weights one token reads (every tensor but the token
// embedding, of which it reads one row) times tokens/s, and that as a fraction of the GPU's peak memory
// bandwidth (2 x memory clock x bus width, from the CUDA driver). Runs only with --gpu; --compare adds
// the wasm backend (the CPU fast path) on the golden cases. A backend that cannot start here is
// reported on stderr and skipped.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { defaultModelPath, packageRoot } from "../engine/paths.js";
import { backendFactory, type Backend } from "../engine/runtime/backend.js";
import "../engine/runtime/model.js"; // registers every backend
import { argmax } from "../engine/sampling/sampler.js";
import { loadAddon } from "../targets/cuda/addon.js";
import { cudaAvailability } from "../targets/cuda/backend/cuda-backend.js";
import { type BenchOptions, type BenchResult, type Benchmark, wanted } from "./harness.js";
import { tinyLlamaModel } from "./wasm/model.js";

const PROMPT = [1, 403, 407, 261, 378]; // "Once upon a time"

function goldenModel(name: string): string | undefined {
  const dir = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
  const p = join(dir, "models", name);
  return existsSync(p) ? p : undefined;
}

/** `impl` on the model at `path`, or undefined (said on stderr) where that backend cannot start here. */
async function openBackend(impl: string, path: string, kvType: "f32" | "f16"): Promise<Backend | undefined> {
  const f = GGUFFile.open(path);
  try {
    return await backendFactory(impl)(f, modelConfigFromGGUF(f), { kvType });
  } catch (e) {
    process.stderr.write(`bench gpu: ${impl} unavailable (${(e as Error).message}), skipped\n`);
    return undefined;
  } finally {
    f.close();
  }
}

/** Prefill tokens/s: `prompt` evaluated in a fresh sequence, best of `reps`. */
async function prefillRate(backend: Backend, prompt: readonly number[], reps: number): Promise<number> {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const seq = backend.createSequence({ nCtx: 512 });
    const start = process.hrtime.bigint();
    await seq.forward(prompt, 0, "last");
    best = Math.max(best, prompt.length / (Number(process.hrtime.bigint() - start) / 1e9));
    seq.free();
  }
  return best;
}

/** Greedy decode tokens/s after `prompt`: `warmup` tokens untimed, then `n` timed. */
async function decodeRate(backend: Backend, prompt: readonly number[], n: number, warmup: number): Promise<number> {
  const seq = backend.createSequence({ nCtx: 512 });
  try {
    let logits = await seq.forward(prompt, 0, "last");
    let pos = prompt.length;
    for (let i = 0; i < warmup; i++) logits = await seq.forward([argmax(logits)], pos++, "last");
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) logits = await seq.forward([argmax(logits)], pos++, "last");
    return n / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    seq.free();
  }
}

/** The GPU's peak memory bandwidth in bytes/s and its name, from the CUDA driver; undefined without one. */
async function peakBandwidth(): Promise<{ name: string; bytesPerSecond: number } | undefined> {
  if (!cudaAvailability().ok) return undefined;
  const p = (await loadAddon()).probe();
  if (!p.ok || !p.memoryClockKHz || !p.memoryBusBits) return undefined;
  return { name: p.name ?? "GPU", bytesPerSecond: 2 * p.memoryClockKHz * 1e3 * (p.memoryBusBits / 8) };
}

/** Bytes of weights a decoded token reads: every tensor but the token embedding (one row of it), unless the output reuses it. */
function weightBytesPerToken(f: GGUFFile): number {
  let bytes = 0;
  for (const t of f.tensors) bytes += t.nbytes;
  const embd = f.tensorsByName.get("token_embd.weight");
  if (embd && f.tensorsByName.has("output.weight")) bytes -= embd.nbytes;
  return bytes;
}

async function tinyLlamaCases(opts: BenchOptions, report: (r: BenchResult) => void, backends: readonly string[]): Promise<void> {
  const goldenDir = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
  const tokenizer = join(goldenDir, "tokenizer", "ggml-vocab-llama-spm.gguf");
  if (!existsSync(tokenizer)) {
    process.stderr.write(`bench gpu: ${tokenizer} not found (set KILN_GOLDEN to shared/golden), TinyLlama-shaped cases skipped\n`);
    return;
  }
  const peak = await peakBandwidth();
  if (peak) report({ case: `peak memory bandwidth(${peak.name})`, value: peak.bytesPerSecond / 1e9, unit: "GB/s" });
  const nPrompt = opts.quick ? 32 : 128;
  const nDecode = opts.quick ? 16 : 64;
  const log = (s: string): void => void process.stderr.write(`bench gpu: ${s}\n`);
  for (const type of opts.quick ? ["q4_0"] : ["q4_0", "q8_0", "q4_k_m"]) {
    const tag = `model=tinyllama-${type}`;
    if (!wanted(opts, tag)) continue;
    const path = await tinyLlamaModel(type, tokenizer, log);
    const f = GGUFFile.open(path);
    const perToken = weightBytesPerToken(f);
    f.close();
    for (const impl of backends) {
      const backend = await openBackend(impl, path, "f16");
      if (!backend) continue;
      try {
        const prompt = Array.from({ length: nPrompt }, (_, i) => (i === 0 ? 1 : 259 + ((i * 37) % 30000)));
        const prefill = await prefillRate(backend, prompt, 2);
        // two tokens untimed: the first decode of a sequence sets up what later ones reuse
        const decode = await decodeRate(backend, prompt, nDecode, 2);
        report({ case: `prefill(${tag},tokens=${nPrompt})`, value: prefill, unit: "tokens/s", impl });
        report({ case: `decode(${tag},tokens=${nDecode})`, value: decode, unit: "tokens/s", impl });
        report({ case: `decode weight bandwidth(${tag},${(perToken / 1e6).toFixed(0)} MB/token)`, value: (perToken * decode) / 1e9, unit: "GB/s", impl });
        if (peak) report({ case: `decode weight bandwidth / peak(${tag})`, value: (100 * perToken * decode) / peak.bytesPerSecond, unit: "%", impl });
      } catch (e) {
        process.stderr.write(`bench gpu: ${impl} on ${tag} failed: ${(e as Error).message}\n`);
      } finally {
        backend.dispose();
      }
    }
  }
}

export const benchmark: Benchmark = {
  name: "gpu",
  description: "webgpu / cuda backends: prefill and greedy decode, tokens/s (needs --gpu)",
  async run(opts, report) {
    if (!opts.gpu) {
      process.stderr.write("bench gpu: skipped (pass --gpu)\n");
      return;
    }
    const nDecode = opts.quick ? 16 : 128;
    const nPrefill = opts.quick ? 16 : 128;
    const backends = ["cuda", "webgpu", ...(opts.compare ? ["wasm"] : [])];
    const models: [string, string | undefined][] = [
      ["stories260k-f32", defaultModelPath()],
      ["stories260k-q4_0", goldenModel("stories260k-q4_0.gguf")],
      ["synthetic-k256-q4_k_m", goldenModel("synthetic-k256-q4_k_m.gguf")],
      ["synthetic-k256-q6_k", goldenModel("synthetic-k256-q6_k.gguf")],
    ];
    for (const impl of backends) {
      for (const [name, path] of models) {
        const decodeCase = `decode(model=${name},tokens=${nDecode})`;
        const prefillCase = `prefill(model=${name},tokens=${nPrefill})`;
        if (!path || (!wanted(opts, decodeCase) && !wanted(opts, prefillCase))) continue;
        const backend = await openBackend(impl, path, "f32");
        if (!backend) break;
        try {
          if (wanted(opts, decodeCase)) report({ case: decodeCase, value: await decodeRate(backend, PROMPT, nDecode, 0), unit: "tokens/s", impl });
          if (wanted(opts, prefillCase)) {
            const tokens = Array.from({ length: nPrefill }, (_, i) => (i === 0 ? 1 : 259 + (i % 200)));
            report({ case: prefillCase, value: await prefillRate(backend, tokens, 1), unit: "tokens/s", impl });
          }
        } catch (e) {
          process.stderr.write(`bench gpu: ${impl} on ${name} failed: ${(e as Error).message}\n`);
        } finally {
          backend.dispose();
        }
      }
    }
    await tinyLlamaCases(opts, report, backends.filter((b) => b !== "wasm"));
  },
};
