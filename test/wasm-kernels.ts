// The wasm backend's kernel module (targets/wasm-simd/backend/assembly/kernels.as) instantiated over a
// fresh shared memory, for the tests that call its exported kernels directly.
import { kernelModule, type KernelModule } from "../targets/wasm-simd/backend/build.js";
import { WA, type WasmMemory } from "../targets/wasm-simd/backend/wasm-api.js";

export type KernelFn = (...args: number[]) => number;

/** The relaxed-SIMD module, or undefined where this engine cannot run it. */
export const relaxedModule: KernelModule | undefined = await kernelModule("relaxed").catch(() => undefined);

/**
 * The plain or relaxed module's exports over a new shared memory of `pages` 64 KiB pages, or undefined
 * for relaxed where relaxed SIMD is not usable.
 */
export async function kernelInstance(flavour: "plain" | "relaxed", pages: number): Promise<{ memory: WasmMemory; ex: Record<string, KernelFn> } | undefined> {
  if (flavour === "relaxed" && !relaxedModule) return undefined;
  const { module } = flavour === "relaxed" ? relaxedModule! : await kernelModule("plain");
  const memory = new WA.Memory({ initial: pages, maximum: 65536, shared: true });
  return { memory, ex: new WA.Instance(module, { env: { memory } }).exports as Record<string, KernelFn> };
}
