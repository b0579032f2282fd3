// The kernels the GPU backends' model graph runs besides the generated op families: rope from the
// host's angle table (every RoPE scaling), round_f16 and kv_store_f16 (the f16 KV cache, bit for bit
// against engine/quant/half.ts, i.e. F16C / ggml), and the in-place softcap — on every conformance
// target this machine has (interp, wasm-simd, metal-cpu, wgsl via lavapipe, cuda where present).
import { describe } from "vitest";
import { kvCacheCases } from "../conformance/cases/kv_cache.js";
import { ropeTableCases } from "../conformance/cases/rope_table.js";
import { softcapInplaceCases } from "../conformance/cases/softcap_inplace.js";
import { conformanceSuite } from "./conformance-harness.js";

describe("rope from the angle table", () => conformanceSuite(ropeTableCases));
describe("f16 KV cache", () => conformanceSuite(kvCacheCases));
describe("softcap in place", () => conformanceSuite(softcapInplaceCases));
