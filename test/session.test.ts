// Session: prefill/decode, streaming, stop strings, cancellation and context limits, on stories260k
// against llama.cpp's greedy run (golden/greedy/stories260k-f32.json).

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { loadModel, type Model } from "../engine/runtime/model.js";
import type { GeneratedToken } from "../engine/runtime/types.js";
import type { Backend } from "../engine/runtime/backend.js";
import type { ModelConfig } from "../engine/model/config.js";
import { Session } from "../engine/runtime/session.js";
import type { Tokenizer } from "../engine/tokenizer/types.js";
import { golden } from "./golden.js";

interface GreedyJSON {
  prompt: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  generated_pieces: string[];
  top1_top2_margin: number[];
}

const g = JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as GreedyJSON;
const firstTie = g.top1_top2_margin.findIndex((m) => m < 0.02); // 181
let model: Model;

beforeAll(async () => {
  model = await loadModel(golden("models", "stories260k-f32.gguf"));
});

async function collect(it: AsyncIterable<GeneratedToken>): Promise<GeneratedToken[]> {
  const out: GeneratedToken[] = [];
  for await (const t of it) out.push(t);
  return out;
}

describe("Session.generate", () => {
  it("tokenizes the prompt as llama.cpp does", () => {
    expect(model.tokenizer.encode(g.prompt)).toEqual(g.prompt_token_ids);
  });

  it("streams llama.cpp's greedy continuation of stories260k, 256 tokens", async () => {
    const gen = model.createSession().generate(g.prompt, { maxTokens: 256, temperature: 0 });
    const steps = await collect(gen);
    const result = await gen.result;
    expect(result.ids.slice(0, firstTie)).toEqual(g.generated_token_ids.slice(0, firstTie));
    expect(result.text).toBe(g.generated_pieces.join(""));
    expect(steps.map((s) => s.text).join("")).toBe(result.text);
    expect(steps.map((s) => s.id)).toEqual(result.ids);
    expect(result.finishReason).toBe("length");
    expect(result.usage).toEqual({ promptTokens: 5, completionTokens: 256 });
  });

  it("gives the same continuation when the result is awaited without iterating", async () => {
    const result = await model.createSession().generate(g.prompt_token_ids, { maxTokens: 40, temperature: 0 }).result;
    expect(result.ids).toEqual(g.generated_token_ids.slice(0, 40));
  });

  it("reuses the KV cache of a common prefix and still continues exactly", async () => {
    const session = model.createSession();
    await session.generate(g.prompt_token_ids, { maxTokens: 20, temperature: 0 }).result;
    // A prompt that extends the cached tokens, then one that rewinds into them.
    const longer = [...g.prompt_token_ids, ...g.generated_token_ids.slice(0, 30)];
    const r1 = await session.generate(longer, { maxTokens: 10, temperature: 0 }).result;
    expect(r1.ids).toEqual(g.generated_token_ids.slice(30, 40));
    const shorter = [...g.prompt_token_ids, ...g.generated_token_ids.slice(0, 8)];
    const r2 = await session.generate(shorter, { maxTokens: 10, temperature: 0 }).result;
    expect(r2.ids).toEqual(g.generated_token_ids.slice(8, 18));
  });

  it("ends before a stop string and never streams any part of it", async () => {
    // The continuation's text is ", there was a little girl named Lily. She loved ...".
    const gen = model.createSession().generate(g.prompt, { maxTokens: 64, temperature: 0, stop: ["named Lily"] });
    const steps = await collect(gen);
    const result = await gen.result;
    expect(result.finishReason).toBe("stop");
    expect(result.text).toBe(", there was a little girl ");
    expect(steps.map((s) => s.text).join("")).toBe(result.text);
    for (const s of steps) expect(s.text).not.toMatch(/named|Lil/);
  });

  it("releases held-back text that turned out not to be a stop string", async () => {
    // " little" starts like the stop string " little boy", but " girl" follows.
    const gen = model.createSession().generate(g.prompt, { maxTokens: 7, temperature: 0, stop: [" little boy"] });
    const steps = await collect(gen);
    const result = await gen.result;
    expect(result.finishReason).toBe("length");
    expect(result.text).toBe(g.generated_pieces.slice(0, 7).join(""));
    expect(steps.map((s) => s.text).join("")).toBe(result.text);
    const littleStep = g.generated_pieces.indexOf(" little");
    expect(steps[littleStep]!.text).toBe(""); // held while it could still become " little boy"
  });

  it("stops at an end-of-generation token", async () => {
    const eos = model.tokenizer.eos!;
    const result = await model.createSession().generate(g.prompt, {
      maxTokens: 10, temperature: 0, logitBias: new Map([[eos, 1000]]),
    }).result;
    expect(result.finishReason).toBe("eog");
    expect(result.ids).toEqual([eos]);
    expect(result.text).toBe("");
  });

  it("is cancelled by an AbortSignal", async () => {
    const ac = new AbortController();
    const gen = model.createSession().generate(g.prompt, { maxTokens: 100, temperature: 0, signal: ac.signal });
    const seen: number[] = [];
    for await (const t of gen) {
      seen.push(t.id);
      if (seen.length === 3) ac.abort();
    }
    const result = await gen.result;
    expect(result.finishReason).toBe("cancelled");
    expect(result.ids).toEqual(g.generated_token_ids.slice(0, 3));
  });

  it("is cancelled when the consumer leaves the loop", async () => {
    const gen = model.createSession().generate(g.prompt, { maxTokens: 100, temperature: 0 });
    let n = 0;
    for await (const _ of gen) if (++n === 2) break;
    const result = await gen.result;
    expect(result.finishReason).toBe("cancelled");
    expect(result.ids.length).toBe(2);
  });

  it("stops when the context is full, and refuses a prompt longer than the context", async () => {
    const session = model.createSession({ nCtx: 12 });
    const result = await session.generate(g.prompt_token_ids, { temperature: 0 }).result;
    expect(result.finishReason).toBe("context");
    expect(result.ids).toEqual(g.generated_token_ids.slice(0, 12 - 5));
    const long = Array.from({ length: 13 }, () => 300);
    await expect(session.generate(long, { temperature: 0 }).result).rejects.toThrow(/13 tokens but the context holds 12/);
    await expect(session.generate(long, { temperature: 0 }).result).rejects.toBeInstanceOf(KilnError);
  });

  it("gives the same text for the same seed and different text for another", async () => {
    const opts = { maxTokens: 40, temperature: 1.0, topK: 0, topP: 1, minP: 0 };
    const a = await model.createSession().generate(g.prompt, { ...opts, seed: 42 }).result;
    const b = await model.createSession().generate(g.prompt, { ...opts, seed: 42 }).result;
    const c = await model.createSession().generate(g.prompt, { ...opts, seed: 43 }).result;
    expect(b.ids).toEqual(a.ids);
    expect(c.ids).not.toEqual(a.ids);
  });

  it("reports log-probabilities that match a softmax of the logits", async () => {
    const session = model.createSession();
    const steps = await collect(session.generate(g.prompt_token_ids, { maxTokens: 1, temperature: 0, logprobs: 3 }));
    const logits = await model.createSession().prefill(g.prompt_token_ids);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0));
    expect(steps[0]!.logprob).toBeCloseTo(logits[g.generated_token_ids[0]!]! - lse, 6);
    expect(steps[0]!.topLogprobs!.map((t) => t.id)[0]).toBe(g.generated_token_ids[0]);
    expect(steps[0]!.topLogprobs!.length).toBe(3);
  });

  it("chats through the chat template (chatml when the model has none, as llama.cpp)", async () => {
    const session = model.createSession();
    const r1 = await session.chat([{ role: "user", content: "Hello" }], { maxTokens: 1, temperature: 0 }).result;
    expect(r1.ids.length).toBe(1);
    // With one token generated, the cache holds exactly the rendered prompt.
    const prompt = model.tokenizer.decode(session.tokens, { special: true });
    expect(prompt).toContain("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
    expect(prompt.trimStart().startsWith("<s>")).toBe(true);
    expect(prompt.indexOf("<s>")).toBe(prompt.lastIndexOf("<s>")); // BOS once
  });

  it("rejects a second generation while one runs", async () => {
    const session = model.createSession();
    const a = session.generate(g.prompt, { maxTokens: 5, temperature: 0 });
    const it1 = a[Symbol.asyncIterator]();
    await it1.next();
    await expect(session.generate(g.prompt, { maxTokens: 5 }).result).rejects.toThrow(/already generating/);
    await it1.return?.();
  });
});

// A scripted model: the backend's logits pick the next token of a fixed script, so the Session's
// streaming rules can be checked on exact token sequences.
function scriptedModel(pieces: string[], script: number[], eos: number): Model {
  const nVocab = pieces.length;
  const enc = new TextEncoder();
  const tokenizer: Tokenizer = {
    model: "llama", vocabSize: nVocab, bos: undefined, eos, eog: new Set([eos]),
    encode: () => [0],
    decode: (ids) => ids.map((i) => (i === eos ? "" : pieces[i]!)).join(""),
    tokenToPiece: (id) => enc.encode(pieces[id]!),
    createStreamDecoder: () => ({ push: (id) => (id === eos ? "" : pieces[id]!), flush: () => "" }),
    applyChatTemplate: () => "",
  };
  const backend: Backend = {
    name: "scripted",
    config: { nVocab, nCtx: 64 } as ModelConfig,
    createSequence: () => {
      const seq = {
        nCtx: 64,
        nPast: 0,
        async forward(tokens: readonly number[], startPos: number): Promise<Float32Array> {
          seq.nPast = startPos + tokens.length;
          const step = seq.nPast - 1; // the prompt is one token; step k follows k generated tokens
          const logits = new Float32Array(nVocab);
          logits[script[Math.min(step, script.length - 1)]!] = 10;
          return logits;
        },
        free: () => undefined,
      };
      return seq;
    },
    dispose: () => undefined,
  };
  const model: Model = { path: "scripted", config: backend.config, tokenizer, backend, createSession: (o) => new Session(model, o), close: () => undefined };
  return model;
}

describe("Session streaming rules (scripted tokens)", () => {
  const pieces = ["<eos>", "Hel", "lo", " wor", "ld"];

  it("releases text held for a stop string with the end-of-generation token", async () => {
    const m = scriptedModel(pieces, [1, 2, 0], 0);
    const gen = m.createSession().generate([3], { temperature: 0, stop: ["lo w"] });
    const steps = await collect(gen);
    const result = await gen.result;
    // "Hel" ends in "l", which could begin "lo w": held; then "lo" is held; EOS releases it.
    expect(steps).toEqual([{ id: 1, text: "He" }, { id: 2, text: "l" }, { id: 0, text: "lo" }]);
    expect(result).toMatchObject({ text: "Hello", ids: [1, 2, 0], finishReason: "eog" });
  });

  it("never streams a stop string that completes across tokens", async () => {
    const m = scriptedModel(pieces, [1, 2, 3, 4, 0], 0);
    const gen = m.createSession().generate([3], { temperature: 0, stop: ["lo w"] });
    const steps = await collect(gen);
    expect(steps.map((s) => s.text)).toEqual(["He", "l", ""]);
    expect(await gen.result).toMatchObject({ text: "Hel", ids: [1, 2, 3], finishReason: "stop" });
  });
});

