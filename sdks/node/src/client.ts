// KilnClient: one WebSocket to a kiln server (`kiln serve`), speaking its JSON-RPC 2.0 API (methods
// model_v1_*, tokenizer_v1_*, generate_v1_*, chat_v1_start; reference: server/rpc.ts in the kiln
// repository). The API key goes in the Authorization header. A lost connection fails what it carried
// with KilnConnectionError and is reopened in the background with exponential backoff; an auth
// failure is final.

import { WebSocket, type RawData } from "ws";
import { KilnAuthError, KilnConnectionError, KilnError, RpcCode, rpcError } from "./errors.js";
import { GenerationStream, type StreamOwner } from "./stream.js";
import type { ChatMessage, ChatOptions, GenerateOptions, Model, ModelInfo } from "./types.js";

export interface ReconnectOptions {
  /** First wait after a drop; doubled after each failed attempt. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Ceiling of the wait. Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** Give up after this many failed attempts. Default: never. */
  readonly maxAttempts?: number;
}

export interface ClientOptions {
  /** An API key from `kiln api-key create`; sent as `Authorization: Bearer KEY`. */
  readonly apiKey?: string;
  /** How long opening the connection (and the first handshake call) may take. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Reopen a lost connection (default true), or false to stay closed. */
  readonly reconnect?: boolean | ReconnectOptions;
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

interface Pending {
  /** The socket the request went out on. */
  ws: WebSocket;
  resolve(v: unknown): void;
  reject(e: KilnError): void;
  /** Runs synchronously on success, before any later message is read (registers a subscription). */
  onResult?(v: unknown): void;
}

interface WireMessage {
  id?: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  method?: string;
  params?: { subscription?: string; result?: { event: string; [k: string]: unknown } };
}

/** ws:// or wss:// URL of the server's JSON-RPC endpoint; http(s) URLs and bare host:port are accepted. */
export function rpcUrl(url: string): string {
  const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `ws://${url}`);
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  else if (u.protocol !== "ws:" && u.protocol !== "wss:") throw new KilnError(`kiln URL ${url}: scheme ${u.protocol} is not ws, wss, http or https`);
  if (u.pathname === "" || u.pathname === "/") u.pathname = "/ws";
  return u.toString();
}

function snakeCase(k: string): string {
  return k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** Options -> the server's snake_case params (undefined and the AbortSignal left out). */
function wireParams(opts: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined || k === "signal") continue;
    out[snakeCase(k)] = v;
  }
  return out;
}

export class KilnClient implements StreamOwner {
  readonly url: string;
  private ws: WebSocket | undefined;
  private stateValue: ConnectionState = "connecting";
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<string, GenerationStream>();
  private nextId = 1;
  private readonly reconnectOpts: Required<ReconnectOptions> | undefined;
  private readonly connectTimeoutMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private lastError: KilnError | undefined;
  private readyWaiters: { resolve(): void; reject(e: KilnError): void }[] = [];

  private constructor(url: string, private readonly opts: ClientOptions) {
    this.url = rpcUrl(url);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    const r = opts.reconnect ?? true;
    this.reconnectOpts = r === false ? undefined : { initialDelayMs: 100, maxDelayMs: 5000, maxAttempts: Infinity, ...(r === true ? {} : r) };
  }

  /**
   * Opens the connection and checks the key with one call (rpc_methods). Throws KilnAuthError for a
   * wrong key and KilnConnectionError when the server cannot be reached.
   */
  static async connect(url: string, opts: ClientOptions = {}): Promise<KilnClient> {
    const c = new KilnClient(url, opts);
    try {
      await c.open();
    } catch (e) {
      c.stateValue = "closed";
      throw e;
    }
    c.stateValue = "open";
    return c;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Resolves once the connection is open (at once if it is); rejects if it closes for good or after timeoutMs. */
  ready(timeoutMs = 30_000): Promise<void> {
    if (this.stateValue === "open") return Promise.resolve();
    if (this.stateValue === "closed") return Promise.reject(this.lastError ?? new KilnConnectionError("the client is closed"));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: () => { clearTimeout(t); resolve(); },
        reject: (e: KilnError) => { clearTimeout(t); reject(e); },
      };
      const t = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((x) => x !== w);
        reject(new KilnConnectionError(`no connection to ${this.url} within ${timeoutMs} ms (${this.attempts} attempts; last error: ${this.lastError?.message ?? "none"})`));
      }, timeoutMs);
      this.readyWaiters.push(w);
    });
  }

  /** Sends any JSON-RPC method; resolves with its result, rejects with KilnRpcError / KilnConnectionError. */
  call<T = unknown>(method: string, params?: unknown): Promise<T> {
    return this.callWith<T>(method, params);
  }

  private callWith<T>(method: string, params: unknown, onResult?: (v: unknown) => void): Promise<T> {
    const ws = this.ws;
    if (this.stateValue !== "open" || !ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new KilnConnectionError(`not connected to ${this.url} (${this.stateValue}${this.lastError ? `; last error: ${this.lastError.message}` : ""}); await client.ready() after a drop`));
    }
    return this.send(ws, method, params, onResult) as Promise<T>;
  }

  async methods(): Promise<string[]> {
    return (await this.call<{ methods: string[] }>("rpc_methods")).methods;
  }

  models(): Promise<Model[]> {
    return this.call<Model[]>("model_v1_list");
  }

  modelInfo(model?: string): Promise<ModelInfo> {
    return this.call<ModelInfo>("model_v1_info", model === undefined ? {} : { model });
  }

  async tokenize(text: string, opts: { model?: string; addSpecial?: boolean; parseSpecial?: boolean } = {}): Promise<number[]> {
    return (await this.call<{ ids: number[] }>("tokenizer_v1_encode", { text, ...wireParams(opts) })).ids;
  }

  async detokenize(ids: readonly number[], opts: { model?: string; special?: boolean } = {}): Promise<string> {
    return (await this.call<{ text: string }>("tokenizer_v1_decode", { ids, ...wireParams(opts) })).text;
  }

  /** Streams a completion of `prompt` (text, or token ids). */
  generate(prompt: string | readonly number[], opts: GenerateOptions = {}): GenerationStream {
    return this.startStream("generate_v1_start", { prompt, ...wireParams(opts) }, opts.signal);
  }

  /** Streams a chat reply; the model's chat template turns the messages into its prompt. */
  chat(messages: readonly ChatMessage[], opts: ChatOptions = {}): GenerationStream {
    return this.startStream("chat_v1_start", { messages, ...wireParams(opts) }, opts.signal);
  }

  /** StreamOwner: generate_v1_stop for one subscription. */
  async stop(subscription: string): Promise<void> {
    await this.call("generate_v1_stop", { subscription });
  }

  /** Closes the connection; running streams fail with KilnConnectionError. No reconnect follows. */
  async close(): Promise<void> {
    if (this.stateValue === "closed" && !this.ws) return;
    this.stateValue = "closed";
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.ws = undefined;
    this.dropAll(new KilnConnectionError("the client was closed"));
    for (const w of this.readyWaiters.splice(0)) w.reject(new KilnConnectionError("the client was closed"));
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => { ws.terminate(); r(); }, 2000);
        ws.once("close", () => { clearTimeout(t); r(); });
        ws.close(1000, "client closed");
      });
    }
  }

  private startStream(method: string, params: Record<string, unknown>, signal?: AbortSignal): GenerationStream {
    const stream = new GenerationStream(this, signal);
    this.callWith<string>(method, params, (id) => {
      this.streams.set(id as string, stream);
      stream.attach(id as string);
    }).catch((e: KilnError) => stream.fail(e));
    void stream.result.finally(() => {
      if (stream.subscription !== undefined) this.streams.delete(stream.subscription);
    }).catch(() => undefined);
    return stream;
  }

  private send(ws: WebSocket, method: string, params: unknown, onResult?: (v: unknown) => void): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { ws, resolve, reject, onResult });
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }), (err) => {
        if (err && this.pending.delete(id)) reject(new KilnConnectionError(`sending ${method} to ${this.url} failed: ${err.message}`, { cause: err }));
      });
    });
  }

  /** One connection attempt: open the socket, then rpc_methods as the auth check. */
  private async open(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.opts.apiKey !== undefined) headers.authorization = `Bearer ${this.opts.apiKey}`;
    this.lastError = undefined;
    const ws = new WebSocket(this.url, ["kiln.v1"], { headers, handshakeTimeout: this.connectTimeoutMs });
    ws.on("message", (d: RawData) => this.onMessage(ws, d));
    ws.on("error", () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", (e) => reject(new KilnConnectionError(`cannot connect to ${this.url}: ${e.message}`, { cause: e })));
      });
      const closed = new Promise((_, reject) => ws.once("close", (code) => reject(new KilnConnectionError(`${this.url} closed the connection while opening (code ${code})`))));
      const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new KilnConnectionError(`${this.url} did not answer rpc_methods within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs)));
      closed.catch(() => undefined);
      await Promise.race([this.send(ws, "rpc_methods", undefined), closed, timeout]);
    } catch (e) {
      ws.terminate();
      this.rejectOn(ws, e instanceof KilnError ? e : new KilnConnectionError(String(e)));
      // The server says why it refused before it closes: prefer that to the close itself.
      const refused = this.lastError as KilnError | undefined;
      throw refused instanceof KilnAuthError ? refused : e;
    } finally {
      clearTimeout(timer);
    }
    // Only an established connection is reopened when it drops.
    ws.on("close", (code, reason) => this.onClose(ws, code, reason.toString()));
    this.ws = ws;
  }

  private onMessage(ws: WebSocket, data: RawData): void {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    for (const m of (Array.isArray(msg) ? msg : [msg]) as WireMessage[]) this.dispatch(ws, m);
  }

  private dispatch(ws: WebSocket, m: WireMessage): void {
    if (m.method === "generate_v1_event" && m.params?.subscription && m.params.result) {
      this.streams.get(m.params.subscription)?.onEvent(m.params.result);
      return;
    }
    if (typeof m.id === "number") {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(rpcError(m.error));
      else {
        p.onResult?.(m.result);
        p.resolve(m.result);
      }
      return;
    }
    // id null: an error about the connection itself. Unauthorized ends it (the server closes next).
    if (m.error?.code === RpcCode.Unauthorized) {
      this.lastError = rpcError(m.error);
      if (this.ws === ws) this.dropAll(this.lastError);
      else this.rejectOn(ws, this.lastError);
    }
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    if (this.stateValue === "closed") return;
    const err = this.lastError instanceof KilnAuthError ? this.lastError : new KilnConnectionError(`connection to ${this.url} lost (code ${code}${reason ? `, ${reason}` : ""})`);
    this.lastError = err;
    this.dropAll(err);
    if (!this.reconnectOpts || err instanceof KilnAuthError) {
      this.stateValue = "closed";
      for (const w of this.readyWaiters.splice(0)) w.reject(err);
      return;
    }
    this.stateValue = "reconnecting";
    this.attempts = 0;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const r = this.reconnectOpts!;
    if (this.attempts >= r.maxAttempts) {
      this.stateValue = "closed";
      const err = new KilnConnectionError(`gave up reconnecting to ${this.url} after ${this.attempts} attempts; last error: ${this.lastError?.message}`);
      this.lastError = err;
      for (const w of this.readyWaiters.splice(0)) w.reject(err);
      return;
    }
    // Exponential backoff with jitter, so many clients do not return at the same instant.
    const base = Math.min(r.maxDelayMs, r.initialDelayMs * 2 ** this.attempts);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => void this.tryReconnect(), delay);
    this.reconnectTimer.unref();
  }

  private async tryReconnect(): Promise<void> {
    if (this.stateValue !== "reconnecting") return;
    this.attempts++;
    try {
      await this.open();
    } catch (e) {
      this.lastError = e instanceof KilnError ? e : new KilnConnectionError(String(e));
      if (this.stateValue !== "reconnecting") return;
      if (e instanceof KilnAuthError) {
        this.stateValue = "closed";
        for (const w of this.readyWaiters.splice(0)) w.reject(e);
        return;
      }
      this.scheduleReconnect();
      return;
    }
    if (this.stateValue !== "reconnecting") {
      // close() ran while the attempt was in flight.
      this.ws?.terminate();
      this.ws = undefined;
      return;
    }
    this.stateValue = "open";
    this.lastError = undefined;
    for (const w of this.readyWaiters.splice(0)) w.resolve();
  }

  /** Fails the requests sent on one socket (a handshake that did not complete). */
  private rejectOn(ws: WebSocket, err: KilnError): void {
    for (const [id, p] of this.pending) {
      if (p.ws !== ws) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private dropAll(err: KilnError): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const s of this.streams.values()) s.fail(err);
    this.streams.clear();
  }
}
