// Helpers the codegen tests share: compile generated AssemblyScript with asc and run a kernel's
// workgroups in the wasm module, and compile generated CUDA with nvcc.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BufferData } from "../codegen/interpret/run.js";
import { REPO_ROOT } from "./golden.js";

export interface ManifestKernel {
  name: string;
  source: string;
  workgroupSize: number[];
  buffers: { name: string; binding: number; type: string; access: string }[];
  uniforms: { name: string; type: string; offset: number }[];
  uniformBinding: number | null;
  hash: string;
  files: Record<string, string>;
  entry: string;
  wasm: { scratchBytes: number; params: string[] };
}

/**
 * Runs a program without blocking the event loop (a long synchronous child would starve vitest's
 * worker RPC on a busy machine); resolves with its exit status and output.
 */
export function run(cmd: string, args: readonly string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ status, out: `${stdout}${stderr}` });
    });
  });
}

// the slice of the WebAssembly API used here (lib ES2023 has no WebAssembly types)
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
const WA = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (m: object, imports: object) => WasmInstance } }).WebAssembly;

/** Writes the generated wasm-simd/ files under `work`, builds them with asc (SIMD on) and instantiates the module. */
export async function buildWasm(files: ReadonlyMap<string, string>, work: string): Promise<WasmInstance> {
  const dir = join(work, "wasm-simd");
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of files) if (rel.startsWith("wasm-simd/")) writeFileSync(join(work, rel), text);
  const asc = join(REPO_ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
  const wasmFile = join(work, "kernels.wasm");
  const r = await run(process.execPath, [asc, join(dir, "index.ts"), "--enable", "simd", "--runtime", "stub", "-O3", "--outFile", wasmFile]);
  if (r.status !== 0) throw new Error(`asc failed:\n${r.out}`);
  return new WA.Instance(new WA.Module(readFileSync(wasmFile)), {
    env: {
      abort: () => {
        throw new Error("abort");
      },
    },
  });
}

/** Runs every workgroup of one kernel in the wasm module (1-D dispatch); returns the buffers as they end. */
export function runWasm(
  wasm: WasmInstance,
  m: ManifestKernel,
  workgroups: number,
  uniforms: Readonly<Record<string, number>>,
  buffers: Readonly<Record<string, BufferData>>,
): Record<string, BufferData> {
  const memory = wasm.exports.memory as WasmMemory;
  let at = memory.buffer.byteLength;
  const sizes = m.buffers.map((b) => (buffers[b.name]!.byteLength + 15) & ~15);
  const need = m.wasm.scratchBytes + sizes.reduce((a, b) => a + b, 0) + 64;
  memory.grow(Math.ceil(need / 65536));
  const scratch = at;
  at += (m.wasm.scratchBytes + 15) & ~15;
  const addr: Record<string, number> = {};
  m.buffers.forEach((b, i) => {
    const src = buffers[b.name]!;
    new Uint8Array(memory.buffer, at, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    addr[b.name] = at;
    at += sizes[i]!;
  });
  const fn = wasm.exports[m.entry] as (...args: number[]) => void;
  for (let w = 0; w < workgroups; w++) fn(scratch, w, 0, 0, workgroups, 1, 1, ...m.buffers.map((b) => addr[b.name]!), ...m.uniforms.map((u) => uniforms[u.name]!));
  const out: Record<string, BufferData> = {};
  for (const b of m.buffers) {
    const src = buffers[b.name]!;
    const Ctor = src.constructor as new (buf: ArrayBuffer) => BufferData;
    out[b.name] = new Ctor(memory.buffer.slice(addr[b.name]!, addr[b.name]! + src.byteLength));
  }
  return out;
}

export const NVCC = ["/usr/local/cuda/bin/nvcc", "/usr/local/bin/nvcc", "/usr/bin/nvcc"].find(existsSync);

/** Compiles one CUDA source to PTX with warnings as errors; returns the exit status, diagnostics and PTX. */
export async function nvccPtx(src: string, arch: string, work: string): Promise<{ status: number; out: string; ptx: string }> {
  const p = join(work, `k-${arch}.cu`);
  const ptx = join(work, `k-${arch}.ptx`);
  writeFileSync(p, src);
  const r = await run(NVCC!, ["-ptx", `-arch=${arch}`, "-Werror", "all-warnings", "-o", ptx, p]);
  return { ...r, ptx: r.status === 0 ? readFileSync(ptx, "utf8") : "" };
}

/**
 * Compiles many generated CUDA files in one nvcc run: each file's text goes into its own namespace of
 * one translation unit (kernel names are extern "C" and unique; tables and helpers stay apart), with
 * the includes hoisted. One front-end start instead of one per kernel keeps the check to seconds.
 * Diagnostics are rewritten to name the generated file and its own line.
 */
export async function nvccPtxAll(sources: readonly (readonly [file: string, src: string])[], arch: string, work: string): Promise<{ status: number; out: string; ptx: string }> {
  const includes = new Set<string>();
  const lines: string[] = [];
  const origin: { file: string; line: number }[] = [];
  sources.forEach(([file, src], i) => {
    lines.push(`namespace kiln_generated_${i} {`);
    origin.push({ file, line: 0 });
    src.split("\n").forEach((l, j) => {
      if (l.startsWith("#include")) {
        includes.add(l);
        lines.push("");
      } else lines.push(l);
      origin.push({ file, line: j + 1 });
    });
    lines.push("}");
    origin.push({ file, line: 0 });
  });
  const head = [...includes].sort();
  const text = [...head, ...lines].join("\n");
  const r = await nvccPtx(text, arch, work);
  const out = r.out.replace(/k-sm_\d+\.cu\((\d+)\)/g, (m, n: string) => {
    const o = origin[Number(n) - 1 - head.length];
    return o ? `${o.file}(${o.line})` : m;
  });
  return { ...r, out };
}
