// What the GPU backends need to know about a kernel to bind and launch it: the subset of a
// generated/manifest.json entry (targets/generated.ts's ManifestKernel) that names its buffers, their
// bindings, its uniforms and its workgroup size. Kept here, free of Node imports, so the same backend
// code runs in a browser, where the manifest and the WGSL arrive bundled instead of read from disk.

export interface KernelBufferDesc {
  readonly name: string;
  readonly binding: number;
  /** f32, i32, u32, or a ggml type name for a buffer of quant blocks. */
  readonly type: string;
  readonly access: "read" | "read_write";
}

export interface KernelUniformDesc {
  readonly name: string;
  readonly type: "f32" | "i32" | "u32" | "bool";
  /** Byte offset in the uniform struct (WGSL); CUDA takes them by value in this order. */
  readonly offset: number;
}

export interface KernelDesc {
  readonly name: string;
  readonly entry: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly buffers: readonly KernelBufferDesc[];
  readonly uniforms: readonly KernelUniformDesc[];
  readonly uniformBinding: number | null;
  readonly uniformBytes: number;
}

/** Where a backend gets a kernel's descriptor and source text for its target. */
export type KernelLibrary = (name: string) => { kernel: KernelDesc; code: string };

/** The uniforms of `kernel` as the 16-byte-padded struct of 4-byte scalars WGSL binds. */
export function packUniformStruct(kernel: KernelDesc, values: Readonly<Record<string, number>>): Uint8Array {
  const bytes = new Uint8Array(Math.max(16, Math.ceil(kernel.uniformBytes / 16) * 16));
  const view = new DataView(bytes.buffer);
  for (const u of kernel.uniforms) {
    const v = values[u.name];
    if (v === undefined) throw new Error(`kernel ${kernel.name}: no value for uniform ${u.name}`);
    if (u.type === "f32") view.setFloat32(u.offset, v, true);
    else if (u.type === "i32") view.setInt32(u.offset, v, true);
    else view.setUint32(u.offset, u.type === "bool" ? (v ? 1 : 0) : v, true);
  }
  return bytes;
}
