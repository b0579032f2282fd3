// User-facing errors. A KilnError's message names the thing, the value and the fix; the CLI and the
// server print it as is, without a stack trace. Anything else reaching the top level is a bug.

export class KilnError extends Error {
  override readonly name = "KilnError";
  constructor(message: string, readonly code: string = "KILN_ERROR") {
    super(message);
  }
}

/** A GGUF file that cannot be read as one: truncated, corrupt, or not GGUF at all. */
export class GGUFError extends KilnError {
  constructor(message: string) {
    super(message, "GGUF_INVALID");
  }
}
