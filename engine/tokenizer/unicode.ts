// Unicode helpers shared by the tokenizers: GPT-2's byte-to-unicode table, UTF-8 encoding of JS
// strings, and llama.cpp's notion of whitespace. Reference: llama.cpp src/unicode.cpp
// (unicode_byte_to_utf8_map, unicode_ranges_whitespace).

/**
 * The characters llama.cpp's unicode tables flag as whitespace. It differs from JavaScript's \s:
 * U+0085 is whitespace here and U+FEFF is not. Regexes use this class wherever llama.cpp writes \s.
 */
export const WHITESPACE_CLASS = "\\t-\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

const WS = new RegExp(`^[${WHITESPACE_CLASS}]$`, "u");
export function isWhitespace(ch: string): boolean {
  return WS.test(ch);
}

/** GPT-2's reversible byte -> printable character map (bytes that print as themselves stay). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out: string[] = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + n++);
  }
  return out;
})();

/** The inverse of BYTE_TO_CHAR, by UTF-16 code unit (all mapped characters are below U+0144). */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

/** A JS string's UTF-8 bytes written through GPT-2's byte map, as one string (one char per byte). */
export function toByteLevel(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out += BYTE_TO_CHAR[c];
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
    if (c < 0x800) {
      out += BYTE_TO_CHAR[0xc0 | (c >> 6)]! + BYTE_TO_CHAR[0x80 | (c & 63)]!;
    } else if (c < 0x10000) {
      out += BYTE_TO_CHAR[0xe0 | (c >> 12)]! + BYTE_TO_CHAR[0x80 | ((c >> 6) & 63)]! + BYTE_TO_CHAR[0x80 | (c & 63)]!;
    } else {
      out += BYTE_TO_CHAR[0xf0 | (c >> 18)]! + BYTE_TO_CHAR[0x80 | ((c >> 12) & 63)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 6) & 63)]! + BYTE_TO_CHAR[0x80 | (c & 63)]!;
    }
  }
  return out;
}

const LONE_SURROGATE_SRC = "[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]";
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE_SRC);
const LONE_SURROGATES = new RegExp(LONE_SURROGATE_SRC, "g");

/**
 * The text as valid Unicode: lone surrogates (which have no UTF-8 form) become U+FFFD, exactly what
 * reaches llama.cpp when such a string is written out as UTF-8 by TextEncoder or Node's Buffer.
 */
export function wellFormed(s: string): string {
  return HAS_LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATES, "\uFFFD") : s;
}

export const utf8Encoder = new TextEncoder();

/** Length of a string's UTF-8 encoding without allocating it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
