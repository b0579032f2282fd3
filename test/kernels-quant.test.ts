// Every kernel that reads weights in their ggml type — get_rows/dequantize, matvec, matmul over f32, f16,
// bf16, q4_0..q8_0, q2_k..q6_k, iq4_nl, iq4_xs — against the reference (engine/quant's bit-exact
// dequantizers and engine/reference's matvec), on every conformance target this machine has.
import { describe } from "vitest";
import { quantCases } from "../conformance/cases/quant.js";
import { conformanceSuite } from "./conformance-harness.js";

describe("quantized weight kernels", () => {
  conformanceSuite(quantCases);
});
