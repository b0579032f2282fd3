// The server's Prometheus metrics (prom-client), one registry per server so several servers can live
// in one process (tests). Names follow Prometheus conventions (base units: seconds, *_total counters);
// the dashboard draws its charts from this same text at /metrics.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Latency buckets from 1 ms to 60 s: a 260K model answers in milliseconds, a 7B one in seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "kiln_http_requests_total",
    help: "HTTP requests by route and status code",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly rpcRequests = new Counter({
    name: "kiln_rpc_requests_total",
    help: "WebSocket JSON-RPC calls by method and outcome (ok or the JSON-RPC error code)",
    labelNames: ["method", "outcome"] as const,
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: "kiln_websocket_connections",
    help: "Open WebSocket connections",
    registers: [this.registry],
  });
  readonly promptTokens = new Counter({
    name: "kiln_prompt_tokens_total",
    help: "Prompt tokens processed",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  readonly generatedTokens = new Counter({
    name: "kiln_generated_tokens_total",
    help: "Tokens generated",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  readonly generations = new Counter({
    name: "kiln_generations_total",
    help: "Finished generations by finish reason (stop, length, eog, cancelled, context, error)",
    labelNames: ["model", "finish_reason"] as const,
    registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: "kiln_time_to_first_token_seconds",
    help: "From the request's arrival to its first generated token (queue time and prefill included)",
    labelNames: ["model"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly interTokenLatency = new Histogram({
    name: "kiln_inter_token_latency_seconds",
    help: "Time between consecutive generated tokens of one request",
    labelNames: ["model"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly requestLatency = new Histogram({
    name: "kiln_request_duration_seconds",
    help: "End-to-end latency of a generation, from arrival to its last token",
    labelNames: ["model"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly queueTime = new Histogram({
    name: "kiln_queue_time_seconds",
    help: "Time a generation waited for a free slot (--max-concurrent)",
    labelNames: ["model"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly requestsRunning = new Gauge({
    name: "kiln_requests_running",
    help: "Generations running now",
    registers: [this.registry],
  });
  readonly requestsWaiting = new Gauge({
    name: "kiln_requests_waiting",
    help: "Generations waiting for a slot",
    registers: [this.registry],
  });
  readonly kvCacheTokens = new Gauge({
    name: "kiln_kv_cache_tokens",
    help: "Token positions held in the KV caches of running generations",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  readonly kvCacheUsage = new Gauge({
    name: "kiln_kv_cache_usage_ratio",
    help: "KV-cache positions in use over the positions the running slots can hold (max-concurrent x context length)",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  readonly modelLoadSeconds = new Gauge({
    name: "kiln_model_load_seconds",
    help: "Time it took to load each model",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
