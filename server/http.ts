// HTTP routing: authentication, body limits, the OpenAI-compatible routes, /health, /metrics and the
// dashboard's static files. Every error leaves in OpenAI's error shape with its status code; a bug
// becomes a 500 with a one-line message, never a stack trace.

import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { packageRoot } from "../engine/paths.js";
import { bearerToken } from "./auth.js";
import type { ServerContext } from "./context.js";
import { ApiError, RpcCode, openaiErrorBody, toApiError } from "./errors.js";
import { handleChat, handleCompletions, handleDetokenize, handleEmbeddings, handleModel, handleModels, handleTokenize, sendJson } from "./openai.js";
import { isObject, type JsonObject } from "./params.js";

const STATIC_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export function dashboardDir(): string {
  return join(packageRoot(), "server", "dashboard");
}

async function readBody(req: IncomingMessage, limit: number): Promise<JsonObject> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new ApiError(RpcCode.MessageTooLarge, `request body is ${declared} bytes; the limit is ${limit}`, null, "request_too_large");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new ApiError(RpcCode.MessageTooLarge, `request body is over the ${limit}-byte limit`, null, "request_too_large");
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ApiError(RpcCode.ParseError, `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(v)) throw new ApiError(RpcCode.InvalidRequest, "request body must be a JSON object");
  return v;
}

interface Route {
  method: "GET" | "POST";
  /** The label in kiln_http_requests_total (a pattern, so ids do not explode the label set). */
  label: string;
  match: (path: string) => string[] | undefined;
  public?: (ctx: ServerContext) => boolean;
  handle: (ctx: ServerContext, req: IncomingMessage, res: ServerResponse, params: string[], arrivedMs: number) => Promise<void> | void;
}

const exact = (p: string) => (path: string): string[] | undefined => (path === p ? [] : undefined);

const routes: Route[] = [
  { method: "GET", label: "/v1/models", match: exact("/v1/models"), handle: (ctx, _q, res) => handleModels(ctx, res) },
  {
    method: "GET", label: "/v1/models/:id",
    match: (p) => (p.startsWith("/v1/models/") ? [decodeURIComponent(p.slice("/v1/models/".length))] : undefined),
    handle: (ctx, _q, res, [id]) => handleModel(ctx, res, id!),
  },
  { method: "POST", label: "/v1/completions", match: exact("/v1/completions"), handle: async (ctx, req, res, _p, t) => handleCompletions(ctx, await readBody(req, ctx.maxBodyBytes), res, t) },
  { method: "POST", label: "/v1/chat/completions", match: exact("/v1/chat/completions"), handle: async (ctx, req, res, _p, t) => handleChat(ctx, await readBody(req, ctx.maxBodyBytes), res, t) },
  { method: "POST", label: "/v1/embeddings", match: exact("/v1/embeddings"), handle: async (ctx, req, res) => handleEmbeddings(ctx, await readBody(req, ctx.maxBodyBytes), res) },
  { method: "POST", label: "/tokenize", match: exact("/tokenize"), handle: async (ctx, req, res) => handleTokenize(ctx, await readBody(req, ctx.maxBodyBytes), res) },
  { method: "POST", label: "/detokenize", match: exact("/detokenize"), handle: async (ctx, req, res) => handleDetokenize(ctx, await readBody(req, ctx.maxBodyBytes), res) },
  {
    method: "GET", label: "/health", match: exact("/health"), public: (ctx) => ctx.publicHealth,
    handle: (ctx, _q, res) => sendJson(res, ctx.draining ? 503 : 200, { status: ctx.draining ? "shutting down" : "ok" }),
  },
  {
    method: "GET", label: "/metrics", match: exact("/metrics"), public: (ctx) => ctx.publicMetrics,
    handle: async (ctx, _q, res) => {
      const text = await ctx.metrics.text();
      res.writeHead(200, { "content-type": ctx.metrics.contentType });
      res.end(text);
    },
  },
  {
    // The dashboard's files hold no data (the page asks the API, with a key when keys exist).
    method: "GET", label: "/dashboard", public: () => true,
    match: (p) => (p === "/" ? ["index.html"] : /^\/dashboard\/([a-z0-9-]+\.(?:html|js|css|svg))$/.exec(p)?.slice(1)),
    handle: async (_ctx, _q, res, [file]) => {
      let data: Buffer;
      try {
        data = await readFile(join(dashboardDir(), file!));
      } catch {
        throw new ApiError(RpcCode.MethodNotFound, `no dashboard file ${file}`, null, "not_found");
      }
      res.writeHead(200, { "content-type": STATIC_TYPES[extname(file!)] ?? "application/octet-stream", "cache-control": "no-cache" });
      res.end(data);
    },
  },
  {
    // The in-browser WebGPU page (server/browser) and its engine bundle (dist/browser, built by npm run build).
    method: "GET", label: "/browser", public: () => true,
    match: (p) => (p === "/browser" || p === "/browser/" ? ["index.html"] : /^\/browser\/(kiln-browser\.js)$/.exec(p)?.slice(1)),
    handle: async (_ctx, _q, res, [file]) => {
      const path = file === "index.html" ? join(packageRoot(), "server", "browser", file) : join(packageRoot(), "dist", "browser", file!);
      let data: Buffer;
      try {
        data = await readFile(path);
      } catch {
        throw new ApiError(RpcCode.MethodNotFound, `no browser file ${file} (run \`npm run build\` to bundle the page's engine)`, null, "not_found");
      }
      res.writeHead(200, { "content-type": STATIC_TYPES[extname(file!)] ?? "application/octet-stream", "cache-control": "no-cache" });
      res.end(data);
    },
  },
  {
    // A served model's GGUF file, for the browser page to run itself; authenticated like the API.
    method: "GET", label: "/browser/models/:id",
    match: (p) => (p.startsWith("/browser/models/") ? [decodeURIComponent(p.slice("/browser/models/".length))] : undefined),
    handle: async (ctx, _q, res, [id]) => {
      const m = ctx.models.get(id!);
      if (!m) throw new ApiError(RpcCode.MethodNotFound, `model ${JSON.stringify(id)} is not served here; available: ${[...ctx.models.keys()].join(", ")}`, null, "model_not_found");
      const data = await readFile(m.path);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(data.length) });
      res.end(data);
    },
  },
];

export function authorizedHttp(ctx: ServerContext, req: IncomingMessage): boolean {
  if (!ctx.keys.enabled) return true;
  return ctx.keys.verify(bearerToken(req.headers.authorization)) !== undefined;
}

export async function handleHttp(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrivedMs = performance.now();
  const path = (req.url ?? "/").split("?")[0]!;
  let label = "other";
  // "close" rather than "finish": a response cut short by a vanished client is counted too.
  res.on("close", () => ctx.metrics.httpRequests.inc({ route: label, method: req.method ?? "?", status: String(res.statusCode) }));
  try {
    let found: { route: Route; params: string[] } | undefined;
    let pathKnown = false;
    for (const route of routes) {
      const params = route.match(path);
      if (!params) continue;
      pathKnown = true;
      if (route.method === req.method || (route.method === "GET" && req.method === "HEAD")) {
        found = { route, params };
        break;
      }
    }
    if (!found) {
      if (pathKnown) throw new ApiError(RpcCode.InvalidRequest, `${req.method} is not allowed on ${path}`, null, "method_not_allowed", 405);
      throw new ApiError(RpcCode.MethodNotFound, `no route ${req.method} ${path}; see /v1/models, /v1/completions, /v1/chat/completions, /v1/embeddings, /tokenize, /detokenize, /health, /metrics`, null, "not_found");
    }
    label = found.route.label;
    if (!found.route.public?.(ctx) && !authorizedHttp(ctx, req)) {
      res.setHeader("www-authenticate", "Bearer");
      throw new ApiError(
        RpcCode.Unauthorized,
        req.headers.authorization ? "the API key is not valid (revoked or mistyped)" : "an API key is required: send Authorization: Bearer KEY (create one with `kiln api-key create`)",
        null, "invalid_api_key",
      );
    }
    await found.route.handle(ctx, req, res, found.params, arrivedMs);
  } catch (e) {
    // A client that left (its request was aborted while waiting or running) gets no answer.
    if (res.destroyed) return;
    const err = toApiError(e);
    if (err.rpcCode === RpcCode.InternalError) process.stderr.write(`kiln serve: ${req.method} ${path}: ${err.message}\n`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, err.httpStatus, openaiErrorBody(err));
  }
}
