// `kiln serve`'s server: HTTP (OpenAI-compatible API, /metrics, the dashboard) and the WebSocket
// JSON-RPC API on one port. start() listens; shutdown() stops accepting work, lets running streams
// finish for a grace period, cancels what is left, and closes every connection.

import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { KilnError } from "../engine/errors.js";
import { KeyStore } from "./auth.js";
import { DEFAULT_LIMITS, type RpcLimits, type ServerContext } from "./context.js";
import type { ServedModel } from "./engine.js";
import { ApiError, RpcCode } from "./errors.js";
import { handleHttp } from "./http.js";
import { ServerMetrics } from "./metrics.js";
import { RpcConnection, selectProtocol, upgradeAuth } from "./rpc.js";
import { Scheduler } from "./scheduler.js";

export interface ServeOptions {
  readonly models: readonly ServedModel[];
  readonly host?: string;
  readonly port?: number;
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
  readonly publicHealth?: boolean;
  readonly publicMetrics?: boolean;
  /** Allow a non-loopback address without any API key. */
  readonly insecure?: boolean;
  readonly keys?: KeyStore;
  readonly limits?: Partial<RpcLimits>;
  readonly defaultMaxTokens?: number;
  readonly maxBodyBytes?: number;
  /** WebSocket ping interval; a connection that missed the previous ping's pong is ended. */
  readonly heartbeatMs?: number;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function insecureHostError(host: string): KilnError {
  return new KilnError(
    `refusing to listen on ${host} without API keys: anyone who can reach it could use it. ` +
      "Create a key with `kiln api-key create`, listen on 127.0.0.1, or pass --insecure",
  );
}

export class KilnServer {
  readonly ctx: ServerContext;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: ServeOptions) {
    if (opts.models.length === 0) throw new KilnError("kiln serve needs at least one model (-m)");
    const metrics = new ServerMetrics();
    const maxConcurrent = opts.maxConcurrent ?? 4;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new KilnError(`--max-concurrent must be a positive integer, got ${maxConcurrent}`);
    const limits: RpcLimits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.ctx = {
      models: new Map(opts.models.map((m) => [m.id, m])),
      defaultModel: opts.models[0]!,
      scheduler: new Scheduler({
        maxConcurrent,
        maxQueued: opts.maxQueue ?? 1024,
        onChange: (running, waiting) => {
          metrics.requestsRunning.set(running);
          metrics.requestsWaiting.set(waiting);
        },
      }),
      metrics,
      maxConcurrent,
      live: new Set(),
      keys: opts.keys ?? new KeyStore(),
      limits,
      publicHealth: opts.publicHealth ?? false,
      publicMetrics: opts.publicMetrics ?? false,
      defaultMaxTokens: opts.defaultMaxTokens ?? 256,
      maxBodyBytes: opts.maxBodyBytes ?? 4 << 20,
      draining: false,
    };
    for (const m of opts.models) {
      metrics.modelLoadSeconds.set({ model: m.id }, m.loadSeconds);
      metrics.kvCacheTokens.set({ model: m.id }, 0);
      metrics.kvCacheUsage.set({ model: m.id }, 0);
    }
    metrics.requestsRunning.set(0);
    metrics.requestsWaiting.set(0);
    this.http = createServer((req, res) => void handleHttp(this.ctx, req, res));
    this.http.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxFrameBytes,
      handleProtocols: (protocols) => selectProtocol(protocols),
    });
    // A peer that vanished without closing (a dropped network) answers no ping: end it, which frees
    // its subscriptions' slots.
    const alive = new WeakMap<WebSocket, boolean>();
    this.http.on("upgrade", (req, socket, head) => {
      const path = (req.url ?? "/").split("?")[0];
      if (this.ctx.draining || (path !== "/" && path !== "/ws" && path !== "/rpc")) {
        socket.end(`HTTP/1.1 ${this.ctx.draining ? "503 Service Unavailable" : "404 Not Found"}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
        return;
      }
      const auth = upgradeAuth(this.ctx, req);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, true);
        ws.on("pong", () => alive.set(ws, true));
        new RpcConnection(this.ctx, ws, auth);
      });
    });
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!alive.get(ws)) {
          ws.terminate();
          continue;
        }
        alive.set(ws, false);
        ws.ping();
      }
    }, opts.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  /** Listens; resolves with the address actually bound (port 0 picks a free one). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const host = this.opts.host ?? "127.0.0.1";
    if (!isLoopback(host) && !this.ctx.keys.enabled && !this.opts.insecure) {
      throw insecureHostError(host);
    }
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", (e: NodeJS.ErrnoException) =>
        reject(e.code === "EADDRINUSE" ? new KilnError(`port ${this.opts.port} on ${host} is in use; pick another --port (or 0 for a free one)`) : e),
      );
      this.http.listen(this.opts.port ?? 8080, host, () => resolve());
    });
    const a = this.http.address() as AddressInfo;
    const shown = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return { host: a.address, port: a.port, url: `http://${shown}:${a.port}` };
  }

  /**
   * Stops taking work; running generations get `graceMs` to finish, then are cancelled (their
   * clients see a terminal event); then every connection closes.
   */
  shutdown(graceMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      this.ctx.draining = true;
      clearInterval(this.heartbeat);
      this.ctx.scheduler.rejectAll(new ApiError(RpcCode.ShuttingDown, "the server is shutting down", null, "shutting_down"));
      this.http.close();
      const deadline = Date.now() + graceMs;
      while (this.ctx.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ctl of this.ctx.live) ctl.abort(new ApiError(RpcCode.ShuttingDown, "the server is shutting down; the generation was cancelled", null, "shutting_down"));
      while (this.ctx.live.size > 0) await new Promise((r) => setTimeout(r, 10));
      // Let the terminal events reach the wire before closing.
      await new Promise((r) => setTimeout(r, 50));
      for (const ws of this.wss.clients) ws.close(1001, "server shutting down");
      this.wss.close();
      await new Promise((r) => setTimeout(r, 50));
      for (const s of this.sockets) s.destroy();
      for (const m of this.opts.models) m.close();
    })();
    return this.closing;
  }
}
