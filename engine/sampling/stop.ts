// Stop strings for streamed text. Text is released only once it cannot be the start of a stop string:
// a tail that matches a stop string's beginning is held back until the next piece settles it, so a
// stop string never leaks into the output, not even in part. Same rule as llama.cpp's server
// (find_partial_stop_string).

export interface StopResult {
  /** Text that is safe to emit now. */
  readonly text: string;
  /** True when a stop string was found: `text` ends just before it and generation should end. */
  readonly stopped: boolean;
  /** The stop string that matched. */
  readonly match?: string;
}

export class StopMatcher {
  private held = "";
  private readonly stops: readonly string[];

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /** Adds a piece of generated text; returns what can be emitted. */
  push(piece: string): StopResult {
    const text = this.held + piece;
    // The earliest stop string in the text wins.
    let at = -1;
    let match: string | undefined;
    for (const s of this.stops) {
      const i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        match = s;
      }
    }
    if (match !== undefined) {
      this.held = "";
      return { text: text.slice(0, at), stopped: true, match };
    }
    // Hold back the longest tail that some stop string starts with.
    let keep = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, text.length); n > keep; n--) {
        if (text.endsWith(s.slice(0, n))) {
          keep = n;
          break;
        }
      }
    }
    this.held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep), stopped: false };
  }

  /** At the end of generation: whatever was held back (it turned out not to be a stop string). */
  flush(): string {
    const t = this.held;
    this.held = "";
    return t;
  }
}
