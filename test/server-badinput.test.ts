// Bad input against one running server that requires an API key: malformed JSON, wrong types, unknown
// methods, a 10 MB frame, 1,000 subscriptions on one connection, missing and wrong keys, clients that
// vanish mid-stream. Each is answered correctly; afterwards a normal request still gives llama.cpp's
// text and the heap is back near where it started.

import { request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../server/auth.js";
import { RpcCode } from "../server/errors.js";
import { BEARER_PROTOCOL_PREFIX, RPC_PROTOCOL } from "../server/rpc.js";
import { RpcClient, freshHome, greedyGolden, startTestServer, type RpcMessage, type TestServer } from "./server-harness.js";
import { parseExposition, value } from "./server-prometheus.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let srv: TestServer;
let key: string;
let auth: Record<string, string>;
let baselineHeap = 0;
const g = greedyGolden();

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function completion(): Promise<Response> {
  return fetch(`${srv.url}/v1/completions`, {
    method: "POST", headers: auth, body: JSON.stringify({ prompt: g.prompt, max_tokens: 16, temperature: 0 }),
  });
}

async function running(): Promise<number> {
  const res = await fetch(`${srv.url}/metrics`, { headers: auth });
  return value(parseExposition(await res.text()), "kiln_requests_running");
}

async function waitIdle(): Promise<void> {
  for (let i = 0; i < 200 && (await running()) !== 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(await running()).toBe(0);
}

beforeAll(async () => {
  const home = freshHome();
  key = createKey("test").key;
  auth = { authorization: `Bearer ${key}` };
  srv = await startTestServer({ maxConcurrent: 2 }, home);
  expect((await completion()).status).toBe(200); // warm up before the baseline
  baselineHeap = heapAfterGc();
});
afterAll(() => srv.close());

describe("authentication", () => {
  it("answers HTTP requests without a key or with a wrong one with 401 in OpenAI's shape", async () => {
    const none = await fetch(`${srv.url}/v1/models`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    expect(await none.json()).toMatchObject({ error: { type: "authentication_error", code: "invalid_api_key" } });
    const wrong = await fetch(`${srv.url}/v1/models`, { headers: { authorization: `Bearer ${key.slice(0, -4)}AAAA` } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${srv.url}/health`)).status).toBe(401);
    expect((await fetch(`${srv.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${srv.url}/v1/models`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${srv.url}/`)).status).toBe(200);
  });

  it("closes a WebSocket that sends no key, after an unauthorized error", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    c.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc_methods" }));
    const m = await c.waitFor<RpcMessage>(() => true);
    expect(m.error!.code).toBe(RpcCode.Unauthorized);
    expect(await c.closed()).toBe(1008);
  });

  it("closes a WebSocket whose Authorization header carries a wrong key", async () => {
    const c = await RpcClient.connect(srv.wsUrl, { headers: { authorization: "Bearer kiln_000000000000_" + "A".repeat(43) } });
    const m = await c.waitFor<RpcMessage>(() => true);
    expect(m.error!.code).toBe(RpcCode.Unauthorized);
    expect(await c.closed()).toBe(1008);
  });

  it("accepts the key as a header, as a subprotocol, or in auth_v1_login", async () => {
    const h = await RpcClient.connect(srv.wsUrl, { headers: auth });
    expect((await h.call("model_v1_list")).result).toBeInstanceOf(Array);
    h.close();
    const p = await RpcClient.connect(srv.wsUrl, { protocols: [RPC_PROTOCOL, BEARER_PROTOCOL_PREFIX + key] });
    expect(p.ws.protocol).toBe(RPC_PROTOCOL);
    expect((await p.call("model_v1_list")).result).toBeInstanceOf(Array);
    p.close();
    const l = await RpcClient.connect(srv.wsUrl);
    expect((await l.call("auth_v1_login", { key })).result).toBe(true);
    expect((await l.call("model_v1_list")).result).toBeInstanceOf(Array);
    l.close();
    const bad = await RpcClient.connect(srv.wsUrl);
    expect((await bad.call("auth_v1_login", { key: "kiln_nope" })).error!.code).toBe(RpcCode.Unauthorized);
    expect(await bad.closed()).toBe(1008);
  });
});

describe("malformed requests", () => {
  it("answers malformed JSON, wrong types and unknown methods on HTTP", async () => {
    const post = (path: string, body: string): Promise<Response> => fetch(`${srv.url}${path}`, { method: "POST", headers: auth, body });
    let r = await post("/v1/chat/completions", '{"messages": [');
    expect(r.status).toBe(400);
    r = await post("/v1/chat/completions", JSON.stringify({ messages: "hello" }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { param: string } }).error.param).toBe("messages");
    r = await post("/v1/completions", JSON.stringify({ prompt: "x", max_tokens: -1 }));
    expect(r.status).toBe(400);
    r = await post("/v1/completions", JSON.stringify({ prompt: [1, 2, 99999] }));
    expect(r.status).toBe(400);
    r = await post("/v1/completions", JSON.stringify([1, 2]));
    expect(r.status).toBe(400);
    r = await post("/v1/completions", "x".repeat(5 << 20));
    expect(r.status).toBe(413);
  });

  it("answers a 10 MB WebSocket frame with -32007 and keeps the connection", async () => {
    const c = await RpcClient.connect(srv.wsUrl, { headers: auth });
    c.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tokenizer_v1_encode", params: { text: "a".repeat(10 << 20) } }));
    const m = await c.waitFor<RpcMessage>(() => true);
    expect(m.error!.code).toBe(RpcCode.MessageTooLarge);
    expect((await c.call("tokenizer_v1_encode", { text: g.prompt })).result).toEqual({ ids: g.prompt_token_ids });
    c.close();
  });

  it("refuses subscriptions past the per-connection limit when 1,000 arrive on one connection", async () => {
    const c = await RpcClient.connect(srv.wsUrl, { headers: auth });
    for (let i = 0; i < 1000; i++) {
      c.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: i, method: "generate_v1_start", params: { prompt: g.prompt, max_tokens: 500, temperature: 0 } }));
    }
    await c.waitFor(() => c.messages.filter((m) => !Array.isArray(m) && m.id !== undefined && m.id !== null).length === 1000, 60_000);
    const responses = c.messages.filter((m): m is RpcMessage => !Array.isArray(m) && typeof m.id === "number");
    const accepted = responses.filter((m) => typeof m.result === "string").map((m) => m.result as string);
    const refused = responses.filter((m) => m.error?.code === RpcCode.TooManySubscriptions);
    expect(accepted).toHaveLength(32);
    expect(refused).toHaveLength(968);
    for (const s of accepted) c.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: `stop-${s}`, method: "generate_v1_stop", params: [s] }));
    for (const s of accepted) expect((await c.stream(s)).at(-1)).toEqual({ event: "stop" });
    c.close();
    await waitIdle();
  });

  it("frees the slot at once when a WebSocket client vanishes mid-stream", async () => {
    const c = await RpcClient.connect(srv.wsUrl, { headers: auth });
    const sub = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 1500, temperature: 0 })).result as string;
    await c.waitFor((m) => !Array.isArray(m) && m.params?.subscription === sub && m.params.result.event === "tokens");
    expect(await running()).toBe(1);
    c.ws.terminate();
    await waitIdle();
  });

  it("frees the slot at once when an SSE client disconnects mid-stream", async () => {
    const u = new URL(`${srv.url}/v1/completions`);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...auth, "content-type": "application/json" } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(e)));
      req.end(JSON.stringify({ prompt: g.prompt, max_tokens: 1500, temperature: 0, stream: true }));
    });
    await waitIdle();
  });

  it("still serves a normal request correctly afterwards, with memory back near its baseline", async () => {
    const r = await completion();
    expect(r.status).toBe(200);
    expect(((await r.json()) as { choices: { text: string }[] }).choices[0]!.text).toBe(g.generated_pieces.slice(0, 16).join(""));
    const grown = heapAfterGc() - baselineHeap;
    expect(grown).toBeLessThan(24 << 20);
  });
});
