// The metal-cpu conformance target: MSL semantics checked on CPU. Each generated/metal/*.metal is
// compiled as C++20 by g++ through targets/metal/shim (address spaces, attributes, half, metal::
// math, threadgroup memory, barriers as fibers switching in a seeded random order, a simulated 32-wide
// simdgroup) into a small launcher program, which runs one dispatch with the buffers piped through
// stdin/stdout. It checks what the kernel computes and how it synchronizes; it cannot catch what only
// Apple's Metal compiler would reject or compute differently (fast-math, its stricter type rules).
// Launchers are cached by content hash under .cache/metal-cpu (or $KILN_CACHE_DIR/metal-cpu).
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { KernelIR } from "../../codegen/ir/types.js";
import type { Availability, ConformanceTarget, DispatchSize, TargetBuffers } from "../../conformance/target.js";
import { KilnError } from "../../engine/errors.js";
import { packageRoot } from "../../engine/paths.js";
import { bufferFor, bytesOf, cacheDir, contentHash, hasSource, kernelSource, packUniforms, writeFileAtomic, type ManifestKernel } from "../generated.js";

const run = promisify(execFile);

/** What this target is, said wherever it reports: it is not Metal on a GPU. */
export const METAL_CPU_LABEL = "metal-cpu (MSL semantics checked on CPU, not Apple's compiler)";

/** g++ flags: warnings are errors, except the two a shim cannot avoid (Metal attributes, unused builtins). */
export const CXX_FLAGS = ["-std=c++20", "-O1", "-fno-strict-aliasing", "-Wall", "-Wextra", "-Werror", "-Wno-attributes", "-Wno-unused-parameter"];

export function shimDir(): string {
  return join(packageRoot(), "targets", "metal", "shim");
}

function cxx(): string {
  return process.env.CXX || "g++";
}

export function metalCpuAvailable(): Availability {
  const r = spawnSync(cxx(), ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return { ok: false, why: `no C++ compiler (${cxx()}): install g++ 12 or newer (apt-get install g++), or set CXX` };
  return { ok: true, why: "" };
}

interface Param {
  /** The declared type as written (address-space words included; the shim makes them empty). */
  readonly type: string;
  readonly name: string;
  /** buffer(N) or a builtin: thread_position_in_grid, ... */
  readonly attr: string;
}

const BUILTINS: Readonly<Record<string, string>> = {
  thread_position_in_grid: "ids.globalId",
  thread_position_in_threadgroup: "ids.localId",
  threadgroup_position_in_grid: "ids.workgroupId",
  threads_per_threadgroup: "ids.workgroupSize",
  threadgroups_per_grid: "ids.numWorkgroups",
};

/** The parameters of `kernel void ENTRY(...)` in MSL text, read the way a Metal runtime binds them: by attribute. */
export function kernelParams(msl: string, entry: string): Param[] {
  const start = msl.indexOf(`kernel void ${entry}(`);
  if (start < 0) throw new KilnError(`generated Metal has no \`kernel void ${entry}(\`: regenerate with \`npm run codegen\``);
  const open = start + `kernel void ${entry}(`.length;
  const close = msl.indexOf(") {", open);
  const list = msl.slice(open, close);
  return list.split(",\n").map((raw) => {
    const m = /^\s*(.+?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\[\[([a-z_]+(?:\(\d+\))?)\]\]\s*$/s.exec(raw);
    if (!m) throw new KilnError(`generated Metal ${entry}: cannot read the parameter \`${raw.trim()}\` (expected TYPE NAME [[attribute]])`);
    return { type: m[1]!, name: m[2]!, attr: m[3]! };
  });
}

/** The C++ launcher for one kernel: the shim, the MSL file, the driver, and the call binding each parameter. */
export function launcherSource(mslPath: string, msl: string, entry: string): string {
  const args = kernelParams(msl, entry).map((p) => {
    const buf = /^buffer\((\d+)\)$/.exec(p.attr);
    if (buf) return p.type.endsWith("&") ? `*(${p.type.slice(0, -1).trim()}*)buffers[${buf[1]}]` : `(${p.type})buffers[${buf[1]}]`;
    const b = BUILTINS[p.attr];
    if (!b) throw new KilnError(`generated Metal ${entry}: parameter ${p.name} has attribute [[${p.attr}]], which the CPU shim does not provide`);
    return b;
  });
  return [
    `// launcher for ${entry}: written by targets/metal/cpu-target.ts`,
    `#include "metal_shim.h"`,
    `#include ${JSON.stringify(mslPath)}`,
    `#include "metal_driver.h"`,
    `static void invoke(void* const* buffers, const kiln_metal::Ids& ids) {`,
    `  ${entry}(${args.join(", ")});`,
    `}`,
    `KILN_METAL_MAIN(invoke)`,
    ``,
  ].join("\n");
}

let shimHash: string | undefined;
function shimText(): string {
  const d = shimDir();
  return ["metal_shim.h", "metal_driver.h", "metal_stdlib"].map((f) => readFileSync(join(d, f), "utf8")).join("\n");
}

const building = new Map<string, Promise<string>>();

/** Compiles (or finds in the cache) the launcher for kernel `name`; resolves to the executable's path. */
export function buildLauncher(name: string): Promise<string> {
  const { kernel, text } = kernelSource(name, "metal");
  return buildLauncherFor(kernel.entry, text, `generated/${kernel.files.metal}`);
}

/** Compiles the launcher for entry point `entry` of the MSL `text` (`label` names it in errors). */
export function buildLauncherFor(entry: string, text: string, label: string): Promise<string> {
  shimHash ??= contentHash(shimText());
  const key = contentHash(shimHash, text, entry, CXX_FLAGS.join(" "), cxx());
  const dir = join(cacheDir("metal-cpu"), `${entry}-${key}`);
  const exe = join(dir, "launcher");
  if (existsSync(exe)) return Promise.resolve(exe);
  let p = building.get(exe);
  if (!p) {
    p = (async () => {
      mkdirSync(dir, { recursive: true });
      // the MSL goes in the cache folder too, so a compile error's path:line names the exact text compiled
      const mslPath = join(dir, `${entry}.metal`);
      writeFileAtomic(mslPath, text);
      const cpp = join(dir, "launcher.cpp");
      writeFileAtomic(cpp, launcherSource(mslPath, text, entry));
      const tmp = `${exe}.${process.pid}.tmp`;
      try {
        // LC_ALL=C: plain ASCII quotes in diagnostics, whatever the user's locale
        await run(cxx(), [...CXX_FLAGS, "-I", shimDir(), cpp, "-o", tmp], { maxBuffer: 16 << 20, env: { ...process.env, LC_ALL: "C" } });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new KilnError(`${label} does not compile as C++ with the Metal shim:\n${(err.stderr || err.message).trim()}`);
      }
      renameSync(tmp, exe);
      return exe;
    })().finally(() => building.delete(exe));
    building.set(exe, p);
  }
  return p;
}

/** Runs a launcher on the buffers in binding order; resolves to the buffers as the kernel left them. */
export function runLauncher(exe: string, kernel: Pick<ManifestKernel, "name" | "workgroupSize">, inputs: readonly Uint8Array[], dispatch: DispatchSize, seed: number): Promise<Uint8Array[]> {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, inputs.length, true);
  const parts: Uint8Array[] = [header];
  for (const b of inputs) {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.byteLength, true);
    parts.push(len, b);
  }
  const wg = kernel.workgroupSize;
  return new Promise((resolve, reject) => {
    const child = spawn(exe, [String(seed), ...wg.map(String), ...dispatch.map(String)], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let errText = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (errText += d.toString()));
    child.on("error", (e) => reject(new KilnError(`${METAL_CPU_LABEL}: cannot start ${exe}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const why = signal ? `killed by ${signal}${signal === "SIGSEGV" ? " (an access far outside a buffer?)" : ""}` : errText.trim() || `exit status ${code}`;
        reject(new KilnError(`${METAL_CPU_LABEL}: kernel ${kernel.name} failed: ${why}`));
        return;
      }
      const all = Buffer.concat(out);
      const result: Uint8Array[] = [];
      let off = 4;
      for (let i = 0; i < inputs.length; i++) {
        const n = all.readUInt32LE(off);
        result.push(new Uint8Array(all.buffer, all.byteOffset + off + 4, n));
        off += 4 + n;
      }
      resolve(result);
    });
    child.stdin.on("error", () => undefined);
    for (const p of parts) child.stdin.write(p);
    child.stdin.end();
  });
}

export function metalCpuTarget(): ConformanceTarget {
  let runs = 0;
  return {
    name: "metal-cpu",
    available: metalCpuAvailable,
    supports: (k: KernelIR) => {
      // the shim simulates 32-wide simdgroups (simd_sum, simd_max); anything else it does not
      const missing = k.needs.filter((n) => n !== "subgroups");
      if (missing.length) return { ok: false, why: `kernel ${k.name} needs ${missing.join(", ")}, which the CPU shim does not simulate` };
      return hasSource(k.name, "metal");
    },
    async run(k: KernelIR, buffers: TargetBuffers, uniforms: Readonly<Record<string, number>>, dispatch: DispatchSize): Promise<void> {
      const exe = await buildLauncher(k.name);
      const { kernel } = kernelSource(k.name, "metal");
      const inputs: Uint8Array[] = kernel.buffers.map((b) => bytesOf(bufferFor(kernel, b, buffers)));
      if (kernel.uniformBinding !== null) inputs[kernel.uniformBinding] = packUniforms(kernel, uniforms);
      // a new interleaving per dispatch, reproducible from the run's order
      const outs = await runLauncher(exe, kernel, inputs, dispatch, ++runs);
      for (const b of kernel.buffers) if (b.access === "read_write") bytesOf(bufferFor(kernel, b, buffers)).set(outs[b.binding]!);
    },
  };
}
