// The contracts between the model runtime and everything above it (CLI, server, SDK tests).
// Session implements generation over a Backend; the server and the CLI only see these types.

export interface SamplingOptions {
  /** 0 means greedy (argmax; the lowest id wins ties). */
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly minP?: number;
  readonly repeatPenalty?: number;
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  /** How many of the last tokens the penalties look at (llama.cpp's penalty_last_n). */
  readonly repeatLastN?: number;
  readonly seed?: number;
  /** Token id -> added logit (-Infinity bans the token). */
  readonly logitBias?: ReadonlyMap<number, number>;
}

export interface GenerateOptions extends SamplingOptions {
  readonly maxTokens?: number;
  /** Generation ends before any of these strings is emitted; a partial match is held back while streaming. */
  readonly stop?: readonly string[];
  /** Return this many top alternatives' log-probabilities with each token (0 = only the chosen token's). */
  readonly logprobs?: number;
  readonly signal?: AbortSignal;
}

export type FinishReason = "stop" | "length" | "eog" | "cancelled" | "context";

export interface TokenLogprob {
  readonly id: number;
  readonly text: string;
  readonly logprob: number;
}

/** One step of a streamed generation. */
export interface GeneratedToken {
  /**
   * The sampled token. When generation ends on an end-of-generation token, that token is the last
   * event; its text is whatever was still held back (usually "").
   */
  readonly id: number;
  /** Text this step adds to the output (may be "" while UTF-8 or a possible stop string is held back). */
  readonly text: string;
  readonly logprob?: number;
  readonly topLogprobs?: readonly TokenLogprob[];
}

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface Timings {
  /** Milliseconds spent on the prompt (prefill). */
  readonly promptMs: number;
  /** Milliseconds spent generating (decode). */
  readonly generateMs: number;
  readonly promptTokensPerSecond: number;
  readonly generateTokensPerSecond: number;
}

export interface GenerationResult {
  /** The generated text (stop strings and end-of-generation tokens excluded); the streamed texts joined. */
  readonly text: string;
  /** The generated token ids, as streamed: an end-of-generation token that ended the run is the last (as in llama.cpp). */
  readonly ids: readonly number[];
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  readonly timings: Timings;
}
