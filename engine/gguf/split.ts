// Split GGUF models, as llama.cpp's gguf-split writes them: NAME-00001-of-00003.gguf, ... Every part
// carries split.no (u16, 0-based), split.count (u16) and, in the first part, split.tensors.count (i32);
// the first part holds all other metadata. openModel opens every part from any one of them and
// presents one model. Reference: llama.cpp examples/gguf-split and llama_split_path/llama_split_prefix.

import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { GGUFError } from "../errors.js";
import { GGUFFile } from "./reader.js";
import { GGUFValueType, type GGUFKV } from "./types.js";
import { writeGGUF, type GGUFWriterSpec } from "./writer.js";

export const LLM_KV_SPLIT_NO = "split.no";
export const LLM_KV_SPLIT_COUNT = "split.count";
export const LLM_KV_SPLIT_TENSORS_COUNT = "split.tensors.count";

const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** The path of part `no` (0-based) of `count`: PREFIX-0000N-of-0000M.gguf. */
export function splitPath(prefix: string, no: number, count: number): string {
  return `${prefix}-${String(no + 1).padStart(5, "0")}-of-${String(count).padStart(5, "0")}.gguf`;
}

/** Prefix, part (0-based) and count from a split file name, or undefined for a plain name. */
export function parseSplitPath(path: string): { prefix: string; no: number; count: number } | undefined {
  const m = SPLIT_NAME.exec(basename(path));
  if (!m) return undefined;
  return { prefix: join(dirname(path), m[1]!), no: Number(m[2]) - 1, count: Number(m[3]) };
}

function splitNumbers(f: GGUFFile): { no: number; count: number } | undefined {
  const count = f.getNumber(LLM_KV_SPLIT_COUNT);
  if (count === undefined) return undefined;
  return { no: f.getNumber(LLM_KV_SPLIT_NO) ?? 0, count };
}

/**
 * Opens a model: a single GGUF file, or all parts of a split model given any one of them. The result
 * has the first part's metadata and every part's tensors; readTensor reads from the right part.
 */
export function openModel(path: string): GGUFFile {
  const given = GGUFFile.open(path);
  const s = splitNumbers(given);
  if (!s || s.count <= 1) return given;
  const name = parseSplitPath(path);
  if (!name) {
    given.close();
    throw new GGUFError(
      `${path}: split.count is ${s.count} but the name does not end in -0000N-of-${String(s.count).padStart(5, "0")}.gguf; ` +
        "rename the parts as gguf-split wrote them so the others can be found",
    );
  }
  const parts: GGUFFile[] = [];
  try {
    for (let i = 0; i < s.count; i++) {
      const p = splitPath(name.prefix, i, s.count);
      if (i === s.no && p === path) {
        parts.push(given);
        continue;
      }
      if (!existsSync(p)) throw new GGUFError(`${path}: split part ${i + 1} of ${s.count} (${p}) is missing`);
      const f = GGUFFile.open(p);
      parts.push(f);
      const fs = splitNumbers(f);
      if (!fs || fs.no !== i || fs.count !== s.count) {
        throw new GGUFError(
          `${p}: split.no/split.count are ${fs ? `${fs.no}/${fs.count}` : "missing"}, expected ${i}/${s.count} (a part from another model?)`,
        );
      }
    }
    if (!parts.includes(given)) given.close();
    const model = GGUFFile.fromParts(parts);
    const expected = parts[0]!.getNumber(LLM_KV_SPLIT_TENSORS_COUNT);
    if (expected !== undefined && expected !== model.tensors.length) {
      throw new GGUFError(
        `${parts[0]!.path}: split.tensors.count is ${expected} but the ${s.count} parts hold ${model.tensors.length} tensors`,
      );
    }
    return model;
  } catch (e) {
    for (const f of parts) f.close();
    if (!parts.includes(given)) given.close();
    throw e;
  }
}

/**
 * Writes `spec` as split parts the way gguf-split does: part 1 has all metadata plus the split keys,
 * later parts only the split keys; `tensorsPerPart` tensors go in each part in order.
 */
export async function writeSplitGGUF(prefix: string, spec: GGUFWriterSpec, tensorsPerPart: number): Promise<string[]> {
  const count = Math.max(1, Math.ceil(spec.tensors.length / tensorsPerPart));
  const splitKVs = (no: number): GGUFKV[] => [
    { key: LLM_KV_SPLIT_NO, type: GGUFValueType.UINT16, value: no },
    { key: LLM_KV_SPLIT_COUNT, type: GGUFValueType.UINT16, value: count },
    { key: LLM_KV_SPLIT_TENSORS_COUNT, type: GGUFValueType.INT32, value: spec.tensors.length },
  ];
  const base = spec.kvs.filter((k) => !k.key.startsWith("split."));
  const paths: string[] = [];
  for (let no = 0; no < count; no++) {
    const path = splitPath(prefix, no, count);
    await writeGGUF(path, {
      version: spec.version,
      kvs: no === 0 ? [...base, ...splitKVs(no)] : splitKVs(no),
      tensors: spec.tensors.slice(no * tensorsPerPart, (no + 1) * tensorsPerPart),
    });
    paths.push(path);
  }
  return paths;
}
