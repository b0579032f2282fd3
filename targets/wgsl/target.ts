// The wgsl conformance target: generated/wgsl/*.wgsl validated by Tint and run by Dawn (the `webgpu`
// package) on whatever Vulkan driver is present; on a machine without a GPU that is Mesa's lavapipe,
// unpacked into .cache/lavapipe by targets/wgsl/setup-lavapipe.sh and used from there (no system
// install). Dawn runs in a child process (dawn-worker.mjs, `node --no-opt`) so a crash in the driver
// cannot take the caller down and V8's optimizer stays off on the thread that talks to Dawn.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { KernelIR } from "../../codegen/ir/types.js";
import type { Availability, ConformanceTarget, DispatchSize, TargetBuffers } from "../../conformance/target.js";
import { KilnError } from "../../engine/errors.js";
import { packageRoot } from "../../engine/paths.js";
import { bufferFor, bytesOf, hasSource, kernelSource, packUniforms } from "../generated.js";

/** Where setup-lavapipe.sh unpacks the driver ($KILN_LAVAPIPE_DIR overrides). */
export function lavapipeDir(): string {
  return process.env.KILN_LAVAPIPE_DIR || join(packageRoot(), ".cache", "lavapipe");
}

/**
 * The environment for the Dawn process: the caller's, plus lavapipe when it is unpacked and the caller
 * has not chosen a Vulkan driver (VK_DRIVER_FILES / VK_ICD_FILENAMES) already.
 */
export function dawnEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = lavapipeDir();
  const icd = join(dir, "lvp_icd.json");
  if (base.VK_DRIVER_FILES || base.VK_ICD_FILENAMES || !existsSync(icd)) return { ...base };
  const lib = join(dir, "usr", "lib", "x86_64-linux-gnu");
  return {
    ...base,
    VK_DRIVER_FILES: icd,
    VK_ICD_FILENAMES: icd,
    // the Vulkan loader and the newer libdrm come from the unpacked packages
    LD_LIBRARY_PATH: base.LD_LIBRARY_PATH ? `${lib}:${base.LD_LIBRARY_PATH}` : lib,
  };
}

export interface WgslMessage {
  readonly type: "error" | "warning" | "info";
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly adapter?: string;
  readonly features?: string[];
  readonly messages?: WgslMessage[];
  readonly outputs?: Record<number, Uint8Array>;
}

/** One Dawn child process; requests go one at a time in order. */
export class DawnProcess {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private stderrTail = "";

  private start(): ChildProcess {
    if (this.child) return this.child;
    const worker = join(packageRoot(), "targets", "wgsl", "dawn-worker.mjs");
    const child = fork(worker, [], { execArgv: ["--no-opt"], serialization: "advanced", env: dawnEnv(), stdio: ["ignore", "ignore", "pipe", "ipc"] });
    child.stderr?.on("data", (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-4000)));
    child.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.idle();
      p?.resolve(m);
    });
    child.on("exit", (code, signal) => {
      this.child = undefined;
      const why = `the Dawn process exited (${signal ?? `status ${code}`})${this.stderrTail.trim() ? `: ${this.stderrTail.trim().split("\n").slice(-5).join(" | ")}` : ""}`;
      for (const p of this.pending.values()) p.reject(new KilnError(`wgsl: ${why}`));
      this.pending.clear();
    });
    this.child = child;
    return child;
  }

  // an idle worker must not keep the caller's process alive
  private idle(): void {
    this.child?.unref();
    (this.child?.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  request(msg: Record<string, unknown>): Promise<Reply> {
    const child = this.start();
    child.ref();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ ...msg, id });
    });
  }

  close(): void {
    this.child?.disconnect();
    this.child = undefined;
  }
}

const NO_ADAPTER_FIX = "run targets/wgsl/setup-lavapipe.sh (Mesa lavapipe, a CPU Vulkan driver) or install a Vulkan driver";

/** Tint's messages for a WGSL text (an empty list when it is valid). */
export async function validateWgsl(dawn: DawnProcess, code: string): Promise<WgslMessage[]> {
  const r = await dawn.request({ op: "validate", code });
  if (!r.ok) throw new KilnError(`wgsl: cannot validate: ${r.error} (${NO_ADAPTER_FIX})`);
  return r.messages ?? [];
}

/** The messages as `file:line:column: type: message`, one a line. */
export function formatMessages(file: string, messages: readonly WgslMessage[]): string {
  return messages.map((m) => `${file}:${m.line}:${m.column}: ${m.type}: ${m.message}`).join("\n");
}

/** The WebGPU feature each kernel `needs` entry asks of the device. */
const FEATURE_OF: Readonly<Record<string, string>> = { subgroups: "subgroups", f16: "shader-f16" };

export function wgslTarget(): ConformanceTarget {
  const dawn = new DawnProcess();
  let features = new Set<string>();
  return {
    name: "wgsl",
    async available(): Promise<Availability> {
      try {
        const r = await dawn.request({ op: "info" });
        features = new Set(r.features ?? []);
        return r.ok ? { ok: true, why: "" } : { ok: false, why: `${r.error}: ${NO_ADAPTER_FIX}` };
      } catch (e) {
        return { ok: false, why: `${e instanceof Error ? e.message : String(e)}: ${NO_ADAPTER_FIX}` };
      }
    },
    supports(k: KernelIR): Availability {
      const missing = k.needs.filter((n) => !features.has(FEATURE_OF[n] ?? n));
      if (missing.length) return { ok: false, why: `kernel ${k.name} needs ${missing.join(", ")}, which this WebGPU adapter does not offer` };
      return hasSource(k.name, "wgsl");
    },
    async run(k: KernelIR, buffers: TargetBuffers, uniforms: Readonly<Record<string, number>>, dispatch: DispatchSize): Promise<void> {
      const { kernel, text } = kernelSource(k.name, "wgsl");
      const bindings = kernel.buffers.map((b) => ({ binding: b.binding, kind: b.access, data: bytesOf(bufferFor(kernel, b, buffers)) }));
      if (kernel.uniformBinding !== null) bindings.push({ binding: kernel.uniformBinding, kind: "read" as const, data: packUniforms(kernel, uniforms) });
      const withKinds = bindings.map((b) => ({ ...b, kind: b.binding === kernel.uniformBinding ? "uniform" : b.kind }));
      const r = await dawn.request({ op: "run", code: text, entry: kernel.entry, bindings: withKinds, dispatch: [...dispatch] });
      if (!r.ok) throw new KilnError(`wgsl: kernel ${kernel.name} (generated/${kernel.files.wgsl}): ${r.error}`);
      for (const b of kernel.buffers) {
        const out = r.outputs?.[b.binding];
        if (b.access === "read_write" && out) bytesOf(bufferFor(kernel, b, buffers)).set(out);
      }
    },
    dispose(): void {
      dawn.close();
    },
  };
}
