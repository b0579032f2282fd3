// The shapes of kiln's JSON-RPC API as this client returns them (camelCase). The wire format
// (snake_case) is described in the kiln repository, server/rpc.ts.

export type FinishReason = "stop" | "length" | "eog" | "context" | "cancelled" | (string & {});

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface Timings {
  readonly promptMs: number;
  readonly generateMs: number;
  readonly promptTokensPerSecond: number;
  readonly generateTokensPerSecond: number;
}

export interface TopLogprob {
  readonly id: number;
  readonly text: string;
  readonly logprob: number;
}

export interface TokenLogprob {
  readonly id: number;
  readonly logprob: number;
  readonly top: readonly TopLogprob[];
}

/** One streamed piece: the text of one or more tokens. */
export interface TokenChunk {
  readonly text: string;
  readonly ids: readonly number[];
  readonly logprobs?: readonly TokenLogprob[];
}

/** How a generation ended. A cancelled one has finishReason "cancelled" and no timings. */
export interface GenerationResult {
  readonly text: string;
  readonly ids: readonly number[];
  readonly finishReason: FinishReason;
  readonly model: string | undefined;
  readonly usage: Usage;
  readonly timings: Timings | undefined;
}

/** One entry of models() (server/openai.ts modelJson in the kiln repository). */
export interface Model {
  readonly id: string;
  readonly object: "model";
  readonly created: number;
  readonly owned_by: string;
  readonly architecture: string;
  readonly type: string;
  readonly context_length: number;
  readonly size: number;
  readonly backend: string;
}

export interface ModelInfo extends Model {
  readonly vocab_size: number;
  readonly tokenizer: string;
  readonly bos: number | null;
  readonly eos: number | null;
  readonly path: string;
  readonly load_seconds: number;
}

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant" | (string & {});
  readonly content: string;
}

/** Sampling and length options; names are the camelCase forms of OpenAI's parameters. */
export interface SamplingOptions {
  /** Which served model; default: the server's first. */
  readonly model?: string;
  readonly maxTokens?: number;
  /** 0 is greedy. The server's default is 1. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly minP?: number;
  readonly seed?: number;
  readonly stop?: string | readonly string[];
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  readonly repeatPenalty?: number;
  /** token id -> bias in [-100, 100]; -100 bans the token. */
  readonly logitBias?: Readonly<Record<number, number>>;
  /** Cancels the stream (sends generate_v1_stop) when aborted. */
  readonly signal?: AbortSignal;
}

export interface GenerateOptions extends SamplingOptions {
  /** Top alternatives to report with each token (0..20). */
  readonly logprobs?: number;
}

export interface ChatOptions extends SamplingOptions {
  readonly logprobs?: boolean;
  readonly topLogprobs?: number;
}
