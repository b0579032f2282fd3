// The WebSocket JSON-RPC 2.0 API, Substrate style: `rpc_methods` lists the methods; they are grouped
// as model_v1_*, tokenizer_v1_*, generate_v1_*, chat_v1_*, auth_v1_*. A streaming call
// (generate_v1_start, chat_v1_start) answers with a subscription id before any event, then sends
// {"method":"generate_v1_event","params":{"subscription","result":{"event",...}}} notifications:
// "started", "tokens"*, then exactly one terminal "done" | "error" | "stop", and nothing after it.
// Limits per connection (see context.ts RpcLimits) and error codes (errors.ts) are in one table each.

import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { WebSocket, type RawData } from "ws";
import type { GeneratedToken } from "../engine/runtime/types.js";
import type { ServerContext } from "./context.js";
import { checkNotDraining, pickModel } from "./context.js";
import { ApiError, RpcCode, invalidParam, rpcErrorObject, toApiError } from "./errors.js";
import { promptIds, runGeneration } from "./generation.js";
import { modelJson } from "./openai.js";
import { idsParam, isObject, messagesParam, optBool, optString, promptParam, samplingParams, type Json, type JsonObject } from "./params.js";

type RpcId = string | number | null;

interface RpcResponse {
  jsonrpc: "2.0";
  id: RpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** A method's answer; `after` runs once the response is on the wire (a subscription's first event). */
interface Answer {
  result: unknown;
  after?: () => void;
}

type Method = (conn: RpcConnection, params: JsonObject, raw: Json | undefined) => Answer | Promise<Answer>;

interface Subscription {
  readonly abort: AbortController;
  stopped: boolean;
}

/** The credential presented at the upgrade, if any. */
export type UpgradeAuth = "ok" | "bad" | "none";

export class RpcConnection {
  private readonly subs = new Map<string, Subscription>();
  private authed: boolean;
  private loginTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private paused = false;

  constructor(readonly ctx: ServerContext, private readonly ws: WebSocket, auth: UpgradeAuth) {
    this.authed = auth === "ok" || !ctx.keys.enabled;
    ctx.metrics.wsConnections.inc();
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => this.onClose());
    ws.on("error", () => ws.terminate());
    if (!this.authed) {
      if (auth === "bad") {
        this.refuse(null, "the API key is not valid (revoked or mistyped)");
        return;
      }
      this.loginTimer = setTimeout(() => this.refuse(null, `no auth_v1_login within ${ctx.limits.loginSeconds} s`), ctx.limits.loginSeconds * 1000);
    }
  }

  get subscriptionCount(): number { return this.subs.size; }

  private send(msg: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Answers with -32001 and closes the connection (policy violation). */
  private refuse(id: RpcId, message: string): void {
    this.ctx.metrics.rpcRequests.inc({ method: "auth", outcome: String(RpcCode.Unauthorized) });
    this.send({ jsonrpc: "2.0", id, error: { code: RpcCode.Unauthorized, message } });
    this.ws.close(1008, "unauthorized");
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.loginTimer);
    this.ctx.metrics.wsConnections.dec();
    // A vanished client frees its slots at once.
    for (const sub of this.subs.values()) sub.abort.abort(new Error("connection closed"));
    this.subs.clear();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.throttleIfNotReading();
    if (buf.length > this.ctx.limits.maxMessageBytes) {
      this.reply(null, RpcCode.MessageTooLarge, `message is ${buf.length} bytes; the limit is ${this.ctx.limits.maxMessageBytes}`);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(buf.toString("utf8"));
    } catch (e) {
      this.reply(null, RpcCode.ParseError, `parse error: ${(e as Error).message}${isBinary ? " (binary frame)" : ""}`);
      return;
    }
    if (!this.authed) {
      void this.login(msg);
      return;
    }
    if (Array.isArray(msg)) {
      if (msg.length === 0) return this.reply(null, RpcCode.InvalidRequest, "invalid request: empty batch");
      if (msg.length > this.ctx.limits.maxBatch) {
        return this.reply(null, RpcCode.InvalidRequest, `invalid request: batch of ${msg.length}; the limit is ${this.ctx.limits.maxBatch}`);
      }
      void Promise.all(msg.map((m) => this.call(m))).then((answers) => {
        const responses = answers.filter((a) => a.response).map((a) => a.response!);
        if (responses.length > 0) this.send(responses);
        for (const a of answers) a.after?.();
      });
      return;
    }
    void this.call(msg).then((a) => {
      if (a.response) this.send(a.response);
      a.after?.();
    });
  }

  private reply(id: RpcId, code: RpcCode, message: string): void {
    this.ctx.metrics.rpcRequests.inc({ method: "invalid", outcome: String(code) });
    this.send({ jsonrpc: "2.0", id, error: { code, message } });
  }

  private async login(msg: unknown): Promise<void> {
    const id = isObject(msg) && (typeof msg.id === "string" || typeof msg.id === "number") ? msg.id : null;
    if (!isObject(msg) || msg.method !== "auth_v1_login") {
      this.refuse(id, "unauthorized: send auth_v1_login {key} first, or the key as Authorization: Bearer or Sec-WebSocket-Protocol kiln.bearer.KEY");
      return;
    }
    const p = Array.isArray(msg.params) ? { key: msg.params[0] ?? null } : isObject(msg.params) ? msg.params : {};
    if (typeof p.key !== "string" || !this.ctx.keys.verify(p.key)) {
      this.refuse(id, "the API key is not valid (revoked or mistyped)");
      return;
    }
    clearTimeout(this.loginTimer);
    this.authed = true;
    this.ctx.metrics.rpcRequests.inc({ method: "auth_v1_login", outcome: "ok" });
    this.send({ jsonrpc: "2.0", id, result: true });
  }

  private async call(m: unknown): Promise<{ response?: RpcResponse; after?: () => void }> {
    const id: RpcId = isObject(m) && (typeof m.id === "string" || typeof m.id === "number" || m.id === null) ? m.id : null;
    const notification = isObject(m) && !("id" in m);
    if (!isObject(m) || m.jsonrpc !== "2.0" || typeof m.method !== "string" || (m.params !== undefined && typeof m.params !== "object") || ("id" in m && id === null && m.id !== null)) {
      this.ctx.metrics.rpcRequests.inc({ method: "invalid", outcome: String(RpcCode.InvalidRequest) });
      return { response: { jsonrpc: "2.0", id, error: { code: RpcCode.InvalidRequest, message: 'invalid request: expected {"jsonrpc":"2.0","method":string,"params"?:object|array,"id"?:string|number}' } } };
    }
    const method = METHODS[m.method];
    if (!method) {
      this.ctx.metrics.rpcRequests.inc({ method: "unknown", outcome: String(RpcCode.MethodNotFound) });
      return notification ? {} : { response: { jsonrpc: "2.0", id, error: { code: RpcCode.MethodNotFound, message: `method not found: ${m.method} (rpc_methods lists them)` } } };
    }
    const raw = m.params;
    // Positional params: a single object is taken as the named params.
    const params: JsonObject = isObject(raw) ? raw : Array.isArray(raw) && raw.length === 1 && isObject(raw[0]) ? raw[0] : {};
    try {
      const a = await method(this, params, raw);
      this.ctx.metrics.rpcRequests.inc({ method: m.method, outcome: "ok" });
      return notification ? { after: a.after } : { response: { jsonrpc: "2.0", id, result: a.result }, after: a.after };
    } catch (e) {
      const err = toApiError(e);
      this.ctx.metrics.rpcRequests.inc({ method: m.method, outcome: String(err.rpcCode) });
      return notification ? {} : { response: { jsonrpc: "2.0", id, error: rpcErrorObject(err) } };
    }
  }

  /** Starts a generation subscription; events flow once the caller has sent the id. */
  startSubscription(prompt: string | readonly number[], params: JsonObject, chat: boolean): Answer {
    checkNotDraining(this.ctx);
    if (this.subs.size >= this.ctx.limits.maxSubscriptions) {
      throw new ApiError(RpcCode.TooManySubscriptions, `too many subscriptions: this connection has ${this.subs.size}, the limit is ${this.ctx.limits.maxSubscriptions}; stop one or wait for it to finish`);
    }
    const model = pickModel(this.ctx, params.model);
    const sp = samplingParams(params, { maxTokens: this.ctx.defaultMaxTokens, temperature: 1 }, chat ? "chat" : "completions", model.tokenizer.vocabSize);
    // A prompt that cannot run (out-of-vocabulary ids, longer than the context) is refused in the answer.
    const ids = promptIds(model, prompt, chat ? "messages" : "prompt");
    const arrivedMs = performance.now();
    const subId = randomBytes(8).toString("hex");
    const sub: Subscription = { abort: new AbortController(), stopped: false };
    this.subs.set(subId, sub);
    const event = (result: Record<string, unknown>): void => this.send({ jsonrpc: "2.0", method: "generate_v1_event", params: { subscription: subId, result } });
    const after = (): void => {
      void runGeneration(this.ctx, { model, prompt: ids, options: sp.options, signal: sub.abort.signal, arrivedMs }, {
        onStart: (info) => event({ event: "started", model: model.id, prompt_tokens: info.promptTokens, queue_ms: info.queueSeconds * 1000 }),
        onToken: async (t) => {
          await this.waitForReader(sub);
          if (sub.abort.signal.aborted) return;
          event(tokensEvent(t, sp.logprobs !== undefined));
        },
      }).then(
        (r) => {
          if (sub.stopped) event({ event: "stop" });
          else if (sub.abort.signal.aborted) {
            const why = sub.abort.signal.reason;
            event({ event: "error", error: rpcErrorObject(toApiError(why)) });
          } else {
            event({
              event: "done",
              finish_reason: r.finishReason,
              usage: { prompt_tokens: r.usage.promptTokens, completion_tokens: r.usage.completionTokens, total_tokens: r.usage.promptTokens + r.usage.completionTokens },
              timings: { prompt_ms: r.timings.promptMs, generate_ms: r.timings.generateMs, prompt_tokens_per_second: r.timings.promptTokensPerSecond, generate_tokens_per_second: r.timings.generateTokensPerSecond },
            });
          }
        },
        (e) => event(sub.stopped ? { event: "stop" } : { event: "error", error: rpcErrorObject(toApiError(e)) }),
      ).finally(() => this.subs.delete(subId));
    };
    return { result: subId, after };
  }

  /**
   * A client that keeps sending requests but does not read the answers would make the server queue
   * answers without bound: stop reading its socket (TCP pushes back on it) until it catches up, and
   * end the connection if it does not within slowReaderSeconds.
   */
  private throttleIfNotReading(): void {
    const limit = this.ctx.limits.maxBufferedBytes;
    if (this.paused || this.ws.bufferedAmount <= limit) return;
    this.paused = true;
    this.ws.pause();
    const deadline = performance.now() + this.ctx.limits.slowReaderSeconds * 1000;
    const timer = setInterval(() => {
      if (this.ws.readyState !== WebSocket.OPEN) {
        clearInterval(timer);
      } else if (this.ws.bufferedAmount <= limit / 2) {
        clearInterval(timer);
        this.paused = false;
        this.ws.resume();
      } else if (performance.now() > deadline) {
        clearInterval(timer);
        this.ws.terminate();
      }
    }, 20);
  }

  /** Backpressure: pause while this socket's send buffer is over the limit; end the stream if it stays there. */
  private async waitForReader(sub: Subscription): Promise<void> {
    const limit = this.ctx.limits.maxBufferedBytes;
    if (this.ws.bufferedAmount <= limit) return;
    const deadline = performance.now() + this.ctx.limits.slowReaderSeconds * 1000;
    while (this.ws.bufferedAmount > limit && this.ws.readyState === WebSocket.OPEN && !sub.abort.signal.aborted) {
      if (performance.now() > deadline) {
        sub.abort.abort(new ApiError(RpcCode.QueueFull, `client reads too slowly: ${this.ws.bufferedAmount} bytes unsent for ${this.ctx.limits.slowReaderSeconds} s; the stream was ended`));
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stopSubscription(id: string): boolean {
    const sub = this.subs.get(id);
    if (!sub || sub.stopped) return false;
    sub.stopped = true;
    sub.abort.abort(new Error("stopped by generate_v1_stop"));
    return true;
  }
}

function tokensEvent(t: GeneratedToken, withLogprobs: boolean): Record<string, unknown> {
  const ev: Record<string, unknown> = { event: "tokens", text: t.text, ids: [t.id] };
  if (withLogprobs) {
    ev.logprobs = [{ id: t.id, logprob: t.logprob ?? 0, top: (t.topLogprobs ?? []).map((a) => ({ id: a.id, text: a.text, logprob: a.logprob })) }];
  }
  return ev;
}

const METHODS: Record<string, Method> = {
  rpc_methods: () => ({ result: { version: 1, methods: Object.keys(METHODS).sort() } }),
  auth_v1_login: () => ({ result: true }),
  model_v1_list: (c) => ({ result: [...c.ctx.models.values()].map(modelJson) }),
  model_v1_info: (c, p, raw) => {
    const name = Array.isArray(raw) && typeof raw[0] === "string" ? raw[0] : p.model;
    const m = pickModel(c.ctx, name);
    const t = m.tokenizer;
    return { result: { ...modelJson(m), vocab_size: t.vocabSize, tokenizer: t.model, bos: t.bos ?? null, eos: t.eos ?? null, path: m.path, load_seconds: m.loadSeconds } };
  },
  tokenizer_v1_encode: (c, p) => {
    const m = pickModel(c.ctx, p.model);
    const text = optString(p, "text");
    if (text === undefined) throw invalidParam("text", "text (a string) is required");
    return { result: { ids: m.tokenizer.encode(text, { addSpecial: optBool(p, "add_special") ?? true, parseSpecial: optBool(p, "parse_special") ?? false }) } };
  },
  tokenizer_v1_decode: (c, p) => {
    const m = pickModel(c.ctx, p.model);
    const ids = idsParam(p, "ids");
    for (const id of ids) if (id >= m.tokenizer.vocabSize) throw invalidParam("ids", `token id ${id} is outside the vocabulary (0..${m.tokenizer.vocabSize - 1})`);
    return { result: { text: m.tokenizer.decode(ids, { special: optBool(p, "special") ?? false }) } };
  },
  generate_v1_start: (c, p) => c.startSubscription(promptParam(p), p, false),
  chat_v1_start: (c, p) => {
    const m = pickModel(c.ctx, p.model);
    return c.startSubscription(m.chatPrompt(messagesParam(p)), p, true);
  },
  generate_v1_stop: (c, p, raw) => {
    const id = Array.isArray(raw) && typeof raw[0] === "string" ? raw[0] : p.subscription;
    if (typeof id !== "string") throw invalidParam("subscription", "subscription (the id generate_v1_start returned) is required");
    return { result: c.stopSubscription(id) };
  },
};

/** Reads the credential offered at the WebSocket upgrade (header or subprotocol). */
export function upgradeAuth(ctx: ServerContext, req: IncomingMessage): UpgradeAuth {
  if (!ctx.keys.enabled) return "ok";
  let key: string | undefined;
  const h = req.headers.authorization;
  if (h) key = /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1] ?? "";
  const protos = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((s) => s.trim());
  const p = protos.find((s) => s.startsWith(BEARER_PROTOCOL_PREFIX));
  if (key === undefined && p) key = p.slice(BEARER_PROTOCOL_PREFIX.length);
  if (key === undefined) return "none";
  return ctx.keys.verify(key) ? "ok" : "bad";
}

export const RPC_PROTOCOL = "kiln.v1";
export const BEARER_PROTOCOL_PREFIX = "kiln.bearer.";

/** Which subprotocol to agree to: kiln.v1 if offered (so the key is not echoed), else the bearer one. */
export function selectProtocol(protocols: Set<string>): string | false {
  if (protocols.has(RPC_PROTOCOL)) return RPC_PROTOCOL;
  for (const p of protocols) if (p.startsWith(BEARER_PROTOCOL_PREFIX)) return p;
  return false;
}
