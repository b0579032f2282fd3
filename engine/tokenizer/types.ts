// The tokenizer interface the rest of kiln uses. Implementations: spm.ts (llama), bpe.ts (gpt2),
// wpm.ts (bert); loadTokenizer() in index.ts picks one from tokenizer.ggml.model.

export interface EncodeOptions {
  /** Add BOS/EOS as the model's add_bos_token/add_eos_token say (llama.cpp's add_special). Default true. */
  readonly addSpecial?: boolean;
  /** Match control and user-defined token text in the input as those tokens (llama.cpp's parse_special). Default false. */
  readonly parseSpecial?: boolean;
}

export interface DecodeOptions {
  /** Render control tokens' text (true) or skip them (false, default). */
  readonly special?: boolean;
  /**
   * decode() only: drop a leading BOS / trailing EOS that the model adds itself (llama.cpp's
   * remove_special; as there, the space prefix of the following piece stays). Default false.
   */
  readonly removeSpecial?: boolean;
}

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** Turns a token stream into text pieces without ever emitting half a UTF-8 character. */
export interface StreamDecoder {
  /** Text completed by this token ("" while a multi-byte character is incomplete). */
  push(id: number): string;
  /** Whatever is still held back (invalid bytes come out as U+FFFD here). */
  flush(): string;
}

export interface Tokenizer {
  readonly model: "llama" | "gpt2" | "bert";
  readonly vocabSize: number;
  readonly bos: number | undefined;
  readonly eos: number | undefined;
  /** End-of-generation tokens: generation stops when one is sampled. */
  readonly eog: ReadonlySet<number>;
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: readonly number[], opts?: DecodeOptions): string;
  /** The raw bytes of one token's piece (llama_token_to_piece). */
  tokenToPiece(id: number, opts?: DecodeOptions): Uint8Array;
  createStreamDecoder(opts?: DecodeOptions): StreamDecoder;
  /** Renders tokenizer.chat_template (or a named fallback) for a conversation. */
  applyChatTemplate(
    messages: readonly ChatMessage[],
    opts?: { addGenerationPrompt?: boolean; template?: string; tools?: readonly unknown[] },
  ): string;
}
