// The wasm-simd conformance target: the generated AssemblyScript kernels, built by asc and run in this
// Node process (runtime.ts). A kernel missing from generated/ (or generated from an older version of
// its source) is reported as not available with the fix, rather than tested stale.
import type { ConformanceTarget } from "../../conformance/target.js";
import { buildProblem } from "./build.js";
import { readManifest, WasmSimdRuntime } from "./runtime.js";

export function wasmSimdTarget(): ConformanceTarget {
  let runtime: Promise<WasmSimdRuntime> | undefined;
  let manifest: ReturnType<typeof readManifest> | undefined;
  return {
    name: "wasm-simd",
    available() {
      const problem = buildProblem();
      return { ok: problem === "", why: problem };
    },
    supports(kernel) {
      manifest ??= readManifest();
      const m = manifest.get(kernel.name);
      if (!m?.wasm) return { ok: false, why: `kernel ${kernel.name} is not in generated/manifest.json: run \`npm run codegen\`` };
      if (m.source !== kernel.source || m.line !== kernel.loc.line) {
        return { ok: false, why: `generated/ holds ${kernel.name} from ${m.source}:${m.line} but the kernel is at ${kernel.source}:${kernel.loc.line}: run \`npm run codegen\`` };
      }
      return { ok: true, why: "" };
    },
    async run(kernel, buffers, uniforms, dispatch) {
      runtime ??= WasmSimdRuntime.load();
      (await runtime).run(kernel.name, buffers, uniforms, dispatch);
    },
  };
}
