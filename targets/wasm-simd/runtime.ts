// Runs generated AssemblyScript kernels in Node: one WebAssembly instance of the asc build (build.ts),
// buffers copied into its linear memory after the module's data, one call per workgroup (each exported
// kernel runs one whole workgroup; see codegen/emit/assemblyscript.ts). Binding order, uniforms and
// per-workgroup scratch come from generated/manifest.json. Single-threaded for now; the worker pool of
// the wasm Backend will share this memory layout.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KilnError } from "../../engine/errors.js";
import { packageRoot } from "../../engine/paths.js";
import { buildWasmSimd } from "./build.js";

export type WasmBuffer = Float32Array | Int32Array | Uint32Array | Uint8Array;

export interface WasmManifestKernel {
  readonly name: string;
  readonly source: string;
  readonly line: number;
  readonly buffers: readonly { readonly name: string; readonly access: "read" | "read_write" }[];
  readonly uniforms: readonly { readonly name: string; readonly type: string }[];
  readonly wasm?: { readonly scratchBytes: number; readonly params: readonly string[] };
}

/** generated/manifest.json's kernels by name. */
export function readManifest(): Map<string, WasmManifestKernel> {
  const p = join(packageRoot(), "generated", "manifest.json");
  let parsed: { kernels?: WasmManifestKernel[] };
  try {
    parsed = JSON.parse(readFileSync(p, "utf8")) as { kernels?: WasmManifestKernel[] };
  } catch {
    throw new KilnError(`${p} is missing or unreadable: run \`npm run codegen\``);
  }
  return new Map((parsed.kernels ?? []).map((k) => [k.name, k]));
}

type KernelFn = (...args: number[]) => void;

// The WebAssembly global, typed here: tsconfig's libs (ES2023, no DOM) do not declare it.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
const align16 = (n: number): number => (n + 15) & ~15;

export class WasmSimdRuntime {
  private constructor(
    private readonly memory: WasmMemory,
    private readonly exports: Record<string, unknown>,
    private readonly heapBase: number,
    readonly manifest: Map<string, WasmManifestKernel>,
  ) {}

  static async load(): Promise<WasmSimdRuntime> {
    const path = await buildWasmSimd();
    const { instance } = await wasmApi.instantiate(readFileSync(path), { env: { abort: wasmAbort } });
    const ex = instance.exports;
    const heapBase = (ex.heapBase as () => number)();
    return new WasmSimdRuntime(ex.memory as WasmMemory, ex, heapBase, readManifest());
  }

  has(name: string): boolean {
    return typeof this.exports[name] === "function" && this.manifest.get(name)?.wasm !== undefined;
  }

  /**
   * Dispatches `workgroups` of kernel `name`; writable buffers are copied back into the given arrays.
   */
  run(name: string, buffers: Readonly<Record<string, WasmBuffer>>, uniforms: Readonly<Record<string, number>>, workgroups: readonly [number, number, number]): void {
    const mk = this.manifest.get(name);
    const fn = this.exports[name] as KernelFn | undefined;
    if (!mk?.wasm || typeof fn !== "function") throw new KilnError(`wasm-simd: kernel ${name} is not in the build: run \`npm run codegen\``);
    // lay out scratch, then every buffer, 16-byte aligned (v128 loads)
    let at = align16(this.heapBase);
    const scratch = at;
    at = align16(at + mk.wasm.scratchBytes);
    const addr = new Map<string, number>();
    for (const b of mk.buffers) {
      const data = buffers[b.name];
      if (!data) throw new KilnError(`wasm-simd: kernel ${name}: buffer ${b.name} was not given`);
      addr.set(b.name, at);
      at = align16(at + data.byteLength);
    }
    const need = Math.ceil(at / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    const mem = new Uint8Array(this.memory.buffer);
    for (const b of mk.buffers) {
      const data = buffers[b.name]!;
      mem.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), addr.get(b.name)!);
    }
    const [nx, ny, nz] = workgroups;
    const args = mk.wasm.params.map((p): number => {
      if (addr.has(p)) return addr.get(p)!;
      if (p in uniforms) return uniforms[p]!;
      if (p === "scratch") return scratch;
      if (p === "nwx") return nx;
      if (p === "nwy") return ny;
      if (p === "nwz") return nz;
      if (p === "wx" || p === "wy" || p === "wz") return 0;
      throw new KilnError(`wasm-simd: kernel ${name}: uniform ${p} was not given`);
    });
    const ix = mk.wasm.params.indexOf("wx"), iy = mk.wasm.params.indexOf("wy"), iz = mk.wasm.params.indexOf("wz");
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          args[ix] = x;
          args[iy] = y;
          args[iz] = z;
          fn(...args);
        }
      }
    }
    const after = new Uint8Array(this.memory.buffer);
    for (const b of mk.buffers) {
      if (b.access !== "read_write") continue;
      const data = buffers[b.name]!;
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(after.subarray(addr.get(b.name)!, addr.get(b.name)! + data.byteLength));
    }
  }
}

function wasmAbort(): never {
  throw new KilnError("wasm-simd: a kernel aborted (an assertion in the generated code)");
}
