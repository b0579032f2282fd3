// Byte-level BPE for tokenizer.ggml.model = "gpt2": pre-tokenize with the regexes tokenizer.ggml.pre
// names, write each word's UTF-8 bytes through GPT-2's byte-to-unicode map, then merge adjacent
// symbols lowest merge rank first. Reference: llama.cpp src/llama-vocab.cpp, llm_tokenizer_bpe_session.
//
// Merges run on a linked list of symbols with a priority queue of candidate pairs, so a word of n
// bytes costs O(n log n) however long it is.

import { MergeQueue } from "./heap.js";
import { forEachWord, preTokenize } from "./pretokenize.js";
import { toByteLevel } from "./unicode.js";
import type { Vocab } from "./vocab.js";

export class BpeEncoder {
  private readonly queue = new MergeQueue();
  private readonly cache = new Map<string, readonly number[]>();
  private start = new Int32Array(0);
  private len = new Int32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);

  constructor(private readonly vocab: Vocab) {}

  /** The pre-tokenized words of a text fragment (before the byte mapping). */
  words(text: string): string[] {
    return preTokenize(text, this.vocab.pre.regexes);
  }

  /** Appends the ids of one text fragment. */
  encode(text: string, out: number[]): void {
    forEachWord(text, this.vocab.pre.regexes, (word) => {
      const hit = this.cache.get(word);
      if (hit) {
        for (let i = 0; i < hit.length; i++) out.push(hit[i]!);
        return;
      }
      const ids: number[] = [];
      this.encodeWord(toByteLevel(word), ids);
      if (word.length <= 64) {
        if (this.cache.size >= 65536) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
    });
  }

  private ensure(n: number): void {
    if (this.start.length >= n) return;
    const cap = Math.max(n, this.start.length * 2, 64);
    this.start = new Int32Array(cap);
    this.len = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
  }

  /** Merges one byte-mapped word (one UTF-16 unit per byte). */
  private encodeWord(word: string, out: number[]): void {
    const { tokenToId } = this.vocab;
    if (word.length === 1 || (this.vocab.ignoreMerges && tokenToId.has(word))) {
      const id = tokenToId.get(word);
      if (id !== undefined) {
        out.push(id);
        return;
      }
    }
    const n = word.length;
    this.ensure(n);
    const { start, len, prev, next } = this;
    for (let i = 0; i < n; i++) {
      start[i] = i;
      len[i] = 1;
      prev[i] = i - 1;
      next[i] = i + 1;
    }
    next[n - 1] = -1;
    const q = this.queue;
    q.clear();
    for (let i = 1; i < n; i++) this.addBigram(word, i - 1, i);
    while (q.length > 0) {
      q.pop();
      const l = q.poppedLeft, r = q.poppedRight;
      if (len[l] === 0 || len[r] === 0 || len[l]! + len[r]! !== q.poppedSize) continue; // outdated pair
      len[l] = len[l]! + len[r]!;
      len[r] = 0;
      next[l] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = l;
      this.addBigram(word, prev[l]!, l);
      this.addBigram(word, l, next[l]!);
    }
    for (let i = 0; i !== -1; i = next[i]!) {
      const piece = word.slice(start[i]!, start[i]! + len[i]!);
      const id = tokenToId.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // A merge result missing from the vocabulary: llama.cpp looks up each of its bytes alone,
      // which finds only the ASCII ones (a lone non-ASCII byte is no valid piece).
      for (const ch of piece) {
        if (ch.charCodeAt(0) >= 0x80) continue;
        const b = tokenToId.get(ch);
        if (b !== undefined) out.push(b);
      }
    }
  }

  private addBigram(word: string, l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const ls = this.start[l]!, rs = this.start[r]!;
    const rank = this.vocab.mergeRanks.get(word.slice(ls, ls + this.len[l]!) + " " + word.slice(rs, rs + this.len[r]!));
    if (rank === undefined) return;
    this.queue.push(rank, l, r, this.len[l]! + this.len[r]!);
  }
}
