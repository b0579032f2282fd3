// The wasm-simd conformance target: the generated AssemblyScript kernels, built by asc and run in this
// Node process (runtime.ts). A kernel missing from generated/ (or generated from an older version of
// its source) is reported as not available with the fix, rather than tested stale.
import { generatedMatches } from "../../conformance/generated.js";
import type { ConformanceTarget } from "../../conformance/target.js";
import { buildProblem } from "./build.js";
import { WasmSimdRuntime } from "./runtime.js";

export function wasmSimdTarget(): ConformanceTarget {
  let runtime: Promise<WasmSimdRuntime> | undefined;
  return {
    name: "wasm-simd",
    available() {
      const problem = buildProblem();
      return { ok: problem === "", why: problem };
    },
    supports: (kernel) => generatedMatches(kernel, "wasm"),
    async run(kernel, buffers, uniforms, dispatch) {
      runtime ??= WasmSimdRuntime.load();
      (await runtime).run(kernel.name, buffers, uniforms, dispatch);
    },
  };
}
