// The `webgpu` Backend in Node: the model runs in a GPU process (gpu-process.ts, `node --no-opt`,
// see there for why), and this main-process side forwards createSequence / forward / free over IPC.
// If the GPU process dies, pending and later calls fail with a KilnError naming it; the rest of the
// process (a server, say) stays up. In a browser the page uses WebGPUModel directly instead.

import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KilnError } from "../../../engine/errors.js";
import type { GGUFFile } from "../../../engine/gguf/reader.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import { packageRoot } from "../../../engine/paths.js";
import { dawnEnv } from "../target.js";
import {
  checkForwardArgs, registerBackend,
  type Backend, type BackendOptions, type BackendSequence, type LogitsOutput, type SequenceOptions,
} from "../../../engine/runtime/backend.js";
import type { GpuReply, GpuRequest } from "./protocol.js";

type Pending = { resolve: (r: GpuReply & { ok: true }) => void; reject: (e: Error) => void };
type RequestBody = GpuRequest extends infer R ? (R extends GpuRequest ? Omit<R, "id"> : never) : never;

/**
 * How to start the GPU process: beside this module's own file, so compiled code (dist/) starts the
 * compiled child and source run by vite-node or vitest starts the source through vite-node.
 */
function childCommand(): { module: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  const here = dirname(self);
  if (self.endsWith(".js")) return { module: join(here, "gpu-process.js"), args: [] };
  return { module: join(packageRoot(), "node_modules/vite-node/vite-node.mjs"), args: [join(here, "gpu-process.ts")] };
}

/** The IPC client of one GPU process. */
export class GpuProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: string | undefined;
  private readonly ready: Promise<void>;

  constructor() {
    const { module, args } = childCommand();
    this.child = fork(module, args, {
      execArgv: ["--no-opt"],
      serialization: "advanced",
      // the wgsl target's Vulkan choice: lavapipe from .cache/lavapipe when no driver is chosen
      env: dawnEnv(),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    this.child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
      if (process.env.KILN_GPU_DEBUG) process.stderr.write(d);
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.once("message", () => resolve());
      this.child.once("exit", () => reject(new KilnError(`webgpu: the GPU process did not start: ${stderr.trim() || "no output"}`)));
    });
    this.ready.catch(() => {});
    this.child.on("message", (r: GpuReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r);
      else p.reject(new KilnError(r.message, r.code));
    });
    this.child.on("exit", (code, signal) => {
      this.dead = `the GPU process exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`;
      for (const p of this.pending.values()) p.reject(new KilnError(`webgpu: ${this.dead}; load the model again`, "GPU_PROCESS_EXITED"));
      this.pending.clear();
    });
    // the GPU process must not keep a CLI run alive once the backend is unused
    this.child.unref();
    this.child.channel?.unref();
  }

  async request(body: RequestBody): Promise<GpuReply & { ok: true }> {
    await this.ready;
    if (this.dead) throw new KilnError(`webgpu: ${this.dead}; load the model again`, "GPU_PROCESS_EXITED");
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.channel?.ref();
      this.child.send({ ...body, id } as GpuRequest, (err) => {
        if (err) {
          this.pending.delete(id);
          reject(new KilnError(`webgpu: cannot reach the GPU process: ${err.message}`, "GPU_PROCESS_EXITED"));
        }
      });
    }).finally(() => {
      if (this.pending.size === 0) this.child.channel?.unref();
    }) as Promise<GpuReply & { ok: true }>;
  }

  get exited(): boolean {
    return this.dead !== undefined;
  }

  /** The GPU process's pid (for logs, and for tests that end it to check the isolation). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(): void {
    if (!this.dead) this.child.kill();
  }
}

class WebGPUBackendSequence implements BackendSequence {
  nPast = 0;
  private freed = false;
  private readonly created: Promise<unknown>;

  constructor(private readonly proc: GpuProcess, private readonly id: number, readonly nCtx: number, private readonly nVocab: number) {
    // sent now, awaited by the first forward: its error (out of device memory, say) is that forward's
    this.created = proc.request({ op: "create", seq: id, nCtx });
    this.created.catch(() => {});
  }

  async forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array> {
    if (this.freed) throw new KilnError("webgpu: this sequence was freed (create a new one)");
    checkForwardArgs(this, tokens, startPos, this.nVocab);
    await this.created;
    const r = await this.proc.request({ op: "forward", seq: this.id, tokens: [...tokens], startPos, output });
    this.nPast = startPos + tokens.length;
    return r.logits!;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.nPast = 0;
    if (!this.proc.exited) this.proc.request({ op: "free", seq: this.id }).catch(() => {});
  }
}

export class WebGPUBackend implements Backend {
  readonly name = "webgpu";
  private nextSeq = 1;

  constructor(
    readonly config: ModelConfig,
    readonly proc: GpuProcess,
    readonly adapter: string,
    /** How the KV cache stores values on the device (f16 only for an f16 cache with shader-f16). */
    readonly kvStorage: "f32" | "f16",
  ) {}

  createSequence(opts: SequenceOptions = {}): BackendSequence {
    const nCtx = Math.min(opts.nCtx ?? this.config.nCtx, this.config.nCtx);
    const id = this.nextSeq++;
    return new WebGPUBackendSequence(this.proc, id, nCtx, this.config.nVocab);
  }

  dispose(): void {
    if (this.proc.exited) return;
    this.proc.request({ op: "dispose" }).catch(() => {});
  }
}

export async function createWebGPUBackend(gguf: GGUFFile, config: ModelConfig, opts: BackendOptions): Promise<WebGPUBackend> {
  if (!existsSync(gguf.path)) throw new KilnError(`webgpu: the model must be a file on disk (got ${gguf.path})`);
  const proc = new GpuProcess();
  try {
    const r = await proc.request({ op: "load", path: gguf.path, kvType: opts.kvType ?? "f32" });
    return new WebGPUBackend(config, proc, r.adapter ?? "unknown adapter", r.kvStorage ?? "f32");
  } catch (e) {
    proc.kill();
    throw e;
  }
}

registerBackend("webgpu", createWebGPUBackend);
