// Builds the wasm backend's kernels (assembly/kernels.as, AssemblyScript) into a WebAssembly.Module with
// asc, once per source version: the binary is cached under .cache/wasm-backend/ (or the system temp
// folder when the package folder is read-only), named by the SHA-256 of the source and the flags.
// The source keeps a .as suffix so that tsc, which type-checks this folder, leaves it to asc.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KilnError } from "../../../engine/errors.js";
import { packageRoot } from "../../../engine/paths.js";
import { WA, type WasmModule } from "./wasm-api.js";

/** The module imports a shared memory of at most this many 64 KiB pages (all of wasm32's 4 GiB). */
export const MAX_PAGES = 65536;

const FLAGS = [
  "--enable", "simd", "--enable", "threads", "--runtime", "stub", "-O3", "--noAssert", "--use", "abort=",
  "--importMemory", "--sharedMemory", "--initialMemory", "1", "--maximumMemory", String(MAX_PAGES),
];

function sourcePath(): string {
  return join(packageRoot(), "targets", "wasm-simd", "backend", "assembly", "kernels.as");
}

function cacheDirs(): string[] {
  return [join(packageRoot(), ".cache", "wasm-backend"), join(tmpdir(), "kiln-wasm-backend")];
}

let compiled: Promise<WasmModule> | undefined;

/** The kernels' module, compiled from source on the first call of a process (cached on disk). */
export function kernelModule(): Promise<WasmModule> {
  compiled ??= build();
  return compiled;
}

async function build(): Promise<WasmModule> {
  const source = readFileSync(sourcePath(), "utf8");
  const hash = createHash("sha256").update(source).update(FLAGS.join(" ")).digest("hex").slice(0, 16);
  for (const dir of cacheDirs()) {
    const file = join(dir, `kernels-${hash}.wasm`);
    if (existsSync(file)) return WA.compile(readFileSync(file));
  }
  const binary = await compileWithAsc(source);
  for (const dir of cacheDirs()) {
    try {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `kernels-${hash}.wasm`);
      // write then rename, so a concurrent process never reads half a file
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, binary);
      renameSync(tmp, file);
      break;
    } catch {
      // read-only folder: try the next one; without a cache the next process compiles again
    }
  }
  return WA.compile(binary);
}

async function compileWithAsc(source: string): Promise<Uint8Array> {
  const asc = (await import("assemblyscript/asc")).default;
  let binary: Uint8Array | undefined;
  let errors = "";
  const result = await asc.main(["kernels.ts", "--outFile", "kernels.wasm", ...FLAGS], {
    readFile: (name: string) => (name === "kernels.ts" ? source : null),
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith(".wasm") && typeof contents !== "string") binary = contents;
    },
    listFiles: () => [],
    stdout: { write: () => true } as never,
    stderr: { write: (s: string | Uint8Array) => ((errors += String(s)), true) } as never,
  });
  if (result.error || !binary) {
    throw new KilnError(`wasm backend: asc could not compile ${sourcePath()}: ${result.error?.message ?? ""}\n${errors}`);
  }
  return binary;
}
