// The wasm backend against llama.cpp on a TinyLlama-1.1B-shaped model (bench/wasm/model.ts builds it
// in Q4_0, Q8_0 and Q4_K_M with kiln's writer and quantizer and caches it): prompt (128 tokens) and
// greedy decode (64 tokens) tokens/s at 1 and 2 threads, and each process's peak RSS.
// With --compare it runs node-llama-cpp 3.21.1 (CPU build, no GPU layers, the same thread count) in
// alternation with kiln and prints the ratios kiln / llama.cpp. node-llama-cpp is a bench-only install
// (`npm i --no-save -E node-llama-cpp@3.21.1`, about 730 MB; never a dependency); KILN_NODE_LLAMA_CPP
// may name its entry file when it is installed elsewhere. Every run is a child process
// (bench/wasm/child.ts), so peak RSS is that run's alone (the kernels are compiled and cached before the
// first run, so no run pays for the compiler). Both use an f16 KV cache (llama.cpp's default).
// Wall-clock tokens/s are the measure; tokens per CPU-second (all the process's threads) are printed too,
// since on a machine shared with other work they move less from run to run. llama.cpp's workers spin
// briefly while waiting, which counts against it at 2 threads; at 1 thread the two compare directly.
// Bars (issue 6): decode >= 0.6x and prefill >= 0.3x llama.cpp at 2 threads on Q4_0 and Q8_0;
// peak RSS <= model file + KV cache + 300 MB. KILN_BENCH_WASM_TYPES (comma-separated llama.cpp file types,
// e.g. q3_k_m,q5_k_m,iq4_xs) replaces the three default types.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../engine/paths.js";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { type Benchmark, type BenchResult, nodeLlamaCppEntry, wanted } from "./harness.js";
import { tinyLlamaModel } from "./wasm/model.js";

interface ChildResult {
  prefill: number;
  decode: number;
  prefillCpu: number;
  decodeCpu: number;
  maxRssBytes: number;
  modelBytes: number;
  kvBytes: number;
}

function measure(impl: "kiln" | "llama.cpp", model: string, threads: number, nPrompt: number, nDecode: number, llamaEntry?: string): ChildResult {
  const child = join(dirname(fileURLToPath(import.meta.url)), "wasm", "child.js");
  const out = execFileSync(process.execPath, [child, impl, model, String(threads), String(nPrompt), String(nDecode)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...(llamaEntry ? { KILN_NODE_LLAMA_CPP_URL: llamaEntry } : {}) },
    maxBuffer: 1 << 24,
  });
  const line = out.trim().split("\n").pop()!;
  return JSON.parse(line) as ChildResult;
}

const MB = 1024 * 1024;

export const benchmark: Benchmark = {
  name: "wasm",
  description: "wasm backend vs node-llama-cpp on a TinyLlama-shaped model: prefill/decode tokens/s, peak RSS",
  async run(opts, report) {
    const goldenDir = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
    const tokenizer = join(goldenDir, "tokenizer", "ggml-vocab-llama-spm.gguf");
    if (!existsSync(tokenizer)) {
      process.stderr.write(`bench wasm: ${tokenizer} not found (set KILN_GOLDEN to shared/golden), skipped\n`);
      return;
    }
    // compile the kernels (and fill their cache) here, so that no measured run's peak RSS holds the compiler
    await kernelModule();
    const llamaEntry = opts.compare ? nodeLlamaCppEntry() : undefined;
    if (opts.compare && !llamaEntry) {
      process.stderr.write("bench wasm: node-llama-cpp is not installed (npm i --no-save -E node-llama-cpp@3.21.1); kiln only\n");
    }
    const nPrompt = opts.quick ? 32 : 128;
    const nDecode = opts.quick ? 8 : 64;
    const reps = opts.quick ? 1 : 2;
    // KILN_BENCH_WASM_TYPES=q3_k_m,q5_k_m,... measures other llama.cpp file types (any `kiln quantize` makes)
    const chosen = process.env.KILN_BENCH_WASM_TYPES?.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
    const types = chosen?.length ? chosen : opts.quick ? ["q4_0"] : ["q4_0", "q8_0", "q4_k_m"];
    const log = (s: string): void => void process.stderr.write(`bench wasm: ${s}\n`);
    for (const type of types) {
      for (const threads of [1, 2]) {
        const tag = `model=tinyllama-${type},threads=${threads}`;
        if (!wanted(opts, tag)) continue;
        const model = await tinyLlamaModel(type, tokenizer, log);
        const best: Record<string, ChildResult> = {};
        const impls: ("kiln" | "llama.cpp")[] = llamaEntry ? ["kiln", "llama.cpp"] : ["kiln"];
        // alternate the implementations, keep each one's best run
        for (let r = 0; r < reps; r++) {
          for (const impl of impls) {
            const m = measure(impl, model, threads, nPrompt, nDecode, llamaEntry);
            const b = best[impl];
            best[impl] = b
              ? {
                  ...m,
                  prefill: Math.max(m.prefill, b.prefill),
                  decode: Math.max(m.decode, b.decode),
                  prefillCpu: Math.max(m.prefillCpu, b.prefillCpu),
                  decodeCpu: Math.max(m.decodeCpu, b.decodeCpu),
                  maxRssBytes: Math.max(m.maxRssBytes, b.maxRssBytes),
                }
              : m;
          }
        }
        const rows: BenchResult[] = [];
        for (const impl of impls) {
          const m = best[impl]!;
          rows.push({ case: `prefill(${tag},tokens=${nPrompt})`, value: m.prefill, unit: "tokens/s", impl });
          rows.push({ case: `decode(${tag},tokens=${nDecode})`, value: m.decode, unit: "tokens/s", impl });
          rows.push({ case: `prefill per CPU-second(${tag})`, value: m.prefillCpu, unit: "tokens/CPU-s", impl });
          rows.push({ case: `decode per CPU-second(${tag})`, value: m.decodeCpu, unit: "tokens/CPU-s", impl });
          rows.push({ case: `peak RSS(${tag})`, value: m.maxRssBytes / MB, unit: "MB", impl });
        }
        const k = best["kiln"]!;
        rows.push({ case: `RSS budget(${tag}) model+KV+300MB`, value: (k.modelBytes + k.kvBytes) / MB + 300, unit: "MB", impl: "kiln" });
        const l = best["llama.cpp"];
        if (l) {
          rows.push({ case: `prefill ratio(${tag})`, value: k.prefill / l.prefill, unit: "x kiln/llama.cpp" });
          rows.push({ case: `decode ratio(${tag})`, value: k.decode / l.decode, unit: "x kiln/llama.cpp" });
          rows.push({ case: `prefill per CPU-s ratio(${tag})`, value: k.prefillCpu / l.prefillCpu, unit: "x kiln/llama.cpp" });
          rows.push({ case: `decode per CPU-s ratio(${tag})`, value: k.decodeCpu / l.decodeCpu, unit: "x kiln/llama.cpp" });
        }
        rows.forEach(report);
      }
    }
  },
};
