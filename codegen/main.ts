// The code generator behind `npm run codegen` (bin/kiln-codegen.js): every engine/kernels/*.kernel.ts
// through frontend -> verify -> shared passes -> per-target emitters into generated/, plus
// generated/manifest.json (kernels, bindings, uniforms, shared sizes). Output is byte-stable: sorted
// inputs, no timestamps, files rewritten whole. `--check` compares instead of writing (exit 1 on drift);
// `--out DIR` writes elsewhere; `--kernels DIR` reads *.kernel.ts from another folder.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { KilnError } from "../engine/errors.js";
import { packageRoot } from "../engine/paths.js";
import { ASSEMBLYSCRIPT_PRELUDE, emitAssemblyScript } from "./emit/assemblyscript.js";
import { emitCuda } from "./emit/cuda.js";
import { emitMetal } from "./emit/metal.js";
import { emitWgsl } from "./emit/wgsl.js";
import { parseKernelFile } from "./frontend/parse.js";
import { sharedBytes, type KernelIR } from "./ir/types.js";
import { checkTypes } from "./ir/verify.js";
import { legalizeNames } from "./passes/names.js";
import { lower } from "./passes/pipeline.js";

/** The package root (found by its package.json, so this works from source and from dist/ alike). */
export const REPO_ROOT = packageRoot();
export const TARGET_DIRS = ["cuda", "metal", "wgsl", "wasm-simd"] as const;

/** The kernel files, sorted so output order never depends on the file system. */
export function kernelFiles(root: string = REPO_ROOT, dir: string = join(root, "engine", "kernels")): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".kernel.ts")).sort().map((f) => join(dir, f));
}

/** Parses and checks every kernel (throws KernelError at the first bad one). */
export function loadKernels(root: string = REPO_ROOT, dir?: string): KernelIR[] {
  const all = kernelFiles(root, dir).flatMap((f) => parseKernelFile(f, root));
  const seen = new Map<string, string>();
  for (const k of all) {
    const prev = seen.get(k.name);
    if (prev) throw new KilnError(`${k.source}:${k.loc.line}: kernel name ${k.name} is also used in ${prev} — kernel names are global; rename one`);
    seen.set(k.name, k.source);
  }
  return all;
}

/**
 * A fingerprint of a parsed kernel (its IR, source lines and comments included), recorded in the
 * manifest so a runtime can tell whether generated/ was made from the kernel it has parsed now.
 */
export function kernelHash(k: KernelIR): string {
  return createHash("sha256").update(JSON.stringify(k)).digest("hex").slice(0, 16);
}

/** Every generated file, by path relative to generated/. */
export function generate(kernels: readonly KernelIR[]): Map<string, string> {
  const files = new Map<string, string>();
  const manifest: unknown[] = [];
  const asExports: string[] = [];
  for (const src of kernels) {
    const k = legalizeNames(lower(src));
    checkTypes(k, "passes/names");
    files.set(`cuda/${k.name}.cu`, emitCuda(k));
    files.set(`metal/${k.name}.metal`, emitMetal(k));
    files.set(`wgsl/${k.name}.wgsl`, emitWgsl(k));
    const as = emitAssemblyScript(k);
    files.set(`wasm-simd/${k.name}.ts`, as.source);
    asExports.push(`export { ${k.name} } from "./${k.name}";`);
    manifest.push({
      name: src.name,
      source: src.source,
      line: src.loc.line,
      // what the kernel says, comments and lines included: compare with kernelHash() of a freshly parsed kernel
      hash: kernelHash(src),
      workgroupSize: src.workgroupSize,
      needs: src.needs,
      constants: src.constants,
      buffers: src.buffers.map((b, binding) => ({
        name: b.name,
        binding,
        type: typeof b.elem === "string" ? b.elem : b.elem.quant,
        access: b.access,
        ...(typeof b.elem === "string" ? {} : { blockBytes: b.elem.blockBytes, blockValues: b.elem.blockValues, wgslPadTo: 4 }),
      })),
      // uniforms: one struct of 4-byte scalars, in this order (WGSL/Metal), or by-value parameters (CUDA)
      uniforms: src.uniforms.map((u, i) => ({ name: u.name, type: u.type, offset: i * 4 })),
      uniformBinding: src.uniforms.length ? src.buffers.length : null,
      uniformBytes: Math.ceil((src.uniforms.length * 4) / 16) * 16,
      sharedBytes: sharedBytes(k),
      files: { cuda: `cuda/${k.name}.cu`, metal: `metal/${k.name}.metal`, wgsl: `wgsl/${k.name}.wgsl`, wasm: `wasm-simd/${k.name}.ts` },
      entry: k.name,
      wasm: { scratchBytes: as.scratchBytes, params: as.params },
    });
  }
  files.set("wasm-simd/prelude.ts", ASSEMBLYSCRIPT_PRELUDE);
  files.set(
    "wasm-simd/index.ts",
    ["// GENERATED — do not edit; source: engine/kernels/*.kernel.ts", "// Every kernel, for one asc build (targets/wasm-simd).", ...asExports, ""].join("\n"),
  );
  files.set("manifest.json", `${JSON.stringify({ note: "GENERATED — do not edit; regenerate with `npm run codegen`", kernels: manifest }, null, 2)}\n`);
  return files;
}

/** Writes (or with check, compares) the generated tree; returns the paths that differ. */
export function writeGenerated(files: ReadonlyMap<string, string>, outDir: string, check: boolean): string[] {
  const differ: string[] = [];
  for (const [rel, text] of files) {
    const p = join(outDir, rel);
    const old = existsSync(p) ? readFileSync(p, "utf8") : null;
    if (old === text) continue;
    differ.push(rel);
    if (!check) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
  }
  // files of kernels that no longer exist
  for (const d of TARGET_DIRS) {
    const dir = join(outDir, d);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const rel = `${d}/${f}`;
      if (files.has(rel)) continue;
      differ.push(rel);
      if (!check) rmSync(join(dir, f));
    }
  }
  return differ;
}

export async function runCodegen(args: readonly string[], _cwd?: string): Promise<number> {
  const check = args.includes("--check");
  const outIdx = args.indexOf("--out");
  const outDir = outIdx >= 0 && args[outIdx + 1] ? resolve(args[outIdx + 1]!) : join(REPO_ROOT, "generated");
  const kIdx = args.indexOf("--kernels");
  const kernelDir = kIdx >= 0 && args[kIdx + 1] ? resolve(args[kIdx + 1]!) : undefined;
  try {
    if (kernelDir && !existsSync(kernelDir)) throw new KilnError(`--kernels ${kernelDir}: no such folder; pass the folder that holds the *.kernel.ts files`);
    const kernels = loadKernels(REPO_ROOT, kernelDir);
    const files = generate(kernels);
    const differ = writeGenerated(files, outDir, check);
    const where = relative(process.cwd(), outDir) || ".";
    if (check) {
      if (differ.length) {
        process.stderr.write(`kiln codegen: ${differ.length} file(s) in ${where} differ from the kernels: ${differ.join(", ")} — run \`npm run codegen\`\n`);
        return 1;
      }
      process.stderr.write(`kiln codegen: ${where} is up to date (${kernels.length} kernels)\n`);
      return 0;
    }
    process.stderr.write(`kiln codegen: ${kernels.length} kernels -> ${where} (${differ.length} file(s) changed)\n`);
    return 0;
  } catch (err) {
    if (err instanceof KilnError) {
      process.stderr.write(`kiln codegen: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
