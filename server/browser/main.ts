/// <reference lib="dom" />
/// <reference types="@webgpu/types" />
// The in-browser page's engine: loads a GGUF (from the serving kiln's model store, or a file the user
// picks), reads it with engine/gguf, builds the webgpu backend on navigator.gpu's device, and streams
// a generation through engine/runtime's Session: the same tokenizer, sampler and graph code as in
// Node, bundled by build.mjs into dist/browser/kiln-browser.js. Nothing here runs on the server.

import { KilnError } from "../../engine/errors.js";
import { GGUFFile } from "../../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../../engine/model/config.js";
import { loadWeights } from "../../engine/model/weights.js";
import type { Model } from "../../engine/runtime/model.js";
import { Session } from "../../engine/runtime/session.js";
import { loadTokenizer } from "../../engine/tokenizer/index.js";
import { InPageWebGPUBackend } from "../../targets/wgsl/backend/in-page-backend.js";
import type { KernelDesc, KernelLibrary } from "../../targets/wgsl/backend/kernel-desc.js";
import { WebGPUModel } from "../../targets/wgsl/backend/webgpu-model.js";

// filled in by build.mjs: every generated WGSL kernel, with its descriptor
declare const KILN_KERNELS: Record<string, { kernel: KernelDesc; code: string }>;

const library: KernelLibrary = (name) => {
  const k = KILN_KERNELS[name];
  if (!k) throw new KilnError(`no WGSL kernel ${name} in this bundle (rebuild with npm run build)`);
  return k;
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const apiKey = (): string => localStorage.getItem("kiln.apiKey") ?? "";
const authHeaders = (): Record<string, string> => (apiKey() ? { authorization: `Bearer ${apiKey()}` } : {});

function status(text: string, state: "idle" | "busy" | "ready" | "error" = "idle"): void {
  const s = $("status");
  s.textContent = text;
  s.dataset.state = state;
}

let loaded: { model: Model; name: string } | undefined;
let device: GPUDevice | undefined;

async function gpuDevice(): Promise<GPUDevice> {
  if (device) return device;
  if (!("gpu" in navigator) || !navigator.gpu) throw new KilnError("this browser has no WebGPU (navigator.gpu is missing; on Chromium, serve over https or localhost)");
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new KilnError("WebGPU found no adapter (requestAdapter() returned null)");
  device = await adapter.requestDevice({
    // shader-f16: an f16 KV cache in half the memory
    requiredFeatures: adapter.features.has("shader-f16") ? ["shader-f16"] : [],
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const info = adapter.info;
  $("adapter").textContent = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "unknown adapter";
  return device;
}

async function loadBytes(bytes: Uint8Array, name: string): Promise<void> {
  status(`reading ${name}…`, "busy");
  loaded?.model.close();
  loaded = undefined;
  const gguf = GGUFFile.fromBytes(bytes, name);
  const config = modelConfigFromGGUF(gguf);
  const tokenizer = loadTokenizer(gguf);
  const weights = loadWeights(gguf, config);
  const dev = await gpuDevice();
  status(`uploading ${name} to the GPU…`, "busy");
  const gpuModel = await WebGPUModel.create(dev, config, weights, library);
  const backend = new InPageWebGPUBackend(gpuModel);
  const model: Model = {
    path: name, config, tokenizer, backend,
    createSession: (o) => new Session(model, o),
    close: () => backend.dispose(),
  };
  loaded = { model, name };
  status(`${name}: ${config.architecture}, ${config.nLayer} layers, ${(gpuModel.weightBytes / 1e6).toFixed(2)} MB of weights on the GPU`, "ready");
  $<HTMLButtonElement>("run").disabled = false;
}

async function loadFromServer(): Promise<void> {
  const id = $<HTMLSelectElement>("server-model").value;
  status(`downloading ${id}…`, "busy");
  const res = await fetch(`/browser/models/${encodeURIComponent(id)}`, { headers: authHeaders() });
  if (!res.ok) throw new KilnError(`downloading model ${id}: HTTP ${res.status} ${await res.text()}`);
  await loadBytes(new Uint8Array(await res.arrayBuffer()), id);
}

async function run(): Promise<void> {
  if (!loaded) throw new KilnError("load a model first");
  const prompt = $<HTMLTextAreaElement>("prompt").value;
  const maxTokens = Number($<HTMLInputElement>("n").value);
  const temperature = Number($<HTMLInputElement>("temp").value);
  const out = $("output");
  out.textContent = "";
  $<HTMLButtonElement>("run").disabled = true;
  status("generating…", "busy");
  const session = loaded.model.createSession({ nCtx: Math.min(loaded.model.config.nCtx, 2048) });
  let n = 0;
  const t0 = performance.now();
  try {
    for await (const tok of session.generate(prompt, { maxTokens, temperature })) {
      out.textContent += tok.text;
      if (tok.id >= 0) n++;
    }
  } finally {
    $<HTMLButtonElement>("run").disabled = false;
  }
  const s = (performance.now() - t0) / 1000;
  status(`done: ${n} tokens in ${s.toFixed(1)} s (${(n / s).toFixed(1)} tokens/s)`, "ready");
}

function guard(f: () => Promise<void>): () => void {
  return () => {
    f().catch((e: unknown) => status(e instanceof Error ? e.message : String(e), "error"));
  };
}

async function listServerModels(): Promise<void> {
  const res = await fetch("/v1/models", { headers: authHeaders() });
  if (!res.ok) return;
  const body = (await res.json()) as { data: { id: string }[] };
  const sel = $<HTMLSelectElement>("server-model");
  for (const m of body.data) {
    const o = document.createElement("option");
    o.value = o.textContent = m.id;
    sel.append(o);
  }
}

$("load-server").addEventListener("click", guard(loadFromServer));
$("load-file").addEventListener("change", guard(async () => {
  const f = $<HTMLInputElement>("load-file").files?.[0];
  if (f) await loadBytes(new Uint8Array(await f.arrayBuffer()), f.name);
}));
$("run").addEventListener("click", guard(run));
guard(listServerModels)();
status("pick a model", "idle");
