// The `cuda` Backend: weights in device memory in their ggml blocks (one arena), the KV cache and
// activations in a per-sequence arena, and each batch of tokens run as one launch list (graph.ts's ops
// through launch.ts) handed to the driver binding in a single call, then one readback of the logits
// rows. The driver binding is the Node-API addon over the CUDA driver API that targets/cuda provides
// (targets/cuda/driver.ts: openCudaDriver(), loaded on demand); where it, libcuda or nvcc is missing,
// creating the backend fails with a KilnError saying which, and `--backend auto` moves on.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KilnError } from "../../../engine/errors.js";
import type { GGUFFile } from "../../../engine/gguf/reader.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import { loadWeights, type ModelWeights } from "../../../engine/model/weights.js";
import {
  checkForwardArgs, registerBackend,
  type Backend, type BackendOptions, type BackendSequence, type LogitsOutput, type SequenceOptions,
} from "../../../engine/runtime/backend.js";
import { batchOps, kernelsUsed, layoutMatrix, planGraph, replan, withoutSources, type GraphPlan } from "../../wgsl/backend/graph.js";
import { encodeLaunches, planArena, planLaunches, type Arena } from "./launch.js";
import type { KernelDesc } from "../../wgsl/backend/kernel-desc.js";
import { buildPtx, cudaKernel, findNvcc } from "./ptx.js";

/** What the backend needs from the driver binding (cuMemAlloc, cuMemcpy*, cuModuleLoadData, cuLaunchKernel). */
export interface CudaDriver {
  deviceName(): string;
  memAlloc(bytes: number): bigint;
  memFree(ptr: bigint): void;
  memcpyHtoD(dst: bigint, src: Uint8Array): void;
  memcpyDtoH(src: bigint, bytes: number): Uint8Array;
  /** Loads a PTX module; returns a handle for getFunction. */
  loadModule(ptx: string): number;
  getFunction(module: number, name: string): number;
  /**
   * Runs a launch list (launch.ts encodeLaunches: records, packed parameters; functions[i] is the
   * handle of kernels[i]) on one stream, in order, and waits for it: one host round trip.
   */
  run(functions: readonly number[], records: Uint32Array, params: Uint8Array): void;
}

const LIBCUDA = ["/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1", "/usr/local/cuda/compat/libcuda.so.1"];

/** Whether the cuda backend can run here, and if not, the reason with its fix. */
export function cudaAvailability(): { ok: true; why: "" } | { ok: false; why: string } {
  // KILN_LIBCUDA: another driver library (a compat libcuda, or the test stand-in), as the addon honours
  const explicit = process.env.KILN_LIBCUDA;
  if (explicit ? !existsSync(explicit) : !LIBCUDA.some((p) => existsSync(p)) && !process.env.LD_LIBRARY_PATH?.split(":").some((d) => existsSync(join(d, "libcuda.so.1")))) {
    return { ok: false, why: "no CUDA driver (libcuda.so.1 not found): install the NVIDIA driver or run on a machine with a GPU" };
  }
  if (!existsSync(driverModulePath())) return { ok: false, why: `the CUDA driver binding is not built (${driverModulePath()} missing)` };
  const nvcc = findNvcc();
  if (!("path" in nvcc)) return { ok: false, why: nvcc.why };
  return { ok: true, why: "" };
}

function driverModulePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, "..", existsSync(join(here, "..", "driver.ts")) && !existsSync(join(here, "..", "driver.js")) ? "driver.ts" : "driver.js");
}

async function loadDriver(): Promise<CudaDriver> {
  const a = cudaAvailability();
  if (!a.ok) throw new KilnError(`cuda: ${a.why}`, "NO_CUDA");
  const mod = (await import(pathToFileURL(driverModulePath()).href)) as { openCudaDriver?: () => CudaDriver };
  if (typeof mod.openCudaDriver !== "function") throw new KilnError(`cuda: ${driverModulePath()} has no openCudaDriver() (driver binding out of date?)`, "NO_CUDA");
  return mod.openCudaDriver();
}

class CudaSequence implements BackendSequence {
  nPast = 0;
  readonly nCtx: number;
  private readonly arena: Arena;
  private readonly base: bigint;
  private freed = false;

  constructor(private readonly model: CudaModel, private readonly plan: GraphPlan) {
    this.nCtx = plan.opts.nCtx;
    const d = model.driver;
    this.arena = planArena([...plan.scratch, ["rope_table", plan.vectors.get("rope_table")!.byteLength], ["positions", plan.vectors.get("positions")!.byteLength]]);
    this.base = d.memAlloc(this.arena.total);
    // zero-filled, as graph.ts's padded activations need
    d.memcpyHtoD(this.base, new Uint8Array(this.arena.total));
    for (const name of ["rope_table", "positions"]) {
      const v = plan.vectors.get(name)!;
      d.memcpyHtoD(this.base + BigInt(this.arena.offsets.get(name)!), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
  }

  /** Device addresses by buffer name, made once: a token's launch list looks up about a thousand. */
  private readonly addresses = new Map<string, bigint>();
  private addressOf = (name: string): bigint => {
    let a = this.addresses.get(name);
    if (a === undefined) {
      const off = this.arena.offsets.get(name);
      a = off !== undefined ? this.base + BigInt(off) : this.model.addressOf(name);
      this.addresses.set(name, a);
    }
    return a;
  };

  private sizeOf = (name: string): number | undefined => this.arena.sizes.get(name) ?? this.model.sizeOf(name);

  async forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array> {
    if (this.freed) throw new KilnError("cuda: this sequence was freed (create a new one)");
    const nVocab = this.model.config.nVocab;
    checkForwardArgs(this, tokens, startPos, nVocab);
    const out = new Float32Array(output === "all" ? tokens.length * nVocab : nVocab);
    const d = this.model.driver;
    for (let b = 0; b < tokens.length; b += this.plan.opts.maxBatch) {
      const batch = tokens.slice(b, b + this.plan.opts.maxBatch);
      const last = b + batch.length === tokens.length;
      const { ops, rows } = batchOps(this.plan, batch.length, startPos + b, output === "all" ? "all" : last ? "last" : "none");
      d.memcpyHtoD(this.addressOf("ids"), new Uint8Array(Uint32Array.from(batch).buffer));
      const launches = planLaunches(ops, this.model.kernel, this.addressOf, this.sizeOf);
      const { records, params, kernels } = encodeLaunches(launches);
      try {
        d.run(kernels.map((k) => this.model.function(k)), records, params);
      } catch (e) {
        if (e instanceof KilnError) throw e;
        // the binding names the failing record by index; say which op that was
        const msg = (e as Error).message;
        const at = /record (\d+)/.exec(msg);
        const l = at ? launches[Number(at[1])] : undefined;
        const which = l ? ` at op ${at![1]} (${l.kind === "launch" ? `kernel ${l.kernel}` : "a device copy"})` : "";
        throw new KilnError(
          `cuda: the driver failed running ${launches.length} ops for ${batch.length} token(s) at position ${startPos + b}${which}: ${msg}`,
          "CUDA_DRIVER",
        );
      }
      if (rows > 0) {
        const bytes = d.memcpyDtoH(this.addressOf("readback"), rows * nVocab * 4);
        const got = new Float32Array(bytes.buffer, bytes.byteOffset, rows * nVocab);
        out.set(output === "all" ? got : got.subarray(0, nVocab), output === "all" ? b * nVocab : 0);
      }
      this.nPast = startPos + b + batch.length;
    }
    return out;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.nPast = 0;
    this.model.driver.memFree(this.base);
  }
}

class CudaModel implements Backend {
  readonly name = "cuda";
  private readonly arena: Arena;
  private readonly base: bigint;
  private readonly functions = new Map<string, number>();
  /** Kernel descriptors by name, read from generated/ once: a forward plans hundreds of launches. */
  private readonly kernels = new Map<string, KernelDesc>();
  private readonly module: number;
  /** The weights' layout without their bytes (on the device now); sequences replan it for their context. */
  private readonly basePlan: GraphPlan;

  constructor(readonly driver: CudaDriver, readonly config: ModelConfig, weights: ModelWeights, private readonly opts: BackendOptions) {
    const plan = planGraph(config, weights, { kvType: opts.kvType ?? "f32", nCtx: 1, maxBatch: 1 });
    const sizes: [string, number][] = [...plan.matrices].map(([n, m]) => [n, m.plan.bytes]);
    for (const [n, v] of plan.vectors) if (n !== "rope_table" && n !== "positions") sizes.push([n, v.byteLength]);
    this.arena = planArena(sizes);
    this.base = driver.memAlloc(this.arena.total);
    for (const [n, { plan: m, source }] of plan.matrices) driver.memcpyHtoD(this.addressOf(n), layoutMatrix(m, source!.bytes));
    for (const [n, v] of plan.vectors) {
      if (n === "rope_table" || n === "positions") continue;
      driver.memcpyHtoD(this.addressOf(n), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
    this.module = driver.loadModule(buildPtx(kernelsUsed(plan)));
    this.basePlan = withoutSources(plan);
  }

  addressOf(name: string): bigint {
    const off = this.arena.offsets.get(name);
    if (off === undefined) throw new KilnError(`cuda: no device buffer named ${name} (graph and model disagree)`);
    return this.base + BigInt(off);
  }

  sizeOf(name: string): number | undefined {
    return this.arena.sizes.get(name);
  }

  function(kernel: string): number {
    let f = this.functions.get(kernel);
    if (f === undefined) {
      f = this.driver.getFunction(this.module, this.kernel(kernel).entry);
      this.functions.set(kernel, f);
    }
    return f;
  }

  readonly kernel = (name: string): KernelDesc => {
    let k = this.kernels.get(name);
    if (!k) {
      k = cudaKernel(name).kernel;
      this.kernels.set(name, k);
    }
    return k;
  };

  createSequence(opts: SequenceOptions = {}): BackendSequence {
    const nCtx = Math.min(opts.nCtx ?? this.config.nCtx, this.config.nCtx);
    return new CudaSequence(this, replan(this.basePlan, { kvType: this.opts.kvType ?? "f32", nCtx, maxBatch: Math.min(64, nCtx) }));
  }

  dispose(): void {
    this.driver.memFree(this.base);
  }
}

export async function createCudaBackend(gguf: GGUFFile, config: ModelConfig, opts: BackendOptions): Promise<Backend> {
  const driver = await loadDriver();
  return new CudaModel(driver, config, loadWeights(gguf, config), opts);
}

registerBackend("cuda", createCudaBackend);
