// The server's commands as a user runs them: `kiln serve --port 0` prints its address on one stdout
// line and drains on SIGTERM; `kiln api-key` creates (shown once), lists and revokes hashed keys;
// `kiln models` adds a validated GGUF to the store and `kiln serve -m NAME` serves it by name.

import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/main.js";
import { RpcClient, greedyGolden } from "./server-harness.js";
import { REPO_ROOT, golden } from "./golden.js";

const VITE_NODE = resolve(REPO_ROOT, "node_modules/vite-node/vite-node.mjs");
const ENTRY = resolve(REPO_ROOT, "test/server-kiln-entry.ts");
const home = mkdtempSync(join(tmpdir(), "kiln-cli-home-"));
const env = { ...process.env, KILN_HOME: home, KILN_PORT: "", KILN_HOST: "" };
const g = greedyGolden();

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs a kiln command in this process (as bin/kiln.js would), capturing its stdout, stderr and exit code. */
async function kiln(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { write: stdoutWrite } = process.stdout;
  const { write: stderrWrite } = process.stderr;
  process.env.KILN_HOME = home;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    await runCli(["node", "kiln", ...args]);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { status, stdout: out.join(""), stderr: err.join("") };
}

/** Starts `kiln serve ARGS --port 0`; resolves with the child and the URL from its one stdout line. */
async function serve(...args: string[]): Promise<{ child: ChildProcess; url: string; stdout: string[]; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [VITE_NODE, ENTRY, "serve", "--port", "0", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).on("line", (l) => {
      stdout.push(l);
      const m = /^kiln listening on (http:\/\/\S+)$/.exec(l);
      if (m) res(m[1]!);
    });
    void exited.then((code) => rej(new Error(`kiln serve exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, stdout, exited };
}

describe("kiln serve", () => {
  it("prints its address on one stdout line with --port 0; on SIGTERM lets running streams finish and refuses waiting ones", async () => {
    const s = await serve("--max-concurrent", "1", "--drain-timeout", "60");
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${s.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: g.prompt, max_tokens: 8, temperature: 0 }) });
    expect(((await res.json()) as { choices: { text: string }[] }).choices[0]!.text).toBe(g.generated_pieces.slice(0, 8).join(""));
    const c = await RpcClient.connect(s.url.replace("http", "ws") + "/ws");
    const running = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 256, temperature: 0 })).result as string;
    await c.waitFor((m) => !Array.isArray(m) && m.params?.subscription === running && m.params.result.event === "tokens");
    const waiting = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 8, temperature: 0 })).result as string;
    s.child.kill("SIGTERM");
    const drained = await c.stream(running);
    expect(drained.at(-1)).toMatchObject({ event: "done", finish_reason: "length", usage: { completion_tokens: 256 } });
    expect(drained.filter((e) => e.event === "tokens").map((e) => e.text).join("")).toBe(g.generated_pieces.join(""));
    expect(await c.stream(waiting)).toEqual([{ event: "error", error: expect.objectContaining({ code: -32002 }) }]);
    expect(await c.closed()).toBe(1001);
    expect(await s.exited).toBe(0);
    expect(s.stdout).toHaveLength(1);
  });

  it("cancels streams still running when the drain time is over, with a terminal error event", async () => {
    const s = await serve("--drain-timeout", "0");
    const c = await RpcClient.connect(s.url.replace("http", "ws") + "/ws");
    const sub = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 100_000, temperature: 0 })).result as string;
    await c.waitFor((m) => !Array.isArray(m) && m.params?.subscription === sub && m.params.result.event === "tokens");
    s.child.kill("SIGTERM");
    expect((await c.stream(sub)).at(-1)).toMatchObject({ event: "error", error: { code: -32002 } });
    expect(await c.closed()).toBe(1001);
    expect(await s.exited).toBe(0);
  });

  it("refuses a non-loopback address when no API key exists, unless --insecure", async () => {
    const r = await kiln("serve", "--host", "0.0.0.0", "--port", "0");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^kiln: refusing to listen on 0\.0\.0\.0 without API keys.*--insecure/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("kiln api-key and kiln models", () => {
  it("creates a key shown once and stored only hashed, lists it, and revokes it", async () => {
    const created = await kiln("api-key", "create", "--name", "ci");
    expect(created.status).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^kiln_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(join(home, "api-keys.json"), "utf8");
    expect(stored).not.toContain(key.split("_").at(-1));
    const list = JSON.parse((await kiln("api-key", "list", "--json")).stdout) as { id: string; name: string }[];
    expect(list).toEqual([expect.objectContaining({ id: key.slice(5, 17), name: "ci" })]);

    const s = await serve("--public-health");
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await kiln("api-key", "revoke", list[0]!.id)).status).toBe(0);
    expect((await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect((await kiln("api-key", "revoke", "nope")).stderr).toMatch(/^kiln: api key "nope" not found/);
  });

  it("adds a validated GGUF with its sha256, serves it by name, and removes it", async () => {
    const src = golden("models", "stories260k-q8_0.gguf");
    const add = await kiln("models", "add", src, "--name", "tiny-q8");
    expect(add.status, add.stderr).toBe(0);
    const info = JSON.parse((await kiln("models", "info", "tiny-q8")).stdout) as { sha256: string; architecture: string; type: string; size: number };
    const bytes = readFileSync(src);
    expect(info).toMatchObject({ architecture: "llama", type: "q8_0", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    const bad = join(home, "not-a-model.gguf");
    writeFileSync(bad, "this is not gguf");
    const refused = await kiln("models", "add", bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^kiln: .*not-a-model\.gguf/);

    const s = await serve("-m", "tiny-q8");
    const models = (await (await fetch(`${s.url}/v1/models`)).json()) as { data: { id: string; type: string }[] };
    expect(models.data.map((m) => [m.id, m.type])).toEqual([["tiny-q8", "q8_0"]]);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect((await kiln("models", "remove", "tiny-q8")).status).toBe(0);
    expect(JSON.parse((await kiln("models", "list", "--json")).stdout)).toEqual([]);
    expect((await kiln("serve", "-m", "tiny-q8")).stderr).toMatch(/^kiln: model "tiny-q8" is neither a file nor a name in the store/);

    // --link records the file where it is; removing the entry leaves the file alone.
    const copy = join(home, "linked.gguf");
    writeFileSync(copy, bytes);
    expect((await kiln("models", "add", copy, "--link")).stdout.trim()).toBe("linked");
    expect(JSON.parse((await kiln("models", "info", "linked")).stdout)).toMatchObject({ linked: true, path: copy, type: "q8_0" });
    expect((await kiln("models", "add", copy, "--link")).stderr).toMatch(/^kiln: a model named linked is already in the store/);
    expect((await kiln("models", "remove", "linked")).status).toBe(0);
    expect(readFileSync(copy).equals(bytes)).toBe(true);
  });
});
