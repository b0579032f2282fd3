// Where the tokenizer benchmark finds its vocabularies: llama.cpp's vocab-only GGUFs in
// shared/golden/tokenizer beside the repository (KILN_GOLDEN overrides), as the tests do.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { KilnError } from "../engine/errors.js";
import { packageRoot } from "../engine/paths.js";

const dir = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
export const GOLDEN_DIR_HINT = dir;

export function goldenTokenizerPath(name: string): string {
  const p = join(dir, "tokenizer", name);
  if (!existsSync(p)) throw new KilnError(`benchmark vocabulary ${p} is missing (set KILN_GOLDEN to the shared/golden folder)`);
  return p;
}
