// What the target runtimes (targets/metal, targets/cuda, targets/wgsl) read from generated/: the
// manifest (bindings, uniforms, workgroup size per kernel) and each kernel's source for a target, plus
// the content-hashed cache folder where they keep compiled kernels. The manifest is written by
// codegen/main.ts (`npm run codegen`); this module only reads it.
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KilnError } from "../engine/errors.js";
import { packageRoot } from "../engine/paths.js";
import type { Availability, TargetBuffer } from "../conformance/target.js";

export interface ManifestBuffer {
  readonly name: string;
  readonly binding: number;
  /** f32, i32, u32, or a ggml type name for a buffer of quant blocks (bytes). */
  readonly type: string;
  readonly access: "read" | "read_write";
  /** WGSL reads quant blocks as array<u32>: the buffer is padded to a multiple of this many bytes. */
  readonly wgslPadTo?: number;
}

export interface ManifestUniform {
  readonly name: string;
  readonly type: "f32" | "i32" | "u32" | "bool";
  /** Byte offset in the uniform struct (WGSL/Metal); CUDA takes them as by-value parameters in this order. */
  readonly offset: number;
}

export interface ManifestKernel {
  readonly name: string;
  readonly source: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly needs: readonly string[];
  readonly buffers: readonly ManifestBuffer[];
  readonly uniforms: readonly ManifestUniform[];
  readonly uniformBinding: number | null;
  readonly uniformBytes: number;
  readonly sharedBytes: number;
  readonly files: Readonly<Record<string, string>>;
  readonly entry: string;
}

export type SourceTarget = "cuda" | "metal" | "wgsl";

export function generatedDir(): string {
  return join(packageRoot(), "generated");
}

let manifestCache: { text: string; kernels: Map<string, ManifestKernel> } | undefined;

/** The manifest's kernels by name (parsed again only when generated/manifest.json changed). */
export function manifestKernels(): Map<string, ManifestKernel> {
  const p = join(generatedDir(), "manifest.json");
  if (!existsSync(p)) throw new KilnError(`${p} is missing: run \`npm run codegen\` to generate the kernels`);
  const text = readFileSync(p, "utf8");
  if (manifestCache?.text === text) return manifestCache.kernels;
  const parsed = JSON.parse(text) as { kernels?: ManifestKernel[] };
  const kernels = new Map((parsed.kernels ?? []).map((k) => [k.name, k]));
  manifestCache = { text, kernels };
  return kernels;
}

/** Whether generated/ has `target` source for kernel `name`; the reason and fix when not. */
export function hasSource(name: string, target: SourceTarget): Availability {
  const k = manifestKernels().get(name);
  if (!k) return { ok: false, why: `kernel ${name} is not in generated/manifest.json: run \`npm run codegen\`` };
  const rel = k.files[target];
  if (!rel || !existsSync(join(generatedDir(), rel))) return { ok: false, why: `no generated ${target} source for kernel ${name}: run \`npm run codegen\`` };
  return { ok: true, why: "" };
}

/** A kernel's manifest entry and its generated source for `target`; a KilnError naming the fix when absent. */
export function kernelSource(name: string, target: SourceTarget): { kernel: ManifestKernel; path: string; text: string } {
  const a = hasSource(name, target);
  if (!a.ok) throw new KilnError(a.why);
  const kernel = manifestKernels().get(name)!;
  const path = join(generatedDir(), kernel.files[target]!);
  return { kernel, path, text: readFileSync(path, "utf8") };
}

/**
 * A folder for compiled kernels and built helpers: $KILN_CACHE_DIR/SUB, else <package>/.cache/SUB, or
 * <tmp>/kiln-cache/SUB where the package folder is read-only (an installed package).
 */
export function cacheDir(sub: string): string {
  const roots = process.env.KILN_CACHE_DIR ? [process.env.KILN_CACHE_DIR] : [join(packageRoot(), ".cache"), join(tmpdir(), "kiln-cache")];
  for (const root of roots) {
    const dir = join(root, sub);
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      return dir;
    } catch {
      // not writable here: try the next place
    }
  }
  throw new KilnError(`cannot create a cache folder for ${sub} in ${roots.join(" or ")}: set KILN_CACHE_DIR to a writable folder`);
}

/** A short content hash naming a cache entry (sha256 over the parts, in order). */
export function contentHash(...parts: readonly (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(p);
    h.update("\0");
  }
  return h.digest("hex").slice(0, 20);
}

/** The uniforms as the 16-byte-padded struct of 4-byte scalars that WGSL and Metal bind. */
export function packUniforms(kernel: ManifestKernel, values: Readonly<Record<string, number>>): Uint8Array {
  const bytes = new Uint8Array(Math.max(16, kernel.uniformBytes));
  const view = new DataView(bytes.buffer);
  for (const u of kernel.uniforms) {
    const v = values[u.name];
    if (v === undefined) throw new KilnError(`kernel ${kernel.name}: no value for uniform ${u.name} (the case must set every uniform: ${kernel.uniforms.map((x) => x.name).join(", ")})`);
    if (u.type === "f32") view.setFloat32(u.offset, v, true);
    else if (u.type === "i32") view.setInt32(u.offset, v, true);
    else view.setUint32(u.offset, u.type === "bool" ? (v ? 1 : 0) : v, true);
  }
  return bytes;
}

/** The buffer for binding `b` from the run's buffers, with a message naming the binding when missing. */
export function bufferFor(kernel: ManifestKernel, b: ManifestBuffer, buffers: Readonly<Record<string, TargetBuffer>>): TargetBuffer {
  const buf = buffers[b.name];
  if (!buf) throw new KilnError(`kernel ${kernel.name}: no buffer for binding ${b.binding} (${b.name}); bound: ${Object.keys(buffers).join(", ") || "none"}`);
  return buf;
}

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(a: TargetBuffer): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes a file whole or not at all (a temporary file renamed over it), so two test processes filling
 * the same cache entry never see each other's half-written source.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
