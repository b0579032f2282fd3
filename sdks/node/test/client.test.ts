// kiln-client against a real `kiln serve` (stories260K on loopback): greedy text equal to llama.cpp's
// golden continuation, incremental streaming, cancellation, typed auth / RPC / connection errors,
// reconnect after the server returns, and the README's example run as written.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GenerationStream, KilnAuthError, KilnClient, KilnConnectionError, KilnRpcError, RpcCode } from "../src/index.js";
import { KilnHome, SDK_ROOT, greedyGolden, startServer, type RunningServer } from "./kiln-server.js";

const g = greedyGolden();
// A generation long enough to still be running when the client acts on its first tokens (stories260K's
// context is 512 tokens).
const LONG = 500;
const goldenText = (n: number): string => g.generated_pieces.slice(0, n).join("");
let home: KilnHome;
let server: RunningServer;

before(async () => {
  home = new KilnHome();
  server = await startServer(home);
});
after(async () => {
  await server?.kill("SIGTERM");
  home?.remove();
});

describe("kiln-client", () => {
  it("lists models, tokenizes and detokenizes like llama.cpp", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const models = await c.models();
    assert.equal(models.length, 1);
    assert.equal(models[0]!.architecture, "llama");
    const info = await c.modelInfo(models[0]!.id);
    assert.equal(info.vocab_size, 512);
    assert.equal(info.bos, 1);
    assert.deepEqual(await c.tokenize(g.prompt), g.prompt_token_ids);
    // llama.cpp's ids without the BOS it adds (id 1).
    assert.deepEqual(await c.tokenize(g.prompt, { addSpecial: false }), g.prompt_token_ids.slice(1));
    assert.equal(await c.detokenize(g.generated_token_ids.slice(0, 30)), goldenText(30));
    assert.ok((await c.methods()).includes("generate_v1_start"));
    await c.close();
  });

  it("closes cleanly: state closed, later calls fail with KilnConnectionError, no reconnect", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const stream = c.generate(g.prompt, { maxTokens: LONG, temperature: 0 });
    await stream[Symbol.asyncIterator]().next();
    await c.close();
    assert.equal(c.state, "closed");
    await assert.rejects(stream.result, KilnConnectionError);
    await assert.rejects(c.tokenize("x"), KilnConnectionError);
    await assert.rejects(c.ready(1000), KilnConnectionError);
  });

  it("generates at temperature 0 the golden greedy text, with usage, timings and finish reason", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const stream = c.generate(g.prompt, { maxTokens: 40, temperature: 0 });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.text);
    const r = await stream.result;
    assert.equal(pieces.join(""), goldenText(40));
    assert.equal(r.text, goldenText(40));
    assert.deepEqual(r.ids, g.generated_token_ids.slice(0, 40));
    assert.equal(r.finishReason, "length");
    assert.deepEqual(r.usage, { promptTokens: 5, completionTokens: 40, totalTokens: 45 });
    assert.ok(r.timings && r.timings.generateMs > 0 && r.timings.generateTokensPerSecond > 0);
    await c.close();
  });

  it("reports logprobs: at temperature 0 the chosen token is the top alternative, as in the golden run", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const chunks = [];
    for await (const chunk of c.generate(g.prompt, { maxTokens: 4, temperature: 0, logprobs: 2 })) chunks.push(chunk);
    assert.deepEqual(chunks.flatMap((ch) => ch.ids), g.generated_token_ids.slice(0, 4));
    for (const ch of chunks) {
      const lp = ch.logprobs![0]!;
      assert.equal(lp.id, ch.ids[0]);
      assert.equal(lp.top.length, 2);
      assert.equal(lp.top[0]!.id, ch.ids[0]);
      assert.ok(lp.logprob <= 0 && lp.top[1]!.logprob <= lp.top[0]!.logprob);
    }
    await c.close();
  });

  it("ends at a stop string with finish reason stop, the golden text up to it", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const r = await c.generate(g.prompt, { maxTokens: 40, temperature: 0, stop: ["Lily"] }).collect();
    const expected = goldenText(40).split("Lily")[0]!;
    assert.ok(expected.length < goldenText(40).length, "the golden text contains the stop string");
    assert.equal(r.text, expected);
    assert.equal(r.finishReason, "stop");
    await c.close();
  });

  it("generates from token ids as from text", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const r = await c.generate(g.prompt_token_ids, { maxTokens: 12, temperature: 0 }).collect();
    assert.deepEqual(r.ids, g.generated_token_ids.slice(0, 12));
    await c.close();
  });

  it("delivers tokens incrementally, before the generation has finished", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const stream = c.generate(g.prompt, { maxTokens: LONG, temperature: 0 });
    let chunks = 0;
    let doneAtFirst: boolean | undefined;
    for await (const chunk of stream) {
      if (chunks === 0) doneAtFirst = stream.done;
      assert.ok(chunk.ids.length >= 1);
      chunks++;
    }
    assert.equal(doneAtFirst, false);
    const r = await stream.result;
    assert.ok(chunks > 1, `${chunks} chunks`);
    assert.equal(chunks, r.ids.length);
    await c.close();
  });

  it("streams a chat reply with a typed result", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const stream = c.chat([{ role: "user", content: "Tell me a story." }], { maxTokens: 8, temperature: 0 });
    const ids: number[] = [];
    for await (const chunk of stream) ids.push(...chunk.ids);
    const r = await stream.result;
    assert.equal(r.finishReason === "length" || r.finishReason === "eog" || r.finishReason === "stop", true, r.finishReason);
    assert.deepEqual(r.ids, ids);
    assert.equal(r.usage.completionTokens, ids.length);
    assert.ok(r.usage.promptTokens > 0);
    assert.equal(r.text, await c.detokenize(ids));
    await c.close();
  });

  it("cancels mid-stream when the loop is left (generate_v1_stop) and keeps the connection usable", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const stream = c.generate(g.prompt, { maxTokens: LONG, temperature: 0 });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    const r = await stream.result;
    assert.equal(r.finishReason, "cancelled");
    assert.ok(r.ids.length >= 3 && r.ids.length < LONG, `${r.ids.length} tokens`);
    // The golden run has 256 tokens: compare what both have.
    assert.deepEqual(r.ids.slice(0, g.generated_token_ids.length), g.generated_token_ids.slice(0, r.ids.length));
    assert.deepEqual(await c.tokenize(g.prompt), g.prompt_token_ids);
    await c.close();
  });

  it("cancels through an AbortSignal and through cancel()", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    const ac = new AbortController();
    const s1 = c.generate(g.prompt, { maxTokens: LONG, temperature: 0, signal: ac.signal });
    for await (const _ of s1) {
      ac.abort();
      break;
    }
    assert.equal((await s1.result).finishReason, "cancelled");
    const s2: GenerationStream = c.generate(g.prompt, { maxTokens: LONG, temperature: 0 });
    const it2 = s2[Symbol.asyncIterator]();
    await it2.next();
    await s2.cancel();
    const r2 = await s2.result;
    assert.equal(r2.finishReason, "cancelled");
    assert.ok(r2.ids.length < LONG);
    await c.close();
  });

  it("rejects a wrong key, and a missing one, with KilnAuthError (code -32001)", async () => {
    for (const apiKey of ["kiln_wrong_key", undefined]) {
      await assert.rejects(KilnClient.connect(server.url, { apiKey, connectTimeoutMs: 5000 }), (e: unknown) => {
        assert.ok(e instanceof KilnAuthError, String(e));
        assert.equal(e.code, RpcCode.Unauthorized);
        return true;
      });
    }
  });

  it("rejects bad parameters with KilnRpcError carrying the code and the parameter", async () => {
    const c = await KilnClient.connect(server.url, { apiKey: home.apiKey });
    await assert.rejects(c.generate(g.prompt, { temperature: 7 }).collect(), (e: unknown) => {
      assert.ok(e instanceof KilnRpcError && !(e instanceof KilnAuthError), String(e));
      assert.equal(e.code, RpcCode.InvalidParams);
      assert.equal(e.param, "temperature");
      return true;
    });
    await assert.rejects(c.modelInfo("no-such-model"), (e: unknown) => e instanceof KilnRpcError && e.code === RpcCode.InvalidParams);
    await c.close();
  });

  it("gives KilnConnectionError when the server cannot be reached", async () => {
    await assert.rejects(KilnClient.connect("ws://127.0.0.1:1/ws", { apiKey: home.apiKey }), KilnConnectionError);
  });

  it("fails a running stream with KilnConnectionError when the server goes away, and reconnects when it returns", async () => {
    let own = await startServer(home);
    const c = await KilnClient.connect(own.url, { apiKey: home.apiKey, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    try {
      const stream = c.generate(g.prompt, { maxTokens: LONG, temperature: 0 });
      const it = stream[Symbol.asyncIterator]();
      assert.equal((await it.next()).done, false);
      await own.kill("SIGKILL");
      await assert.rejects(stream.result, KilnConnectionError);
      await assert.rejects(c.tokenize("x"), KilnConnectionError);
      assert.equal(c.state, "reconnecting");
      own = await startServer(home, own.port);
      await c.ready(30_000);
      assert.equal(c.state, "open");
      assert.deepEqual(await c.tokenize(g.prompt), g.prompt_token_ids);
      assert.equal((await c.generate(g.prompt, { maxTokens: 5, temperature: 0 }).collect()).text, goldenText(5));
    } finally {
      await c.close();
      await own.kill("SIGTERM");
    }
  });

  it("stops reconnecting when the key was revoked meanwhile: ready() rejects with KilnAuthError", async () => {
    const key = home.createKey("revoked-on-reconnect");
    let own = await startServer(home);
    const c = await KilnClient.connect(own.url, { apiKey: key, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    try {
      await own.kill("SIGKILL");
      home.revokeKey("revoked-on-reconnect");
      own = await startServer(home, own.port);
      await assert.rejects(c.ready(30_000), (e: unknown) => e instanceof KilnAuthError && e.code === RpcCode.Unauthorized);
      assert.equal(c.state, "closed");
    } finally {
      await c.close();
      await own.kill("SIGTERM");
    }
  });

  it("fails a running stream with the server's typed shutdown error when it drains (SIGTERM)", async () => {
    const own = await startServer(home);
    const c = await KilnClient.connect(own.url, { apiKey: home.apiKey, reconnect: false });
    try {
      const stream = c.generate(g.prompt, { maxTokens: LONG, temperature: 0 });
      assert.equal((await stream[Symbol.asyncIterator]().next()).done, false);
      own.child.kill("SIGTERM");
      await assert.rejects(stream.result, (e: unknown) => e instanceof KilnRpcError && e.code === RpcCode.ShuttingDown);
    } finally {
      await c.close();
      await own.kill("SIGTERM");
    }
  });

  it("runs the README example as written", () => {
    const readme = readFileSync(join(SDK_ROOT, "README.md"), "utf8");
    const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(code, "README.md has a ```js block");
    // A throwaway project that depends on this package, as a user's would.
    const dir = mkdtempSync(join(tmpdir(), "kiln-client-example-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(SDK_ROOT, join(dir, "node_modules", "kiln-client"), "dir");
      writeFileSync(join(dir, "example.mjs"), code);
      const r = spawnSync(process.execPath, ["example.mjs"], {
        cwd: dir, encoding: "utf8", timeout: 60_000,
        env: { ...process.env, KILN_URL: server.url.replace(/^http/, "ws") + "/ws", KILN_API_KEY: home.apiKey },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.startsWith(goldenText(20)), r.stdout);
      assert.match(r.stdout, /finish: length, 20 tokens/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
