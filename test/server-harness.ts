// Starts a real kiln server on loopback (port 0) over the embedded stories260K model, with KILN_HOME
// in a fresh temporary folder, for the server tests. Also: the golden greedy continuation, and a
// tiny WebSocket JSON-RPC client that records every message it receives.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { defaultModelPath } from "../engine/paths.js";
import { KeyStore } from "../server/auth.js";
import { loadServedModel } from "../server/engine.js";
import { KilnServer, type ServeOptions } from "../server/server.js";
import { golden } from "./golden.js";

export const MODEL_ID = "stories260k";

export interface TestServer {
  server: KilnServer;
  url: string;
  wsUrl: string;
  home: string;
  close(): Promise<void>;
}

/** A fresh KILN_HOME for this test file (process.env is per worker: vitest runs files in forks). */
export function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "kiln-home-"));
  process.env.KILN_HOME = home;
  return home;
}

export async function startTestServer(opts: Partial<ServeOptions> = {}, home = freshHome()): Promise<TestServer> {
  const model = await loadServedModel(defaultModelPath(), { name: MODEL_ID });
  const server = new KilnServer({ models: [model], host: "127.0.0.1", port: 0, keys: new KeyStore(join(home, "api-keys.json")), ...opts });
  const { url } = await server.start();
  return {
    server, url, wsUrl: url.replace(/^http/, "ws") + "/ws", home,
    close: async () => {
      await server.shutdown(0);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

interface GreedyGolden {
  prompt: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  generated_pieces: string[];
}

/** llama.cpp's greedy run of stories260k-f32 on "Once upon a time" (golden/greedy). */
export function greedyGolden(): GreedyGolden {
  return JSON.parse(readFileSync(golden("greedy", "stories260k-f32.json"), "utf8")) as GreedyGolden;
}

export interface RpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  method?: string;
  params?: { subscription: string; result: { event: string; [k: string]: unknown } };
}

/** A WebSocket client that keeps every message, in order, and can wait for one that matches. */
export class RpcClient {
  readonly messages: (RpcMessage | RpcMessage[])[] = [];
  private waiters: (() => void)[] = [];
  private nextId = 1;
  closeCode: number | undefined;
  private closedP: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      this.messages.push(JSON.parse(d.toString()) as RpcMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closedP = new Promise((r) => ws.on("close", (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
      r(code);
    }));
  }

  static async connect(url: string, opts: { headers?: Record<string, string>; protocols?: string[]; autoPong?: boolean } = {}): Promise<RpcClient> {
    const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers, autoPong: opts.autoPong ?? true });
    const c = new RpcClient(ws);
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
    });
    return c;
  }

  closed(): Promise<number> {
    return this.closedP;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Waits until `pred` matches a received message (polls on every arrival); fails after timeoutMs. */
  async waitFor<T extends RpcMessage | RpcMessage[]>(pred: (m: RpcMessage | RpcMessage[]) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m as T;
      if (this.closeCode !== undefined) throw new Error(`connection closed (${this.closeCode}) while waiting; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  /** Sends a request and waits for its response. */
  async call(method: string, params?: unknown): Promise<RpcMessage> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }));
    return this.waitFor<RpcMessage>((m) => !Array.isArray(m) && m.id === id);
  }

  /** Every event of one subscription, in arrival order. */
  events(sub: string): { event: string; [k: string]: unknown }[] {
    return this.messages
      .filter((m): m is RpcMessage => !Array.isArray(m) && m.method === "generate_v1_event" && m.params?.subscription === sub)
      .map((m) => m.params!.result);
  }

  /** Waits for the terminal event of a subscription and returns all its events. */
  async stream(sub: string, timeoutMs = 30_000): Promise<{ event: string; [k: string]: unknown }[]> {
    await this.waitFor((m) => !Array.isArray(m) && m.method === "generate_v1_event" && m.params?.subscription === sub &&
      ["done", "error", "stop"].includes(m.params.result.event), timeoutMs);
    return this.events(sub);
  }

  close(): void {
    this.ws.close();
  }
}
