// loadTokenizer(): the Tokenizer a GGUF file describes. Picks SentencePiece (llama), byte-level BPE
// (gpt2) or WordPiece (bert) from tokenizer.ggml.model and wires up what all three share: special
// tokens in the text, BOS/EOS, detokenizing and chat templates. The steps follow llama.cpp's
// llama_vocab::impl::tokenize (src/llama-vocab.cpp).

import type { GGUFFile } from "../gguf/reader.js";
import { BpeEncoder } from "./bpe.js";
import { NAMED_TEMPLATES, renderChat } from "./chat.js";
import { detokenizeBytes, PieceTable, Utf8StreamDecoder } from "./decode.js";
import { collectSpecialTokens, partitionSpecial, type SpecialTokens } from "./special.js";
import { SpmEncoder } from "./spm.js";
import type { ChatMessage, DecodeOptions, EncodeOptions, StreamDecoder, Tokenizer } from "./types.js";
import { wellFormed } from "./unicode.js";
import { readVocab, type Vocab } from "./vocab.js";
import { encodeWpm } from "./wpm.js";

export type { Tokenizer } from "./types.js";
export { NAMED_TEMPLATES } from "./chat.js";

export interface LoadTokenizerOptions {
  /** A built-in template name (chatml, llama2, llama3, phi3, gemma, mistral) or Jinja source; overrides the file's. */
  readonly chatTemplate?: string;
  /** Where warnings go (default: stderr). */
  readonly warn?: (message: string) => void;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

export class KilnTokenizer implements Tokenizer {
  readonly model: "llama" | "gpt2" | "bert";
  readonly vocabSize: number;
  readonly bos: number | undefined;
  readonly eos: number | undefined;
  readonly eog: ReadonlySet<number>;
  readonly pieces: PieceTable;
  private readonly specials: SpecialTokens;
  /** The SentencePiece encoder (llama vocabularies only). */
  readonly spm: SpmEncoder | undefined;
  private readonly bpe: BpeEncoder | undefined;

  constructor(readonly vocab: Vocab, private readonly chatTemplate: string | undefined) {
    this.model = vocab.model;
    this.vocabSize = vocab.tokens.length;
    this.bos = vocab.bos;
    this.eos = vocab.eos;
    this.eog = vocab.eog;
    this.pieces = new PieceTable(vocab);
    this.specials = collectSpecialTokens(vocab);
    if (vocab.model === "llama") this.spm = new SpmEncoder(vocab);
    if (vocab.model === "gpt2") this.bpe = new BpeEncoder(vocab);
  }

  /** The text of a token as stored in the vocabulary. */
  tokenText(id: number): string | undefined {
    return this.vocab.tokens[id];
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const addSpecial = opts.addSpecial ?? true;
    const v = this.vocab;
    const out: number[] = [];
    const fragments = text.length === 0 ? [] : partitionSpecial(wellFormed(text), opts.parseSpecial ? this.specials.all : this.specials.userDefined);
    switch (v.model) {
      case "llama": {
        if (addSpecial && v.addBos && v.bos !== undefined) out.push(v.bos);
        let prevSpecial = true; // the text start counts as following a special token
        for (const f of fragments) {
          if (typeof f === "number") {
            out.push(f);
            prevSpecial = true;
            continue;
          }
          this.spm!.encode(v.addSpacePrefix && prevSpecial ? " " + f : f, out);
          prevSpecial = false;
        }
        if (addSpecial && v.addEos && v.eos !== undefined) out.push(v.eos);
        break;
      }
      case "gpt2": {
        if (addSpecial && v.addBos && v.bos !== undefined) out.push(v.bos);
        for (const f of fragments) {
          if (typeof f === "number") out.push(f);
          else this.bpe!.encode(f, out);
        }
        if (addSpecial && v.addEos && v.eos !== undefined) out.push(v.eos);
        break;
      }
      case "bert": {
        if (addSpecial && v.cls !== undefined) out.push(v.cls);
        for (const f of fragments) {
          if (typeof f === "number") out.push(f);
          else encodeWpm(v, f, out);
        }
        if (addSpecial && v.sep !== undefined) out.push(v.sep);
        break;
      }
    }
    return out;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    return utf8.decode(detokenizeBytes(this.vocab, this.pieces, ids, opts));
  }

  tokenToPiece(id: number, opts: DecodeOptions = {}): Uint8Array {
    return this.pieces.piece(id, opts.special ?? false);
  }

  createStreamDecoder(opts: DecodeOptions = {}): StreamDecoder {
    return new Utf8StreamDecoder(this.pieces, opts.special ?? false);
  }

  applyChatTemplate(
    messages: readonly ChatMessage[],
    opts: { addGenerationPrompt?: boolean; template?: string; tools?: readonly unknown[] } = {},
  ): string {
    // llama.cpp falls back to chatml when a model has no template
    const template = opts.template ?? this.chatTemplate ?? this.vocab.chatTemplate ?? "chatml";
    const text = (id: number | undefined): string => (id === undefined ? "" : this.vocab.tokens[id] ?? "");
    return renderChat(template, messages, { bosToken: text(this.vocab.bos), eosToken: text(this.vocab.eos) }, {
      addGenerationPrompt: opts.addGenerationPrompt ?? true,
      ...(opts.tools !== undefined ? { tools: opts.tools } : {}),
    });
  }
}

/** Builds the tokenizer described by a GGUF file's tokenizer.ggml.* metadata. */
export function loadTokenizer(gguf: GGUFFile, opts: LoadTokenizerOptions = {}): KilnTokenizer {
  const vocab = opts.warn ? readVocab(gguf, opts.warn) : readVocab(gguf);
  return new KilnTokenizer(vocab, opts.chatTemplate);
}

export const CHAT_TEMPLATE_NAMES: readonly string[] = Object.keys(NAMED_TEMPLATES);
