// The asc entry of the wasm-simd target: every generated kernel (generated/wasm-simd/index.ts) and where
// free linear memory starts, so the host can place buffers after the module's own data.
export * from "../../../generated/wasm-simd/index";

/** The first byte after the module's static data: the host's buffers and scratch go from here. */
export function heapBase(): usize {
  return __heap_base;
}
