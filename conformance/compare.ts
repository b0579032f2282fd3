// Checks one output buffer of one case, in the order test-backend-ops taught: NaN/Inf first (a NaN makes
// every metric meaningless), then the guard region after the data (an out-of-bounds write), then the
// metric from tolerances.ts. A failure says which check failed, the first 5 differing pairs and the max
// error, so the message alone is enough to start debugging.
import type { Metric } from "./tolerances.js";

export type OutputArray = Float32Array | Int32Array | Uint32Array;

export interface CompareResult {
  readonly ok: boolean;
  /** One line: the check that failed and the numbers; or the metric's value on success. */
  readonly detail: string;
  /** The metric's value (NMSE, max ULP, or count of differing values for exact). */
  readonly error: number;
}

/** Values after each output buffer that no kernel may touch. */
export const GUARD_ELEMENTS = 64;
/** The guard's bit pattern: a quiet NaN with a payload no arithmetic produces. */
export const GUARD_BITS = 0x7fc0a5a5;

/** f32 bits as a sign-magnitude-free integer line, so the ULP distance is a difference. */
function orderedBits(bits: number): number {
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

export function ulpDistance(a: number, b: number): number {
  const buf = new Float32Array([a, b]);
  const u = new Uint32Array(buf.buffer);
  return Math.abs(orderedBits(u[0]!) - orderedBits(u[1]!));
}

function pairs(got: OutputArray, want: OutputArray, differs: (i: number) => boolean): string {
  const shown: string[] = [];
  for (let i = 0; i < want.length && shown.length < 5; i++) if (differs(i)) shown.push(`[${i}] got ${got[i]} want ${want[i]}`);
  return shown.join(", ");
}

/**
 * Compares `got` (data then GUARD_ELEMENTS of guard, as the target left it) with `want` (the reference,
 * data only) under `metric`.
 */
export function compareOutput(got: OutputArray, want: OutputArray, metric: Metric): CompareResult {
  const n = want.length;
  const isFloat = want instanceof Float32Array;
  // 1. NaN/Inf where the reference is finite
  if (isFloat) {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(got[i]!) && Number.isFinite(want[i]!)) {
        return { ok: false, error: Infinity, detail: `non-finite output: [${i}] got ${got[i]} want ${want[i]} (first of ${countNonFinite(got, want)})` };
      }
    }
  }
  // 2. the guard after the data
  const gotBits = new Uint32Array(got.buffer, got.byteOffset, got.length);
  for (let i = n; i < got.length; i++) {
    if (gotBits[i] !== GUARD_BITS) {
      return { ok: false, error: Infinity, detail: `out-of-bounds write: guard element ${i - n} after the ${n} outputs was overwritten (bits 0x${gotBits[i]!.toString(16)})` };
    }
  }
  // 3. the metric
  switch (metric.kind) {
    case "exact": {
      let bad = 0;
      for (let i = 0; i < n; i++) if (got[i] !== want[i]) bad++;
      if (bad === 0) return { ok: true, error: 0, detail: "exact" };
      return { ok: false, error: bad, detail: `${bad} of ${n} values differ: ${pairs(got, want, (i) => got[i] !== want[i])}` };
    }
    case "ulp": {
      let worst = 0;
      let at = 0;
      for (let i = 0; i < n; i++) {
        const d = Object.is(got[i], want[i]) ? 0 : ulpDistance(got[i]!, want[i]!);
        if (d > worst) {
          worst = d;
          at = i;
        }
      }
      if (worst <= metric.max) return { ok: true, error: worst, detail: `max ULP ${worst}` };
      return {
        ok: false, error: worst,
        detail: `max ULP ${worst} > ${metric.max} at [${at}] (got ${got[at]} want ${want[at]}); first differing: ${pairs(got, want, (i) => ulpDistance(got[i]!, want[i]!) > metric.max)}`,
      };
    }
    case "nmse": {
      let num = 0;
      let den = 0;
      let maxAbs = 0;
      let at = 0;
      for (let i = 0; i < n; i++) {
        const d = got[i]! - want[i]!;
        num += d * d;
        den += want[i]! * want[i]!;
        if (Math.abs(d) > maxAbs) {
          maxAbs = Math.abs(d);
          at = i;
        }
      }
      const nmse = den === 0 ? (num === 0 ? 0 : Infinity) : num / den;
      if (nmse <= metric.max) return { ok: true, error: nmse, detail: `NMSE ${nmse.toExponential(2)}` };
      // a pair "differs" when its own squared error is above the limit relative to the data's scale
      const scale = den / Math.max(1, n);
      return {
        ok: false, error: nmse,
        detail: `NMSE ${nmse.toExponential(2)} > ${metric.max}; max abs error ${maxAbs.toExponential(2)} at [${at}] (got ${got[at]} want ${want[at]}); first differing: ${pairs(got, want, (i) => (got[i]! - want[i]!) ** 2 > metric.max * scale)}`,
      };
    }
  }
}

function countNonFinite(got: OutputArray, want: OutputArray): number {
  let c = 0;
  for (let i = 0; i < want.length; i++) if (!Number.isFinite(got[i]!) && Number.isFinite(want[i]!)) c++;
  return c;
}
