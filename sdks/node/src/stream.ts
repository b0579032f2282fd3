// One streamed generation (generate_v1_start / chat_v1_start): an async iterator of token chunks
// and a `result` promise. Events arrive as {event: "started" | "tokens" | "done" | "error" | "stop"};
// exactly one of the last three ends the stream. Leaving a for-await loop early, cancel(), or the
// options' AbortSignal sends generate_v1_stop.

import { KilnError, rpcError } from "./errors.js";
import type { FinishReason, GenerationResult, TokenChunk, TokenLogprob } from "./types.js";

/** What the stream needs from its client. */
export interface StreamOwner {
  stop(subscription: string): Promise<void>;
}

interface WireEvent {
  event: string;
  [k: string]: unknown;
}

export class GenerationStream implements AsyncIterable<TokenChunk> {
  /** Settles when the stream ends: resolves with the result, rejects with a KilnError. */
  readonly result: Promise<GenerationResult>;
  private resolveResult!: (r: GenerationResult) => void;
  private rejectResult!: (e: KilnError) => void;
  private readonly queue: TokenChunk[] = [];
  private wake: (() => void) | undefined;
  private ended: { result?: GenerationResult; error?: KilnError } | undefined;
  private subscriptionId: string | undefined;
  private cancelRequested = false;
  private iterating = false;
  private readonly texts: string[] = [];
  private readonly ids: number[] = [];
  private model: string | undefined;
  private promptTokens = 0;

  constructor(private readonly owner: StreamOwner, signal?: AbortSignal) {
    this.result = new Promise((res, rej) => {
      this.resolveResult = res;
      this.rejectResult = rej;
    });
    // A caller that only iterates must not see an unhandled rejection; iteration rethrows it.
    this.result.catch(() => undefined);
    if (signal) {
      if (signal.aborted) this.cancelRequested = true;
      else signal.addEventListener("abort", () => void this.cancel(), { once: true });
    }
  }

  /** The subscription id, once the server has answered the start call. */
  get subscription(): string | undefined {
    return this.subscriptionId;
  }

  get done(): boolean {
    return this.ended !== undefined;
  }

  /** Called by the client as soon as the start call is answered, before any event is read. */
  attach(subscription: string): void {
    this.subscriptionId = subscription;
    if (this.cancelRequested) void this.owner.stop(subscription).catch(() => undefined);
  }

  /** Called by the client for each generate_v1_event of this subscription. */
  onEvent(ev: WireEvent): void {
    if (this.ended) return;
    switch (ev.event) {
      case "started":
        this.model = typeof ev.model === "string" ? ev.model : undefined;
        this.promptTokens = typeof ev.prompt_tokens === "number" ? ev.prompt_tokens : 0;
        return;
      case "tokens": {
        const text = typeof ev.text === "string" ? ev.text : "";
        const ids = Array.isArray(ev.ids) ? (ev.ids as number[]) : [];
        this.texts.push(text);
        this.ids.push(...ids);
        const chunk: TokenChunk = ev.logprobs ? { text, ids, logprobs: ev.logprobs as TokenLogprob[] } : { text, ids };
        this.queue.push(chunk);
        this.poke();
        return;
      }
      case "done": {
        const u = (ev.usage ?? {}) as Record<string, number>;
        const t = ev.timings as Record<string, number> | undefined;
        this.finish({
          text: this.texts.join(""),
          ids: this.ids,
          finishReason: (ev.finish_reason as FinishReason) ?? "stop",
          model: this.model,
          usage: { promptTokens: u.prompt_tokens ?? this.promptTokens, completionTokens: u.completion_tokens ?? this.ids.length, totalTokens: u.total_tokens ?? this.promptTokens + this.ids.length },
          timings: t && { promptMs: t.prompt_ms!, generateMs: t.generate_ms!, promptTokensPerSecond: t.prompt_tokens_per_second!, generateTokensPerSecond: t.generate_tokens_per_second! },
        });
        return;
      }
      case "stop":
        this.finish(this.cancelledResult());
        return;
      case "error": {
        const e = (ev.error ?? { code: -32603, message: "generation failed (no error object in the event)" }) as { code: number; message: string; data?: unknown };
        this.fail(rpcError(e));
        return;
      }
      default:
        // Unknown events are for newer clients; skip them.
        return;
    }
  }

  /** Ends the stream with an error (the start call failed, or the connection was lost). */
  fail(error: KilnError): void {
    if (this.ended) return;
    this.ended = { error };
    this.rejectResult(error);
    this.poke();
  }

  /**
   * Asks the server to stop (generate_v1_stop) and waits for the stream to end. The result then
   * has finishReason "cancelled" (or the real one if the generation had already finished).
   */
  async cancel(): Promise<void> {
    if (this.ended) return;
    this.cancelRequested = true;
    if (this.subscriptionId !== undefined) {
      try {
        await this.owner.stop(this.subscriptionId);
      } catch {
        // The connection is gone: the stream has failed with that error already.
      }
    }
    await this.result.catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TokenChunk> {
    if (this.iterating) throw new KilnError("a GenerationStream can be iterated only once");
    this.iterating = true;
    try {
      for (;;) {
        const chunk = this.queue.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        if (this.ended) {
          if (this.ended.error) throw this.ended.error;
          return;
        }
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      // Left early (break, return, throw in the loop body): stop the generation on the server.
      if (!this.ended) await this.cancel();
    }
  }

  /** Reads the whole stream and returns its result. */
  async collect(): Promise<GenerationResult> {
    for await (const _ of this) {
      // The result carries the text.
    }
    return this.result;
  }

  private cancelledResult(): GenerationResult {
    return {
      text: this.texts.join(""),
      ids: this.ids,
      finishReason: "cancelled",
      model: this.model,
      usage: { promptTokens: this.promptTokens, completionTokens: this.ids.length, totalTokens: this.promptTokens + this.ids.length },
      timings: undefined,
    };
  }

  private finish(result: GenerationResult): void {
    this.ended = { result };
    this.resolveResult(result);
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
