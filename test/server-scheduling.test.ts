// Admission: generations start in arrival order (FIFO) under --max-concurrent, and a waiter that is
// stopped leaves the queue without ever starting.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcClient, greedyGolden, startTestServer, type TestServer } from "./server-harness.js";

let srv: TestServer;
const g = greedyGolden();

beforeAll(async () => {
  srv = await startTestServer({ maxConcurrent: 1 });
});
afterAll(() => srv.close());

const isEvent = (sub: string, event: string) => (m: unknown): boolean =>
  !Array.isArray(m) && (m as { params?: { subscription: string; result: { event: string } } }).params?.subscription === sub &&
  (m as { params: { result: { event: string } } }).params.result.event === event;

describe("scheduling", () => {
  it("starts waiting generations in arrival order, and a stopped waiter never starts", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const start = async (n: number): Promise<string> => (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: n, temperature: 0 })).result as string;
    const a = await start(1500);
    await c.waitFor(isEvent(a, "tokens"));
    const b = await start(3);
    const x = await start(3);
    const d = await start(3);
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
