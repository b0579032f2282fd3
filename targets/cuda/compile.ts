// Compiles generated/cuda/*.cu with nvcc into one fatbin per kernel: SASS (cubins) for sm_80 and sm_90,
// both assembled by ptxas from one compute_80 PTX that the fatbin also carries, so the driver loads the
// cubin that matches the GPU or JIT-compiles the PTX for a newer one (one front-end pass instead of two
// halves the compile time; test/codegen-emit.test.ts also checks the compute_90 PTX). Warnings are
// errors (nvcc -Werror all-warnings). Results are cached by content hash in
// .cache/cuda-fatbin. This needs the CUDA toolkit (nvcc) but no GPU.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { KilnError } from "../../engine/errors.js";
import { cacheDir, contentHash, kernelSource, writeFileAtomic } from "../generated.js";

const run = promisify(execFile);

export const CUDA_ARCHS = [80, 90] as const;

export const NVCC_FLAGS = [
  "-fatbin",
  "-Werror",
  "all-warnings",
  "-gencode",
  `arch=compute_${CUDA_ARCHS[0]},code=[${CUDA_ARCHS.map((a) => `sm_${a}`).join(",")},compute_${CUDA_ARCHS[0]}]`,
];

/** nvcc from $NVCC, the usual install places or PATH; undefined when there is none. */
export function findNvcc(): string | undefined {
  if (process.env.NVCC) return process.env.NVCC;
  const fixed = ["/usr/local/cuda/bin/nvcc", "/usr/local/bin/nvcc", "/usr/bin/nvcc"].find(existsSync);
  if (fixed) return fixed;
  for (const d of (process.env.PATH ?? "").split(":")) if (d && existsSync(join(d, "nvcc"))) return join(d, "nvcc");
  return undefined;
}

const building = new Map<string, Promise<Uint8Array>>();

/** The fatbin of kernel `name` (compiled once per content); a KilnError with nvcc's output when it fails. */
export function compileFatbin(name: string, nvcc: string | undefined = findNvcc()): Promise<Uint8Array> {
  if (!nvcc) return Promise.reject(new KilnError("no nvcc to compile the CUDA kernels: install the CUDA toolkit or set NVCC"));
  const { kernel, text } = kernelSource(name, "cuda");
  return compileFatbinFor(kernel.name, text, `generated/${kernel.files.cuda}`, nvcc);
}

/** The fatbin of CUDA source `text` (`label` names it in errors), cached under `stem`-<hash>. */
export function compileFatbinFor(stem: string, text: string, label: string, nvcc: string | undefined = findNvcc()): Promise<Uint8Array> {
  if (!nvcc) return Promise.reject(new KilnError("no nvcc to compile the CUDA kernels: install the CUDA toolkit or set NVCC"));
  const key = contentHash(text, NVCC_FLAGS.join(" "), nvcc);
  const dir = join(cacheDir("cuda-fatbin"), `${stem}-${key}`);
  const out = join(dir, `${stem}.fatbin`);
  if (existsSync(out)) return Promise.resolve(readFileSync(out));
  let p = building.get(out);
  if (!p) {
    p = (async () => {
      mkdirSync(dir, { recursive: true });
      const cu = join(dir, `${stem}.cu`);
      writeFileAtomic(cu, text);
      const tmp = `${out}.${process.pid}.tmp`;
      try {
        const r = await run(nvcc, [...NVCC_FLAGS, "-o", tmp, cu], { maxBuffer: 16 << 20 });
        // with -Werror nothing but errors stops the build; anything printed is a diagnostic still worth failing on
        const said = `${r.stdout}${r.stderr}`.trim();
        if (said) throw Object.assign(new Error(said), { stderr: said });
      } catch (e) {
        const err = e as { stderr?: string; stdout?: string; message: string };
        throw new KilnError(`${label} does not compile with nvcc ${NVCC_FLAGS.join(" ")}:\n${(err.stderr || err.stdout || err.message).trim()}`);
      }
      renameSync(tmp, out);
      return readFileSync(out);
    })().finally(() => building.delete(out));
    building.set(out, p);
  }
  return p;
}

/**
 * The SM versions of the CUDA ELF images (cubins) inside a fatbin: every embedded ELF with machine
 * EM_CUDA (190), its SM read from e_flags bits 8..15 as nvcc writes them (0x50 = sm_80).
 */
export function fatbinElfArchs(fatbin: Uint8Array): number[] {
  const view = new DataView(fatbin.buffer, fatbin.byteOffset, fatbin.byteLength);
  const archs: number[] = [];
  for (let i = 0; i + 52 <= fatbin.length; i++) {
    if (fatbin[i] !== 0x7f || fatbin[i + 1] !== 0x45 || fatbin[i + 2] !== 0x4c || fatbin[i + 3] !== 0x46) continue;
    if (view.getUint16(i + 18, true) !== 190) continue;
    archs.push((view.getUint32(i + 48, true) >> 8) & 0xff);
  }
  return archs;
}
