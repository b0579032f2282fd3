// WordPiece for tokenizer.ggml.model = "bert": lower-case, strip accents, split on whitespace and
// punctuation, then take the longest matching piece from the left of each word. llama.cpp's converter
// stores word-initial pieces with a U+2581 prefix and continuation pieces bare (BERT's "##" removed).
// Reference: llama.cpp src/llama-vocab.cpp, llm_tokenizer_wpm_session.

import { isWhitespace } from "./unicode.js";
import type { Vocab } from "./vocab.js";

const PUNCT = /^\p{P}$/u;
const SYMBOL = /^\p{S}$/u;
const CONTROL = /^\p{Cc}$/u;
const MARK = /\p{Mn}/gu;

function isChinese(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/** BERT's basic tokenizer: the words WordPiece then splits. */
export function wpmWords(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  // NFD then dropping combining marks is what llama.cpp's NFD table does to accented letters
  for (const ch of text.normalize("NFD").replace(MARK, "")) {
    if (isWhitespace(ch)) {
      if (cur) words.push(cur);
      cur = "";
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || CONTROL.test(ch)) continue;
    const lower = ch.toLowerCase();
    if (PUNCT.test(ch) || (cp < 0x7f && SYMBOL.test(ch)) || isChinese(cp)) {
      if (cur) words.push(cur);
      cur = "";
      words.push(lower);
    } else cur += lower;
  }
  if (cur) words.push(cur);
  return words;
}

export function encodeWpm(v: Vocab, text: string, out: number[]): void {
  for (const word of wpmWords(text)) {
    const w = "\u2581" + word;
    const mark = out.length;
    let ok = true;
    for (let i = 0; i < w.length; ) {
      let matched = false;
      for (let j = Math.min(w.length, i + v.maxTokenLength); j > i; j--) {
        const id = v.tokenToId.get(w.slice(i, j));
        if (id !== undefined) {
          out.push(id);
          i = j;
          matched = true;
          break;
        }
      }
      if (!matched) {
        ok = false;
        break;
      }
    }
    if (!ok) out.length = mark; // one unmatched position discards the whole word
    if (out.length === mark && v.unk !== undefined) out.push(v.unk);
  }
}
