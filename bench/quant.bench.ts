// Reference (de)quantization throughput per ggml type, in MB/s of float32 data (4 bytes per value)
// produced by dequantizeRow or consumed by quantizeRow. The reference code is the oracle, not the
// fast path (that is the wasm backend), so these numbers say what the checks and the CLI cost.

import { canDequantize, canQuantize, dequantizeRow, quantizeRow } from "../engine/quant/index.js";
import { ALL_TYPES } from "../engine/quant/types.js";
import { type Benchmark, timeIt, wanted } from "./harness.js";

/** Deterministic normal-ish values (sum of uniforms from a 32-bit LCG), so runs compare. */
function input(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      v += s / 2 ** 32;
    }
    x[i] = (v - 2) * 1.7;
  }
  return x;
}

export const benchmark: Benchmark = {
  name: "quant",
  description: "reference dequantizeRow / quantizeRow, MB/s of float32 per ggml type",
  run(opts, report) {
    const n = opts.quick ? 4096 : 65536;
    const minMs = opts.quick ? 20 : 300;
    const x = input(n);
    const out = new Float32Array(n);
    for (const t of ALL_TYPES) {
      if (!canDequantize(t.id) && !canQuantize(t.id)) continue;
      const mb = (4 * n) / 1e6;
      // Types without a reference quantizer get their blocks from q8_0-free zero bytes: valid input.
      const q = canQuantize(t.id) ? quantizeRow(t.id, x) : new Uint8Array((n / t.blockSize) * t.typeSize);
      const dq = `dequantize(type=${t.name},n=${n})`;
      if (canDequantize(t.id) && wanted(opts, dq)) {
        const ms = timeIt(() => dequantizeRow(t.id, q, n, out), minMs);
        report({ case: dq, value: mb / (ms / 1000), unit: "MB/s" });
      }
      const qn = `quantize(type=${t.name},n=${n})`;
      if (canQuantize(t.id) && wanted(opts, qn)) {
        const ms = timeIt(() => quantizeRow(t.id, x), minMs);
        report({ case: qn, value: mb / (ms / 1000), unit: "MB/s" });
      }
    }
  },
};
