/// <reference types="@webgpu/types" />
// The webgpu backend's device side: uploads a model's weights once, in their ggml blocks, builds one
// compute pipeline per kernel, and evaluates tokens by translating graph.ts's op list into one command
// submission (dispatches in compute passes, copies between them), then reads back only the logits rows
// sampling needs. The GPUDevice is passed in, so the same code runs in Node (Dawn, in the child process
// of gpu-process.ts) and in a browser (navigator.gpu, server/browser). No Node imports here.
// Reference: engine/reference/forward.ts (the oracle the goldens check it against).

import { KilnError } from "../../../engine/errors.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import type { ModelWeights } from "../../../engine/model/weights.js";
import { batchOps, kernelsUsed, layoutMatrix, planGraph, replan, withoutSources, type GraphPlan, type Op } from "./graph.js";
import { packUniformStruct, type KernelDesc, type KernelLibrary } from "./kernel-desc.js";

// GPUBufferUsage / GPUMapMode flags by value: Node has no such globals unless Dawn's are installed
const USAGE_MAP_READ = 0x0001;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_UNIFORM = 0x0040;
const USAGE_STORAGE = 0x0080;
const MAP_READ = 0x0001;
/** Bind groups / uniform buffers a sequence keeps before starting over. */
const MAX_CACHED = 4096;

export interface WebGPUModelOptions {
  readonly kvType?: "f32" | "f16";
  /** Most tokens one submission evaluates (default 64). */
  readonly maxBatch?: number;
  /** Store an f16 KV cache as f16 when the device has shader-f16 (default true; else rounded, in f32). */
  readonly f16?: boolean;
}

interface Pipeline {
  readonly kernel: KernelDesc;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** A model on one GPUDevice: weights, pipelines; sequences (KV caches) come from createSequence. */
export class WebGPUModel {
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly weightBuffers = new Map<string, GPUBuffer>();
  private readonly sequences = new Set<WebGPUSequence>();
  /** Bytes of weights on the device (the quantized blocks, as stored in the file). */
  readonly weightBytes: number;
  /** How the KV cache stores values: f16 (an f16 cache on a device with shader-f16) or f32. */
  readonly kvStorage: "f32" | "f16";

  /** The weights' layout (no file bytes kept: they are on the device); sequences replan it for their context. */
  private readonly basePlan: GraphPlan;

  private constructor(
    readonly device: GPUDevice,
    readonly config: ModelConfig,
    weights: ModelWeights,
    private readonly library: KernelLibrary,
    readonly opts: Required<WebGPUModelOptions>,
  ) {
    this.kvStorage = opts.kvType === "f16" && opts.f16 && device.features.has("shader-f16") ? "f16" : "f32";
    // the weight layout does not depend on the context; sequences plan their own scratch and RoPE table
    const plan = planGraph(config, weights, { kvType: opts.kvType, kvStorage: this.kvStorage, nCtx: 1, maxBatch: 1 });
    let bytes = 0;
    for (const [name, { plan: m, source }] of plan.matrices) {
      this.weightBuffers.set(name, this.upload(name, layoutMatrix(m, source!.bytes)));
      bytes += m.bytes;
    }
    for (const [name, v] of plan.vectors) {
      if (name === "rope_table" || name === "positions") continue; // per sequence (they depend on n_ctx)
      this.weightBuffers.set(name, this.upload(name, new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
    }
    this.weightBytes = bytes;
    this.basePlan = withoutSources(plan);
    for (const name of kernelsUsed(plan)) this.pipeline(name);
  }

  /** Builds the model on `device`; shader or pipeline errors become a KilnError naming the kernel. */
  static async create(device: GPUDevice, config: ModelConfig, weights: ModelWeights, library: KernelLibrary, opts: WebGPUModelOptions = {}): Promise<WebGPUModel> {
    device.pushErrorScope("validation");
    const model = new WebGPUModel(device, config, weights, library, { kvType: opts.kvType ?? "f32", maxBatch: opts.maxBatch ?? 64, f16: opts.f16 ?? true });
    const err = await device.popErrorScope();
    if (err) throw new KilnError(`webgpu: building the model failed: ${err.message}`);
    return model;
  }

  private upload(label: string, bytes: Uint8Array): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes.byteLength / 4) * 4);
    const buf = this.device.createBuffer({ label, size, usage: USAGE_STORAGE | USAGE_COPY_DST | USAGE_COPY_SRC, mappedAtCreation: true });
    new Uint8Array(buf.getMappedRange()).set(bytes);
    buf.unmap();
    return buf;
  }

  /** The pipeline of kernel `name`, built on first use. */
  pipeline(name: string): Pipeline {
    const have = this.pipelines.get(name);
    if (have) return have;
    const { kernel, code } = this.library(name);
    const module = this.device.createShaderModule({ label: name, code });
    const pipeline = this.device.createComputePipeline({ label: name, layout: "auto", compute: { module, entryPoint: kernel.entry } });
    const p = { kernel, pipeline, layout: pipeline.getBindGroupLayout(0) };
    this.pipelines.set(name, p);
    return p;
  }

  weightBuffer(name: string): GPUBuffer | undefined {
    return this.weightBuffers.get(name);
  }

  createSequence(nCtx = this.config.nCtx): WebGPUSequence {
    const n = Math.min(nCtx, this.config.nCtx);
    const plan = replan(this.basePlan, { kvType: this.opts.kvType, kvStorage: this.kvStorage, nCtx: n, maxBatch: Math.min(this.opts.maxBatch, n) });
    const seq = new WebGPUSequence(this, plan, () => this.sequences.delete(seq));
    this.sequences.add(seq);
    return seq;
  }

  dispose(): void {
    for (const s of [...this.sequences]) s.free();
    for (const b of this.weightBuffers.values()) b.destroy();
    this.weightBuffers.clear();
    this.pipelines.clear();
  }
}

/** One sequence: its KV cache and activations on the device, its bind groups cached across tokens. */
export class WebGPUSequence {
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly uniforms = new Map<string, GPUBuffer>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly readback: GPUBuffer;
  readonly nCtx: number;
  nPast = 0;
  private freed = false;

  constructor(private readonly model: WebGPUModel, private readonly plan: GraphPlan, private readonly onFree: () => void) {
    const device = model.device;
    this.nCtx = plan.opts.nCtx;
    for (const [name, size] of plan.scratch) {
      if (name === "readback") continue;
      // WebGPU zero-fills new buffers: padded tails of activations stay 0, as graph.ts relies on
      this.buffers.set(name, device.createBuffer({ label: name, size: Math.max(16, size), usage: USAGE_STORAGE | USAGE_COPY_DST | USAGE_COPY_SRC }));
    }
    for (const name of ["rope_table", "positions"]) {
      const v = plan.vectors.get(name)!;
      const buf = device.createBuffer({ label: name, size: Math.max(16, v.byteLength), usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
      device.queue.writeBuffer(buf, 0, v.buffer, v.byteOffset, v.byteLength);
      this.buffers.set(name, buf);
    }
    this.readback = device.createBuffer({ label: "readback", size: plan.scratch.get("readback")!, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  }

  private buffer(name: string): GPUBuffer {
    const b = this.buffers.get(name) ?? this.model.weightBuffer(name);
    if (!b) throw new KilnError(`webgpu: no buffer named ${name} (graph and model disagree)`);
    return b;
  }

  private uniformBuffer(kernel: KernelDesc, values: Readonly<Record<string, number>>): GPUBuffer {
    const key = kernel.name + JSON.stringify(values);
    let u = this.uniforms.get(key);
    if (!u) {
      const bytes = packUniformStruct(kernel, values);
      u = this.model.device.createBuffer({ label: `${kernel.name} uniforms`, size: bytes.byteLength, usage: USAGE_UNIFORM | USAGE_COPY_DST });
      this.model.device.queue.writeBuffer(u, 0, bytes);
      this.uniforms.set(key, u);
    }
    return u;
  }

  private bindGroup(op: Extract<Op, { kind: "dispatch" }>, p: Pipeline): GPUBindGroup {
    const key = op.kernel + JSON.stringify(op.buffers) + JSON.stringify(op.uniforms) + JSON.stringify(op.slices ?? null);
    let g = this.bindGroups.get(key);
    if (!g) {
      const entries: GPUBindGroupEntry[] = p.kernel.buffers.map((b) => {
        const name = op.buffers[b.name];
        if (name === undefined) throw new KilnError(`webgpu: kernel ${op.kernel} binding ${b.name} has no buffer in the graph`);
        const slice = op.slices?.[b.name];
        return { binding: b.binding, resource: slice ? { buffer: this.buffer(name), offset: slice.offset, size: slice.size } : { buffer: this.buffer(name) } };
      });
      if (p.kernel.uniformBinding !== null) {
        entries.push({ binding: p.kernel.uniformBinding, resource: { buffer: this.uniformBuffer(p.kernel, op.uniforms) } });
      }
      g = this.model.device.createBindGroup({ label: op.kernel, layout: p.layout, entries });
      this.bindGroups.set(key, g);
    }
    return g;
  }

  /** Records `ops` into one command buffer: consecutive dispatches share a compute pass. */
  private encode(ops: readonly Op[]): GPUCommandBuffer {
    const enc = this.model.device.createCommandEncoder();
    let pass: GPUComputePassEncoder | undefined;
    for (const op of ops) {
      if (op.kind === "dispatch") {
        const p = this.model.pipeline(op.kernel);
        pass ??= enc.beginComputePass();
        pass.setPipeline(p.pipeline);
        pass.setBindGroup(0, this.bindGroup(op, p));
        pass.dispatchWorkgroups(op.groups[0], op.groups[1], op.groups[2]);
      } else {
        pass?.end();
        pass = undefined;
        const dst = op.dst === "readback" ? this.readback : this.buffer(op.dst);
        enc.copyBufferToBuffer(this.buffer(op.src), op.srcOffset, dst, op.dstOffset, op.bytes);
      }
    }
    pass?.end();
    return enc.finish();
  }

  /**
   * Evaluates `tokens` at startPos.. (startPos <= nPast rewinds), one submission per batch of up to
   * maxBatch tokens, and returns the last token's logits or every token's (row-major).
   */
  async forward(tokens: readonly number[], startPos: number, output: "last" | "all"): Promise<Float32Array> {
    if (this.freed) throw new KilnError("webgpu: this sequence was freed (create a new one)");
    // attention's uniforms name the position, so bind groups and uniform buffers accumulate with the
    // context; past a bound they are dropped here, between forwards, when this sequence's earlier
    // submissions have completed (each forward awaits its readback)
    if (this.bindGroups.size > MAX_CACHED) this.bindGroups.clear();
    if (this.uniforms.size > MAX_CACHED) {
      for (const u of this.uniforms.values()) u.destroy();
      this.uniforms.clear();
      this.bindGroups.clear();
    }
    const nVocab = this.model.config.nVocab;
    const out = new Float32Array(output === "all" ? tokens.length * nVocab : nVocab);
    const device = this.model.device;
    for (let b = 0; b < tokens.length; b += this.plan.opts.maxBatch) {
      const batch = tokens.slice(b, b + this.plan.opts.maxBatch);
      const last = b + batch.length === tokens.length;
      const want = output === "all" ? "all" : last ? "last" : "none";
      const { ops, rows } = batchOps(this.plan, batch.length, startPos + b, want);
      device.queue.writeBuffer(this.buffer("ids"), 0, Uint32Array.from(batch));
      device.pushErrorScope("validation");
      device.queue.submit([this.encode(ops)]);
      const err = await device.popErrorScope();
      if (err) throw new KilnError(`webgpu: a submission failed validation: ${err.message}`);
      if (rows > 0) {
        await this.readback.mapAsync(MAP_READ, 0, rows * nVocab * 4);
        const got = new Float32Array(this.readback.getMappedRange(0, rows * nVocab * 4));
        if (output === "all") out.set(got, b * nVocab);
        else out.set(got);
        this.readback.unmap();
      }
      this.nPast = startPos + b + batch.length;
    }
    return out;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    for (const b of this.buffers.values()) b.destroy();
    for (const b of this.uniforms.values()) b.destroy();
    this.readback.destroy();
    this.buffers.clear();
    this.uniforms.clear();
    this.bindGroups.clear();
    this.nPast = 0;
    this.onFree();
  }
}
