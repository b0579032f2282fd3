// kiln serve: the OpenAI-compatible HTTP API, the WebSocket JSON-RPC API, /metrics and the dashboard on
// one port (server/). Listen address from --host/--port or KILN_HOST/KILN_PORT (default
// 127.0.0.1:8080); with --port 0 the chosen address is the one line written to stdout.

import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { numberFlag } from "./run.js";
import { defaultModelPath } from "../../engine/paths.js";
import { loadServedModel, type ServedModel } from "../../server/engine.js";
import { KeyStore } from "../../server/auth.js";
import { KilnServer, insecureHostError, isLoopback } from "../../server/server.js";
import { nameFromPath, resolveModelArg } from "../../server/store.js";

interface ServeFlags {
  model?: string[];
  host?: string;
  port?: string;
  backend?: string;
  threads?: number;
  maxConcurrent?: string;
  maxQueue?: string;
  maxTokens?: string;
  drainTimeout?: string;
  publicHealth?: boolean;
  publicMetrics?: boolean;
  insecure?: boolean;
}

function intFlag(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new KilnError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export async function serve(flags: ServeFlags): Promise<void> {
  const host = flags.host ?? (process.env.KILN_HOST || "127.0.0.1");
  const port = intFlag(flags.port !== undefined ? "--port" : "KILN_PORT", flags.port ?? process.env.KILN_PORT, 8080, 0);
  if (port > 65535) throw new KilnError(`--port must be at most 65535, got ${port}`);
  const maxConcurrent = intFlag("--max-concurrent", flags.maxConcurrent, 4, 1);
  const maxQueue = intFlag("--max-queue", flags.maxQueue, 1024, 0);
  const drainS = flags.drainTimeout === undefined ? 10 : Number(flags.drainTimeout);
  if (!(drainS >= 0)) throw new KilnError(`--drain-timeout must be a number of seconds >= 0, got ${JSON.stringify(flags.drainTimeout)}`);
  const drainMs = drainS * 1000;
  // Checked before loading anything, so the refusal comes at once (KilnServer.start checks again).
  if (!isLoopback(host) && !new KeyStore().enabled && !flags.insecure) throw insecureHostError(host);
  const specs = flags.model?.length ? flags.model.map(resolveModelArg) : [{ name: nameFromPath(defaultModelPath()), path: defaultModelPath() }];
  const seen = new Set<string>();
  const models: ServedModel[] = [];
  for (const s of specs) {
    if (seen.has(s.name)) throw new KilnError(`model name ${s.name} is given twice; add one under another name with \`kiln models add PATH --name N\``);
    seen.add(s.name);
    process.stderr.write(`kiln serve: loading ${s.name} (${s.path})\n`);
    models.push(await loadServedModel(s.path, { name: s.name, backend: flags.backend, threads: flags.threads }));
  }
  const server = new KilnServer({
    models, host, port, maxConcurrent, maxQueue,
    publicHealth: flags.publicHealth, publicMetrics: flags.publicMetrics, insecure: flags.insecure,
    defaultMaxTokens: intFlag("--max-tokens", flags.maxTokens, 256, 1),
  });
  const addr = await server.start();
  process.stdout.write(`kiln listening on ${addr.url}\n`);
  if (!server.ctx.keys.enabled) process.stderr.write("kiln serve: no API keys exist, so requests are not authenticated (`kiln api-key create` adds one)\n");
  await new Promise<void>((resolve) => {
    const stop = (sig: string): void => {
      process.stderr.write(`kiln serve: ${sig}: draining (up to ${drainMs / 1000} s), then closing\n`);
      void server.shutdown(drainMs).then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  process.stderr.write("kiln serve: stopped\n");
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve models over an OpenAI-compatible HTTP API and a WebSocket JSON-RPC API, with /metrics and a dashboard")
    .option("-m, --model <model...>", "GGUF file or model-store name (repeatable; default: the embedded stories260K)")
    .option("--host <host>", "address to listen on (env KILN_HOST; default 127.0.0.1)")
    .option("--port <port>", "port (env KILN_PORT; default 8080; 0 picks a free one)")
    .option("--backend <name>", "backend that runs the models: cpu (wasm, or reference where wasm cannot run a model), wasm, reference, webgpu, cuda or auto (default cpu)")
    .option("--threads <n>", "threads for the wasm backend (default: all available)", numberFlag("--threads", true))
    .option("--max-concurrent <n>", "generations running at once; the rest wait in FIFO order (default 4)")
    .option("--max-queue <n>", "generations allowed to wait before new ones are refused (default 1024)")
    .option("--max-tokens <n>", "default max_tokens for chat and JSON-RPC requests that give none (default 256)")
    .option("--drain-timeout <s>", "on SIGTERM, seconds running streams get to finish before they are cancelled (default 10)")
    .option("--public-health", "serve /health without an API key")
    .option("--public-metrics", "serve /metrics without an API key")
    .option("--insecure", "allow a non-loopback --host even when no API key exists")
    .action((flags: ServeFlags) => serve(flags));
}
