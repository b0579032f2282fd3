// kiln inspect MODEL [--json]: a GGUF file's metadata and tensor table. A split model is shown whole
// from any of its parts (engine/gguf/split.ts).
import type { Command } from "commander";
import { openModel } from "../../engine/gguf/split.js";
import { isGGUFArray, GGUF_VALUE_TYPE_NAMES, type GGUFValue } from "../../engine/gguf/types.js";
import { defaultModelPath } from "../../engine/paths.js";

function toJSONValue(v: GGUFValue): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (isGGUFArray(v)) return v.items.map(toJSONValue);
  return v;
}

function short(v: GGUFValue): string {
  if (isGGUFArray(v)) {
    const head = v.items.slice(0, 5).map(short).join(", ");
    return `[${GGUF_VALUE_TYPE_NAMES[v.itemType]} × ${v.items.length}: ${head}${v.items.length > 5 ? ", …" : ""}]`;
  }
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? v.slice(0, 77) + "..." : v);
  return String(v);
}

export interface InspectTensor {
  name: string;
  /** ggml's lower-case type name. */
  type: string;
  ne: number[];
  /** Index into `parts`. */
  part: number;
  offset: number;
  bytes: number;
}

export interface InspectResult {
  path: string;
  parts: string[];
  version: number;
  alignment: number;
  data_offset: number;
  metadata: Record<string, unknown>;
  tensors: InspectTensor[];
}

/** What `kiln inspect --json` prints. */
export function inspectModel(path: string): InspectResult {
  const f = openModel(path);
  try {
    return {
      path,
      parts: [...f.partPaths],
      version: f.version,
      alignment: f.alignment,
      data_offset: f.dataOffset,
      metadata: Object.fromEntries(f.kvs.map((kv) => [kv.key, toJSONValue(kv.value)])),
      tensors: f.tensors.map((t) => ({
        name: t.name, type: t.typeInfo.name, ne: [...t.ne], part: t.part, offset: t.offset, bytes: t.nbytes,
      })),
    };
  } finally {
    f.close();
  }
}

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("print a GGUF file's metadata and tensor table")
    .argument("[model]", "GGUF file (default: the embedded stories260K model)")
    .option("--json", "machine-readable JSON on stdout")
    .action((model: string | undefined, opts: { json?: boolean }) => {
      const path = model ?? defaultModelPath();
      if (opts.json) {
        process.stdout.write(JSON.stringify(inspectModel(path), null, 2) + "\n");
        return;
      }
      const f = openModel(path);
      try {
        const parts = f.partPaths.length > 1 ? ` in ${f.partPaths.length} split parts` : "";
        const out: string[] = [`${path}: GGUF v${f.version}, ${f.kvs.length} metadata keys, ${f.tensors.length} tensors${parts}`, ""];
        for (const kv of f.kvs) out.push(`  ${kv.key} = ${short(kv.value)}`);
        out.push("", "  name                              type     shape                offset        bytes");
        for (const t of f.tensors) {
          out.push(
            `  ${t.name.padEnd(32)}  ${t.typeInfo.name.padEnd(7)}  ${`[${t.ne.join(", ")}]`.padEnd(19)}  ${String(t.offset).padStart(12)}  ${String(t.nbytes).padStart(11)}`,
          );
        }
        process.stdout.write(out.join("\n") + "\n");
      } finally {
        f.close();
      }
    });
}
