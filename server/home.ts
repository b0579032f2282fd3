// KILN_HOME: where kiln keeps its state (API keys, the model store). Default ~/.kiln.
// Files are written whole to a temporary name and renamed, so a crash never leaves half a file.

import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KilnError } from "../engine/errors.js";

export function kilnHome(): string {
  return process.env.KILN_HOME && process.env.KILN_HOME !== "" ? process.env.KILN_HOME : join(homedir(), ".kiln");
}

export function ensureHome(): string {
  const home = kilnHome();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return home;
}

export function readJsonFile<T>(path: string, fallback: T): T {
  if (!existsSync(path)) return fallback;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new KilnError(`${path} is not valid JSON (${(e as Error).message}); fix or delete it`);
  }
}

export function writeJsonFileAtomic(path: string, value: unknown, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode });
  renameSync(tmp, path);
}
