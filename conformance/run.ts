// Runs conformance cases on targets and collects the kernel x target matrix. For each case: build the
// inputs from its seed, give every output buffer a guard region, run the kernel on the target, then check
// each output (compare.ts) under its tolerance (tolerances.ts). The same inputs go to every target.
import { join } from "node:path";
import { parseKernelFile } from "../codegen/frontend/parse.js";
import type { KernelIR } from "../codegen/ir/types.js";
import { KilnError } from "../engine/errors.js";
import { packageRoot } from "../engine/paths.js";
import type { ConformanceCase } from "./case.js";
import { ALL_CASES } from "./cases/index.js";
import { compareOutput, GUARD_BITS, GUARD_ELEMENTS, type OutputArray } from "./compare.js";
import { Rng } from "./prng.js";
import { createTarget, targetNames, type ConformanceTarget, type TargetBuffer } from "./target.js";
import "./targets.js";
import { toleranceFor } from "./tolerances.js";

export type Status = "pass" | "fail" | "unavailable";

export interface CaseResult {
  readonly case: string;
  readonly op: string;
  readonly kernel: string;
  readonly target: string;
  readonly status: Status;
  /** The metric on pass; what failed on fail; why not on unavailable. */
  readonly detail: string;
}

export interface TargetInfo {
  readonly name: string;
  readonly available: boolean;
  readonly why: string;
}

export interface ConformanceReport {
  readonly targets: readonly TargetInfo[];
  readonly results: readonly CaseResult[];
}

export interface RunOptions {
  /** Target names; all registered targets when absent. */
  readonly targets?: readonly string[];
  /** Only cases of this op family (or whose kernel has this name). */
  readonly op?: string;
  /** Only these cases (mainly for tests). */
  readonly cases?: readonly ConformanceCase[];
  /** Called after each result, for progress output. */
  readonly onResult?: (r: CaseResult) => void;
}

const kernelCache = new Map<string, KernelIR[]>();

/** The IR of kernel `name` in `file` (relative to the package root), parsed once per file. */
export function loadKernel(file: string, name: string): KernelIR {
  let ks = kernelCache.get(file);
  if (!ks) {
    ks = parseKernelFile(join(packageRoot(), file), packageRoot());
    kernelCache.set(file, ks);
  }
  const k = ks.find((x) => x.name === name);
  if (!k) throw new KilnError(`${file} has no kernel named ${name} (it has: ${ks.map((x) => x.name).join(", ")})`);
  return k;
}

export function selectCases(op?: string): ConformanceCase[] {
  if (!op) return [...ALL_CASES];
  const picked = ALL_CASES.filter((c) => c.op === op || c.kernel === op);
  if (picked.length === 0) {
    const ops = [...new Set(ALL_CASES.map((c) => c.op))].join(", ");
    throw new KilnError(`--op ${op}: no conformance case has that op or kernel name (ops: ${ops})`);
  }
  return picked;
}

function guarded(want: OutputArray, initial: TargetBuffer | undefined): OutputArray {
  const n = want.length;
  const out: OutputArray =
    want instanceof Float32Array ? new Float32Array(n + GUARD_ELEMENTS) : want instanceof Int32Array ? new Int32Array(n + GUARD_ELEMENTS) : new Uint32Array(n + GUARD_ELEMENTS);
  const bits = new Uint32Array(out.buffer);
  // an output the kernel never writes stays NaN (or an unlikely integer) and fails the check
  bits.fill(want instanceof Float32Array ? 0x7fc00000 : 0xdeadbeef, 0, n);
  if (initial) out.set(initial as OutputArray);
  bits.fill(GUARD_BITS, n);
  return out;
}

/** Runs one case on one (available) target. */
export async function runCase(c: ConformanceCase, target: ConformanceTarget): Promise<CaseResult> {
  const base = { case: c.name, op: c.op, kernel: c.kernel, target: target.name };
  const kernel = loadKernel(c.file, c.kernel);
  const support = target.supports?.(kernel);
  if (support && !support.ok) return { ...base, status: "unavailable", detail: support.why };
  const built = c.build(new Rng(c.seed));
  const buffers: Record<string, TargetBuffer> = { ...built.buffers };
  for (const [name, want] of Object.entries(built.expected)) buffers[name] = guarded(want, built.buffers[name]);
  try {
    await target.run(kernel, buffers, built.uniforms, built.dispatch);
  } catch (e) {
    if (!(e instanceof KilnError)) throw e;
    return { ...base, status: "fail", detail: `${c.name} on ${target.name}: the target failed: ${e.message}` };
  }
  const tol = toleranceFor(c.op, c.name);
  for (const [name, want] of Object.entries(built.expected)) {
    const r = compareOutput(buffers[name] as OutputArray, want, tol.metric);
    if (!r.ok) return { ...base, status: "fail", detail: `${c.name} on ${target.name}, output ${name}: ${r.detail}` };
  }
  const detail = Object.entries(built.expected).map(([name, want]) => compareOutput(buffers[name] as OutputArray, want, tol.metric).detail).join("; ");
  return { ...base, status: "pass", detail };
}

/** Runs the selected cases on the selected targets. */
export async function runConformance(opts: RunOptions = {}): Promise<ConformanceReport> {
  const names = opts.targets ?? targetNames();
  const cases = opts.cases ?? selectCases(opts.op);
  const targets: TargetInfo[] = [];
  const results: CaseResult[] = [];
  for (const name of names) {
    const target = createTarget(name);
    if (!target) throw new KilnError(`--target ${name}: no such conformance target (known: ${targetNames().join(", ")})`);
    const a = await target.available();
    targets.push({ name, available: a.ok, why: a.why });
    for (const c of cases) {
      const r: CaseResult = a.ok
        ? await runCase(c, target)
        : { case: c.name, op: c.op, kernel: c.kernel, target: name, status: "unavailable", detail: a.why };
      results.push(r);
      opts.onResult?.(r);
    }
    await target.dispose?.();
  }
  return { targets, results };
}
