// Load benchmark of `kiln serve` (not a test): 32 concurrent streaming clients — half over the
// WebSocket JSON-RPC API, half over OpenAI-style SSE — for 60 s (5 s with --quick) against a server
// process on loopback serving stories260K. Reports errors (must be zero), p50/p99 time to first token
// measured by the clients, total generated tokens/s, and the server's resident memory at the end.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";
import { packageRoot } from "../engine/paths.js";
import type { Benchmark, BenchOptions, BenchResult } from "./harness.js";

const CLIENTS = 32;
const MAX_TOKENS = 64;

interface Stats {
  ttftMs: number[];
  tokens: number;
  requests: number;
  errors: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sseClient(url: string, until: number, seed: number, s: Stats): Promise<void> {
  while (Date.now() < until) {
    const t0 = performance.now();
    let first = true;
    try {
      const res = await fetch(`${url}/v1/completions`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "Once upon a time", max_tokens: MAX_TOKENS, temperature: 0.8, seed: seed++, stream: true }),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      const dec = new TextDecoder();
      let buf = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (ev === "data: [DONE]") continue;
          const data = JSON.parse(ev.slice(6)) as { error?: { message: string }; choices: { text: string; finish_reason: string | null }[] };
          if (data.error) throw new Error(data.error.message);
          if (data.choices[0]?.finish_reason === null) {
            if (first) s.ttftMs.push(performance.now() - t0);
            first = false;
            s.tokens++;
          }
        }
      }
      s.requests++;
    } catch (e) {
      s.errors.push(`sse: ${(e as Error).message}`);
    }
  }
}

async function wsClient(wsUrl: string, until: number, seed: number, s: Stats): Promise<void> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((res, rej) => { ws.once("open", () => res()); ws.once("error", rej); });
  let id = 0;
  try {
    while (Date.now() < until) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        let sub: string | undefined;
        let first = true;
        const reqId = ++id;
        const onMsg = (d: Buffer): void => {
          const m = JSON.parse(d.toString()) as { id?: number; result?: unknown; error?: { message: string }; params?: { subscription: string; result: { event: string; ids?: number[]; error?: { message: string } } } };
          if (m.id === reqId) {
            if (m.error) { s.errors.push(`ws: ${m.error.message}`); ws.off("message", onMsg); resolve(); return; }
            sub = m.result as string;
            return;
          }
          if (!m.params || m.params.subscription !== sub) return;
          const ev = m.params.result;
          if (ev.event === "tokens") {
            if (first) s.ttftMs.push(performance.now() - t0);
            first = false;
            s.tokens += ev.ids!.length;
          } else if (ev.event === "done" || ev.event === "error" || ev.event === "stop") {
            if (ev.event === "done") s.requests++;
            else s.errors.push(`ws: ${ev.event} ${ev.error?.message ?? ""}`);
            ws.off("message", onMsg);
            resolve();
          }
        };
        ws.on("message", onMsg);
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: reqId, method: "generate_v1_start", params: { prompt: "Once upon a time", max_tokens: MAX_TOKENS, temperature: 0.8, seed: seed++ } }));
      });
    }
  } finally {
    ws.close();
  }
}

async function runLoad(opts: BenchOptions, report: (r: BenchResult) => void): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "kiln-load-"));
  const child = spawn(process.execPath, [join(packageRoot(), "bin", "kiln.js"), "serve", "--port", "0", "--max-concurrent", "8"], {
    env: { ...process.env, KILN_HOME: home }, stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise<string>((res, rej) => {
      createInterface({ input: child.stdout! }).on("line", (l) => {
        const m = /^kiln listening on (\S+)$/.exec(l);
        if (m) res(m[1]!);
      });
      child.once("exit", (code) => rej(new Error(`kiln serve exited with ${code} (run \`npm run build\` first)`)));
    });
    const seconds = opts.quick ? 5 : 60;
    const s: Stats = { ttftMs: [], tokens: 0, requests: 0, errors: [] };
    const t0 = performance.now();
    const until = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) =>
      i % 2 === 0 ? wsClient(url.replace(/^http/, "ws") + "/ws", until, i * 100_000, s) : sseClient(url, until, i * 100_000, s)));
    const elapsed = (performance.now() - t0) / 1000;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    const ttft = s.ttftMs.sort((a, b) => a - b);
    const name = `serve(model=stories260k,clients=${CLIENTS},max_tokens=${MAX_TOKENS},seconds=${seconds})`;
    report({ case: `${name} errors`, value: s.errors.length, unit: "errors" });
    report({ case: `${name} requests`, value: s.requests, unit: "requests" });
    report({ case: `${name} ttft p50`, value: percentile(ttft, 50), unit: "ms" });
    report({ case: `${name} ttft p99`, value: percentile(ttft, 99), unit: "ms" });
    report({ case: `${name} throughput`, value: s.tokens / elapsed, unit: "tokens/s" });
    report({ case: `${name} server rss`, value: rss / 2 ** 20, unit: "MiB" });
    if (s.errors.length > 0) throw new Error(`load benchmark: ${s.errors.length} errors, first: ${s.errors[0]}`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(home, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: "load",
  description: "kiln serve under 32 concurrent streaming clients (WebSocket and SSE): errors, TTFT p50/p99, tokens/s",
  run: runLoad,
};
