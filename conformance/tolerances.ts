// How close a target's output must be to the reference, per op family: one table, and every entry says
// why. The starting limits are ggml's test-backend-ops (tests/test-backend-ops.cpp: max_nmse_err per op);
// an override for one case or kernel goes below its family with its own reason.

export type Metric =
  /** Normalised mean squared error Σ(out - ref)² / Σ ref², at most `max`. */
  | { readonly kind: "nmse"; readonly max: number }
  /** Largest distance in units in the last place between out and ref, at most `max`. */
  | { readonly kind: "ulp"; readonly max: number }
  /** Every value bit for bit the same. */
  | { readonly kind: "exact" };

export interface Tolerance {
  /** The op family (a case's `op`). */
  readonly op: string;
  /** When set, the rule applies only to cases whose name contains this text (an override). */
  readonly match?: string;
  readonly metric: Metric;
  readonly reason: string;
}

const BASE = "test-backend-ops' limit for this op";

/** Later rules win over earlier ones, so overrides follow the family they refine. */
export const TOLERANCES: readonly Tolerance[] = [
  { op: "add", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "mul", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "scale", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "swiglu", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "gelu", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "softcap", metric: { kind: "nmse", max: 1e-7 }, reason: "an elementwise op: test-backend-ops' elementwise limit" },
  { op: "rmsnorm", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "rope", metric: { kind: "nmse", max: 1e-7 }, reason: BASE },
  { op: "softmax", metric: { kind: "nmse", max: 1e-6 }, reason: BASE },
  { op: "matvec", metric: { kind: "nmse", max: 5e-4 }, reason: BASE },
  { op: "matmul", metric: { kind: "nmse", max: 5e-4 }, reason: BASE },
  { op: "attention", metric: { kind: "nmse", max: 5e-4 }, reason: BASE },
  {
    op: "dequantize", metric: { kind: "ulp", max: 0 },
    reason: "decoding a block is a few exact f32 products: every target must give ggml's bits",
  },
  {
    op: "get_rows", metric: { kind: "ulp", max: 0 },
    reason: "a row lookup is a dequantize of the chosen rows: the same bits as ggml",
  },
  // d * q - m (or + m) is one multiply-add: a GPU compiler may fuse it into an FMA with one rounding
  ...["q4_1", "q5_1", "q2_k", "q4_k", "q5_k"].flatMap((t): Tolerance[] =>
    ["dequantize", "get_rows"].map((op) => ({
      op, match: `type=${t},`, metric: { kind: "ulp", max: 1 },
      reason: `${t} decodes as d * q - m: a target may fuse it into one FMA (one rounding instead of two)`,
    })),
  ),
  { op: "argmax", metric: { kind: "exact" }, reason: "an index: either the right one or wrong" },
  {
    op: "round_f16", metric: { kind: "exact" },
    reason: "rounding to a half is integer bit work, defined to the bit (F16C's, ggml's): no target may differ",
  },
  { op: "kv_store_f16", metric: { kind: "exact" }, reason: "the cache's half bits, as round_f16: defined to the bit" },
  { op: "kv_store_f32", metric: { kind: "exact" }, reason: "a copy: the same bits or wrong" },
];

/** The rule for a case: the last one whose op matches and whose `match` (if any) is in the case name. */
export function toleranceFor(op: string, caseName: string): Tolerance {
  let found: Tolerance | undefined;
  for (const t of TOLERANCES) if (t.op === op && (t.match === undefined || caseName.includes(t.match))) found = t;
  if (!found) throw new Error(`internal: conformance/tolerances.ts has no rule for op ${op} (add one with its reason)`);
  return found;
}
