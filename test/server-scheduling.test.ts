// Admission and flow control: generations start in arrival order (FIFO) under --max-concurrent; a full
// queue refuses more (HTTP 429, JSON-RPC -32009); a waiter that is stopped leaves the queue without ever starting; a client that stops reading is
// paused, then cut off with -32009, so it neither holds slots nor grows the server's buffers for long.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcCode } from "../server/errors.js";
import { RpcClient, greedyGolden, startTestServer, type TestServer } from "./server-harness.js";
import { parseExposition, value } from "./server-prometheus.js";

let srv: TestServer;
const g = greedyGolden();

beforeAll(async () => {
  srv = await startTestServer({ maxConcurrent: 1, maxQueue: 3 });
});
afterAll(() => srv.close());

const isEvent = (sub: string, event: string) => (m: unknown): boolean =>
  !Array.isArray(m) && (m as { params?: { subscription: string; result: { event: string } } }).params?.subscription === sub &&
  (m as { params: { result: { event: string } } }).params.result.event === event;

describe("scheduling", () => {
  it("starts waiting generations in arrival order, refuses more than the queue holds, and a stopped waiter never starts", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const start = async (n: number): Promise<string> => (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: n, temperature: 0 })).result as string;
    const a = await start(1500);
    await c.waitFor(isEvent(a, "tokens"));
    const b = await start(3);
    const x = await start(3);
    const d = await start(3);
    // The queue (3 long here) is full: a streaming HTTP request is refused before any SSE is sent.
    const refused = await fetch(`${srv.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: g.prompt, max_tokens: 3, stream: true }) });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { type: "rate_limit_error", code: "queue_full" } });
    const refusedRpc = await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 3 });
    expect(await c.stream(refusedRpc.result as string)).toEqual([{ event: "error", error: expect.objectContaining({ code: RpcCode.QueueFull }) }]);
    expect((await c.call("generate_v1_stop", { subscription: x })).result).toBe(true);
    expect(await c.stream(x)).toEqual([{ event: "stop" }]);
    await c.call("generate_v1_stop", { subscription: a });
    await c.stream(b);
    await c.stream(d);
    const startedOrder = c.messages
      .filter((m) => !Array.isArray(m) && m.params?.result.event === "started")
      .map((m) => (m as { params: { subscription: string } }).params.subscription);
    expect(startedOrder).toEqual([a, b, d]);
    c.close();
  });
});

describe("flow control", () => {
  it("cuts off the streams of a client that stops reading with -32009, frees their slots, and drops a client that floods requests without reading", async () => {
    // The kernel's socket buffers take a few MB before the server's own buffer grows, so the paused
    // client needs several verbose streams (top-20 logprobs) to get there.
    const bp = await startTestServer({ maxConcurrent: 4, limits: { maxBufferedBytes: 16 << 10, slowReaderSeconds: 1 } });
    try {
      const c = await RpcClient.connect(bp.wsUrl);
      const subs: string[] = [];
      for (let i = 0; i < 4; i++) subs.push((await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 2000, temperature: 0, logprobs: 20 })).result as string);
      c.ws.pause();
      for (let i = 0; i < 600 && bp.server.ctx.live.size > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(bp.server.ctx.live.size).toBe(0);
      // Another client is served in full while the slow one is still not reading.
      const other = await RpcClient.connect(bp.wsUrl);
      const o = (await other.call("generate_v1_start", { prompt: g.prompt, max_tokens: 8, temperature: 0 })).result as string;
      expect((await other.stream(o)).filter((e) => e.event === "tokens").map((e) => e.text).join("")).toBe(g.generated_pieces.slice(0, 8).join(""));
      other.close();
      c.ws.resume();
      for (const s of subs) {
        const events = await c.stream(s, 60_000);
        expect(events.at(-1)).toMatchObject({ event: "error", error: { code: RpcCode.QueueFull } });
        expect(events.filter((e) => e.event === "tokens").length).toBeLessThan(2000);
      }
      c.close();

      // A client that sends requests but never reads the answers: the server stops reading it, then
      // ends the connection, instead of queueing answers without bound.
      const flood = await RpcClient.connect(bp.wsUrl);
      flood.ws.pause();
      const text = "Once upon a time there was a little girl. ".repeat(40);
      for (let i = 0; i < 3000; i++) flood.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: i, method: "tokenizer_v1_encode", params: { text } }));
      const connections = async (): Promise<number> => value(parseExposition(await (await fetch(`${bp.url}/metrics`)).text()), "kiln_websocket_connections");
      for (let i = 0; i < 300 && (await connections()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await connections()).toBe(0);
      flood.ws.resume();
      expect(await flood.closed()).toBe(1006);
      expect(flood.messages.length).toBeLessThan(3000);
    } finally {
      await bp.close();
    }
  });
});
