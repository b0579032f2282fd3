// Reference (de)quantization throughput per ggml type, in MB/s of float32 data (4 bytes per value)
// produced by dequantizeRow or consumed by quantizeRow. The reference code is the oracle, not the
// fast path (that is the wasm backend), so these numbers say what the checks and the CLI cost.

import { canDequantize, canQuantize, dequantizeRow, needsImportance, quantizeRow } from "../engine/quant/index.js";
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
    const ones = new Float32Array(n).fill(1); // importance weights for the imatrix-only types
    const out = new Float32Array(n);
    for (const t of ALL_TYPES) {
      const quantizable = canQuantize(t.id) || needsImportance(t.id);
      if (!canDequantize(t.id) && !quantizable) continue;
      const mb = (4 * n) / 1e6;
      const importance = needsImportance(t.id) ? ones : undefined;
      const dq = `dequantize(type=${t.name},n=${n})`;
      if (canDequantize(t.id) && wanted(opts, dq)) {
        // blocks to decode: real ones where the type can be quantized, else zero bytes (valid blocks)
        const q = quantizable ? quantizeRow(t.id, x, importance) : new Uint8Array((n / t.blockSize) * t.typeSize);
        const ms = timeIt(() => dequantizeRow(t.id, q, n, out), minMs);
        report({ case: dq, value: mb / (ms / 1000), unit: "MB/s" });
      }
      const qn = `quantize(type=${t.name},n=${n})`;
      if (quantizable && wanted(opts, qn)) {
        const ms = timeIt(() => quantizeRow(t.id, x, importance), minMs);
        report({ case: qn, value: mb / (ms / 1000), unit: "MB/s" });
      }
    }
  },
};
