// PTX for the cuda backend: the generated kernels (generated/cuda/*.cu, every kernel the graph runs)
// compiled by nvcc into one PTX module, cached by content hash under
// .cache/cuda-ptx, so nvcc runs once per kernel set and the driver JIT-compiles the PTX for whatever
// GPU it finds. Also the .entry parameter lists of a PTX text, which the tests compare with the
// argument packing of launch.ts.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KilnError } from "../../../engine/errors.js";
import { cacheDir, contentHash, hasSource, kernelSource } from "../../generated.js";
import type { KernelDesc } from "../../wgsl/backend/kernel-desc.js";

/** Virtual architecture of the PTX: sm_80 (Ampere) and every later GPU can JIT it. */
export const PTX_ARCH = "compute_80";

/** The nvcc on PATH (or $CUDA_HOME/bin), or a reason why none can be used. */
export function findNvcc(): { path: string } | { why: string } {
  const candidates = [process.env.CUDA_HOME && join(process.env.CUDA_HOME, "bin/nvcc"), "nvcc", "/usr/local/cuda/bin/nvcc"].filter(Boolean) as string[];
  for (const c of candidates) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return { path: c };
  }
  return { why: "no nvcc found (install the CUDA toolkit or set CUDA_HOME)" };
}

/** A kernel's descriptor (from generated/manifest.json) and its generated CUDA source. */
export function cudaKernel(name: string): { kernel: KernelDesc; code: string } {
  const a = hasSource(name, "cuda");
  if (!a.ok) throw new KilnError(`cuda: no kernel ${name}: ${a.why}`);
  const { kernel, text } = kernelSource(name, "cuda");
  return { kernel, code: text };
}

/** One translation unit holding every named kernel (each file's own #includes are idempotent). */
export function cudaTranslationUnit(names: readonly string[]): string {
  return [...new Set(names)].sort().map((n) => `// ---- ${n}\n${cudaKernel(n).code}`).join("\n");
}

/** PTX for `names`, compiled by nvcc on first use and cached by the source's hash. */
export function buildPtx(names: readonly string[]): string {
  const source = cudaTranslationUnit(names);
  const out = join(cacheDir("cuda-ptx"), `${contentHash(source, PTX_ARCH)}.ptx`);
  if (existsSync(out)) return readFileSync(out, "utf8");
  const nvcc = findNvcc();
  if (!("path" in nvcc)) throw new KilnError(`cuda: cannot build the kernels: ${nvcc.why}`, "NO_CUDA");
  const dir = mkdtempSync(join(tmpdir(), "kiln-ptx-"));
  try {
    const cu = join(dir, "kiln.cu");
    writeFileSync(cu, source);
    try {
      execFileSync(nvcc.path, ["-ptx", `-arch=${PTX_ARCH}`, "-O3", "-o", out, cu], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new KilnError(`cuda: nvcc failed on the kernels: ${err.stderr?.toString().trim().split("\n").slice(0, 8).join(" | ") ?? String(e)}`);
    }
    return readFileSync(out, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PtxParam {
  /** PTX type: u64 (a pointer), u32, s32, f32. */
  readonly type: string;
  /** Byte offset in the parameter buffer (each at its natural alignment, as the PTX ABI lays them out). */
  readonly offset: number;
}

/** The parameters of each .entry in a PTX text, with their offsets. */
export function ptxEntryParams(ptx: string): Map<string, PtxParam[]> {
  const out = new Map<string, PtxParam[]>();
  const entry = /\.entry\s+(\w+)\s*\(([^)]*)\)/g;
  for (const m of ptx.matchAll(entry)) {
    let at = 0;
    const params: PtxParam[] = [];
    for (const p of m[2]!.matchAll(/\.param\s+(?:\.align\s+(\d+)\s+)?\.(\w+)\s+\w+/g)) {
      const type = p[2]!;
      const size = /64$/.test(type) ? 8 : 4;
      const align = p[1] ? Number(p[1]) : size;
      at = Math.ceil(at / align) * align;
      params.push({ type, offset: at });
      at += size;
    }
    out.set(m[1]!, params);
  }
  return out;
}
