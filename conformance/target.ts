// The pluggable target interface of the conformance suite: anything that can run a kernel's IR on some
// device (the IR interpreter, the AssemblyScript build, Metal compiled on the CPU, WebGPU, CUDA) implements
// ConformanceTarget and registers itself with registerTarget(). The runner (run.ts) builds the inputs,
// calls run() and checks the output buffers against the reference; a target only moves bytes and
// dispatches. Targets that cannot run here say why in available(), and the matrix shows it.
import type { KernelIR } from "../codegen/ir/types.js";

/**
 * One buffer per kernel binding, by binding name: Float32Array for f32, Int32Array for i32, Uint32Array
 * for u32, Uint8Array for quant blocks. Output buffers are longer than the kernel needs: the runner puts
 * a guard region after the data, and run() must hand the whole array to the kernel and copy the whole
 * array back, so an out-of-bounds write lands in the guard and is caught.
 */
export type TargetBuffer = Float32Array | Int32Array | Uint32Array | Uint8Array;
export type TargetBuffers = Readonly<Record<string, TargetBuffer>>;

/** Workgroups to dispatch, x, y, z. */
export type DispatchSize = readonly [number, number, number];

export interface Availability {
  readonly ok: boolean;
  /** Why not, in a few words with the fix ("no CUDA driver: install one or run on a machine with a GPU"); "" when ok. */
  readonly why: string;
}

export interface ConformanceTarget {
  /** The name used by `kiln conformance --target NAME`: interp, wasm-simd, metal-cpu, wgsl, cuda. */
  readonly name: string;
  /** Whether the target can run on this machine at all (checked once per run). */
  available(): Availability | Promise<Availability>;
  /**
   * Whether this target can run this kernel (e.g. a kernel that `needs: ["subgroups"]` on a target without
   * them, or a kernel with no generated source for the target yet). Optional: absent means yes.
   */
  supports?(kernel: KernelIR): Availability;
  /**
   * Runs one dispatch of `kernel` (the frontend's IR, before any pass: each target lowers it its own way)
   * with `buffers` bound by name, `uniforms` by name and `dispatch` workgroups. Writable buffers are
   * updated in place when the promise resolves. Errors from the device are thrown as KilnError.
   */
  run(kernel: KernelIR, buffers: TargetBuffers, uniforms: Readonly<Record<string, number>>, dispatch: DispatchSize): Promise<void>;
  /** Releases what the target holds (devices, workers). Optional. */
  dispose?(): void | Promise<void>;
}

const registry = new Map<string, () => ConformanceTarget>();

/** Makes a target known to the suite; the factory runs when a run first asks for it. */
export function registerTarget(name: string, factory: () => ConformanceTarget): void {
  registry.set(name, factory);
}

/** Names of the registered targets, in registration order. */
export function targetNames(): string[] {
  return [...registry.keys()];
}

/** A new instance of a registered target, or undefined when no target has that name. */
export function createTarget(name: string): ConformanceTarget | undefined {
  return registry.get(name)?.();
}
