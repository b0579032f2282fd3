// The WebSocket JSON-RPC API with a plain `ws` client: discovery, a generate stream (greedy text as
// llama.cpp's golden), stop mid-stream, batches, and every error code in server/errors.ts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultModelPath } from "../engine/paths.js";
import { loadModel } from "../engine/runtime/model.js";
import { RpcCode } from "../server/errors.js";
import { MODEL_ID, RpcClient, greedyGolden, startTestServer, type RpcMessage, type TestServer } from "./server-harness.js";

let srv: TestServer;
const g = greedyGolden();

beforeAll(async () => {
  srv = await startTestServer({ limits: { maxSubscriptions: 4, maxMessageBytes: 64 * 1024 }, heartbeatMs: 150 });
});
afterAll(() => srv.close());

describe("WebSocket JSON-RPC 2.0", () => {
  it("lists its methods with rpc_methods", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const r = await c.call("rpc_methods");
    const methods = (r.result as { methods: string[] }).methods;
    for (const m of ["rpc_methods", "model_v1_list", "model_v1_info", "tokenizer_v1_encode", "tokenizer_v1_decode", "generate_v1_start", "generate_v1_stop", "chat_v1_start"]) {
      expect(methods).toContain(m);
    }
    c.close();
  });

  it("describes the model and tokenizes like llama.cpp", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const list = await c.call("model_v1_list");
    expect((list.result as { id: string }[]).map((m) => m.id)).toEqual([MODEL_ID]);
    const info = await c.call("model_v1_info", { model: MODEL_ID });
    expect(info.result).toMatchObject({ id: MODEL_ID, architecture: "llama", vocab_size: 512, bos: 1, eos: 2 });
    const enc = await c.call("tokenizer_v1_encode", { text: g.prompt });
    expect(enc.result).toEqual({ ids: g.prompt_token_ids });
    const dec = await c.call("tokenizer_v1_decode", { ids: g.generated_token_ids.slice(0, 30) });
    expect(dec.result).toEqual({ text: g.generated_pieces.slice(0, 30).join("") });
    c.close();
  });

  it("streams a generation: the subscription id first, then started, tokens, done — the golden text", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const r = await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 40, temperature: 0 });
    const sub = r.result as string;
    expect(typeof sub).toBe("string");
    const events = await c.stream(sub);
    // The response came before any event of its subscription.
    const respIdx = c.messages.indexOf(r);
    const firstEvent = c.messages.findIndex((m) => !Array.isArray(m) && m.params?.subscription === sub);
    expect(respIdx).toBeLessThan(firstEvent);
    expect(events[0]).toMatchObject({ event: "started", model: MODEL_ID, prompt_tokens: 5 });
    const tokens = events.filter((e) => e.event === "tokens");
    expect(tokens.map((e) => e.text).join("")).toBe(g.generated_pieces.slice(0, 40).join(""));
    expect(tokens.flatMap((e) => e.ids as number[])).toEqual(g.generated_token_ids.slice(0, 40));
    expect(events.at(-1)).toMatchObject({ event: "done", finish_reason: "length", usage: { prompt_tokens: 5, completion_tokens: 40, total_tokens: 45 } });
    expect(events.filter((e) => ["done", "error", "stop"].includes(e.event))).toHaveLength(1);
    c.close();
  });

  it("stops a stream mid-way: a stop event ends it and nothing follows", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const sub = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 2000, temperature: 0 })).result as string;
    await c.waitFor((m) => !Array.isArray(m) && m.params?.subscription === sub && m.params.result.event === "tokens");
    const stop = await c.call("generate_v1_stop", { subscription: sub });
    expect(stop.result).toBe(true);
    const events = await c.stream(sub);
    expect(events.at(-1)).toEqual({ event: "stop" });
    const n = events.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(c.events(sub)).toHaveLength(n);
    expect(events.filter((e) => e.event === "tokens").length).toBeLessThan(2000);
    const again = await c.call("generate_v1_stop", [sub]);
    expect(again.result).toBe(false);
    c.close();
  });

  it("streams a chat reply with the text the runtime's Session gives at temperature 0", async () => {
    const messages = [{ role: "user", content: "Tell me a story about a dog." }];
    const model = await loadModel(defaultModelPath());
    const expected = await model.createSession().chat(messages, { temperature: 0, maxTokens: 24 }).result;
    model.close();
    const c = await RpcClient.connect(srv.wsUrl);
    const sub = (await c.call("chat_v1_start", { messages, max_tokens: 24, temperature: 0 })).result as string;
    const events = await c.stream(sub);
    expect(events.filter((e) => e.event === "tokens").map((e) => e.text).join("")).toBe(expected.text);
    expect(events.at(-1)).toMatchObject({ event: "done", usage: { prompt_tokens: expected.usage.promptTokens, completion_tokens: expected.usage.completionTokens } });
    c.close();
  });

  it("ends a connection whose peer stops answering pings, and keeps one that answers", async () => {
    const deaf = await RpcClient.connect(srv.wsUrl, { autoPong: false });
    const live = await RpcClient.connect(srv.wsUrl);
    expect(await deaf.closed()).toBe(1006);
    expect((await live.call("rpc_methods")).result).toBeDefined();
    live.close();
  });

  it("answers a batch with an array of responses, notifications left out", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    c.sendRaw(JSON.stringify([
      { jsonrpc: "2.0", id: "a", method: "tokenizer_v1_encode", params: { text: "Once upon a time" } },
      { jsonrpc: "2.0", method: "rpc_methods" },
      { jsonrpc: "2.0", id: "b", method: "no_such_method" },
      { jsonrpc: "2.0", id: "c", method: "generate_v1_start", params: { prompt: g.prompt, max_tokens: 3, temperature: 0 } },
      { foo: 1 },
    ]));
    const batch = await c.waitFor<RpcMessage[]>((m) => Array.isArray(m));
    expect(batch).toHaveLength(4);
    const byId = new Map(batch.map((m) => [m.id, m]));
    expect(byId.get("a")!.result).toEqual({ ids: g.prompt_token_ids });
    expect(byId.get("b")!.error!.code).toBe(RpcCode.MethodNotFound);
    expect(byId.get(null)!.error!.code).toBe(RpcCode.InvalidRequest);
    const sub = byId.get("c")!.result as string;
    const events = await c.stream(sub);
    expect(events.filter((e) => e.event === "tokens").map((e) => e.text).join("")).toBe(g.generated_pieces.slice(0, 3).join(""));
    c.close();
  });

  it("answers each error path with its code and keeps the connection usable", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const errOf = async (raw: string): Promise<RpcMessage> => {
      const before = c.messages.length;
      c.sendRaw(raw);
      await c.waitFor((m) => c.messages.indexOf(m) >= before);
      return c.messages[before] as RpcMessage;
    };
    expect((await errOf("{oops")).error!.code).toBe(RpcCode.ParseError);
    expect((await errOf("[]")).error!.code).toBe(RpcCode.InvalidRequest);
    expect((await errOf(JSON.stringify({ jsonrpc: "1.0", id: "r1", method: "rpc_methods" }))).error!.code).toBe(RpcCode.InvalidRequest);
    expect((await errOf(JSON.stringify({ jsonrpc: "2.0", id: "r2", method: "nope_v1" }))).error).toMatchObject({ code: RpcCode.MethodNotFound });
    const bad = await c.call("generate_v1_start", { prompt: 42 });
    expect(bad.error).toMatchObject({ code: RpcCode.InvalidParams, data: { param: "prompt" } });
    const badTemp = await c.call("generate_v1_start", { prompt: "x", temperature: "warm" });
    expect(badTemp.error).toMatchObject({ code: RpcCode.InvalidParams, data: { param: "temperature" } });
    const badIds = await c.call("generate_v1_start", { prompt: [1, 403, 100_000] });
    expect(badIds.error).toMatchObject({ code: RpcCode.InvalidParams, data: { param: "prompt" } });
    const tooLong = await c.call("generate_v1_start", { prompt: Array.from({ length: 2048 }, () => 403) });
    expect(tooLong.error).toMatchObject({ code: RpcCode.InvalidParams, data: { param: "prompt" } });
    const badModel = await c.call("model_v1_info", { model: "nope" });
    expect(badModel.error!.code).toBe(RpcCode.InvalidParams);
    const badDecode = await c.call("tokenizer_v1_decode", { ids: [1, "two"] });
    expect(badDecode.error!.code).toBe(RpcCode.InvalidParams);
    const big = await errOf(JSON.stringify({ jsonrpc: "2.0", id: "r3", method: "tokenizer_v1_encode", params: { text: "a".repeat(100_000) } }));
    expect(big.error!.code).toBe(RpcCode.MessageTooLarge);
    // Subscription limit (4 here): long generations hold their slots.
    const subs: string[] = [];
    for (let i = 0; i < 4; i++) subs.push((await c.call("generate_v1_start", { prompt: "Once", max_tokens: 1500, temperature: 0 })).result as string);
    const fifth = await c.call("generate_v1_start", { prompt: "Once", max_tokens: 5 });
    expect(fifth.error!.code).toBe(RpcCode.TooManySubscriptions);
    for (const s of subs) expect((await c.call("generate_v1_stop", { subscription: s })).result).toBe(true);
    for (const s of subs) expect((await c.stream(s)).at(-1)).toEqual({ event: "stop" });
    const ok = await c.call("tokenizer_v1_encode", { text: "Once upon a time" });
    expect(ok.result).toEqual({ ids: g.prompt_token_ids });
    c.close();
  });
});
