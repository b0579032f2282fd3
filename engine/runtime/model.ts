// loadModel(path, { backend }): opens a GGUF file, reads its config and tokenizer, and builds the
// backend that will run it. A Model hands out Sessions (session.ts), one per conversation/request.

import { KilnError } from "../errors.js";
import { GGUFFile } from "../gguf/reader.js";
import { modelConfigFromGGUF, type ModelConfig } from "../model/config.js";
import { loadTokenizer } from "../tokenizer/index.js";
import type { Tokenizer } from "../tokenizer/types.js";
import { backendFactory, type Backend, type KVCacheType } from "./backend.js";
import { DEFAULT_BACKEND } from "./cpu-backend.js";
import "../../targets/wgsl/backend/auto.js";
import { Session, type SessionOptions } from "./session.js";

export interface LoadModelOptions {
  /** Which backend runs the model (default "cpu": wasm, or reference where wasm cannot run it). */
  readonly backend?: string;
  /** KV cache storage (default "f32"). */
  readonly kvType?: KVCacheType;
  /** Reference backend only: "ggml" rounds activations as llama.cpp's CPU backend does (default "exact"). */
  readonly activations?: "exact" | "ggml";
  /** Threads for backends with a worker pool (wasm); default: all available. */
  readonly threads?: number;
}

export interface Model {
  readonly path: string;
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly backend: Backend;
  /** A new conversation with its own KV cache. */
  createSession(opts?: SessionOptions): Session;
  close(): void;
}

export async function loadModel(path: string, opts: LoadModelOptions = {}): Promise<Model> {
  const backendName = opts.backend ?? DEFAULT_BACKEND;
  if (opts.kvType !== undefined && opts.kvType !== "f32" && opts.kvType !== "f16") {
    throw new KilnError(`KV cache type "${String(opts.kvType)}" is not supported (use f32 or f16)`);
  }
  const factory = backendFactory(backendName);
  const gguf = GGUFFile.open(path);
  try {
    const config = modelConfigFromGGUF(gguf);
    const tokenizer = loadTokenizer(gguf);
    if (tokenizer.vocabSize !== config.nVocab) {
      throw new KilnError(`${path}: the tokenizer has ${tokenizer.vocabSize} tokens but token_embd has ${config.nVocab} rows (mismatched vocabulary)`);
    }
    const backend = await factory(gguf, config, { kvType: opts.kvType ?? "f32", activations: opts.activations ?? "exact", threads: opts.threads });
    const model: Model = {
      path,
      config,
      tokenizer,
      backend,
      createSession: (sopts?: SessionOptions) => new Session(model, sopts),
      close: () => backend.dispose(),
    };
    return model;
  } finally {
    gguf.close();
  }
}
