// Session: one conversation over a model: a KV cache (a BackendSequence), the tokens it holds, and the
// prefill/decode loop that turns a prompt into a stream of GeneratedToken. This is the API the CLI and
// the server build on:
//
//   const model = await loadModel(path);
//   const session = model.createSession();
//   const gen = session.generate("Once upon a time", { maxTokens: 32, temperature: 0 });
//   for await (const t of gen) process.stdout.write(t.text);   // streamed
//   const result = await gen.result;                            // GenerationResult
//
// A later generate() reuses the KV cache for the longest common prefix of the token sequences, so a
// chat that grows turn by turn only evaluates what is new. One generation runs at a time per session.

import { KilnError } from "../errors.js";
import { logSoftmax, Sampler } from "../sampling/sampler.js";
import { StopMatcher } from "../sampling/stop.js";
import type { ChatMessage } from "../tokenizer/types.js";
import type { BackendSequence } from "./backend.js";
import type { Model } from "./model.js";
import type {
  FinishReason, GeneratedToken, GenerateOptions, GenerationResult, TokenLogprob,
} from "./types.js";

export interface SessionOptions {
  /** KV cache positions (default and maximum: the model's context length). */
  readonly nCtx?: number;
}

/**
 * A running generation: iterate it for the tokens as they come, await `result` for the whole. Either
 * or both; awaiting `result` alone runs it to the end. Leaving the loop early cancels it.
 */
export class Generation implements AsyncIterable<GeneratedToken> {
  private started = false;
  private stopRequested = false;
  private resolveResult!: (r: GenerationResult) => void;
  private rejectResult!: (e: unknown) => void;
  private readonly resultPromise: Promise<GenerationResult>;

  /** @internal */
  constructor(private readonly run: (shouldStop: () => boolean) => AsyncGenerator<GeneratedToken, GenerationResult>) {
    this.resultPromise = new Promise<GenerationResult>((res, rej) => {
      this.resolveResult = res;
      this.rejectResult = rej;
    });
    this.resultPromise.catch(() => {}); // errors reach whoever iterates or awaits; never "unhandled"
  }

  /** The whole generation; runs it to the end if nobody iterates. */
  get result(): Promise<GenerationResult> {
    if (!this.started) void this.drain();
    return this.resultPromise;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<GeneratedToken> {
    if (this.started) throw new KilnError("a generation can be iterated only once");
    this.started = true;
    const it = this.run(() => this.stopRequested);
    let finished = false;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) {
          finished = true;
          this.resolveResult(r.value);
          return;
        }
        yield r.value;
      }
    } catch (e) {
      finished = true;
      this.rejectResult(e);
      throw e;
    } finally {
      if (!finished) {
        // The consumer left the loop: stop generating and settle the result as cancelled.
        this.stopRequested = true;
        try {
          for (;;) {
            const r = await it.next();
            if (r.done) {
              this.resolveResult(r.value);
              break;
            }
          }
        } catch (e) {
          this.rejectResult(e);
        }
      }
    }
  }

  private async drain(): Promise<void> {
    try {
      for await (const _ of this) {
        // consumed for the result
      }
    } catch {
      // already delivered through resultPromise
    }
  }
}

export class Session {
  private readonly seq: BackendSequence;
  /** The tokens whose K and V are in the cache, position by position. */
  private cached: number[] = [];
  private busy = false;

  constructor(readonly model: Model, opts: SessionOptions = {}) {
    if (opts.nCtx !== undefined && !(Number.isInteger(opts.nCtx) && opts.nCtx > 0)) {
      throw new KilnError(`session context size ${opts.nCtx} is not a positive integer`);
    }
    this.seq = model.backend.createSequence({ nCtx: opts.nCtx });
  }

  /** Context capacity in tokens. */
  get nCtx(): number {
    return this.seq.nCtx;
  }

  /** The tokens currently in the KV cache. */
  get tokens(): readonly number[] {
    return this.cached;
  }

  /**
   * Makes the cache hold exactly `tokens` and returns the logits after the last one (n_vocab,).
   * Reuses the longest common prefix with what is cached; always evaluates at least the last token.
   */
  async prefill(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length === 0) throw new KilnError("prefill: the prompt is empty (give at least one token, e.g. BOS)");
    if (tokens.length > this.nCtx) {
      throw new KilnError(
        `the prompt has ${tokens.length} tokens but the context holds ${this.nCtx} (shorten the prompt or use a model with a longer context)`,
        "CONTEXT_FULL",
      );
    }
    let common = 0;
    while (common < this.cached.length && common < tokens.length && this.cached[common] === tokens[common]) common++;
    const start = Math.min(common, tokens.length - 1);
    this.cached.length = start; // positions from start on are rewritten (and invalid if forward fails)
    const logits = await this.seq.forward(tokens.slice(start), start, "last");
    this.cached = tokens.slice();
    return logits;
  }

  /** Appends one token and returns the logits after it (n_vocab,). */
  async decode(token: number): Promise<Float32Array> {
    const logits = await this.seq.forward([token], this.cached.length, "last");
    this.cached.push(token);
    return logits;
  }

  /** Logits of every position of `tokens` evaluated from position 0 (tokens.length * n_vocab, row-major). */
  async logits(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length > this.nCtx) {
      throw new KilnError(`${tokens.length} tokens do not fit in the context of ${this.nCtx}`, "CONTEXT_FULL");
    }
    this.cached = [];
    const out = await this.seq.forward(tokens, 0, "all");
    this.cached = tokens.slice();
    return out;
  }

  /** Forgets the cached tokens. */
  reset(): void {
    this.cached = [];
  }

  /** Generates a continuation of `prompt` (text, tokenized with BOS as the model says; or token ids). */
  generate(prompt: string | readonly number[], opts: GenerateOptions = {}): Generation {
    const tokens = typeof prompt === "string" ? this.model.tokenizer.encode(prompt) : prompt.slice();
    return new Generation((shouldStop) => this.run(tokens, opts, shouldStop));
  }

  /** Renders `messages` with the model's chat template (and a generation prompt) and generates the reply. */
  chat(messages: readonly ChatMessage[], opts: GenerateOptions = {}): Generation {
    const tok = this.model.tokenizer;
    const text = tok.applyChatTemplate(messages, { addGenerationPrompt: true });
    let tokens = tok.encode(text, { addSpecial: true, parseSpecial: true });
    // Templates usually write BOS themselves; do not start with two.
    if (tok.bos !== undefined && tokens.length > 1 && tokens[0] === tok.bos && tokens[1] === tok.bos) tokens = tokens.slice(1);
    return this.generate(tokens, opts);
  }

  private async *run(
    prompt: readonly number[],
    opts: GenerateOptions,
    shouldStop: () => boolean,
  ): AsyncGenerator<GeneratedToken, GenerationResult> {
    if (this.busy) throw new KilnError("this session is already generating (wait for it, or use another session)", "SESSION_BUSY");
    this.busy = true;
    try {
      return yield* this.loop(prompt, opts, shouldStop);
    } finally {
      this.busy = false;
    }
  }

  /** The prefill/decode loop: sample, stream the text, feed the token back, until a finish reason. */
  private async *loop(
    prompt: readonly number[],
    opts: GenerateOptions,
    shouldStop: () => boolean,
  ): AsyncGenerator<GeneratedToken, GenerationResult> {
    const tok = this.model.tokenizer;
    const maxTokens = opts.maxTokens ?? Infinity;
    if (!(maxTokens >= 0)) throw new KilnError(`maxTokens is ${opts.maxTokens}; use a count of tokens (0 or more)`);
    const nLogprobs = opts.logprobs ?? 0;
    const sampler = new Sampler(opts);
    const stop = new StopMatcher(opts.stop ?? []);
    const decoder = tok.createStreamDecoder();
    const cancelled = (): boolean => shouldStop() || opts.signal?.aborted === true;

    const t0 = performance.now();
    let logits = await this.prefill(prompt);
    const t1 = performance.now();

    const ids: number[] = [];
    let text = "";
    let finishReason: FinishReason | undefined;
    const history = prompt.slice();
    for (;;) {
      if (cancelled()) { finishReason = "cancelled"; break; }
      if (ids.length >= maxTokens) { finishReason = "length"; break; }
      const id = sampler.sample(logits, history);
      if (tok.eog.has(id)) {
        // The end-of-generation token is the last event (and id), as in llama.cpp; its text is only
        // what was still held back (a partial stop string that never completed, or unfinished UTF-8).
        const tail = stop.push(decoder.flush());
        const rest = tail.stopped ? tail.text : tail.text + stop.flush();
        ids.push(id);
        text += rest;
        yield { id, text: rest, ...logprobsOf(logits, id, nLogprobs, tok.decode.bind(tok)) };
        finishReason = "eog";
        break;
      }
      ids.push(id);
      history.push(id);

      const stopped = stop.push(decoder.push(id));
      text += stopped.text;
      const step: GeneratedToken = { id, text: stopped.text, ...logprobsOf(logits, id, nLogprobs, tok.decode.bind(tok)) };
      if (stopped.stopped) {
        yield step;
        finishReason = "stop";
        break;
      }
      // The context is full when the next token would have no position to go to.
      const full = prompt.length + ids.length >= this.nCtx;
      if (!full && ids.length < maxTokens) {
        yield step;
        if (cancelled()) { finishReason = "cancelled"; break; }
        logits = await this.decode(id);
        continue;
      }
      // Last token: release what the stream decoder and stop matcher still hold.
      const tail = stop.push(decoder.flush());
      const rest = tail.stopped ? tail.text : tail.text + stop.flush();
      text += rest;
      yield { ...step, text: step.text + rest };
      finishReason = tail.stopped ? "stop" : full ? "context" : "length";
      break;
    }
    // A cancelled generation drops what was held back: it ends where the streamed text ended.
    const t2 = performance.now();
    const promptMs = t1 - t0;
    const generateMs = t2 - t1;
    return {
      text,
      ids,
      finishReason: finishReason!,
      usage: { promptTokens: prompt.length, completionTokens: ids.length },
      timings: {
        promptMs,
        generateMs,
        promptTokensPerSecond: promptMs > 0 ? (prompt.length / promptMs) * 1000 : 0,
        generateTokensPerSecond: generateMs > 0 ? (ids.length / generateMs) * 1000 : 0,
      },
    };
  }
}

/** The chosen token's log-probability under the raw logits, and the n most likely alternatives. */
function logprobsOf(
  logits: Float32Array,
  id: number,
  n: number,
  decode: (ids: readonly number[]) => string,
): { logprob?: number; topLogprobs?: TokenLogprob[] } {
  if (n <= 0) return {};
  const lp = logSoftmax(logits);
  const order = Array.from(lp.keys()).sort((a, b) => lp[b]! - lp[a]! || a - b).slice(0, n);
  return {
    logprob: lp[id]!,
    topLogprobs: order.map((t) => ({ id: t, text: decode([t]), logprob: lp[t]! })),
  };
}
