// The server's one point of contact with the model runtime (engine/runtime) and tokenizer
// (engine/tokenizer). Everything else in server/ sees only ServedModel, so a change in how sessions
// are created touches this file alone.

import { statSync } from "node:fs";
import { GGUFFile } from "../engine/gguf/reader.js";
import type { GenerateOptions, GeneratedToken, GenerationResult } from "../engine/runtime/types.js";
import type { ChatMessage, Tokenizer } from "../engine/tokenizer/types.js";
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
  const runtime = await bindRuntime(path, opts.backend ?? "reference");
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
    backend: opts.backend ?? "reference",
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
  generate(prompt: string | readonly number[], opts: GenerateOptions): GenerationStream;
  embed?: (ids: readonly number[]) => Promise<Float32Array>;
  close(): void;
}

/**
 * engine/runtime's Model behind the server's interface. Sessions (each with its own KV cache) are
 * pooled: a finished request's session serves the next one, and its cached prefix is reused when the
 * next prompt starts the same way. At most --max-concurrent sessions exist per model.
 */
async function bindRuntime(path: string, backend: string): Promise<RuntimeBinding> {
  const model: Model = await loadModel(path, { backend });
  const idle: Session[] = [];
  return {
    tokenizer: model.tokenizer,
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
    close: () => {
      idle.length = 0;
      model.close();
    },
  };
}
