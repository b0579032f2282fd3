// The kernel library in Node: generated kernels from generated/ (manifest + WGSL, through
// targets/generated.ts), and the hand-written stand-ins (stand-in-kernels.ts) for the ops engine/kernels does not generate yet.
import { KilnError } from "../../../engine/errors.js";
import { hasSource, kernelSource } from "../../generated.js";
import type { KernelLibrary } from "./kernel-desc.js";
import { STAND_IN_KERNELS } from "./stand-in-kernels.js";

export const nodeKernelLibrary: KernelLibrary = (name) => {
  // the stand-ins first: graph.ts binds them by their own binding names, which a generated kernel of
  // the same name need not share; switching to a generated one is a change in graph.ts as well
  const s = STAND_IN_KERNELS.get(name);
  if (s) return s;
  if (hasSource(name, "wgsl").ok) {
    const { kernel, text } = kernelSource(name, "wgsl");
    return { kernel, code: text };
  }
  throw new KilnError(`webgpu: no WGSL kernel ${name} (${hasSource(name, "wgsl").why}); this weight type has no generated matvec/get_rows yet`);
};

/** Every kernel the library can give, as one JSON-able object (what the browser bundle embeds). */
export function kernelBundle(names: readonly string[]): Record<string, { kernel: unknown; code: string }> {
  const out: Record<string, { kernel: unknown; code: string }> = {};
  for (const n of names) out[n] = nodeKernelLibrary(n);
  return out;
}
