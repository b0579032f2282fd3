// Token ids back to text. Reference: llama.cpp src/llama-vocab.cpp, token_to_piece and detokenize:
// - llama/bert pieces: U+2581 becomes a space, <0xNN> byte tokens give their byte;
// - gpt2 pieces: characters map back to bytes through GPT-2's byte-to-unicode table;
// - control and unknown tokens give their text only when asked for (special), user-defined always;
// - the space the llama tokenizer put in front of the text is taken off the first piece;
// - with clean_spaces (most gpt2 vocabularies) " ," " ." " ?" " !" " 's" " 'm" and " ' " are tidied.
// Bytes are joined first and turned into UTF-8 text at the end, so a character split over byte
// tokens comes out whole; StreamDecoder does the same incrementally.

import { CHAR_TO_BYTE, utf8Encoder } from "./unicode.js";
import { TokenType, type Vocab } from "./vocab.js";
import type { StreamDecoder } from "./types.js";

const EMPTY = new Uint8Array(0);

export class PieceTable {
  private readonly plain: (Uint8Array | undefined)[];
  private readonly special: (Uint8Array | undefined)[];

  constructor(private readonly vocab: Vocab) {
    this.plain = new Array<Uint8Array | undefined>(vocab.tokens.length);
    this.special = new Array<Uint8Array | undefined>(vocab.tokens.length);
  }

  /** llama_token_to_piece(id, special): the raw bytes of one token. Unknown ids give no bytes. */
  piece(id: number, special = false): Uint8Array {
    const v = this.vocab;
    if (!Number.isInteger(id) || id < 0 || id >= v.tokens.length) return EMPTY;
    const cache = special ? this.special : this.plain;
    let p = cache[id];
    if (p === undefined) {
      p = this.compute(id, special);
      cache[id] = p;
    }
    return p;
  }

  private compute(id: number, special: boolean): Uint8Array {
    const v = this.vocab;
    const type = v.types[id];
    const text = v.tokens[id]!;
    if (type === TokenType.CONTROL || type === TokenType.UNKNOWN) return special ? utf8Encoder.encode(text) : EMPTY;
    if (type === TokenType.USER_DEFINED) return utf8Encoder.encode(text);
    if (v.model === "gpt2") {
      if (type !== TokenType.NORMAL && type !== TokenType.BYTE) return EMPTY;
      const bytes: number[] = [];
      for (const ch of text) {
        const b = CHAR_TO_BYTE.get(ch.charCodeAt(0));
        if (b !== undefined && ch.length === 1) bytes.push(b);
        else for (const x of utf8Encoder.encode(ch)) bytes.push(x); // not a byte-level character: keep it as is
      }
      return Uint8Array.from(bytes);
    }
    if (type === TokenType.NORMAL) return utf8Encoder.encode(text.replaceAll("\u2581", " "));
    if (type === TokenType.BYTE) {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(text);
      return m ? Uint8Array.of(parseInt(m[1]!, 16)) : utf8Encoder.encode(text);
    }
    return EMPTY; // unused and undefined tokens print nothing, as in llama.cpp
  }
}

export interface DetokenizeOptions {
  /** Render control/unknown tokens' text (llama.cpp's unparse_special). */
  readonly special?: boolean;
  /** Drop a leading BOS and trailing EOS that the model adds itself (llama.cpp's remove_special). */
  readonly removeSpecial?: boolean;
}

const SP = 0x20, APOS = 0x27;

/** llama.cpp's detokenize, returning bytes. */
export function detokenizeBytes(v: Vocab, pieces: PieceTable, ids: readonly number[], opts: DetokenizeOptions = {}): Uint8Array {
  let lo = 0, hi = ids.length;
  let removeSpace = v.addSpacePrefix;
  if (opts.removeSpecial && v.addBos && hi > 0 && ids[0] === v.bos) {
    removeSpace = false;
    lo++;
  }
  if (opts.removeSpecial && v.addEos && hi > lo && ids[hi - 1] === v.eos) hi--;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let i = lo; i < hi; i++) {
    let p = pieces.piece(ids[i]!, opts.special ?? false);
    if (removeSpace && p.length > 0 && p[0] === SP) p = p.subarray(1);
    removeSpace = false;
    chunks.push(p);
    total += p.length;
  }
  let text: Uint8Array = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    text.set(c, off);
    off += c.length;
  }
  if (v.cleanSpaces) text = cleanSpaces(text);
  return text;
}

/** The three clean-up passes of llama.cpp's detokenize (clean_up_tokenization_spaces). */
function cleanSpaces(t: Uint8Array): Uint8Array {
  // pass 1: " ?", " !", " .", " ," lose the space
  let out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (i > 0 && t[i - 1] === SP && (x === 0x3f || x === 0x21 || x === 0x2e || x === 0x2c)) out.pop();
    out.push(x);
  }
  // pass 2: a lone apostrophe between spaces loses both spaces
  let a = out;
  out = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (i > 0 && x === APOS && i + 1 < a.length && a[i - 1] === SP && a[i + 1] === SP) {
      out.pop();
      out.push(x);
      a[i + 1] = 0; // llama.cpp blanks the skipped space in place, so the next check sees no space
      i++;
      continue;
    }
    out.push(x);
  }
  // pass 3: " 's" and " 'm" lose the space (" 't", " 'd", " 'll", " 're", " 've" keep it)
  a = out;
  out = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (i > 0 && a[i - 1] === SP && x === APOS && i + 1 < a.length && (a[i + 1] === 0x73 || a[i + 1] === 0x6d)) out.pop();
    out.push(x);
  }
  return Uint8Array.from(out);
}

/** Streams pieces as text, holding back an incomplete UTF-8 sequence until its last byte arrives. */
export class Utf8StreamDecoder implements StreamDecoder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  constructor(private readonly pieces: PieceTable, private readonly special: boolean) {}

  push(id: number): string {
    return this.decoder.decode(this.pieces.piece(id, this.special), { stream: true });
  }

  flush(): string {
    return this.decoder.decode();
  }
}
