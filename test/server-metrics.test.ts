// /metrics scraped and parsed as Prometheus text: every metric the server promises is there, typed
// as promised, and moves by exactly what the requests did.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcClient, greedyGolden, startTestServer, type TestServer } from "./server-harness.js";
import { parseExposition, value, type Exposition } from "./server-prometheus.js";

let srv: TestServer;
const g = greedyGolden();

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${srv.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

beforeAll(async () => {
  srv = await startTestServer({ maxConcurrent: 1 });
});
afterAll(() => srv.close());

const HISTOGRAMS = ["kiln_time_to_first_token_seconds", "kiln_inter_token_latency_seconds", "kiln_request_duration_seconds", "kiln_queue_time_seconds"];

describe("/metrics", () => {
  it("exposes every promised metric with its type", async () => {
    const e = await scrape();
    const want: Record<string, string> = {
      kiln_http_requests_total: "counter",
      kiln_prompt_tokens_total: "counter",
      kiln_generated_tokens_total: "counter",
      kiln_requests_running: "gauge",
      kiln_requests_waiting: "gauge",
      kiln_kv_cache_tokens: "gauge",
      kiln_kv_cache_usage_ratio: "gauge",
      kiln_model_load_seconds: "gauge",
      process_cpu_seconds_total: "counter",
      process_resident_memory_bytes: "gauge",
      nodejs_heap_size_used_bytes: "gauge",
    };
    for (const h of HISTOGRAMS) want[h] = "histogram";
    for (const [name, type] of Object.entries(want)) expect(e.types.get(name), name).toBe(type);
    expect(value(e, "kiln_model_load_seconds", { model: "stories260k" })).toBeGreaterThan(0);
    expect(value(e, "process_resident_memory_bytes")).toBeGreaterThan(1e6);
  });

  it("counts tokens, latencies and requests as a completion flows", async () => {
    const before = await scrape();
    const n = 20;
    const res = await fetch(`${srv.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: g.prompt, max_tokens: n, temperature: 0 }) });
    expect(res.status).toBe(200);
    const after = await scrape();
    const d = (name: string, labels: Record<string, string> = {}): number => value(after, name, labels) - value(before, name, labels);
    expect(d("kiln_generated_tokens_total")).toBe(n);
    expect(d("kiln_prompt_tokens_total")).toBe(g.prompt_token_ids.length);
    expect(d("kiln_time_to_first_token_seconds_count")).toBe(1);
    expect(d("kiln_inter_token_latency_seconds_count")).toBe(n - 1);
    expect(d("kiln_request_duration_seconds_count")).toBe(1);
    expect(d("kiln_queue_time_seconds_count")).toBe(1);
    expect(d("kiln_request_duration_seconds_sum")).toBeGreaterThan(0);
    expect(d("kiln_http_requests_total", { route: "/v1/completions", status: "200" })).toBe(1);
    expect(d("kiln_http_requests_total", { route: "/metrics", status: "200" })).toBe(1);
    for (const h of HISTOGRAMS) {
      const buckets = after.samples.filter((s) => s.name === `${h}_bucket`);
      const les = buckets.map((b) => Number(b.labels.le === "+Inf" ? Infinity : b.labels.le));
      expect(les).toEqual([...les].sort((a, b) => a - b));
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
      expect(buckets.at(-1)!.value).toBe(value(after, `${h}_count`));
    }
  });

  it("shows running and waiting requests and KV-cache use while they run, and zero after", async () => {
    const c = await RpcClient.connect(srv.wsUrl);
    const a = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 1500, temperature: 0 })).result as string;
    await c.waitFor((m) => !Array.isArray(m) && m.params?.subscription === a && m.params.result.event === "tokens");
    const b = (await c.call("generate_v1_start", { prompt: g.prompt, max_tokens: 5, temperature: 0 })).result as string;
    const during = await scrape();
    expect(value(during, "kiln_requests_running")).toBe(1);
    expect(value(during, "kiln_requests_waiting")).toBe(1);
    expect(value(during, "kiln_kv_cache_tokens")).toBeGreaterThan(g.prompt_token_ids.length);
    expect(value(during, "kiln_kv_cache_usage_ratio")).toBeGreaterThan(0);
    await c.call("generate_v1_stop", { subscription: a });
    await c.stream(a);
    await c.stream(b);
    c.close();
    const after = await scrape();
    expect(value(after, "kiln_requests_running")).toBe(0);
    expect(value(after, "kiln_requests_waiting")).toBe(0);
    expect(value(after, "kiln_kv_cache_tokens")).toBe(0);
    expect(value(after, "kiln_queue_time_seconds_sum") - value(during, "kiln_queue_time_seconds_sum")).toBeGreaterThan(0);
  });
});
