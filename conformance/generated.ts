// Whether generated/ holds the current version of a kernel: a target that runs generated code (wasm-simd,
// metal-cpu, wgsl, cuda) calls this from supports(), so a kernel edited since the last `npm run codegen`
// is reported as "regenerate" instead of failing on a stale binding list or testing old code.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KernelIR } from "../codegen/ir/types.js";
import { packageRoot } from "../engine/paths.js";
import type { Availability } from "./target.js";

interface ManifestEntry {
  readonly name: string;
  readonly source: string;
  readonly line: number;
  readonly buffers: readonly { readonly name: string }[];
  readonly uniforms: readonly { readonly name: string }[];
  readonly files: Readonly<Record<string, string>>;
}

let cache: { text: string; byName: Map<string, ManifestEntry> } | undefined;

function manifest(): Map<string, ManifestEntry> | undefined {
  let text: string;
  try {
    text = readFileSync(join(packageRoot(), "generated", "manifest.json"), "utf8");
  } catch {
    return undefined;
  }
  if (cache?.text !== text) cache = { text, byName: new Map(((JSON.parse(text) as { kernels?: ManifestEntry[] }).kernels ?? []).map((k) => [k.name, k])) };
  return cache.byName;
}

/**
 * ok when generated/manifest.json lists `kernel` from the same file and line, with the same buffers and
 * uniforms, and (when `file` is given, e.g. "wasm") a generated source for that target.
 */
export function generatedMatches(kernel: KernelIR, file?: string): Availability {
  const fix = "run `npm run codegen`";
  const m = manifest();
  if (!m) return { ok: false, why: `generated/manifest.json is missing: ${fix}` };
  const g = m.get(kernel.name);
  if (!g) return { ok: false, why: `kernel ${kernel.name} is not in generated/manifest.json: ${fix}` };
  if (file && !g.files[file]) return { ok: false, why: `generated/ has no ${file} source for ${kernel.name}: ${fix}` };
  const names = (xs: readonly { readonly name: string }[]): string => xs.map((x) => x.name).join(",");
  if (g.source !== kernel.source || g.line !== kernel.loc.line || names(g.buffers) !== names(kernel.buffers) || names(g.uniforms) !== names(kernel.uniforms)) {
    return { ok: false, why: `generated/ holds an older ${kernel.name} (${g.source}:${g.line}) than ${kernel.source}:${kernel.loc.line}: ${fix}` };
  }
  return { ok: true, why: "" };
}
