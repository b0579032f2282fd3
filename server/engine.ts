// The server's one point of contact with the model runtime (engine/runtime) and tokenizer
// (engine/tokenizer). Everything else in server/ sees only ServedModel, so a change in how sessions
// are created touches this file alone.

import { statSync } from "node:fs";
import { GGUFFile } from "../engine/gguf/reader.js";
import { DEFAULT_BACKEND } from "../engine/runtime/cpu-backend.js";
import type { GenerateOptions, GeneratedToken, GenerationResult } from "../engine/runtime/types.js";
import type { ChatMessage, Tokenizer } from "../engine/tokenizer/types.js";
import type { ModelConfig } from "../engine/model/config.js";
import { loadWeights, WeightMatrix, type ModelWeights } from "../engine/model/weights.js";
import { GGMLType, typeInfo } from "../engine/quant/types.js";
import { ReferenceTransformer } from "../engine/reference/forward.js";
import { loadModel, type Model } from "../engine/runtime/model.js";
import type { Session } from "../engine/runtime/session.js";
import { describeGGUF } from "./store.js";

/** A generation in progress: iterate for tokens; the iterator's return value is the result. */
export type GenerationStream = AsyncGenerator<GeneratedToken, GenerationResult, undefined>;

export interface ServedModel {
  /** The name clients use in "model" fields. */
  readonly id: string;
  readonly path: string;
  readonly architecture: string;
  readonly type: string;
  readonly contextLength: number;
  readonly sizeBytes: number;
  /** Unix seconds (OpenAI's `created`). */
  readonly created: number;
  readonly loadSeconds: number;
  readonly backend: string;
  readonly tokenizer: Tokenizer;
  /** Starts a generation on a fresh session (own KV cache); abort through opts.signal. */
  generate(prompt: string | readonly number[], opts: GenerateOptions): GenerationStream;
  /**
   * The prompt ids for a conversation: the model's chat template rendered with a generation prompt,
   * tokenized with special-token text parsed (as Session.chat does), without a doubled BOS.
   */
  chatPrompt(messages: readonly ChatMessage[]): number[];
  /**
   * Mean of the final hidden states (after the output norm) over the given tokens, or undefined when
   * the runtime cannot return hidden states.
   */
  embed?(ids: readonly number[]): Promise<Float32Array>;
  close(): void;
}

export interface LoadOptions {
  readonly name: string;
  readonly backend?: string;
  /** Threads for backends with a worker pool (wasm). */
  readonly threads?: number;
}

/** Loads a GGUF model for serving. */
export async function loadServedModel(path: string, opts: LoadOptions): Promise<ServedModel> {
  const t0 = performance.now();
  const { architecture, type } = describeGGUF(path);
  const gguf = GGUFFile.open(path);
  let contextLength: number;
  try {
    contextLength = gguf.getNumber(`${architecture}.context_length`) ?? 2048;
  } finally {
    gguf.close();
  }
  const runtime = await bindRuntime(path, opts.backend ?? DEFAULT_BACKEND, opts.threads);
  const loadSeconds = (performance.now() - t0) / 1000;
  return {
    id: opts.name,
    path,
    architecture,
    type,
    contextLength,
    sizeBytes: statSync(path).size,
    created: Math.floor(Date.now() / 1000),
    loadSeconds,
    backend: runtime.backendName,
    tokenizer: runtime.tokenizer,
    generate: runtime.generate,
    chatPrompt: (messages) => {
      const tok = runtime.tokenizer;
      const ids = tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt: true }), { addSpecial: true, parseSpecial: true });
      // Templates usually write BOS themselves.
      return tok.bos !== undefined && ids.length > 1 && ids[0] === tok.bos && ids[1] === tok.bos ? ids.slice(1) : ids;
    },
    embed: runtime.embed,
    close: runtime.close,
  };
}

interface RuntimeBinding {
  tokenizer: Tokenizer;
  /** The backend that runs the model ("wasm", "reference", ...; what `cpu` or `auto` picked). */
  backendName: string;
  generate(prompt: string | readonly number[], opts: GenerateOptions): GenerationStream;
  embed?: (ids: readonly number[]) => Promise<Float32Array>;
  close(): void;
}

/**
 * engine/runtime's Model behind the server's interface. Sessions (each with its own KV cache) are
 * pooled: a finished request's session serves the next one, and its cached prefix is reused when the
 * next prompt starts the same way. At most --max-concurrent sessions exist per model.
 */
async function bindRuntime(path: string, backend: string, threads?: number): Promise<RuntimeBinding> {
  const model: Model = await loadModel(path, { backend, threads });
  const idle: Session[] = [];
  return {
    tokenizer: model.tokenizer,
    backendName: model.backend.name,
    generate: async function* (prompt, opts) {
      const session = idle.pop() ?? model.createSession();
      try {
        const gen = session.generate(prompt, opts);
        for await (const t of gen) yield t;
        return await gen.result;
      } finally {
        idle.push(session);
      }
    },
    embed: hiddenStateEmbedder(path, model.config),
    close: () => {
      idle.length = 0;
      model.close();
    },
  };
}

/**
 * Mean-pooled final hidden states, for /v1/embeddings. The Backend interface returns logits only, so
 * this runs engine/reference's forward pass with the classifier swapped for an identity matrix (and
 * no final soft-cap): its "logits" are then exactly the hidden state after the output norm, the
 * vector the classifier would read. Weights are loaded on the first call (a second copy beside the
 * backend's; a backend with a hidden-state output would make that unnecessary).
 */
function hiddenStateEmbedder(path: string, config: ModelConfig): (ids: readonly number[]) => Promise<Float32Array> {
  let weights: ModelWeights | undefined;
  const n = config.nEmbd;
  return async (ids) => {
    if (!weights) {
      const f = GGUFFile.open(path);
      try {
        const identity = new Float32Array(n * n); // (n_embd, n_embd)
        for (let i = 0; i < n; i++) identity[i * n + i] = 1;
        const f32 = typeInfo(GGMLType.F32);
        weights = { ...loadWeights(f, config), output: new WeightMatrix("identity", f32, n, n, new Uint8Array(identity.buffer)) };
      } finally {
        f.close();
      }
    }
    const transformer = new ReferenceTransformer({ ...config, finalSoftcap: 0 }, weights, { nCtx: ids.length });
    const hidden = new Float32Array(n); // (n_embd,) this position's final hidden state
    const sum = new Float64Array(n); // (n_embd,)
    for (let pos = 0; pos < ids.length; pos++) {
      transformer.forward(ids[pos]!, pos, hidden);
      for (let i = 0; i < n; i++) sum[i] += hidden[i]!;
      // Long inputs must not stall other requests.
      if (pos % 16 === 15) await new Promise<void>((r) => setImmediate(r));
    }
    return Float32Array.from(sum, (v) => v / ids.length);
  };
}
