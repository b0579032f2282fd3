// Where the outside truth lives: ../shared/golden beside the repository (KILN_GOLDEN overrides).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const GOLDEN = process.env.KILN_GOLDEN ?? resolve(REPO_ROOT, "../shared/golden");

export function golden(...parts: string[]): string {
  const p = join(GOLDEN, ...parts);
  if (!existsSync(p)) throw new Error(`golden file ${p} is missing (set KILN_GOLDEN to the shared/golden folder)`);
  return p;
}

/** A golden .f32 file (little-endian float32, as the golden README describes) as a Float32Array. */
export function readF32(path: string): Float32Array {
  const buf = readFileSync(path);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Normalised mean squared error of a against the reference b: sum (a - b)^2 / sum b^2. */
export function nmse(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return num / den;
}
