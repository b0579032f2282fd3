// Builds the wasm backend's kernels (assembly/kernels.as, AssemblyScript) into a WebAssembly.Module with
// asc, once per source version and flavour: the binary is cached under .cache/wasm-backend/ (or the
// system temp folder when the package folder is read-only), named by the SHA-256 of the source and the
// flags. The source keeps a .as suffix so that tsc, which type-checks this folder, leaves it to asc.
//
// Two flavours: "plain" SIMD128, which every engine with WebAssembly SIMD runs, and "relaxed", which
// adds relaxed SIMD's int8 pair product for the q4_0/q8_0 kernels (x86's pmaddubsw, ARM's smull+addp).
// By default the relaxed one is used where the engine compiles it (Node 20 needs V8's
// --experimental-wasm-relaxed-simd, which is switched on here; later Node versions ship it) and its
// product passes a check on random data; KILN_WASM_SIMD=plain or =relaxed chooses one.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { KilnError } from "../../../engine/errors.js";
import { packageRoot } from "../../../engine/paths.js";
import { WA, type WasmModule } from "./wasm-api.js";

/** The module imports a shared memory of at most this many 64 KiB pages (all of wasm32's 4 GiB). */
export const MAX_PAGES = 65536;

export type SimdFlavour = "plain" | "relaxed";

export interface KernelModule {
  readonly module: WasmModule;
  /** Whether the module has the relaxed-SIMD kernels (and they checked out on this machine). */
  readonly relaxed: boolean;
}

const FLAGS = [
  "--enable", "simd", "--enable", "threads", "--runtime", "stub", "-O3", "--noAssert", "--use", "abort=",
  "--importMemory", "--sharedMemory", "--initialMemory", "1", "--maximumMemory", String(MAX_PAGES),
];

function flags(flavour: SimdFlavour): string[] {
  return flavour === "relaxed" ? [...FLAGS, "--enable", "relaxed-simd"] : FLAGS;
}

function sourcePath(): string {
  return join(packageRoot(), "targets", "wasm-simd", "backend", "assembly", "kernels.as");
}

function cacheDirs(): string[] {
  return [join(packageRoot(), ".cache", "wasm-backend"), join(tmpdir(), "kiln-wasm-backend")];
}

const compiled = new Map<string, Promise<KernelModule>>();

/**
 * The kernels' module, compiled from source on the first call of a process (cached on disk). `flavour`
 * (default: KILN_WASM_SIMD, else the best this engine runs) picks plain or relaxed SIMD; asking for
 * relaxed where it cannot run is an error naming the reason.
 */
export function kernelModule(flavour?: SimdFlavour): Promise<KernelModule> {
  const env = process.env.KILN_WASM_SIMD;
  if (env !== undefined && env !== "" && env !== "plain" && env !== "relaxed") {
    throw new KilnError(`KILN_WASM_SIMD=${env} is not a kernel flavour (use plain or relaxed, or leave it unset)`);
  }
  const want = flavour ?? (env === "plain" || env === "relaxed" ? env : "auto");
  let p = compiled.get(want);
  if (!p) {
    p = want === "plain" ? build("plain").then((module) => ({ module, relaxed: false })) : relaxedModule(want === "relaxed");
    compiled.set(want, p);
  }
  return p;
}

async function relaxedModule(required: boolean): Promise<KernelModule> {
  let why: string;
  try {
    const module = await build("relaxed");
    if (checkRelaxed(module)) return { module, relaxed: true };
    why = "its int8 pair product gave wrong sums on this machine";
  } catch (e) {
    // an engine without relaxed SIMD refuses the module; anything else (asc failing on the source) is a bug to report
    if ((e as Error).name !== "CompileError") throw e;
    why = (e as Error).message;
  }
  if (required) throw new KilnError(`wasm backend: relaxed SIMD is not usable here (${why}); unset KILN_WASM_SIMD or set it to plain`);
  return { module: await build("plain"), relaxed: false };
}

/** Runs the module's relaxedSimdCheck on random operands (second one 0..127, as the kernels use it). */
function checkRelaxed(module: WasmModule): boolean {
  const memory = new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const check = new WA.Instance(module, { env: { memory } }).exports.relaxedSimdCheck as (p: number) => number;
  const bytes = new Uint8Array(memory.buffer);
  let seed = 0x9e3779b9;
  for (let trial = 0; trial < 256; trial++) {
    for (let i = 0; i < 32; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bytes[1024 + i] = i < 16 ? seed >>> 24 : (seed >>> 24) & 0x7f;
    }
    if (trial === 0) bytes.fill(0x80, 1024, 1040).fill(0x7f, 1040, 1056); // the extremes: -128 * 127
    if (check(1024) !== 1) return false;
  }
  return true;
}

async function compileBinary(binary: Uint8Array, flavour: SimdFlavour): Promise<WasmModule> {
  try {
    return await WA.compile(binary);
  } catch (e) {
    if (flavour !== "relaxed") throw e;
    // Node 20 (V8 11.3) has relaxed SIMD behind a flag: switch it on and try again
    setFlagsFromString("--experimental-wasm-relaxed-simd");
    return WA.compile(binary);
  }
}

async function build(flavour: SimdFlavour): Promise<WasmModule> {
  const source = readFileSync(sourcePath(), "utf8");
  const f = flags(flavour);
  const hash = createHash("sha256").update(source).update(f.join(" ")).digest("hex").slice(0, 16);
  for (const dir of cacheDirs()) {
    const file = join(dir, `kernels-${hash}.wasm`);
    if (existsSync(file)) return compileBinary(readFileSync(file), flavour);
  }
  const binary = await compileWithAsc(source, f);
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
  return compileBinary(binary, flavour);
}

async function compileWithAsc(source: string, flags: readonly string[]): Promise<Uint8Array> {
  const asc = (await import("assemblyscript/asc")).default;
  let binary: Uint8Array | undefined;
  let errors = "";
  const result = await asc.main(["kernels.ts", "--outFile", "kernels.wasm", ...flags], {
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
