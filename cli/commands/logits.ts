// kiln logits -m MODEL --tokens 1,2,3 -o FILE [--backend B] [--kv-type f32|f16]
// Evaluates the token ids at positions 0..n-1 and writes the logits of every position to FILE as
// float32 little-endian, n_tokens x n_vocab, row-major: the format of golden/logits/*.f32, so the file
// can be compared with llama.cpp's directly. A short summary goes to stderr.

import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { defaultModelPath } from "../../engine/paths.js";
import type { KVCacheType } from "../../engine/runtime/backend.js";
import { DEFAULT_BACKEND } from "../../engine/runtime/cpu-backend.js";
import { loadModel } from "../../engine/runtime/model.js";
import { kvTypeFlag, numberFlag } from "./run.js";
import { parseIds } from "./tokenize.js";

interface LogitsFlags {
  model?: string;
  tokens?: string;
  prompt?: string;
  output?: string;
  backend: string;
  threads?: number;
  kvType: KVCacheType;
  ggmlActivations?: boolean;
}

export function registerLogits(program: Command): void {
  program
    .command("logits")
    .description("write the logits of every position (float32 LE, n_tokens x n_vocab) to a file")
    .option("-m, --model <file>", "GGUF model (default: the embedded stories260K model)")
    .option("--tokens <ids>", "token ids, e.g. 1,403,407")
    .option("-p, --prompt <text>", "text to tokenize instead of --tokens (with BOS, as llama.cpp)")
    .option("-o, --output <file>", "where to write the logits")
    .option("--backend <name>", "backend that runs the model: cpu (wasm, or reference where wasm cannot run it), wasm, reference, webgpu, cuda or auto", DEFAULT_BACKEND)
    .option("--threads <n>", "threads for the wasm backend (default: all available)", numberFlag("--threads", true))
    .option("--kv-type <type>", "KV cache storage: f32 or f16", kvTypeFlag, "f32")
    .option("--ggml-activations", "reference backend: round activations as llama.cpp's CPU backend does, to compare with it")
    .action(async (o: LogitsFlags) => {
      if (o.output === undefined) throw new KilnError("kiln logits needs an output file: add -o FILE", "BAD_ARGUMENT");
      if ((o.tokens === undefined) === (o.prompt === undefined)) {
        throw new KilnError("kiln logits needs exactly one of --tokens 1,2,3 or -p TEXT", "BAD_ARGUMENT");
      }
      const model = await loadModel(o.model ?? defaultModelPath(), {
        backend: o.backend, kvType: o.kvType, activations: o.ggmlActivations ? "ggml" : "exact", threads: o.threads,
      });
      try {
        const ids = o.tokens !== undefined ? parseIds(o.tokens, model.config.nVocab) : model.tokenizer.encode(o.prompt!);
        if (ids.length === 0) throw new KilnError("kiln logits: no tokens to evaluate (give at least one id)", "BAD_ARGUMENT");
        const logits = await model.createSession().logits(ids);
        // Float32Array is platform-endian; write explicitly little-endian.
        const out = Buffer.alloc(logits.length * 4);
        for (let i = 0; i < logits.length; i++) out.writeFloatLE(logits[i]!, i * 4);
        writeFileSync(o.output, out);
        process.stderr.write(`kiln: wrote ${ids.length} x ${model.config.nVocab} logits to ${o.output}\n`);
      } finally {
        model.close();
      }
    });
}
