// The wasm backend's worker pool (targets/wasm-simd/backend/pool.ts): a kernel that fails in a worker
// thread is reported with the kernel's name and the engine's own message, and the pool keeps working.
import { describe, expect, it } from "vitest";
import { kernelModule } from "../targets/wasm-simd/backend/build.js";
import { WorkerPool } from "../targets/wasm-simd/backend/pool.js";
import { WA } from "../targets/wasm-simd/backend/wasm-api.js";

describe("wasm worker pool", () => {
  it("names the kernel and the reason when a worker's share traps, then runs the next job", async () => {
    const { module } = await kernelModule("plain");
    const memory = new WA.Memory({ initial: 2, maximum: 65536, shared: true });
    const pool = await WorkerPool.create(2, module, [memory]);
    try {
      // two rows of 32 values to f16; row 0 (thread 0) is in memory, row 1 (the worker's) far outside it
      expect(() => pool.run(0, "quantizeF16", [65536, 0x7ff00000, 65536 + 4096, 64, 2, 32])).toThrow(
        /wasm backend: kernel quantizeF16 failed in a worker thread: .*out of bounds/,
      );
      expect(() => pool.run(0, "quantizeF16", [65536, 128, 65536 + 4096, 64, 2, 32])).not.toThrow();
    } finally {
      pool.dispose();
    }
  });
});
