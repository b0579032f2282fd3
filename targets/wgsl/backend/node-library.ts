// The kernel library in Node: every kernel the graph runs is generated (engine/kernels -> generated/,
// manifest + WGSL, through targets/generated.ts); none is written by hand.
import { KilnError } from "../../../engine/errors.js";
import { hasSource, kernelSource } from "../../generated.js";
import type { KernelLibrary } from "./kernel-desc.js";

export const nodeKernelLibrary: KernelLibrary = (name) => {
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
