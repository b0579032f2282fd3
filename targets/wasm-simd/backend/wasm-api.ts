// The slice of the WebAssembly JS API the wasm backend uses, typed here because lib ES2023 (the
// project's tsconfig) has no WebAssembly declarations.

export interface WasmMemory {
  /** A SharedArrayBuffer for shared memories; a new object after each grow(). */
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmAPI {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

export const WA = (globalThis as unknown as { WebAssembly: WasmAPI }).WebAssembly;
