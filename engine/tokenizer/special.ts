// Finding special tokens' text in the input before the tokenizer proper runs. Reference: llama.cpp
// src/llama-vocab.cpp, tokenizer_st_partition: the candidates are tried longest first; each one cuts
// every stretch of raw text at its occurrences, left to right.
//
// Which tokens are candidates (llama.cpp's rule): control and unknown tokens only when parse_special
// is set; user-defined tokens always, as Hugging Face's added-token handling does.

import { TokenType, type Vocab } from "./vocab.js";
import { utf8Length } from "./unicode.js";

/** A piece of input: raw text still to tokenize, or a token id already decided. */
export type Fragment = string | number;

export interface SpecialToken {
  readonly id: number;
  readonly text: string;
  /** Drop whitespace just before / after an occurrence (llama.cpp's LSTRIP / RSTRIP attributes). */
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

export interface SpecialTokens {
  /** Candidates when parse_special is set. */
  readonly all: readonly SpecialToken[];
  /** Candidates otherwise (user-defined tokens). */
  readonly userDefined: readonly SpecialToken[];
}

export function collectSpecialTokens(v: Vocab): SpecialTokens {
  const all: (SpecialToken & { bytes: number })[] = [];
  for (let id = 0; id < v.tokens.length; id++) {
    const t = v.types[id];
    if (t === TokenType.CONTROL || t === TokenType.USER_DEFINED || t === TokenType.UNKNOWN) {
      all.push({ id, text: v.tokens[id]!, bytes: utf8Length(v.tokens[id]!), lstrip: v.lstrip.has(id), rstrip: v.rstrip.has(id) });
    }
  }
  // longest (in UTF-8 bytes, as llama.cpp measures) first; equal lengths by id so runs are repeatable
  all.sort((a, b) => b.bytes - a.bytes || a.id - b.id);
  const plain = all.map(({ id, text, lstrip, rstrip }) => ({ id, text, lstrip, rstrip }));
  return { all: plain, userDefined: plain.filter((s) => v.types[s.id] === TokenType.USER_DEFINED) };
}

/** Splits text into raw stretches and special-token ids. */
export function partitionSpecial(text: string, candidates: readonly SpecialToken[]): Fragment[] {
  let fragments: Fragment[] = [text];
  if (candidates.length === 0) return fragments;
  // Vocabularies can hold thousands of added tokens (deepseek-llm: 2398); scanning a long text once
  // per token is what costs, so first drop every token using a code unit the text lacks.
  const units = new Set<number>();
  if (candidates.length > 16) for (let i = 0; i < text.length; i++) units.add(text.charCodeAt(i));
  const mayOccur = (needle: string): boolean => {
    if (candidates.length <= 16) return true;
    for (let i = 0; i < needle.length; i++) if (!units.has(needle.charCodeAt(i))) return false;
    return true;
  };
  for (const { id, text: needle, lstrip, rstrip } of candidates) {
    if (!mayOccur(needle) || !text.includes(needle)) continue;
    const next: Fragment[] = [];
    for (const f of fragments) {
      if (typeof f === "number") {
        next.push(f);
        continue;
      }
      let from = 0;
      for (let at = f.indexOf(needle, from); at >= 0; at = f.indexOf(needle, from)) {
        let leftEnd = at;
        if (lstrip) while (leftEnd > from && isCSpace(f.charCodeAt(leftEnd - 1))) leftEnd--;
        if (leftEnd > from) next.push(f.slice(from, leftEnd));
        next.push(id);
        from = at + needle.length;
        if (rstrip) while (from < f.length && isCSpace(f.charCodeAt(from))) from++;
      }
      if (from < f.length) next.push(from === 0 ? f : f.slice(from));
    }
    fragments = next;
  }
  return fragments;
}

/** C's isspace in the "C" locale, which llama.cpp uses for LSTRIP/RSTRIP. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
