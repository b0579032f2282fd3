// GENERATED — do not edit; source: engine/kernels/*.kernel.ts
// Every kernel, for one asc build (targets/wasm-simd).
export { add } from "./add";
export { mul } from "./mul";
export { scale } from "./scale";
export { matvec_q8_0 } from "./matvec_q8_0";
export { rmsnorm } from "./rmsnorm";
export { softmax } from "./softmax";
