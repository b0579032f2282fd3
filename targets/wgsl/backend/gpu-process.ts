// The webgpu backend's GPU process: started by webgpu-backend.ts as `node --no-opt` with an IPC
// channel, it owns the Dawn device (the `webgpu` package) and the WebGPUModel, and answers load /
// create / forward / free requests. Why a separate process: Dawn's Node binding crashes the process
// (a native fault, not an exception) when the JS thread around it runs hot, optimized code, as a busy
// server does; with the optimizing compilers off (--no-opt) it does not, and in its own process a
// fault ends only this child: the server keeps serving and reports the backend as gone.
// Messages are structured-cloned ("advanced" serialization), so logits travel as Float32Array.

import { create, globals } from "webgpu";
import { KilnError } from "../../../engine/errors.js";
import { GGUFFile } from "../../../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../../../engine/model/config.js";
import { loadWeights } from "../../../engine/model/weights.js";
import { nodeKernelLibrary } from "./node-library.js";
import type { GpuReply, GpuRequest } from "./protocol.js";
import { WebGPUModel, type WebGPUSequence } from "./webgpu-model.js";

// the GPU object must outlive the device: when it is garbage-collected, Dawn's instance goes with it
// and the next submit aborts the process (std::system_error), so it is held here for good
let gpu: GPU | undefined;
let device: GPUDevice | undefined;
let model: WebGPUModel | undefined;
const sequences = new Map<number, WebGPUSequence>();

async function openDevice(): Promise<{ device: GPUDevice; adapter: string; f16: boolean }> {
  Object.assign(globalThis, globals);
  gpu ??= create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new KilnError(
      "webgpu: Dawn found no GPU adapter (no Vulkan driver: install one, or run targets/wgsl/setup-lavapipe.sh for the CPU driver lavapipe)",
      "NO_ADAPTER",
    );
  }
  const info = adapter.info;
  // shader-f16 lets an f16 KV cache take half the memory; KILN_WEBGPU_NO_F16=1 turns it off (tests
  // use it to run the f32-storage path on adapters that have the feature)
  const f16 = adapter.features.has("shader-f16") && !process.env.KILN_WEBGPU_NO_F16;
  const d = await adapter.requestDevice({
    requiredFeatures: f16 ? ["shader-f16"] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device: d, f16, adapter: `${info.vendor || "?"} ${info.architecture || ""} ${info.description || info.device || ""}`.replace(/\s+/g, " ").trim() };
}

async function handle(req: GpuRequest): Promise<GpuReply> {
  switch (req.op) {
    case "load": {
      const opened = await openDevice();
      device = opened.device;
      const f = GGUFFile.open(req.path);
      try {
        const config = modelConfigFromGGUF(f);
        model = await WebGPUModel.create(device, config, loadWeights(f, config), nodeKernelLibrary, { kvType: req.kvType });
      } finally {
        f.close();
      }
      return { id: req.id, ok: true, adapter: opened.adapter, weightBytes: model.weightBytes, kvStorage: model.kvStorage };
    }
    case "create": {
      if (!model) throw new KilnError("webgpu: no model loaded in the GPU process");
      sequences.set(req.seq, model.createSequence(req.nCtx));
      return { id: req.id, ok: true };
    }
    case "forward": {
      const s = sequences.get(req.seq);
      if (!s) throw new KilnError(`webgpu: sequence ${req.seq} does not exist (freed?)`);
      const logits = await s.forward(req.tokens, req.startPos, req.output);
      return { id: req.id, ok: true, logits };
    }
    case "free": {
      sequences.get(req.seq)?.free();
      sequences.delete(req.seq);
      return { id: req.id, ok: true };
    }
    case "dispose": {
      model?.dispose();
      device?.destroy();
      setImmediate(() => process.exit(0));
      return { id: req.id, ok: true };
    }
  }
}

// requests are handled one at a time, in order: the device queue is serial anyway
let chain: Promise<void> = Promise.resolve();
process.on("message", (msg: GpuRequest) => {
  if (process.env.KILN_GPU_DEBUG) process.stderr.write(`gpu-process: ${msg.op} ${msg.id}\n`);
  chain = chain.then(async () => {
    let reply: GpuReply;
    try {
      reply = await handle(msg);
    } catch (e) {
      const err = e as Error;
      reply = { id: msg.id, ok: false, message: err.message, code: e instanceof KilnError ? e.code : "GPU_PROCESS" };
    }
    process.send!(reply);
  });
});
process.on("disconnect", () => process.exit(0));
process.send!({ id: 0, ok: true });
