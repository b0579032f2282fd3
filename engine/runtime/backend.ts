// The Backend interface: what runs the model graph. `reference` (engine/reference, plain TS) is the
// first; the generated-kernel backends (interp, wasm, webgpu, cuda, metal) implement the same interface
// and register themselves with registerBackend(). Session (session.ts) only talks to this interface, so
// the model code does not know which backend runs it.

import { KilnError } from "../errors.js";
import type { GGUFFile } from "../gguf/reader.js";
import type { ModelConfig } from "../model/config.js";

/** Which logits forward() returns. */
export type LogitsOutput = "last" | "all";

export type KVCacheType = "f32" | "f16";

export interface BackendOptions {
  /** KV cache storage: "f32" (exact) or "f16" (llama.cpp's default; values rounded to half). Default "f32". */
  readonly kvType?: KVCacheType;
  /**
   * Reference backend only. "exact" (default) multiplies f32 activations by decoded weights; "ggml"
   * rounds activations as llama.cpp's CPU backend does, to reproduce its outputs step for step.
   */
  readonly activations?: "exact" | "ggml";
  /** Threads for backends with a worker pool (wasm), the calling one included; default: all available. */
  readonly threads?: number;
}

export interface SequenceOptions {
  /** Positions this sequence's KV cache holds; at most, and by default, the model's context length. */
  readonly nCtx?: number;
}

/**
 * One sequence being evaluated: its own KV cache. Positions 0 .. nPast-1 are in the cache.
 * A backend may hold several sequences at once (the server runs one per request).
 */
export interface BackendSequence {
  /** Capacity of the KV cache, in positions. */
  readonly nCtx: number;
  /** Positions currently held in the KV cache. */
  readonly nPast: number;
  /**
   * Evaluates `tokens` at positions startPos, startPos+1, ... and stores their K and V. Positions from
   * startPos on are replaced, so startPos < nPast rewinds (startPos must be <= nPast). Returns the logits
   * of the last token (n_vocab,) or of every token (tokens.length * n_vocab, row-major).
   */
  forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array>;
  /** Releases the KV cache. */
  free(): void;
}

export interface Backend {
  /** The name it is registered under ("reference", "wasm", ...). */
  readonly name: string;
  readonly config: ModelConfig;
  createSequence(opts?: SequenceOptions): BackendSequence;
  /** Releases the weights and everything else the backend holds. */
  dispose(): void;
}

/** Builds a backend for an opened model file. The GGUFFile stays open until the backend is built. */
export type BackendFactory = (gguf: GGUFFile, config: ModelConfig, opts: BackendOptions) => Promise<Backend>;

const factories = new Map<string, BackendFactory>();

/** Makes a backend available to loadModel(path, { backend: name }) and `--backend name`. */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

export function backendNames(): string[] {
  return [...factories.keys()];
}

export function backendFactory(name: string): BackendFactory {
  const f = factories.get(name);
  if (!f) throw new KilnError(`backend "${name}" is not available (available: ${backendNames().join(", ")})`, "UNKNOWN_BACKEND");
  return f;
}

/** The checks every backend's forward() applies first, with errors that name the value and the limit. */
export function checkForwardArgs(seq: BackendSequence, tokens: readonly number[], startPos: number, nVocab: number): void {
  if (tokens.length === 0) throw new KilnError("forward: no tokens to evaluate (pass at least one token id)");
  if (!Number.isInteger(startPos) || startPos < 0 || startPos > seq.nPast) {
    throw new KilnError(`forward: start position ${startPos} is outside 0..${seq.nPast} (the positions in the KV cache)`);
  }
  if (startPos + tokens.length > seq.nCtx) {
    throw new KilnError(
      `${startPos + tokens.length} positions do not fit in the context of ${seq.nCtx} tokens (shorten the prompt or lower the token count)`,
      "CONTEXT_FULL",
    );
  }
  for (const t of tokens) {
    if (!Number.isInteger(t) || t < 0 || t >= nVocab) {
      throw new KilnError(`token id ${t} is outside the vocabulary 0..${nVocab - 1}`, "BAD_TOKEN");
    }
  }
}
