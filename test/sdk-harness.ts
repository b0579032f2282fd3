// Runs an SDK's own test suite (sdks/node, sdks/python, sdks/go) as a child process for vitest: each
// suite starts its own `kiln serve` from bin/kiln.js, so the CLI must be built (dist/) first.

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, GOLDEN } from "./golden.js";

/** Builds dist/ once if it is missing (CI's `npm ci` builds it through `prepare`). */
export function ensureBuilt(): void {
  if (existsSync(join(REPO_ROOT, "dist", "cli", "main.js"))) return;
  const r = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Why a toolchain cannot run here, or undefined when it can. */
export function missingTool(cmd: string, args: string[], what: string): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error || r.status !== 0) return `${what} is not installed (\`${cmd} ${args.join(" ")}\` failed; CI installs it from .ci/run's apt_pkgs)`;
  return undefined;
}

export interface SuiteRun {
  code: number | null;
  output: string;
}

/** Runs a command with the repository and golden folders in its environment; collects stdout+stderr. */
export function runSuite(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<SuiteRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, KILN_REPO: REPO_ROOT, KILN_GOLDEN: GOLDEN, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => resolve({ code: -1, output: output + String(e) }));
    child.on("close", (code) => resolve({ code, output }));
  });
}
