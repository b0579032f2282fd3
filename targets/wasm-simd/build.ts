// Builds the wasm-simd target: every generated AssemblyScript kernel (generated/wasm-simd/index.ts,
// through assembly/entry.ts) compiled by asc into one .wasm with SIMD enabled. The build is cached under
// .cache/wasm-simd/ by a hash of the sources and flags, so only a changed kernel costs a rebuild (asc
// takes tens of seconds for all kernels).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { KilnError } from "../../engine/errors.js";
import { packageRoot } from "../../engine/paths.js";

/** --runtime stub: the kernels allocate nothing, so no garbage collector is linked in. */
export const ASC_FLAGS: readonly string[] = ["-O3", "--runtime", "stub", "--noAssert", "--enable", "simd"];

export function generatedWasmDir(): string {
  return join(packageRoot(), "generated", "wasm-simd");
}

function entryPath(): string {
  return join(packageRoot(), "targets", "wasm-simd", "assembly", "entry.ts");
}

/** A hash of everything the .wasm is built from. */
export function sourcesHash(): string {
  const h = createHash("sha256");
  h.update(ASC_FLAGS.join(" "));
  h.update(readFileSync(entryPath()));
  const dir = generatedWasmDir();
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts")).sort()) {
    h.update(f);
    h.update(readFileSync(join(dir, f)));
  }
  return h.digest("hex").slice(0, 16);
}

/** Why the target cannot be built here, or "" when it can. */
export function buildProblem(): string {
  if (!existsSync(join(generatedWasmDir(), "index.ts"))) return "generated/wasm-simd/index.ts is missing: run `npm run codegen`";
  if (!existsSync(join(packageRoot(), "node_modules", "assemblyscript"))) return "the assemblyscript package is not installed: run `npm install`";
  return "";
}

/** The path of the built .wasm, building it first when the sources changed. */
export async function buildWasmSimd(): Promise<string> {
  const problem = buildProblem();
  if (problem) throw new KilnError(`wasm-simd: ${problem}`);
  const dir = join(packageRoot(), ".cache", "wasm-simd");
  const out = join(dir, `kernels-${sourcesHash()}.wasm`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const { default: asc } = await import("assemblyscript/asc");
  // write beside the final name and rename, so a killed build never leaves a truncated module
  const partial = `${out}.${process.pid}.partial`;
  const stderr: string[] = [];
  const result = await asc.main([entryPath(), "--outFile", partial, ...ASC_FLAGS], {
    stdout: { write: () => true } as never,
    stderr: { write: (s: string | Uint8Array) => (stderr.push(typeof s === "string" ? s : Buffer.from(s).toString()), true) } as never,
  });
  if (result.error) throw new KilnError(`wasm-simd: asc failed on the generated kernels (a codegen bug; regenerate with \`npm run codegen\`): ${stderr.join("").slice(0, 2000)}`);
  renameSync(partial, out);
  return out;
}
