// Cases for the kernels that read weights in their ggml type: get_rows.kernel.ts (get_rows and
// dequantize), matvec.kernel.ts and matmul.kernel.ts, for every type in weights.ts (dequantize also for
// the lookup-only types). Oracles:
// engine/quant dequantizeRow (bit-exact with ggml) and engine/reference/ops.ts matvec.
import { WeightMatrix } from "../../engine/model/weights.js";
import { matvec } from "../../engine/reference/ops.js";
import { caseName, type ConformanceCase } from "../case.js";
import { decodeAll, LATTICE_TYPES, LOOKUP_ONLY_TYPES, makeWeights, rowLength, WEIGHT_TYPES, type WeightType } from "./weights.js";

function refMatvec(w: ReturnType<typeof makeWeights>, rows: number, k: number, x: Float32Array): Float32Array {
  const out = new Float32Array(rows);
  matvec(out, new WeightMatrix("W", w.type, k, rows, w.bytes), x, new Float32Array(k));
  return out;
}

const seedOf = (base: number, t: WeightType): number => base + [...WEIGHT_TYPES, ...LOOKUP_ONLY_TYPES, ...LATTICE_TYPES].indexOf(t);

const dequantize = (type: WeightType): ConformanceCase => {
  const rows = 2, k = rowLength(type);
  return {
    name: caseName("dequantize", { type, rows, k }), op: "dequantize", file: "engine/kernels/get_rows.kernel.ts", kernel: `get_rows_${type}`, seed: seedOf(1000, type),
    build(rng) {
      const w = makeWeights(type, rows, k, rng);
      const ids = Uint32Array.from({ length: rows }, (_, i) => i);
      return { buffers: { ...w.bind, ids }, uniforms: { k }, dispatch: [rows, 1, 1], expected: { out: decodeAll(w, rows * k) } };
    },
  };
};

const getRows = (type: WeightType): ConformanceCase => {
  const nRows = 6, rows = 4, k = rowLength(type, 1);
  return {
    name: caseName("get_rows", { type, n_rows: nRows, rows, k }), op: "get_rows", file: "engine/kernels/get_rows.kernel.ts", kernel: `get_rows_${type}`, seed: seedOf(1100, type),
    build(rng) {
      const w = makeWeights(type, nRows, k, rng);
      const all = decodeAll(w, nRows * k);
      // repeated and out-of-order ids, as a prompt's tokens are
      const ids = Uint32Array.from([nRows - 1, 0, rng.int(nRows), nRows - 1]);
      const out = new Float32Array(rows * k);
      ids.forEach((id, r) => out.set(all.subarray(id * k, (id + 1) * k), r * k));
      return { buffers: { ...w.bind, ids }, uniforms: { k }, dispatch: [rows, 1, 1], expected: { out } };
    },
  };
};

const matvecCase = (type: WeightType, k = rowLength(type)): ConformanceCase => {
  const rows = 6;
  return {
    name: caseName("matvec", { type, rows, k }), op: "matvec", file: "engine/kernels/matvec.kernel.ts", kernel: `matvec_${type}`, seed: seedOf(1200, type) + k,
    build(rng) {
      const w = makeWeights(type, rows, k, rng);
      const x = rng.f32(k);
      return { buffers: { ...w.bind, x }, uniforms: { k }, dispatch: [rows, 1, 1], expected: { out: refMatvec(w, rows, k, x) } };
    },
  };
};

const matmulCase = (type: WeightType, k = rowLength(type, 1)): ConformanceCase => {
  // rows and tokens not multiples of the 16 x 16 tile: the edge tiles' bounds tests run
  const rows = 20, tokens = 3;
  return {
    name: caseName("matmul", { type, rows, tokens, k }), op: "matmul", file: "engine/kernels/matmul.kernel.ts", kernel: `matmul_${type}`, seed: seedOf(1300, type) + k,
    build(rng) {
      const w = makeWeights(type, rows, k, rng);
      const X = rng.f32(tokens * k);
      const out = new Float32Array(tokens * rows);
      for (let t = 0; t < tokens; t++) out.set(refMatvec(w, rows, k, X.subarray(t * k, (t + 1) * k)), t * rows);
      return { buffers: { ...w.bind, X }, uniforms: { k, rows, tokens }, dispatch: [Math.ceil(rows / 16), Math.ceil(tokens / 16), 1], expected: { out } };
    },
  };
};

export const quantCases: ConformanceCase[] = [
  ...WEIGHT_TYPES.map(dequantize),
  ...LOOKUP_ONLY_TYPES.map(dequantize),
  ...LATTICE_TYPES.map((t) => ({ ...dequantize(t), file: "engine/kernels/get_rows_iq.kernel.ts" })),
  ...WEIGHT_TYPES.map(getRows),
  ...WEIGHT_TYPES.map((t) => matvecCase(t)),
  ...WEIGHT_TYPES.map((t) => matmulCase(t)),
  // float rows may have any length (stories260K's feed-forward is 172 wide)
  ...(["f32", "f16", "bf16"] as const).flatMap((t) => [matvecCase(t, 172), matmulCase(t, 172)]),
];
