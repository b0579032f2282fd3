// Builds and loads the CUDA Node-API addon (targets/cuda/addon/kiln_cuda.cc) lazily, at first use, into
// the cache folder (.cache/cuda-addon/<content hash>/kiln_cuda.node). It needs g++ and Node's own
// headers (node_api.h), no CUDA toolkit: the addon opens libcuda.so.1 itself at run time. A failed
// build is reported as a reason (availability), never thrown at install time.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../../engine/paths.js";
import { cacheDir, contentHash } from "../generated.js";

const run = promisify(execFile);

export interface CudaProbe {
  readonly ok: boolean;
  readonly why: string;
  readonly devices?: number;
  readonly name?: string;
  readonly major?: number;
  readonly minor?: number;
  /** Peak memory clock (kHz) and bus width (bits): peak bandwidth = 2 x clock x width / 8 (0 where the driver does not say). */
  readonly memoryClockKHz?: number;
  readonly memoryBusBits?: number;
}

/** The addon's functions (see kiln_cuda.cc); each throws an Error with code KILN_CUDA on a driver error. */
export interface CudaAddon {
  probe(): CudaProbe;
  loadModule(image: Uint8Array): number;
  getFunction(moduleId: number, name: string): number;
  alloc(bytes: number): bigint;
  free(ptr: bigint): void;
  upload(ptr: bigint, data: Uint8Array): void;
  download(ptr: bigint, into: Uint8Array): void;
  launch(fnId: number, grid: readonly [number, number, number], block: readonly [number, number, number], sharedBytes: number, args: Uint8Array): void;
  /** A launch list (targets/cuda/backend/launch.ts encodeLaunches) in one call; fnIds[i] is the function of kernel index i. */
  runList(fnIds: Uint32Array, records: Uint32Array, params: Uint8Array): void;
  deviceName(): string;
}

export const ADDON_FLAGS = ["-std=c++17", "-O2", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-DNODE_GYP_MODULE_NAME=kiln_cuda"];

/** The folder holding node_api.h for the running Node: beside the binary (official builds), or the distro's. */
export function nodeIncludeDir(): string | undefined {
  const candidates = [join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node", "/usr/local/include/node"];
  return candidates.find((d) => existsSync(join(d, "node_api.h")));
}

export function addonSource(): string {
  return join(packageRoot(), "targets", "cuda", "addon", "kiln_cuda.cc");
}

interface BuildPlan {
  readonly out: string;
  readonly cxx: string;
  readonly args: readonly string[];
}

/** Where the addon goes and how to compile it; throws (a plain Error with the fix) where it cannot be built. */
function plan(): BuildPlan {
  const src = addonSource();
  const inc = nodeIncludeDir();
  if (!inc) throw new Error(`cannot build the CUDA addon: node_api.h not found beside ${process.execPath} or in /usr/include/node (install Node's headers)`);
  const cxx = process.env.CXX || "g++";
  const key = contentHash(readFileSync(src), ADDON_FLAGS.join(" "), inc, process.versions.napi ?? "");
  const dir = join(cacheDir("cuda-addon"), key);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "kiln_cuda.node");
  return { out, cxx, args: [...ADDON_FLAGS, `-I${inc}`, src, "-o", `${out}.${process.pid}.tmp`, "-ldl"] };
}

function buildError(p: BuildPlan, e: unknown): Error {
  const err = e as { stderr?: string | Buffer; message: string; code?: string };
  if (err.code === "ENOENT") return new Error(`cannot build the CUDA addon: no C++ compiler (${p.cxx}); install g++ or set CXX`);
  return new Error(`cannot build the CUDA addon (${addonSource()}): ${(err.stderr?.toString() || err.message).trim()}`);
}

let building: Promise<string> | undefined;
let loading: Promise<CudaAddon> | undefined;
let loaded: CudaAddon | undefined;

/** The addon, built on first use; rejects with the reason (no g++, no node_api.h, compile error). */
export function loadAddon(): Promise<CudaAddon> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= buildAddon().then((path) => (loaded = createRequire(import.meta.url)(path) as CudaAddon));
  return loading;
}

/** loadAddon for synchronous callers (the cuda Backend's driver binding): builds with a blocking g++ call. */
export function loadAddonSync(): CudaAddon {
  if (loaded) return loaded;
  const p = plan();
  if (!existsSync(p.out)) {
    try {
      execFileSync(p.cxx, p.args, { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      throw buildError(p, e);
    }
    renameSync(`${p.out}.${process.pid}.tmp`, p.out);
  }
  loaded = createRequire(import.meta.url)(p.out) as CudaAddon;
  return loaded;
}

/** Builds the addon (or finds it in the cache); resolves to the .node file's path. */
export function buildAddon(): Promise<string> {
  building ??= (async () => {
    const p = plan();
    if (!existsSync(p.out)) {
      try {
        await run(p.cxx, p.args, { maxBuffer: 16 << 20 });
      } catch (e) {
        throw buildError(p, e);
      }
      renameSync(`${p.out}.${process.pid}.tmp`, p.out);
    }
    return p.out;
  })();
  return building;
}
