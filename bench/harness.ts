// What a benchmark module is and how it measures. A module is a file bench/NAME.bench.ts that
// exports `benchmark: Benchmark`; bench/run.ts finds every such file, so adding a benchmark needs
// no edit elsewhere. Timings belong here, never in tests.

import { pathToFileURL } from "node:url";

export interface BenchOptions {
  /** --compare: also run the peers a module knows (another backend, another library) side by side. */
  readonly compare: boolean;
  /** --gpu: run cases that need a GPU; modules skip them otherwise. */
  readonly gpu: boolean;
  /** --quick: shorter runs, for smoke-testing the benchmarks themselves. */
  readonly quick: boolean;
  /** Case filter from --case (substring match); empty means all. */
  readonly cases: readonly string[];
}

export interface BenchResult {
  /** What ran, with its parameters: "dequantize(type=q4_k,n=262144)". */
  readonly case: string;
  /** The number reported, in `unit`. */
  readonly value: number;
  /** "MB/s", "tokens/s", "ms", ... */
  readonly unit: string;
  /** Which implementation, when --compare runs several ("kiln", "llama.cpp", ...). */
  readonly impl?: string;
}

export interface Benchmark {
  /** Short name used by --only. */
  readonly name: string;
  readonly description: string;
  run(opts: BenchOptions, report: (r: BenchResult) => void): Promise<void> | void;
}

/**
 * Runs `fn` repeatedly for at least `minMs` (after one warm-up call) and returns the mean time of one
 * call in milliseconds.
 */
export function timeIt(fn: () => void, minMs: number): number {
  fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return elapsed / calls;
}

/** True when a case name passes the --case filter. */
export function wanted(opts: BenchOptions, caseName: string): boolean {
  return opts.cases.length === 0 || opts.cases.some((c) => caseName.includes(c));
}

/**
 * Where node-llama-cpp (the bench-only peer, never a dependency) is: the entry file named by
 * KILN_NODE_LLAMA_CPP when it is installed elsewhere, else the package resolved from here, else undefined.
 */
export function nodeLlamaCppEntry(): string | undefined {
  if (process.env.KILN_NODE_LLAMA_CPP) return pathToFileURL(process.env.KILN_NODE_LLAMA_CPP).href;
  try {
    return import.meta.resolve("node-llama-cpp");
  } catch {
    return undefined;
  }
}
