// Where the outside truth lives: ../shared/golden beside the repository (KILN_GOLDEN overrides).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const GOLDEN = process.env.KILN_GOLDEN ?? resolve(REPO_ROOT, "../shared/golden");

export function golden(...parts: string[]): string {
  const p = join(GOLDEN, ...parts);
  if (!existsSync(p)) throw new Error(`golden file ${p} is missing (set KILN_GOLDEN to the shared/golden folder)`);
  return p;
}
