// Locating files shipped with the package, from source (vitest) and from dist/ alike.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The folder holding kiln's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "kiln-llm") {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("internal: cannot find kiln's package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** stories260K (MIT, see models/LICENSE-stories260k.md): what kiln runs when no model is named. */
export function defaultModelPath(): string {
  return join(packageRoot(), "models", "stories260k-f32.gguf");
}
