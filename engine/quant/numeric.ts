// The C float arithmetic ggml's reference quantizers rely on, spelled out for JavaScript doubles.
// A float32 sum, product, quotient or square root of float32 operands is the double result rounded
// once with Math.fround (a double holds the exact result or rounds innocuously for these operations),
// so every C `float` operation becomes one fround. Reference: ggml-quants.c (nearest_int), C99 roundf.

/** Math.fround, under a short name for arithmetic-heavy code. */
export const fr = Math.fround;

/**
 * ggml's nearest_int: adds 1.5 * 2^23 in float32 so that the FPU rounds to nearest even, then reads
 * the integer back. Valid for |v| <= 4194303, like the C original (which asserts it).
 */
export function nearestInt(v: number): number {
  return fr(fr(v) + 12582912) - 12582912;
}

/** C roundf / lroundf: round half away from zero. */
export function roundf(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

/** Clamp an integer to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
