// The targets the suite knows. A target runtime registers itself here with one line (its module calls
// registerTarget when imported), in the order the matrix shows them.
import { interpTarget } from "./interp-target.js";
import { registerTarget } from "./target.js";
import { wasmSimdTarget } from "../targets/wasm-simd/conformance.js";
import { metalCpuTarget } from "../targets/metal/cpu-target.js";
import { wgslTarget } from "../targets/wgsl/target.js";
import { cudaTarget } from "../targets/cuda/target.js";

registerTarget("interp", interpTarget);
registerTarget("wasm-simd", wasmSimdTarget);
registerTarget("metal-cpu", metalCpuTarget);
registerTarget("wgsl", wgslTarget);
registerTarget("cuda", cudaTarget);
