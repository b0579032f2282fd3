// The OpenAI-compatible HTTP API, driven by the official `openai` npm client against a real server on
// loopback serving stories260K. Greedy text is checked against llama.cpp's golden continuation.

import OpenAI from "openai";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultModelPath } from "../engine/paths.js";
import { loadModel } from "../engine/runtime/model.js";
import { golden } from "./golden.js";
import { MODEL_ID, greedyGolden, startTestServer, type TestServer } from "./server-harness.js";

let srv: TestServer;
let client: OpenAI;
const g = greedyGolden();
const goldenText = (n: number): string => g.generated_pieces.slice(0, n).join("");

beforeAll(async () => {
  srv = await startTestServer();
  client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: "unused-without-keys", maxRetries: 0 });
});
afterAll(() => srv.close());

describe("OpenAI-compatible API with the openai client", () => {
  it("lists the served model", async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual([MODEL_ID]);
    expect(page.data[0]!.object).toBe("model");
  });

  it("completes greedily exactly as llama.cpp does (temperature 0)", async () => {
    const r = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 64, temperature: 0 });
    expect(r.choices[0]!.text).toBe(goldenText(64));
    expect(r.choices[0]!.finish_reason).toBe("length");
    expect(r.usage).toEqual({ prompt_tokens: g.prompt_token_ids.length, completion_tokens: 64, total_tokens: g.prompt_token_ids.length + 64 });
  });

  it("streams the same completion as SSE chunks, with usage last when asked", async () => {
    const stream = await client.completions.create({
      model: MODEL_ID, prompt: g.prompt, max_tokens: 48, temperature: 0, stream: true, stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    let usage: unknown;
    for await (const c of stream) {
      chunks++;
      if (c.choices.length > 0) {
        text += c.choices[0]!.text;
        finish = c.choices[0]!.finish_reason ?? finish;
      }
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe(goldenText(48));
    expect(chunks).toBeGreaterThan(10);
    expect(finish).toBe("length");
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 48, total_tokens: 53 });
  });

  it("ends the stream with data: [DONE]", async () => {
    const res = await fetch(`${srv.url}/v1/completions`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: g.prompt, max_tokens: 5, temperature: 0, stream: true }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const body = await res.text();
    const events = body.split("\n\n").filter((e) => e !== "");
    expect(events.every((e) => e.startsWith("data: "))).toBe(true);
    expect(events.at(-1)).toBe("data: [DONE]");
  });

  it("stops before a stop string and reports finish_reason stop", async () => {
    const r = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 64, temperature: 0, stop: [" little"] });
    const full = goldenText(64);
    expect(r.choices[0]!.text).toBe(full.slice(0, full.indexOf(" little")));
    expect(r.choices[0]!.finish_reason).toBe("stop");
  });

  it("applies logit_bias: -100 bans llama.cpp's first greedy token", async () => {
    const first = g.generated_token_ids[0]!;
    const r = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 4, temperature: 0, logit_bias: { [first]: -100 } });
    expect(r.choices[0]!.text.startsWith(g.generated_pieces[0]!)).toBe(false);
    const plain = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 4, temperature: 0 });
    expect(plain.choices[0]!.text).toBe(goldenText(4));
  });

  it("returns logprobs whose top-2 gap is llama.cpp's top-1/top-2 logit margin", async () => {
    const r = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 8, temperature: 0, logprobs: 2 });
    const lp = r.choices[0]!.logprobs!;
    expect(lp.tokens).toEqual(g.generated_pieces.slice(0, 8));
    const margins = (JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as { top1_top2_margin: number[] }).top1_top2_margin;
    lp.top_logprobs!.forEach((top, i) => {
      const v = Object.values(top).sort((a, b) => b - a);
      expect(v).toHaveLength(2);
      expect(v[0]! - v[1]!).toBeCloseTo(margins[i]!, 3);
      expect(lp.token_logprobs![i]).toBeCloseTo(v[0]!, 6);
      expect(lp.token_logprobs![i]).toBeLessThanOrEqual(0);
    });
  });

  it("passes top_k, top_p and min_p to the sampler: each cut to one token gives the greedy text at temperature 1", async () => {
    const cuts: Record<string, number>[] = [{ top_k: 1 }, { top_p: 1e-9 }, { min_p: 1 }];
    for (const cut of cuts) {
      const res = await fetch(`${srv.url}/v1/completions`, {
        method: "POST", body: JSON.stringify({ prompt: g.prompt, max_tokens: 32, temperature: 1, seed: 7, ...cut }),
      });
      expect(((await res.json()) as { choices: { text: string }[] }).choices[0]!.text, JSON.stringify(cut)).toBe(goldenText(32));
    }
  });

  it("passes the penalties to the sampler: llama.cpp's greedy text repeats itself, penalized text does not match it", async () => {
    for (const penalty of [{ presence_penalty: 2 }, { frequency_penalty: 2 }, { repeat_penalty: 2 }]) {
      const res = await fetch(`${srv.url}/v1/completions`, {
        method: "POST", body: JSON.stringify({ prompt: g.prompt, max_tokens: 128, temperature: 0, ...penalty }),
      });
      expect(((await res.json()) as { choices: { text: string }[] }).choices[0]!.text, JSON.stringify(penalty)).not.toBe(goldenText(128));
    }
  });

  it("gives the same text for the same seed at temperature 1", async () => {
    const a = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 24, temperature: 1, seed: 42 });
    const b = await client.completions.create({ model: MODEL_ID, prompt: g.prompt, max_tokens: 24, temperature: 1, seed: 42 });
    expect(b.choices[0]!.text).toBe(a.choices[0]!.text);
  });

  it("chats, streamed and not, with the text the runtime's Session gives at temperature 0", async () => {
    const messages = [{ role: "user" as const, content: "Tell me a story about a cat." }];
    const model = await loadModel(defaultModelPath());
    const expected = await model.createSession().chat(messages, { temperature: 0, maxTokens: 32 }).result;
    model.close();
    const r = await client.chat.completions.create({ model: MODEL_ID, messages, max_tokens: 32, temperature: 0 });
    expect(r.choices[0]!.message.role).toBe("assistant");
    expect(r.choices[0]!.message.content).toBe(expected.text);
    expect(r.usage!.prompt_tokens).toBe(expected.usage.promptTokens);
    const stream = await client.chat.completions.create({ model: MODEL_ID, messages, max_tokens: 32, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown;
    for await (const c of stream) {
      if (c.choices[0]?.delta.content) text += c.choices[0].delta.content;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe(expected.text);
    expect(usage).toEqual(r.usage);
  });

  it("returns chat logprobs in OpenAI's content shape", async () => {
    const r = await client.chat.completions.create({
      model: MODEL_ID, messages: [{ role: "user", content: "Hi" }], max_tokens: 4, temperature: 0, logprobs: true, top_logprobs: 3,
    });
    const content = r.choices[0]!.logprobs!.content!;
    expect(content).toHaveLength(4);
    for (const c of content) {
      expect(c.top_logprobs).toHaveLength(3);
      expect(c.top_logprobs[0]!.token).toBe(c.token);
      expect(Buffer.from(c.bytes!).toString("utf8")).toBe(c.token);
    }
  });

  it("answers errors in OpenAI's shape with the right status", async () => {
    await expect(client.completions.create({ model: "no-such-model", prompt: "x" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    await expect(client.completions.create({ model: MODEL_ID, prompt: "x", temperature: "hot" as unknown as number })).rejects.toMatchObject({ status: 400, param: "temperature" });
    await expect(client.chat.completions.create({ model: MODEL_ID, messages: [] })).rejects.toMatchObject({ status: 400, param: "messages" });
    const res = await fetch(`${srv.url}/v1/completions`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const nf = await fetch(`${srv.url}/v2/nothing`);
    expect(nf.status).toBe(404);
    const wrongMethod = await fetch(`${srv.url}/v1/completions`);
    expect(wrongMethod.status).toBe(405);
  });
});

describe("llama.cpp-style /tokenize and /detokenize, /health", () => {
  const inp = readFileSync(golden("tokenizer", "stories260k-f32.gguf.inp"), "utf8").split("\n__ggml_vocab_test__\n").slice(0, -1);
  const out = readFileSync(golden("tokenizer", "stories260k-f32.gguf.out"), "utf8").split("\n").slice(0, inp.length)
    .map((l) => l.trim() === "" ? [] : l.trim().split(/\s+/).map(Number));

  it("tokenizes the golden stories260k vectors as llama.cpp does (no special tokens)", async () => {
    for (const [i, text] of inp.entries()) {
      const res = await fetch(`${srv.url}/tokenize`, { method: "POST", body: JSON.stringify({ content: text }) });
      expect(((await res.json()) as { tokens: number[] }).tokens, JSON.stringify(text)).toEqual(out[i]);
    }
  });

  it("detokenizes llama.cpp's greedy ids back to its text", async () => {
    const res = await fetch(`${srv.url}/detokenize`, { method: "POST", body: JSON.stringify({ tokens: g.generated_token_ids.slice(0, 20) }) });
    expect(((await res.json()) as { content: string }).content).toBe(goldenText(20));
  });

  it("reports health", async () => {
    const res = await fetch(`${srv.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
