// The interp conformance target: runs a kernel through the shared passes (codegen/passes/pipeline.ts)
// and then the IR interpreter (codegen/interpret), which bounds-checks every access. It runs anywhere,
// so every kernel must pass here first; it is also the slowest target, which is why cases stay small.
import { interpret } from "../codegen/interpret/run.js";
import type { KernelIR } from "../codegen/ir/types.js";
import { lower } from "../codegen/passes/pipeline.js";
import type { ConformanceTarget } from "./target.js";

export function interpTarget(): ConformanceTarget {
  const lowered = new WeakMap<KernelIR, KernelIR>();
  return {
    name: "interp",
    available: () => ({ ok: true, why: "" }),
    async run(kernel, buffers, uniforms, dispatch) {
      let k = lowered.get(kernel);
      if (!k) {
        k = lower(kernel);
        lowered.set(kernel, k);
      }
      interpret(k, { workgroups: dispatch, uniforms, buffers });
    },
  };
}
