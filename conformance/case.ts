// What a conformance case is: one kernel, one set of shapes and a seed, the inputs built from that seed,
// and the reference's outputs (engine/reference is the oracle). Case tables live in cases/*.ts, one file
// per op family; their names carry every parameter: `matvec(type=q4_k,rows=16,k=512)`.
import type { OutputArray } from "./compare.js";
import type { Rng } from "./prng.js";
import type { DispatchSize, TargetBuffer } from "./target.js";

export interface BuiltCase {
  /** Every binding of the kernel by name. An output may be given here with its starting contents. */
  readonly buffers: Readonly<Record<string, TargetBuffer>>;
  readonly uniforms: Readonly<Record<string, number>>;
  readonly dispatch: DispatchSize;
  /** The reference's result for each output buffer, by name (data only; the runner adds the guard). */
  readonly expected: Readonly<Record<string, OutputArray>>;
}

export interface ConformanceCase {
  /** op(param=value,...): unique in the suite. */
  readonly name: string;
  /** The op family: the tolerance's key and what `--op` selects. */
  readonly op: string;
  /** The kernel file, relative to the package root, and the kernel's name in it (its spec's `name`). */
  readonly file: string;
  readonly kernel: string;
  readonly seed: number;
  build(rng: Rng): BuiltCase;
}

/** `op(a=1,b=q4_0)` from an op and its parameters, in the order given. */
export function caseName(op: string, params: Readonly<Record<string, string | number | boolean>>): string {
  return `${op}(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(",")})`;
}
