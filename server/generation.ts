// One generation as both APIs run it: wait for a slot (FIFO), tokenize, stream tokens to a sink, and
// record the metrics (queue time, time to first token, inter-token latency, end-to-end latency, token
// counters, KV-cache use). The sink may await (backpressure); the slot is freed the moment the
// generation ends, fails or is cancelled.

import type { GenerateOptions, GeneratedToken, GenerationResult } from "../engine/runtime/types.js";
import { KilnError } from "../engine/errors.js";
import { ApiError, RpcCode, invalidParam } from "./errors.js";
import type { ServedModel } from "./engine.js";
import type { ServerMetrics } from "./metrics.js";
import type { Scheduler } from "./scheduler.js";

export interface GenerationContext {
  readonly scheduler: Scheduler;
  readonly metrics: ServerMetrics;
  readonly maxConcurrent: number;
  /** Live generations, for SIGTERM's drain. */
  readonly live: Set<AbortController>;
}

export interface StartInfo {
  readonly promptTokens: number;
  readonly queueSeconds: number;
}

export interface GenerationSink {
  onStart?(info: StartInfo): void | Promise<void>;
  onToken(token: GeneratedToken): void | Promise<void>;
}

export interface GenerationRequest {
  readonly model: ServedModel;
  /** Prompt text (BOS added as the model says) or token ids (used as given). */
  readonly prompt: string | readonly number[];
  readonly options: Omit<GenerateOptions, "signal">;
  readonly signal: AbortSignal;
  /** performance.now() when the request arrived. */
  readonly arrivedMs: number;
}

/** KV positions in use per model (prompt + generated tokens of each running generation). */
const kvInUse = new WeakMap<ServerMetrics, Map<string, number>>();

function addKv(ctx: GenerationContext, model: ServedModel, delta: number): void {
  let m = kvInUse.get(ctx.metrics);
  if (!m) kvInUse.set(ctx.metrics, (m = new Map()));
  const v = (m.get(model.id) ?? 0) + delta;
  m.set(model.id, v);
  ctx.metrics.kvCacheTokens.set({ model: model.id }, v);
  ctx.metrics.kvCacheUsage.set({ model: model.id }, v / (ctx.maxConcurrent * model.contextLength));
}

/** Prompt ids, checked against the vocabulary and the context. */
export function promptIds(model: ServedModel, prompt: string | readonly number[], param = "prompt"): number[] {
  const ids = typeof prompt === "string" ? model.tokenizer.encode(prompt) : [...prompt];
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= model.tokenizer.vocabSize) {
      throw invalidParam(param, `${param}: token id ${id} is outside the vocabulary of ${model.id} (0..${model.tokenizer.vocabSize - 1})`);
    }
  }
  if (ids.length === 0) throw invalidParam(param, `${param} is empty; give at least one token`);
  if (ids.length >= model.contextLength) {
    throw invalidParam(param, `${param} has ${ids.length} tokens but ${model.id}'s context holds ${model.contextLength}; shorten it`);
  }
  return ids;
}

export async function runGeneration(ctx: GenerationContext, req: GenerationRequest, sink: GenerationSink): Promise<GenerationResult> {
  const { model, signal } = req;
  const labels = { model: model.id };
  const ids = promptIds(model, req.prompt);
  const release = await ctx.scheduler.acquire(signal);
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  ctx.live.add(ctl);
  let kv = ids.length;
  addKv(ctx, model, kv);
  const startedMs = performance.now();
  const queueSeconds = (startedMs - req.arrivedMs) / 1000;
  ctx.metrics.queueTime.observe(labels, queueSeconds);
  ctx.metrics.promptTokens.inc(labels, ids.length);
  const text: string[] = [];
  const outIds: number[] = [];
  let lastTokenMs = 0;
  try {
    await sink.onStart?.({ promptTokens: ids.length, queueSeconds });
    const maxTokens = Math.min(req.options.maxTokens ?? Infinity, model.contextLength - ids.length);
    const stream = model.generate(ids, { ...req.options, maxTokens, signal: ctl.signal });
    let result: GenerationResult | undefined;
    try {
      for (;;) {
        // After an abort the runtime ends the stream at its next step (finish reason "cancelled").
        const step = await stream.next();
        if (step.done) {
          result = step.value;
          break;
        }
        if (ctl.signal.aborted) continue;
        const now = performance.now();
        if (outIds.length === 0) ctx.metrics.timeToFirstToken.observe(labels, (now - req.arrivedMs) / 1000);
        else ctx.metrics.interTokenLatency.observe(labels, (now - lastTokenMs) / 1000);
        lastTokenMs = now;
        outIds.push(step.value.id);
        text.push(step.value.text);
        ctx.metrics.generatedTokens.inc(labels);
        addKv(ctx, model, 1);
        kv++;
        await sink.onToken(step.value);
        // Let other connections' I/O run between tokens: one long generation never starves the rest.
        await new Promise<void>((r) => setImmediate(r));
      }
    } catch (e) {
      if (!ctl.signal.aborted) throw e;
    }
    // Cancelled by the server (shutdown), not by the client: the client is told why.
    if (ctl.signal.aborted && !signal.aborted) throw ctl.signal.reason;
    const ms = performance.now() - startedMs;
    const final: GenerationResult = result && !ctl.signal.aborted
      ? result
      : {
          text: text.join(""),
          ids: outIds,
          finishReason: "cancelled",
          usage: { promptTokens: ids.length, completionTokens: outIds.length },
          timings: { promptMs: 0, generateMs: ms, promptTokensPerSecond: 0, generateTokensPerSecond: outIds.length / (ms / 1000) },
        };
    ctx.metrics.requestLatency.observe(labels, (performance.now() - req.arrivedMs) / 1000);
    ctx.metrics.generations.inc({ ...labels, finish_reason: final.finishReason });
    return final;
  } catch (e) {
    ctx.metrics.generations.inc({ ...labels, finish_reason: "error" });
    if (e instanceof ApiError) throw e;
    // The runtime's KilnErrors are about the request (e.g. the context is full); anything else is a bug.
    if (e instanceof KilnError) throw new ApiError(RpcCode.InvalidParams, `${model.id}: ${e.message}`);
    throw new ApiError(RpcCode.InternalError, `generation failed on ${model.id}: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    signal.removeEventListener("abort", onAbort);
    ctx.live.delete(ctl);
    addKv(ctx, model, -kv);
    release();
  }
}
