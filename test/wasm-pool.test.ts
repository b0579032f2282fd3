// The wasm backend's worker pool (targets/wasm-simd/backend/pool.ts): a job that fails in a worker is run
// again on the calling thread when its kernel only writes its outputs; one that fails there too, or whose
// kernel updates memory in place, is reported with the kernel's name and the engine's own messages, and
// the pool keeps working either way.
import { afterEach, describe, expect, it, vi } from "vitest";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { WorkerPool } from "../targets/wasm-simd/backend/pool.js";
import { WA } from "../targets/wasm-simd/backend/wasm-api.js";

async function twoThreadPool(): Promise<{ pool: WorkerPool; memory: InstanceType<typeof WA.Memory> }> {
  const { module } = await kernelModule("plain");
  const memory = new WA.Memory({ initial: 2, maximum: 65536, shared: true });
  return { pool: await WorkerPool.create(2, module, [memory]), memory };
}

describe("wasm worker pool", () => {
  afterEach(() => vi.restoreAllMocks());

  it("names the kernel and both reasons when a share traps in the worker and on the calling thread, then runs the next job", async () => {
    const { pool } = await twoThreadPool();
    try {
      // two rows of 32 values to f16; row 0 (thread 0) is in memory, row 1 (the worker's) far outside it
      expect(() => pool.run(0, "quantizeF16", [65536, 0x7ff00000, 65536 + 4096, 64, 2, 32])).toThrow(
        /wasm backend: kernel quantizeF16 failed in worker thread 1 \(.*out of bounds.*\) and again on the calling thread \(.*out of bounds.*\)/,
      );
      expect(() => pool.run(0, "quantizeF16", [65536, 128, 65536 + 4096, 64, 2, 32])).not.toThrow();
    } finally {
      pool.dispose();
    }
  });

  it("runs a job that failed in a worker again on the calling thread: the results are complete and stderr says so once", async () => {
    const { pool, memory } = await twoThreadPool();
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
    try {
      // eight rows of 32 values, row r all equal to r + 0.5 (exact in f16: 0x3800 + ...)
      const x = new Float32Array(memory.buffer, 65536, 8 * 32);
      for (let r = 0; r < 8; r++) x.fill(r + 0.5, r * 32, (r + 1) * 32);
      const y = new Uint16Array(memory.buffer, 65536 + 4096, 8 * 32);
      for (let round = 0; round < 2; round++) {
        y.fill(0xffff);
        pool.injectFault(1);
        pool.run(0, "quantizeF16", [65536, 128, 65536 + 4096, 64, 8, 32]);
        // IEEE half of r + 0.5: 0.5 = 0x3800, 1.5 = 0x3e00, 2.5 = 0x4100, 3.5 = 0x4300, 4.5 = 0x4480, ...
        const want = [0x3800, 0x3e00, 0x4100, 0x4300, 0x4480, 0x4580, 0x4680, 0x4780];
        for (let r = 0; r < 8; r++) expect(Array.from(y.subarray(r * 32, (r + 1) * 32))).toEqual(new Array(32).fill(want[r]));
      }
      expect(pool.recovered).toBe(2);
      const said = lines.filter((l) => l.includes("wasm backend"));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/kernel quantizeF16 failed in worker thread 1 \(fault injected by a test\); the calling thread ran the job again and it succeeded/);
      // no fault pending: the next job runs on both threads without a recovery
      pool.run(0, "quantizeF16", [65536, 128, 65536 + 4096, 64, 8, 32]);
      expect(pool.recovered).toBe(2);
    } finally {
      pool.dispose();
    }
  });

  it("does not run an in-place kernel again (x += y twice would be wrong): the error names the kernel and why", async () => {
    const { pool, memory } = await twoThreadPool();
    try {
      const x = new Float32Array(memory.buffer, 65536, 64).fill(1);
      new Float32Array(memory.buffer, 65536 + 4096, 64).fill(2);
      pool.injectFault(1);
      expect(() => pool.run(0, "addInPlace", [65536, 65536 + 4096, 64])).toThrow(
        /wasm backend: kernel addInPlace failed in worker thread 1 \(fault injected by a test\); it updates memory in place, so it cannot be run again/,
      );
      // the calling thread's half was added once, the worker's not at all; nothing was added twice
      expect(x.slice(0, 32).every((v) => v === 3)).toBe(true);
      expect(x.slice(32).every((v) => v === 1)).toBe(true);
      expect(pool.recovered).toBe(0);
      pool.run(0, "addInPlace", [65536, 65536 + 4096, 64]);
      expect(x.slice(32).every((v) => v === 3)).toBe(true);
    } finally {
      pool.dispose();
    }
  });
});
