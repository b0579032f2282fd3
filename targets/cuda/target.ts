// The cuda conformance target (`kiln conformance --target cuda`): each generated/cuda/*.cu compiled by
// nvcc into a fatbin (compile.ts), loaded with cuModuleLoadData and launched through the driver API by the
// Node-API addon (addon.ts), which opens libcuda.so.1 at run time. Available only where both a CUDA
// driver with a GPU and nvcc are present; elsewhere available() says which is missing.
import type { KernelIR } from "../../codegen/ir/types.js";
import type { Availability, ConformanceTarget, DispatchSize, TargetBuffers } from "../../conformance/target.js";
import { KilnError } from "../../engine/errors.js";
import { bufferFor, bytesOf, contentHash, hasSource, kernelSource, type ManifestKernel } from "../generated.js";
import { loadAddon, type CudaAddon } from "./addon.js";
import { compileFatbin, findNvcc } from "./compile.js";

/** The launch arguments as cuLaunchKernel's kernelParams expect them here: one 8-byte slot each. */
export function packArgs(kernel: ManifestKernel, pointers: readonly bigint[], uniforms: Readonly<Record<string, number>>): Uint8Array {
  const slots = new Uint8Array(8 * (pointers.length + kernel.uniforms.length));
  const view = new DataView(slots.buffer);
  pointers.forEach((p, i) => view.setBigUint64(8 * i, p, true));
  kernel.uniforms.forEach((u, j) => {
    const v = uniforms[u.name];
    if (v === undefined) throw new KilnError(`kernel ${kernel.name}: no value for uniform ${u.name} (the case must set every uniform: ${kernel.uniforms.map((x) => x.name).join(", ")})`);
    const at = 8 * (pointers.length + j);
    if (u.type === "f32") view.setFloat32(at, v, true);
    else if (u.type === "i32") view.setInt32(at, v, true);
    else if (u.type === "bool") view.setUint8(at, v ? 1 : 0);
    else view.setUint32(at, v, true);
  });
  return slots;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function cudaTarget(): ConformanceTarget {
  let addon: CudaAddon | undefined;
  const functions = new Map<string, number>();
  return {
    name: "cuda",
    async available(): Promise<Availability> {
      try {
        addon = await loadAddon();
      } catch (e) {
        return { ok: false, why: message(e) };
      }
      const p = addon.probe();
      if (!p.ok) return { ok: false, why: `${p.why}: install the NVIDIA driver or run on a machine with an NVIDIA GPU` };
      if (!findNvcc()) return { ok: false, why: `no nvcc to compile the kernels for ${p.name}: install the CUDA toolkit or set NVCC` };
      return { ok: true, why: "" };
    },
    supports(k: KernelIR): Availability {
      if (k.needs.length) return { ok: false, why: `kernel ${k.name} needs ${k.needs.join(", ")}, which this target does not enable yet` };
      return hasSource(k.name, "cuda");
    },
    async run(k: KernelIR, buffers: TargetBuffers, uniforms: Readonly<Record<string, number>>, dispatch: DispatchSize): Promise<void> {
      const cu = addon ?? (addon = await loadAddon());
      const { kernel } = kernelSource(k.name, "cuda");
      const fatbin = await compileFatbin(k.name);
      const key = `${kernel.name}\0${contentHash(fatbin)}`;
      const pointers: bigint[] = [];
      try {
        let fn = functions.get(key);
        if (fn === undefined) {
          fn = cu.getFunction(cu.loadModule(fatbin), kernel.entry);
          functions.set(key, fn);
        }
        for (const b of kernel.buffers) {
          const data = bytesOf(bufferFor(kernel, b, buffers));
          const p = cu.alloc(data.byteLength);
          pointers.push(p);
          cu.upload(p, data);
        }
        cu.launch(fn, dispatch, kernel.workgroupSize, 0, packArgs(kernel, pointers, uniforms));
        kernel.buffers.forEach((b, i) => {
          if (b.access === "read_write") cu.download(pointers[i]!, bytesOf(bufferFor(kernel, b, buffers)));
        });
      } catch (e) {
        if (e instanceof KilnError) throw e;
        throw new KilnError(`cuda: kernel ${kernel.name}: ${message(e)}`);
      } finally {
        for (const p of pointers) {
          try {
            cu.free(p);
          } catch {
            // a failed launch can leave the context unusable; the launch error is the one to report
          }
        }
      }
    },
  };
}
