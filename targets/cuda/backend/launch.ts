// The cuda backend's host logic, none of which needs a GPU: device memory planning (one arena per
// model for the weights, one per sequence for activations and the KV cache, each buffer 256-byte
// aligned as cudaMalloc's are), argument packing (the kernel parameter buffer cuLaunchKernel takes
// through CU_LAUNCH_PARAM_BUFFER_POINTER: device pointers 8-byte aligned, then the uniforms by value,
// each at its natural alignment, in the order generated/cuda/*.cu declares them), and the launch
// sequence: graph.ts's ops (shared with the webgpu backend) turned into launches and device-to-device
// copies that the driver binding runs in one call per batch of tokens, so a token costs one host round
// trip (the logits readback) however many layers the model has.

import { KilnError } from "../../../engine/errors.js";
import type { Op } from "../../wgsl/backend/graph.js";
import type { KernelDesc } from "../../wgsl/backend/kernel-desc.js";

/** Where each named buffer lives inside one allocation. */
export interface Arena {
  readonly offsets: ReadonlyMap<string, number>;
  readonly sizes: ReadonlyMap<string, number>;
  /** Bytes to allocate. */
  readonly total: number;
}

export const ARENA_ALIGN = 256;

/** Lays `sizes` out one after another, each at a multiple of `align` bytes. */
export function planArena(sizes: ReadonlyMap<string, number> | Iterable<[string, number]>, align = ARENA_ALIGN): Arena {
  const offsets = new Map<string, number>();
  const kept = new Map<string, number>();
  let at = 0;
  for (const [name, size] of sizes) {
    if (!Number.isInteger(size) || size < 0) throw new KilnError(`cuda: buffer ${name} has size ${size}, expected a byte count`);
    if (offsets.has(name)) throw new KilnError(`cuda: buffer ${name} is planned twice`);
    offsets.set(name, at);
    kept.set(name, size);
    at += Math.ceil(Math.max(size, 1) / align) * align;
  }
  return { offsets, sizes: kept, total: at };
}

/** A device address: the arena's base (from cuMemAlloc) plus the buffer's offset. */
export type DevicePtr = bigint;

// a kernel's buffers in binding order, sorted once: a token's launch list packs hundreds of them
const sortedBuffers = new WeakMap<KernelDesc, KernelDesc["buffers"]>();
function byBinding(kernel: KernelDesc): KernelDesc["buffers"] {
  let b = sortedBuffers.get(kernel);
  if (!b) {
    b = [...kernel.buffers].sort((x, y) => x.binding - y.binding);
    sortedBuffers.set(kernel, b);
  }
  return b;
}

/**
 * The arguments of one launch as cuLaunchKernel's kernelParams take them, one 8-byte slot per
 * parameter of the .cu signature: each buffer's device pointer in binding order, then each uniform (a
 * 4-byte value in the slot's low bytes) in the manifest's order. The binding passes a pointer to each
 * slot and the driver copies every argument to the offset the kernel declares (a packed struct through
 * CU_LAUNCH_PARAM_BUFFER_POINTER instead was refused on an H100 with CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES).
 */
export function packParams(kernel: KernelDesc, pointers: Readonly<Record<string, DevicePtr>>, uniforms: Readonly<Record<string, number>>): Uint8Array {
  const bufs = byBinding(kernel);
  const bytes = new Uint8Array(8 * (bufs.length + kernel.uniforms.length));
  const view = new DataView(bytes.buffer);
  bufs.forEach((b, i) => {
    const p = pointers[b.name];
    if (p === undefined) throw new KilnError(`cuda: kernel ${kernel.name}: no device pointer for ${b.name}`);
    view.setBigUint64(8 * i, p, true);
  });
  kernel.uniforms.forEach((u, j) => {
    const x = uniforms[u.name];
    if (x === undefined) throw new KilnError(`cuda: kernel ${kernel.name}: no value for uniform ${u.name}`);
    const at = 8 * (bufs.length + j);
    if (u.type === "f32") view.setFloat32(at, x, true);
    else if (u.type === "i32") view.setInt32(at, x, true);
    else view.setUint32(at, u.type === "bool" ? (x ? 1 : 0) : x, true);
  });
  return bytes;
}

export type Launch =
  | {
      readonly kind: "launch";
      readonly kernel: string;
      readonly grid: readonly [number, number, number];
      readonly block: readonly [number, number, number];
      readonly params: Uint8Array;
    }
  | { readonly kind: "copy"; readonly dst: DevicePtr; readonly src: DevicePtr; readonly bytes: number };

/** Resolves a buffer name to its device address (weights arena, sequence arena, or the readback area). */
export type AddressOf = (buffer: string) => DevicePtr;

/** Checks that [offset, offset+bytes) lies inside a buffer of `size` bytes. */
function checkRange(what: string, name: string, offset: number, bytes: number, size: number | undefined): void {
  if (size !== undefined && (offset < 0 || offset + bytes > size)) {
    throw new KilnError(`cuda: ${what} ${name} bytes ${offset}..${offset + bytes} outside its ${size} bytes`);
  }
}

/**
 * graph.ts's ops as CUDA launches: a dispatch of N workgroups of the kernel's workgroup size is a grid
 * of N blocks of that many threads (the DSL's workgroupId/localId are blockIdx/threadIdx), a copy a
 * device-to-device memcpy. `sizeOf` (optional) bounds-checks every copy.
 */
export function planLaunches(
  ops: readonly Op[],
  kernels: (name: string) => KernelDesc,
  addressOf: AddressOf,
  sizeOf?: (buffer: string) => number | undefined,
): Launch[] {
  return ops.map((op): Launch => {
    if (op.kind === "copy") {
      checkRange("copy from", op.src, op.srcOffset, op.bytes, sizeOf?.(op.src));
      checkRange("copy to", op.dst, op.dstOffset, op.bytes, sizeOf?.(op.dst));
      return { kind: "copy", src: addressOf(op.src) + BigInt(op.srcOffset), dst: addressOf(op.dst) + BigInt(op.dstOffset), bytes: op.bytes };
    }
    const k = kernels(op.kernel);
    const pointers: Record<string, DevicePtr> = {};
    for (const b of k.buffers) {
      const name = op.buffers[b.name];
      if (name === undefined) throw new KilnError(`cuda: kernel ${op.kernel} binding ${b.name} has no buffer in the graph`);
      pointers[b.name] = addressOf(name) + BigInt(op.slices?.[b.name]?.offset ?? 0);
    }
    return { kind: "launch", kernel: op.kernel, grid: op.groups, block: k.workgroupSize, params: packParams(k, pointers, op.uniforms) };
  });
}

/**
 * The launch list flattened for the driver binding's one-call runner: a Uint32Array of records
 * (kind 0, kernel index, grid x/y/z, block x/y/z, params offset) or (kind 1, 0, dst lo/hi, src lo/hi,
 * bytes, 0, 0), plus the concatenated parameter slots (a launch's run up to the next launch's offset)
 * and the kernel names by index.
 */
export function encodeLaunches(launches: readonly Launch[]): { records: Uint32Array; params: Uint8Array; kernels: string[] } {
  const REC = 9;
  const records = new Uint32Array(launches.length * REC);
  const kernels: string[] = [];
  const index = new Map<string, number>();
  let paramBytes = 0;
  for (const l of launches) if (l.kind === "launch") paramBytes += l.params.length;
  const params = new Uint8Array(paramBytes);
  let at = 0;
  launches.forEach((l, i) => {
    const r = i * REC;
    if (l.kind === "launch") {
      let k = index.get(l.kernel);
      if (k === undefined) {
        k = kernels.length;
        kernels.push(l.kernel);
        index.set(l.kernel, k);
      }
      records.set([0, k, l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2], at], r);
      params.set(l.params, at);
      at += l.params.length;
    } else {
      const lo = (p: bigint): number => Number(p & 0xffffffffn);
      const hi = (p: bigint): number => Number(p >> 32n);
      records.set([1, 0, lo(l.dst), hi(l.dst), lo(l.src), hi(l.src), l.bytes, 0, 0], r);
    }
  });
  return { records, params, kernels };
}
