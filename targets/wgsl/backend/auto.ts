// Registers the GPU backends (`webgpu`, `cuda`) and `auto`, which picks the best one that works here
// and says on stderr what it picked and why. Order: cuda (a real GPU), then webgpu on a hardware
// adapter, then wasm (the threaded CPU path), then webgpu on a software adapter (lavapipe, llvmpipe,
// SwiftShader: a GPU emulated on the CPU, correct but slower than wasm), then reference.
// Imported by engine/runtime/model.ts so loadModel and every --backend flag know these names.

import type { GGUFFile } from "../../../engine/gguf/reader.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import { backendFactory, backendNames, registerBackend, type Backend, type BackendOptions } from "../../../engine/runtime/backend.js";
import { createCudaBackend } from "../../cuda/backend/cuda-backend.js";
import { createWebGPUBackend, type WebGPUBackend } from "./webgpu-backend.js";

/** Whether an adapter description names a CPU implementation of the GPU APIs. */
export function isSoftwareAdapter(description: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render/i.test(description);
}

export interface AutoChoice {
  readonly backend: Backend;
  /** One line: what was picked and why the better ones were not. */
  readonly reason: string;
}

/** Tries the backends best first; what each refused with goes into the reason. */
export async function pickBackend(gguf: GGUFFile, config: ModelConfig, opts: BackendOptions): Promise<AutoChoice> {
  const skipped: string[] = [];
  const why = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/^(cuda|webgpu): /, "");
  try {
    return { backend: await createCudaBackend(gguf, config, opts), reason: "picked cuda (a CUDA GPU)" };
  } catch (e) {
    skipped.push(`cuda: ${why(e)}`);
  }
  let soft: WebGPUBackend | undefined;
  try {
    const w = await createWebGPUBackend(gguf, config, opts);
    if (!isSoftwareAdapter(w.adapter)) return { backend: w, reason: `picked webgpu (${w.adapter})` };
    soft = w;
    skipped.push(`webgpu: only a software adapter (${w.adapter})`);
  } catch (e) {
    skipped.push(`webgpu: ${why(e)}`);
  }
  if (backendNames().includes("wasm")) {
    try {
      const b = await backendFactory("wasm")(gguf, config, opts);
      soft?.dispose();
      return { backend: b, reason: `picked wasm (threaded WASM SIMD on the CPU); ${skipped.join("; ")}` };
    } catch (e) {
      skipped.push(`wasm: ${why(e)}`);
    }
  }
  if (soft) return { backend: soft, reason: `picked webgpu on a software adapter; ${skipped.join("; ")}` };
  return { backend: await backendFactory("reference")(gguf, config, opts), reason: `picked reference (plain TypeScript); ${skipped.join("; ")}` };
}

registerBackend("auto", async (gguf, config, opts) => {
  const { backend, reason } = await pickBackend(gguf, config, opts);
  process.stderr.write(`kiln: --backend auto ${reason}\n`);
  return backend;
});
