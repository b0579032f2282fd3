// A pool of worker_threads running the wasm kernels over shared WebAssembly.Memory objects (one per
// shard, see backend.ts). The calling thread is thread 0 and works too; workers 1 .. n-1 each hold one
// instance of the kernel module per memory. A job is one exported kernel called as fn(tid, nth, ...args)
// on every thread; each kernel takes its own share (rows, heads, tokens).
//
// Synchronisation is a small SharedArrayBuffer: the caller writes the job, bumps a generation counter
// and notifies; workers sleep in Atomics.wait on that counter (so an idle pool costs nothing), run
// their share, count themselves done, and the last one notifies the caller, which waits the same way.

import { Worker } from "node:worker_threads";
import { KilnError } from "../../../engine/errors.js";
import { WA, type WasmMemory, type WasmModule } from "./wasm-api.js";

// control words (Int32Array indexes)
const GEN = 0; // job generation
const DONE = 1; // workers finished with the current job
const FN = 2; // index into KERNELS
const SHARD = 3; // which memory's instance runs it
const NARGS = 4;
const EXIT = 5; // set before the last notify: workers leave their loop
const FAILED = 6; // a worker's kernel threw (a trap): the caller reports it
const ARGS_OFFSET = 64; // bytes; Float64 arguments (wasm addresses and sizes are exact in f64)
const MAX_ARGS = 32;
const ERROR_OFFSET = ARGS_OFFSET + 8 * MAX_ARGS; // bytes; a failed worker's error message, UTF-8
const ERROR_BYTES = 512;

/** The kernels a job may name (exports of assembly/kernels.as). */
export const KERNELS = ["matmul", "attention", "quantizeQ8_0", "quantizeQ8_0X", "quantizeQ8_1", "quantizeQ8_K", "quantizeF16", "quantizeQ8_KX", "repackX4", "quantizeQ8_0R", "countQ8_0Min"] as const;
export type KernelName = (typeof KERNELS)[number];

type KernelFn = (tid: number, nth: number, ...args: number[]) => void;

// The worker's whole program. It is evaluated from a string so that the same pool runs from the
// TypeScript sources (vitest) and from dist/ alike.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { module, memories, control, tid, nth, names } = workerData;
const ctl = new Int32Array(control, 0, 16);
const args = new Float64Array(control, ${ARGS_OFFSET}, ${MAX_ARGS});
const fns = memories.map((memory) => {
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  return names.map((n) => ex[n]);
});
parentPort.postMessage("ready");
let gen = 0;
for (;;) {
  Atomics.wait(ctl, ${GEN}, gen);
  gen = Atomics.load(ctl, ${GEN});
  if (Atomics.load(ctl, ${EXIT})) break;
  try {
    const a = Array.from(args.subarray(0, ctl[${NARGS}]));
    fns[ctl[${SHARD}]][ctl[${FN}]](tid, nth, ...a);
  } catch (e) {
    const text = new TextEncoder().encode(String((e && e.message) || e)).subarray(0, ${ERROR_BYTES});
    new Uint8Array(control, ${ERROR_OFFSET}, ${ERROR_BYTES}).fill(0).set(text);
    Atomics.store(ctl, ${FAILED}, 1);
  }
  if (Atomics.add(ctl, ${DONE}, 1) === nth - 2) Atomics.notify(ctl, ${DONE});
}
`;

export class WorkerPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly local: KernelFn[][];
  private disposed = false;

  private constructor(readonly nThreads: number, module: WasmModule, memories: WasmMemory[]) {
    const control = new SharedArrayBuffer(ERROR_OFFSET + ERROR_BYTES);
    this.ctl = new Int32Array(control, 0, 16);
    this.args = new Float64Array(control, ARGS_OFFSET, MAX_ARGS);
    this.local = memories.map((memory) => {
      const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, KernelFn>;
      return KERNELS.map((n) => ex[n]!);
    });
    for (let tid = 1; tid < nThreads; tid++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memories, control, tid, nth: nThreads, names: [...KERNELS] } });
      w.unref(); // an idle pool does not keep the process alive
      this.workers.push(w);
    }
  }

  /** Starts nThreads - 1 workers, each instantiating `module` over every memory, and waits until all are ready. */
  static async create(nThreads: number, module: WasmModule, memories: WasmMemory[]): Promise<WorkerPool> {
    const pool = new WorkerPool(nThreads, module, memories);
    await Promise.all(
      pool.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("message", () => resolve());
            w.once("error", (e) => reject(new KilnError(`wasm backend: a worker thread failed to start: ${e.message}`)));
          }),
      ),
    );
    return pool;
  }

  /** Runs kernel `name` on every thread over shard `shard`'s memory and returns when all are done. */
  run(shard: number, name: KernelName, args: readonly number[]): void {
    if (this.disposed) throw new KilnError("wasm backend: the model was closed (load it again)");
    const fn = KERNELS.indexOf(name);
    const nth = this.nThreads;
    if (nth > 1) {
      const ctl = this.ctl;
      this.args.set(args);
      ctl[FN] = fn;
      ctl[SHARD] = shard;
      ctl[NARGS] = args.length;
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, FAILED, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
    }
    try {
      this.local[shard]![fn]!(0, nth, ...args);
    } finally {
      // even when this thread's share trapped, the workers finish theirs before the next job is posted
      if (nth > 1) {
        const ctl = this.ctl;
        for (;;) {
          const d = Atomics.load(ctl, DONE);
          if (d >= nth - 1) break;
          Atomics.wait(ctl, DONE, d);
        }
      }
    }
    if (nth > 1 && Atomics.load(this.ctl, FAILED)) {
      const bytes = new Uint8Array(this.ctl.buffer, ERROR_OFFSET, ERROR_BYTES).slice();
      const end = bytes.indexOf(0);
      const why = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
      throw new KilnError(`wasm backend: kernel ${name} failed in a worker thread: ${why}`);
    }
  }

  /** Calls kernel `name` once, on this thread only, as thread 0 of 1. */
  runLocal(shard: number, name: KernelName, args: readonly number[]): void {
    this.local[shard]![KERNELS.indexOf(name)]!(0, 1, ...args);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.length > 0) {
      Atomics.store(this.ctl, EXIT, 1);
      Atomics.add(this.ctl, GEN, 1);
      Atomics.notify(this.ctl, GEN);
    }
  }
}
