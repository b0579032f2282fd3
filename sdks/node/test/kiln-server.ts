// Runs a real `kiln serve` for the tests: the kiln repository's bin/kiln.js (built with `npm run
// build`) over stories260K on loopback, with KILN_HOME in a temporary folder and one API key.
// KILN_REPO and KILN_GOLDEN override where the repository and the golden files are.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

function findRepo(): string {
  if (process.env.KILN_REPO) return resolve(process.env.KILN_REPO);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "kiln-llm") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the kiln repository above this test; set KILN_REPO");
    dir = up;
  }
}

export const REPO = findRepo();
export const GOLDEN = process.env.KILN_GOLDEN ?? resolve(REPO, "../shared/golden");
export const SDK_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KILN = join(REPO, "bin", "kiln.js");
const MODEL = join(REPO, "models", "stories260k-f32.gguf");

export interface Greedy {
  prompt: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  generated_pieces: string[];
}

/** llama.cpp's greedy continuation of "Once upon a time" by stories260k-f32 (golden/greedy). */
export function greedyGolden(): Greedy {
  return JSON.parse(readFileSync(join(GOLDEN, "greedy", "stories260k-f32.json"), "utf8")) as Greedy;
}

export class KilnHome {
  readonly dir = mkdtempSync(join(tmpdir(), "kiln-sdk-node-"));
  readonly apiKey: string;

  constructor() {
    this.apiKey = this.createKey("sdk-test");
  }

  /** `kiln api-key create --name NAME`: the key it prints. */
  createKey(name: string): string {
    return this.kiln("api-key", "create", "--name", name).trim();
  }

  /** `kiln api-key revoke NAME`. */
  revokeKey(name: string): void {
    this.kiln("api-key", "revoke", name);
  }

  private kiln(...args: string[]): string {
    const r = spawnSync(process.execPath, [KILN, ...args], { env: this.env(), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kiln ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  env(): NodeJS.ProcessEnv {
    return { ...process.env, KILN_HOME: this.dir, KILN_HOST: "", KILN_PORT: "" };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RunningServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Stops the process (SIGKILL: the server vanishes without a goodbye) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `kiln serve --port PORT` (0: a free one) and resolves with the address it prints. */
export async function startServer(home: KilnHome, port = 0): Promise<RunningServer> {
  const child = spawn(process.execPath, [KILN, "serve", "--port", String(port), "-m", MODEL, "--drain-timeout", "0"], { env: home.env(), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).on("line", (l) => {
      const m = /^kiln listening on (http:\/\/\S+)$/.exec(l);
      if (m) res(m[1]!);
    });
    void exited.then(() => rej(new Error(`kiln serve exited before listening: ${stderr}`)));
  });
  return {
    url, port: Number(new URL(url).port), child,
    kill: async (signal = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
