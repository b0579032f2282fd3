// SentencePiece-style BPE for tokenizer.ggml.model = "llama": start from single characters and
// repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece; characters
// no piece covers fall back to their UTF-8 bytes (<0xNN>). Reference: llama.cpp src/llama-vocab.cpp,
// llm_tokenizer_spm_session (itself from llama2.c's encode()).
//
// index.ts adds the space prefix; spaces become U+2581 (llama_escape_whitespace) here.

import { MergeQueue } from "./heap.js";
import { utf8Encoder } from "./unicode.js";
import { TokenType, type Vocab } from "./vocab.js";

const SPACE = "\u2581";

export class SpmEncoder {
  private readonly queue = new MergeQueue();
  private readonly byteTokens: Int32Array;
  /** True when no piece holds a non-space character followed by U+2581, so words merge independently. */
  private readonly wordsAreIndependent: boolean;
  private readonly cache = new Map<string, readonly number[]>();
  private start = new Int32Array(0);
  private len = new Int32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);

  constructor(private readonly vocab: Vocab) {
    this.byteTokens = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) {
      const hex = `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
      const id = vocab.tokenToId.get(hex) ?? (b < 0x80 ? vocab.tokenToId.get(String.fromCharCode(b)) : undefined);
      if (id !== undefined) this.byteTokens[b] = id;
    }
    this.wordsAreIndependent = !vocab.tokens.some((t, i) => vocab.types[i] !== TokenType.BYTE && /[^\u2581]\u2581/u.test(t));
  }

  /**
   * Appends the ids of one text fragment. Spaces become U+2581 here, word by word, so a long text is
   * never copied whole into a two-byte string.
   */
  encode(text: string, out: number[]): void {
    if (!this.wordsAreIndependent) {
      this.encodeWhole(text, out);
      return;
    }
    // Cut before every space that follows a character other than a space (or a literal U+2581, the
    // same thing once escaped): no piece spans such a cut, so each word's merges are the same as in
    // the whole text, and words repeat enough to cache.
    let from = 0;
    for (let i = 1; i < text.length; i++) {
      const prev = text.charCodeAt(i - 1);
      if (text.charCodeAt(i) === 0x20 && prev !== 0x20 && prev !== 0x2581) {
        this.encodeWord(text.slice(from, i), out);
        from = i;
      }
    }
    this.encodeWord(from === 0 ? text : text.slice(from), out);
  }

  /** The same without cutting into words or caching: llama.cpp's single pass over the whole text. */
  encodeWhole(text: string, out: number[]): void {
    this.encodeRun(text.replaceAll(" ", SPACE), out);
  }

  private encodeWord(word: string, out: number[]): void {
    const hit = this.cache.get(word);
    if (hit) {
      for (let i = 0; i < hit.length; i++) out.push(hit[i]!);
      return;
    }
    const ids: number[] = [];
    this.encodeRun(word.replaceAll(" ", SPACE), ids);
    if (word.length <= 64) {
      if (this.cache.size >= 65536) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  private ensure(n: number): void {
    if (this.start.length >= n) return;
    const cap = Math.max(n, this.start.length * 2, 64);
    this.start = new Int32Array(cap);
    this.len = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
  }

  private encodeRun(text: string, out: number[]): void {
    if (text.length === 0) return;
    const { tokenToId } = this.vocab;
    // a single character has nothing to merge
    if (text.length === 1 || (text.length === 2 && isHighSurrogate(text.charCodeAt(0)))) {
      const id = tokenToId.get(text);
      if (id !== undefined) {
        out.push(id);
        return;
      }
    }
    this.ensure(text.length);
    const { start, len, prev, next } = this;
    // one symbol per code point
    let n = 0;
    for (let i = 0; i < text.length; n++) {
      const c = text.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      start[n] = i;
      len[n] = w;
      prev[n] = n - 1;
      next[n] = n + 1;
      i += w;
    }
    next[n - 1] = -1;

    const q = this.queue;
    q.clear();
    for (let i = 1; i < n; i++) this.tryAddBigram(text, i - 1, i);
    while (q.length > 0) {
      q.pop();
      const l = q.poppedLeft, r = q.poppedRight;
      // skip a pair one of whose symbols has changed since it was queued
      if (len[l] === 0 || len[r] === 0 || len[l]! + len[r]! !== q.poppedSize) continue;
      len[l] = len[l]! + len[r]!;
      len[r] = 0;
      next[l] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = l;
      this.tryAddBigram(text, prev[l]!, l);
      this.tryAddBigram(text, l, next[l]!);
    }

    for (let i = 0; i !== -1; i = next[i]!) {
      const piece = text.slice(start[i]!, start[i]! + len[i]!);
      const id = tokenToId.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // byte fallback; where the vocabulary lacks byte pieces the character becomes one unknown token,
      // as SentencePiece without byte_fallback does (llama.cpp would abort here)
      const bytes = utf8Encoder.encode(piece);
      if (bytes.every((b) => this.byteTokens[b]! >= 0)) for (const b of bytes) out.push(this.byteTokens[b]!);
      else if (this.vocab.unk !== undefined) out.push(this.vocab.unk);
    }
  }

  private tryAddBigram(text: string, l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const s = this.start[l]!;
    const size = this.len[l]! + this.len[r]!;
    const id = this.vocab.tokenToId.get(text.slice(s, s + size));
    if (id === undefined) return;
    // highest score first: the queue pops the smallest priority
    this.queue.push(-this.vocab.scores[id]!, l, r, size);
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
