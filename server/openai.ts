// The OpenAI-compatible HTTP API: /v1/models, /v1/completions, /v1/chat/completions (JSON or SSE),
// /v1/embeddings, plus llama.cpp server's /tokenize and /detokenize. Response shapes follow OpenAI's
// API reference (https://platform.openai.com/docs/api-reference) and llama.cpp's tools/server README.

import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { FinishReason, GeneratedToken, GenerationResult } from "../engine/runtime/types.js";
import { ApiError, RpcCode, invalidParam } from "./errors.js";
import type { ServedModel } from "./engine.js";
import { checkNotDraining, pickModel, type ServerContext } from "./context.js";
import { promptIds, runGeneration } from "./generation.js";
import { idsParam, isObject, messagesParam, optBool, optString, promptParam, samplingParams, type JsonObject } from "./params.js";

export function openaiFinishReason(r: FinishReason): "stop" | "length" {
  return r === "length" || r === "context" ? "length" : "stop";
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
}

function usageJson(r: GenerationResult): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: r.usage.promptTokens, completion_tokens: r.usage.completionTokens, total_tokens: r.usage.promptTokens + r.usage.completionTokens };
}

function pieceText(model: ServedModel, id: number): { text: string; bytes: number[] } {
  const bytes = model.tokenizer.tokenToPiece(id);
  return { text: Buffer.from(bytes).toString("utf8"), bytes: [...bytes] };
}

/**
 * A Server-Sent Events writer that stops the generation when the client reads too slowly or leaves.
 * The 200 and its headers go out only once the generation has its slot, so a refusal (queue full,
 * shutting down, bad prompt) is still an ordinary HTTP error.
 */
class SseWriter {
  opened = false;

  constructor(private readonly res: ServerResponse, private readonly slowSeconds: number, private readonly abort: (why: Error) => void) {}

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  }

  async send(data: unknown): Promise<void> {
    this.open();
    if (this.res.destroyed) return;
    const ok = this.res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    if (ok) return;
    // The socket buffer is full: pause this generation until the client catches up, or give up.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        this.abort(new ApiError(RpcCode.QueueFull, `client read too slowly (blocked for ${this.slowSeconds} s)`));
        this.res.destroy();
        resolve();
      }, this.slowSeconds * 1000);
      const done = (): void => { cleanup(); resolve(); };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.res.off("drain", done);
        this.res.off("close", done);
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  end(): void {
    if (!this.res.destroyed) this.res.end("data: [DONE]\n\n");
  }
}

interface Common {
  model: ServedModel;
  stream: boolean;
  includeUsage: boolean;
  abort: AbortController;
}

function common(ctx: ServerContext, body: JsonObject, res: ServerResponse): Common {
  checkNotDraining(ctx);
  const model = pickModel(ctx, body.model);
  const stream = optBool(body, "stream") ?? false;
  const so = body.stream_options;
  if (so !== undefined && so !== null && !isObject(so)) throw invalidParam("stream_options", "stream_options must be an object");
  const includeUsage = isObject(so) ? (optBool(so, "include_usage") ?? false) : false;
  const abort = new AbortController();
  // A client that disconnects frees its slot at once.
  res.on("close", () => {
    if (!res.writableFinished) abort.abort(new Error("client disconnected"));
  });
  return { model, stream, includeUsage, abort };
}

export async function handleCompletions(ctx: ServerContext, body: JsonObject, res: ServerResponse, arrivedMs: number): Promise<void> {
  const c = common(ctx, body, res);
  const prompt = promptParam(body);
  const echo = optBool(body, "echo") ?? false;
  const suffix = optString(body, "suffix");
  if (suffix) throw invalidParam("suffix", "suffix (fill-in-the-middle) is not supported by kiln");
  const sp = samplingParams(body, { maxTokens: 16, temperature: 1 }, "completions", c.model.tokenizer.vocabSize);
  const ids = promptIds(c.model, prompt);
  const id = `cmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const promptText = echo ? (typeof prompt === "string" ? prompt : c.model.tokenizer.decode(prompt)) : "";
  const lp = { tokens: [] as string[], token_logprobs: [] as number[], top_logprobs: [] as Record<string, number>[], text_offset: [] as number[] };
  let offset = promptText.length;
  const logprobsOf = (t: GeneratedToken): typeof lp => {
    const piece = pieceText(c.model, t.id).text;
    const one = {
      tokens: [piece], token_logprobs: [t.logprob ?? 0], text_offset: [offset],
      top_logprobs: [Object.fromEntries((t.topLogprobs ?? []).map((a) => [a.text, a.logprob]))],
    };
    offset += piece.length;
    return one;
  };
  if (c.stream) {
    const sse = new SseWriter(res, ctx.limits.slowReaderSeconds, (e) => c.abort.abort(e));
    const chunk = (text: string, finish: string | null, logprobs: typeof lp | null): unknown => ({
      id, object: "text_completion", created, model: c.model.id, choices: [{ index: 0, text, logprobs, finish_reason: finish }],
    });
    try {
      const result = await runGeneration(ctx, { model: c.model, prompt: ids, options: sp.options, signal: c.abort.signal, arrivedMs }, {
        onStart: async () => {
          sse.open();
          if (echo && promptText) await sse.send(chunk(promptText, null, null));
        },
        onToken: async (t) => {
          if (t.text === "" && sp.logprobs === undefined) return;
          await sse.send(chunk(t.text, null, sp.logprobs !== undefined ? logprobsOf(t) : null));
        },
      });
      await sse.send(chunk("", openaiFinishReason(result.finishReason), null));
      if (c.includeUsage) await sse.send({ id, object: "text_completion", created, model: c.model.id, choices: [], usage: usageJson(result) });
    } catch (e) {
      if (!sse.opened) throw e;
      await sse.send({ error: errorOf(e) });
    }
    sse.end();
    return;
  }
  const toks: GeneratedToken[] = [];
  const result = await runGeneration(ctx, { model: c.model, prompt: ids, options: sp.options, signal: c.abort.signal, arrivedMs }, {
    onToken: (t) => { if (sp.logprobs !== undefined) toks.push(t); },
  });
  let logprobs: typeof lp | null = null;
  if (sp.logprobs !== undefined) {
    logprobs = lp;
    for (const t of toks) {
      const one = logprobsOf(t);
      lp.tokens.push(...one.tokens);
      lp.token_logprobs.push(...one.token_logprobs);
      lp.top_logprobs.push(...one.top_logprobs);
      lp.text_offset.push(...one.text_offset);
    }
  }
  sendJson(res, 200, {
    id, object: "text_completion", created, model: c.model.id,
    choices: [{ index: 0, text: promptText + result.text, logprobs, finish_reason: openaiFinishReason(result.finishReason) }],
    usage: usageJson(result),
  });
}

interface ChatLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

export async function handleChat(ctx: ServerContext, body: JsonObject, res: ServerResponse, arrivedMs: number): Promise<void> {
  const c = common(ctx, body, res);
  const messages = messagesParam(body);
  const sp = samplingParams(body, { maxTokens: ctx.defaultMaxTokens, temperature: 1 }, "chat", c.model.tokenizer.vocabSize);
  const ids = promptIds(c.model, c.model.chatPrompt(messages), "messages");
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const logprobOf = (t: GeneratedToken): ChatLogprob => {
    const p = pieceText(c.model, t.id);
    return {
      token: p.text, logprob: t.logprob ?? 0, bytes: p.bytes,
      top_logprobs: (t.topLogprobs ?? []).map((a) => ({ token: a.text, logprob: a.logprob, bytes: [...Buffer.from(a.text, "utf8")] })),
    };
  };
  if (c.stream) {
    const sse = new SseWriter(res, ctx.limits.slowReaderSeconds, (e) => c.abort.abort(e));
    const chunk = (delta: Record<string, string>, finish: string | null, logprobs: { content: ChatLogprob[] } | null): unknown => ({
      id, object: "chat.completion.chunk", created, model: c.model.id, system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
    });
    try {
      const result = await runGeneration(ctx, { model: c.model, prompt: ids, options: sp.options, signal: c.abort.signal, arrivedMs }, {
        onStart: () => sse.send(chunk({ role: "assistant", content: "" }, null, null)),
        onToken: async (t) => {
          if (t.text === "" && sp.logprobs === undefined) return;
          await sse.send(chunk({ content: t.text }, null, sp.logprobs !== undefined ? { content: [logprobOf(t)] } : null));
        },
      });
      await sse.send(chunk({}, openaiFinishReason(result.finishReason), null));
      if (c.includeUsage) {
        await sse.send({ id, object: "chat.completion.chunk", created, model: c.model.id, system_fingerprint: null, choices: [], usage: usageJson(result) });
      }
    } catch (e) {
      if (!sse.opened) throw e;
      await sse.send({ error: errorOf(e) });
    }
    sse.end();
    return;
  }
  const content: ChatLogprob[] = [];
  const result = await runGeneration(ctx, { model: c.model, prompt: ids, options: sp.options, signal: c.abort.signal, arrivedMs }, {
    onToken: (t) => { if (sp.logprobs !== undefined) content.push(logprobOf(t)); },
  });
  sendJson(res, 200, {
    id, object: "chat.completion", created, model: c.model.id, system_fingerprint: null,
    choices: [{
      index: 0,
      message: { role: "assistant", content: result.text, refusal: null },
      logprobs: sp.logprobs !== undefined ? { content } : null,
      finish_reason: openaiFinishReason(result.finishReason),
    }],
    usage: usageJson(result),
  });
}

function errorOf(e: unknown): { message: string; type: string; code: string | null } {
  const a = e instanceof ApiError ? e : new ApiError(RpcCode.InternalError, (e as Error)?.message ?? String(e));
  return { message: a.message, type: a.httpStatus >= 500 ? "server_error" : "invalid_request_error", code: a.openaiCode };
}

export function modelJson(m: ServedModel): Record<string, unknown> {
  return {
    id: m.id, object: "model", created: m.created, owned_by: "kiln",
    architecture: m.architecture, type: m.type, context_length: m.contextLength, size: m.sizeBytes, backend: m.backend,
  };
}

export function handleModels(ctx: ServerContext, res: ServerResponse): void {
  sendJson(res, 200, { object: "list", data: [...ctx.models.values()].map(modelJson) });
}

export function handleModel(ctx: ServerContext, res: ServerResponse, name: string): void {
  sendJson(res, 200, modelJson(pickModel(ctx, name)));
}

/**
 * /v1/embeddings: each input is tokenized (BOS added as for generation; token-id inputs are used as
 * given), run through the model, and the final hidden states (after the output norm, before the
 * output projection) are averaged over all its positions (mean pooling), then L2-normalized as
 * OpenAI's embeddings are.
 */
export async function handleEmbeddings(ctx: ServerContext, body: JsonObject, res: ServerResponse): Promise<void> {
  checkNotDraining(ctx);
  const model = pickModel(ctx, body.model);
  if (!model.embed) {
    throw new ApiError(RpcCode.InvalidRequest, `model ${model.id}: its runtime does not return hidden states, so it cannot embed`, "model", "embeddings_not_supported", 501);
  }
  const format = optString(body, "encoding_format") ?? "float";
  if (format !== "float" && format !== "base64") throw invalidParam("encoding_format", `encoding_format must be "float" or "base64", got ${JSON.stringify(format)}`);
  const input = body.input;
  let inputs: (string | number[])[];
  if (typeof input === "string") inputs = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === "number")) inputs = [input as number[]];
  else if (Array.isArray(input) && input.length > 0 && input.length <= 256 && input.every((x) => typeof x === "string" || (Array.isArray(x) && x.every((y) => typeof y === "number")))) {
    inputs = input as (string | number[])[];
  } else throw invalidParam("input", "input must be a string, an array of strings, or token ids (at most 256 inputs)");
  const data: unknown[] = [];
  let tokens = 0;
  const release = await ctx.scheduler.acquire();
  try {
    for (const [index, one] of inputs.entries()) {
      const ids = promptIds(model, one, "input");
      tokens += ids.length;
      const v = await model.embed(ids);
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      const out = Float32Array.from(v, (x) => x / norm);
      data.push({
        object: "embedding", index,
        embedding: format === "base64" ? Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString("base64") : Array.from(out),
      });
    }
  } finally {
    release();
  }
  ctx.metrics.promptTokens.inc({ model: model.id }, tokens);
  sendJson(res, 200, { object: "list", data, model: model.id, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

/** llama.cpp server's /tokenize: {content, add_special?, parse_special?, with_pieces?} -> {tokens}. */
export function handleTokenize(ctx: ServerContext, body: JsonObject, res: ServerResponse): void {
  const model = pickModel(ctx, body.model);
  const content = optString(body, "content");
  if (content === undefined) throw invalidParam("content", "content (the text to tokenize) is required");
  const ids = model.tokenizer.encode(content, { addSpecial: optBool(body, "add_special") ?? false, parseSpecial: optBool(body, "parse_special") ?? false });
  if (optBool(body, "with_pieces")) {
    sendJson(res, 200, { tokens: ids.map((id) => ({ id, piece: pieceText(model, id).text })) });
  } else {
    sendJson(res, 200, { tokens: ids });
  }
}

/** llama.cpp server's /detokenize: {tokens} -> {content}. */
export function handleDetokenize(ctx: ServerContext, body: JsonObject, res: ServerResponse): void {
  const model = pickModel(ctx, body.model);
  const ids = idsParam(body, "tokens");
  for (const id of ids) if (id >= model.tokenizer.vocabSize) throw invalidParam("tokens", `token id ${id} is outside the vocabulary (0..${model.tokenizer.vocabSize - 1})`);
  sendJson(res, 200, { content: model.tokenizer.decode(ids) });
}
