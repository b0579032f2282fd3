// A pool of worker_threads running the wasm kernels over shared WebAssembly.Memory objects (one per
// shard, see backend.ts). The calling thread is thread 0 and works too; workers 1 .. n-1 each hold one
// instance of the kernel module per memory. A job is one exported kernel called as fn(tid, nth, ...args)
// on every thread; each kernel takes its own share (rows, heads, tokens).
//
// Synchronisation is a small SharedArrayBuffer: the caller writes the job, bumps a generation counter
// and notifies; workers sleep in Atomics.wait on that counter (so an idle pool costs nothing, after a
// spin of about 0.1 ms that saves the wake-up between the jobs of one forward pass), run
// their share, count themselves done, and the last one notifies the caller, which waits the same way.
// A worker whose share throws records the message; the caller then runs the whole job again by itself
// when the kernel allows it (see run), else reports the failure.
//
// A memory grown by the caller is refreshed in each worker (memory.grow(0)) before that worker's next
// job. V8 keeps a per-thread copy of a shared memory's size for some bounds checks and updates it only
// when the thread handles the interrupt a grow sends; a worker that never slept between the grow and
// its next job would still hold the old size.

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
const FAULT = 6; // tests: a worker id that fails its next share instead of running it (see injectFault)
const ARGS_OFFSET = 64; // bytes; Float64 arguments (wasm addresses and sizes are exact in f64)
const MAX_ARGS = 32;
const PAGES_OFFSET = ARGS_OFFSET + 8 * MAX_ARGS; // bytes; Int32 per memory: its size in pages when the job was posted
const ERROR_BYTES = 508; // a failed worker's message, UTF-8, after its Int32 flag
// Before sleeping, a worker checks for its next job this many times (about 0.1 ms), and the caller
// checks for the workers' end of a job about 0.03 ms: a futex wake takes 15-30 us on this kind of VM,
// and a token of decode posts about 110 jobs. Longer idle periods sleep.
const WORKER_SPIN = 4000;
const CALLER_SPIN = 1000;

/** The kernels a job may name (exports of assembly/kernels.as). */
export const KERNELS = ["matmul", "attention", "quantizeQ8_0", "quantizeQ8_0X", "quantizeQ8_1", "quantizeQ8_K", "quantizeF16", "quantizeBF16", "quantizeQ8_KX", "repackX4", "quantizeQ8_0R", "countQ8_0Min",
  "rmsnorm", "rope", "addInPlace", "swiglu", "roundF16Rows", "storeF16Rows"] as const;
export type KernelName = (typeof KERNELS)[number];

/**
 * Kernels that only write their outputs (never read what they write, never update in place), so that
 * running a whole job again gives the same result however far a failed thread got. The others (repackX4,
 * rmsnorm, which gemma2 runs in place, rope, addInPlace, swiglu, roundF16Rows) cannot be run again.
 */
const RERUNNABLE: ReadonlySet<KernelName> = new Set<KernelName>([
  "matmul", "attention", "quantizeQ8_0", "quantizeQ8_0X", "quantizeQ8_1", "quantizeQ8_K", "quantizeF16", "quantizeBF16", "quantizeQ8_KX",
  "quantizeQ8_0R", "countQ8_0Min", "storeF16Rows",
]);

type KernelFn = (tid: number, nth: number, ...args: number[]) => void;

/** Where worker `tid`'s failure record (an Int32 flag, then its message) starts, in bytes. */
const failureOffset = (nMemories: number, tid: number): number => PAGES_OFFSET + 4 * nMemories + (ERROR_BYTES + 4) * tid;

// The worker's whole program. It is evaluated from a string so that the same pool runs from the
// TypeScript sources (vitest) and from dist/ alike.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { module, memories, control, tid, nth, names, failureAt } = workerData;
const ctl = new Int32Array(control, 0, 16);
const args = new Float64Array(control, ${ARGS_OFFSET}, ${MAX_ARGS});
const pages = new Int32Array(control, ${PAGES_OFFSET}, memories.length);
const failed = new Int32Array(control, failureAt, 1);
const message = new Uint8Array(control, failureAt + 4, ${ERROR_BYTES});
const seen = memories.map((m) => m.buffer.byteLength / 65536);
const fns = memories.map((memory) => {
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  return names.map((n) => ex[n]);
});
parentPort.postMessage("ready");
let gen = 0;
for (;;) {
  for (let i = 0; i < ${WORKER_SPIN} && Atomics.load(ctl, ${GEN}) === gen; i++);
  Atomics.wait(ctl, ${GEN}, gen);
  gen = Atomics.load(ctl, ${GEN});
  if (Atomics.load(ctl, ${EXIT})) break;
  try {
    if (Atomics.compareExchange(ctl, ${FAULT}, tid, 0) === tid) throw new Error("fault injected by a test");
    const s = ctl[${SHARD}];
    if (pages[s] !== seen[s]) {
      memories[s].grow(0);
      seen[s] = pages[s];
    }
    const a = Array.from(args.subarray(0, ctl[${NARGS}]));
    fns[s][ctl[${FN}]](tid, nth, ...a);
  } catch (e) {
    message.fill(0).set(new TextEncoder().encode(String((e && e.message) || e)).subarray(0, ${ERROR_BYTES}));
    Atomics.store(failed, 0, 1);
  }
  if (Atomics.add(ctl, ${DONE}, 1) === nth - 2) Atomics.notify(ctl, ${DONE});
}
`;

export class WorkerPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly pages: Int32Array;
  /** Jobs that failed in a worker and then ran on the calling thread without failing (see run). */
  recovered = 0;
  private readonly workers: Worker[] = [];
  private readonly local: KernelFn[][];
  private disposed = false;

  private constructor(readonly nThreads: number, module: WasmModule, private readonly memories: WasmMemory[]) {
    const control = new SharedArrayBuffer(failureOffset(memories.length, nThreads));
    this.ctl = new Int32Array(control, 0, 16);
    this.args = new Float64Array(control, ARGS_OFFSET, MAX_ARGS);
    this.pages = new Int32Array(control, PAGES_OFFSET, memories.length);
    this.local = memories.map((memory) => {
      const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, KernelFn>;
      return KERNELS.map((n) => ex[n]!);
    });
    for (let tid = 1; tid < nThreads; tid++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memories, control, tid, nth: nThreads, names: [...KERNELS], failureAt: failureOffset(memories.length, tid) } });
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
      this.pages[shard] = this.memories[shard]!.buffer.byteLength / 65536;
      Atomics.store(ctl, DONE, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
    }
    try {
      this.local[shard]![fn]!(0, nth, ...args);
    } finally {
      // even when this thread's share trapped, the workers finish theirs before the next job is posted
      if (nth > 1) {
        const ctl = this.ctl;
        for (let i = 0; ; i++) {
          const d = Atomics.load(ctl, DONE);
          if (d >= nth - 1) break;
          if (i >= CALLER_SPIN) Atomics.wait(ctl, DONE, d);
        }
      }
    }
    let failure: string | undefined;
    for (let tid = 1; tid < nth; tid++) {
      const at = failureOffset(this.memories.length, tid);
      const flag = new Int32Array(this.ctl.buffer, at, 1);
      if (Atomics.load(flag, 0) === 0) continue;
      const bytes = new Uint8Array(this.ctl.buffer, at + 4, ERROR_BYTES).slice();
      Atomics.store(flag, 0, 0);
      const end = bytes.indexOf(0);
      failure ??= `worker thread ${tid} (${new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end))})`;
    }
    if (failure === undefined) return;
    if (!RERUNNABLE.has(name)) {
      throw new KilnError(`wasm backend: kernel ${name} failed in ${failure}; it updates memory in place, so it cannot be run again (load the model again, or use --backend reference)`);
    }
    // The kernel only writes its outputs, so the calling thread can run the whole job again as thread 0 of
    // 1 (a worker's share alone is not enough: matmul's threads claim rows as they go). If it fails there
    // too, the kernel or its arguments are at fault: report both. If it succeeds, the failure was the
    // worker's own (V8's per-thread state of a shared memory, say): say so once on stderr and carry on.
    try {
      this.local[shard]![fn]!(0, 1, ...args);
    } catch (e) {
      throw new KilnError(`wasm backend: kernel ${name} failed in ${failure} and again on the calling thread (${(e as Error).message})`);
    }
    if (this.recovered++ === 0) {
      process.stderr.write(`kiln: wasm backend: kernel ${name} failed in ${failure}; the calling thread ran the job again and it succeeded (later ones are counted, not shown)\n`);
    }
  }

  /** For tests: worker `tid` fails its share of the next job (as a trap would) instead of running it. */
  injectFault(tid: number): void {
    Atomics.store(this.ctl, FAULT, tid);
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
