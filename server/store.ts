// The model store in KILN_HOME: `kiln models add` validates a GGUF (it must open with GGUFFile.open),
// copies it to KILN_HOME/models/NAME.gguf (or records a link to it with --link) and records its name,
// architecture, type, size and SHA-256 in KILN_HOME/models.json; `kiln serve -m NAME` serves it by name.

import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { ensureHome, kilnHome, readJsonFile, writeJsonFileAtomic } from "./home.js";

export interface StoredModel {
  readonly name: string;
  /** Absolute path of the GGUF file (inside the store, or the original with --link). */
  readonly path: string;
  readonly linked: boolean;
  readonly architecture: string;
  /** The ggml type holding most of the weights (f32, q8_0, q4_k, ...). */
  readonly type: string;
  readonly size: number;
  readonly sha256: string;
  readonly added: string;
}

interface StoreFile {
  models: StoredModel[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function storePath(): string {
  return join(kilnHome(), "models.json");
}

export function listModels(): StoredModel[] {
  return readJsonFile<StoreFile>(storePath(), { models: [] }).models;
}

export function findModel(name: string): StoredModel | undefined {
  return listModels().find((m) => m.name === name);
}

/** A model's name from its file name: stories260k-f32.gguf -> stories260k-f32. */
export function nameFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

/** Architecture and dominant weight type, read from the GGUF header (throws GGUFError if it is not one). */
export function describeGGUF(path: string): { architecture: string; type: string } {
  const f = GGUFFile.open(path);
  try {
    const architecture = f.getString("general.architecture") ?? "unknown";
    const bytesByType = new Map<string, number>();
    for (const t of f.tensors) bytesByType.set(t.typeInfo.name, (bytesByType.get(t.typeInfo.name) ?? 0) + t.nbytes);
    let type = "none";
    let most = -1;
    for (const [k, v] of bytesByType) if (v > most) [type, most] = [k, v];
    return { architecture, type };
  } finally {
    f.close();
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (d) => h.update(d))
      .on("error", rej)
      .on("end", () => res(h.digest("hex")));
  });
}

export async function addModel(src: string, opts: { name?: string; link?: boolean } = {}): Promise<StoredModel> {
  const abs = resolve(src);
  if (!existsSync(abs)) throw new KilnError(`model file ${src} does not exist; give the path of a .gguf file`);
  const name = opts.name ?? nameFromPath(abs);
  if (!NAME_RE.test(name)) {
    throw new KilnError(`model name ${JSON.stringify(name)} is not allowed; use letters, digits, '.', '_' and '-' (pass --name)`);
  }
  if (findModel(name)) throw new KilnError(`a model named ${name} is already in the store; pick another --name or \`kiln models remove ${name}\``);
  const { architecture, type } = describeGGUF(abs);
  const sha256 = await sha256File(abs);
  const home = ensureHome();
  let path = abs;
  if (!opts.link) {
    const dir = join(home, "models");
    mkdirSync(dir, { recursive: true });
    path = join(dir, `${name}.gguf`);
    copyFileSync(abs, path);
  }
  const rec: StoredModel = {
    name, path, linked: !!opts.link, architecture, type, size: statSync(abs).size, sha256, added: new Date().toISOString(),
  };
  const models = listModels();
  models.push(rec);
  writeJsonFileAtomic(storePath(), { models } satisfies StoreFile);
  return rec;
}

export function removeModel(name: string): StoredModel {
  const models = listModels();
  const i = models.findIndex((m) => m.name === name);
  if (i < 0) throw new KilnError(`no model named ${JSON.stringify(name)} in ${storePath()}; \`kiln models list\` shows the names`);
  const [rec] = models.splice(i, 1);
  writeJsonFileAtomic(storePath(), { models } satisfies StoreFile);
  if (!rec!.linked) rmSync(rec!.path, { force: true });
  return rec!;
}

/** A -m argument: an existing file path, else a name in the store. */
export function resolveModelArg(arg: string): { name: string; path: string } {
  const stored = findModel(arg);
  if (existsSync(arg) && statSync(arg).isFile()) return { name: nameFromPath(arg), path: resolve(arg) };
  if (stored) {
    if (!existsSync(stored.path)) {
      throw new KilnError(`model ${arg}: its file ${stored.path} is gone; \`kiln models remove ${arg}\` and add it again`);
    }
    return { name: stored.name, path: stored.path };
  }
  const names = listModels().map((m) => m.name);
  throw new KilnError(
    `model ${JSON.stringify(arg)} is neither a file nor a name in the store (${names.length ? names.join(", ") : "the store is empty"}); ` +
      "give a .gguf path or `kiln models add PATH`",
  );
}
