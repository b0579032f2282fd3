// Quantized matrix-vector product (decode): out[r] = sum_k W[r, k] * x[k], with the weights in their ggml
// type (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k..q6_k, iq4_nl, iq4_xs), decoded on the fly.
// Shapes: W (rows, k) as ggml blocks, row-major; x (k) f32; out (rows) f32. One workgroup per row
// (dispatch `rows` workgroups); k is a multiple of the block size (and of 32 for the block types).
// Reference: engine/reference/ops.ts matvec (dequantize-then-dot); ggml counterpart: ggml_mul_mat with a
// quantized src0 and f32 src1 (dequantize_row_* + dot, ggml-quants.c; the mul_mv kernels on GPUs).
// The per-value decode of each type is the one in get_rows.kernel.ts.
import { bitcastF32, f32, i32, idiv, kernel, localId, quant, read, table, u32, unpackF16, workgroupId, workgroupSize, workgroupSum, write, type QuantBlock } from "../../codegen/dsl/index.js";

// ggml's kvalues_iq4nl (ggml-common.h): the 16 levels of iq4_nl and iq4_xs
const KVALUES_IQ4NL = table(i32, [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);

// q4_k and q5_k (ggml-quants.c get_scale_min_k4): sub-block is's (0..7) 6-bit scale and min, packed in
// the block's 12 scale bytes
function scaleK4(blk: QuantBlock, is: u32): u32 {
  let sc: u32 = 0;
  if (is < 4) {
    sc = blk.scales[is] & 63;
  } else {
    sc = (blk.scales[is + 4] & 15) | ((blk.scales[is - 4] >> 6) << 4);
  }
  return sc;
}

function minK4(blk: QuantBlock, is: u32): u32 {
  let mn: u32 = 0;
  if (is < 4) {
    mn = blk.scales[is + 4] & 63;
  } else {
    mn = (blk.scales[is + 4] >> 4) | ((blk.scales[is] >> 6) << 4);
  }
  return mn;
}

// value l (0..31) of sub-block is of a q4_k or q5_k block's qs: pairs of 32-value sub-blocks share 32
// bytes, the first in the low nibbles, the second in the high ones
function nibbleK4(blk: QuantBlock, is: u32, l: u32): u32 {
  const byte = blk.qs[(is >> 1) * 32 + l];
  let q: u32 = byte & 15;
  if ((is & 1) === 1) {
    q = byte >> 4;
  }
  return q;
}

// q8_0: 32 values a block, each qs[j] * d.
export const matvecQ8_0 = kernel(
  {
    name: "matvec_q8_0",
    workgroupSize: 64,
    uniforms: { k: u32 },
    buffers: { W: read(quant("q8_0")), x: read(f32), out: write(f32) },
    constants: { QK: 32 },
  },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read one block's 32 values together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      acc += f32(blk.qs[i % QK]) * blk.d * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// f32: plain f32
export const matvecF32 = kernel(
  { name: "matvec_f32", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(f32), x: read(f32), out: write(f32) } },
  ({ k, W, x, out }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // any row length: each invocation takes every workgroupSize-th value
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const e = row * k + i;
      const w = W[e];
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// f16: IEEE half, two per u32 word (low half first)
export const matvecF16 = kernel(
  { name: "matvec_f16", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(u32), x: read(f32), out: write(f32) } },
  ({ k, W, x, out }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // any row length: each invocation takes every workgroupSize-th value
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const e = row * k + i;
      const w = unpackF16(W[e >> 1] >> ((e & 1) * 16));
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)
export const matvecBF16 = kernel(
  { name: "matvec_bf16", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(u32), x: read(f32), out: write(f32) } },
  ({ k, W, x, out }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // any row length: each invocation takes every workgroupSize-th value
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const e = row * k + i;
      const w = bitcastF32(((W[e >> 1] >> ((e & 1) * 16)) & 65535) << 16);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q4_0: x = d * (q - 8), q the nibble of value j
export const matvecQ4_0 = kernel(
  { name: "matvec_q4_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q4_0")), x: read(f32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      // values 0..15 are the low nibbles of qs, 16..31 the high ones
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      const w = f32(i32(q) - 8) * blk.d;
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q4_1: x = d * q + m
export const matvecQ4_1 = kernel(
  { name: "matvec_q4_1", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q4_1")), x: read(f32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      const w = f32(q) * blk.d + blk.m;
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q5_0: x = d * (q - 16), q's 5th bit from qh
export const matvecQ5_0 = kernel(
  { name: "matvec_q5_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q5_0")), x: read(f32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      // bit j of the little-endian qh word
      q = q | (((blk.qh[j >> 3] >> (j & 7)) & 1) << 4);
      const w = f32(i32(q) - 16) * blk.d;
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q5_1: x = d * q + m, q's 5th bit from qh
export const matvecQ5_1 = kernel(
  { name: "matvec_q5_1", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q5_1")), x: read(f32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      q = q | (((blk.qh[j >> 3] >> (j & 7)) & 1) << 4);
      const w = f32(q) * blk.d + blk.m;
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16
export const matvecQ2K = kernel(
  { name: "matvec_q2_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q2_k")), x: read(f32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values
      const half = j >> 7;
      const plane = (j & 127) >> 5;
      const p = j & 31;
      const sc = blk.scales[half * 8 + plane * 2 + (p >> 4)];
      const dl = blk.d * f32(sc & 15);
      const ml = blk.dmin * f32(sc >> 4);
      const w = dl * f32((blk.qs[half * 32 + p] >> (plane * 2)) & 3) - ml;
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16
export const matvecQ3K = kernel(
  { name: "matvec_q3_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q3_k")), x: read(f32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const half = j >> 7;
      const plane = (j & 127) >> 5;
      const p = j & 31;
      const is = half * 8 + plane * 2 + (p >> 4);
      // the 6-bit scale: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11
      let lo: u32 = 0;
      if (is < 8) {
        lo = blk.scales[is] & 15;
      } else {
        lo = blk.scales[is - 8] >> 4;
      }
      const hi = (blk.scales[8 + (is & 3)] >> ((is >> 2) * 2)) & 3;
      const dl = blk.d * f32(i32(lo | (hi << 4)) - 32);
      // a clear high bit subtracts 4
      let q = i32((blk.qs[half * 32 + p] >> (plane * 2)) & 3);
      if (((blk.hmask[p] >> (half * 4 + plane)) & 1) === 0) {
        q = q - 4;
      }
      const w = dl * f32(q);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32
export const matvecQ4K = kernel(
  { name: "matvec_q4_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q4_k")), x: read(f32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const is = j >> 5;
      const l = j & 31;
      const sc = scaleK4(blk, is);
      const mn = minK4(blk, is);
      const q = nibbleK4(blk, is, l);
      const w = blk.d * f32(sc) * f32(q) - blk.dmin * f32(mn);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q5_k: x = d * sc * q - dmin * m, q's 5th bit from qh
export const matvecQ5K = kernel(
  { name: "matvec_q5_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q5_k")), x: read(f32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const is = j >> 5;
      const l = j & 31;
      const sc = scaleK4(blk, is);
      const mn = minK4(blk, is);
      const q = nibbleK4(blk, is, l) | (((blk.qh[l] >> is) & 1) << 4);
      const w = blk.d * f32(sc) * f32(q) - blk.dmin * f32(mn);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales
export const matvecQ6K = kernel(
  { name: "matvec_q6_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q6_k")), x: read(f32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      // two halves of 128; each quarter of 32 takes a nibble of ql and 2 bits of qh
      const half = j >> 7;
      const quarter = (j & 127) >> 5;
      const l = j & 31;
      const lowByte = blk.ql[half * 64 + l + (quarter & 1) * 32];
      let low: u32 = lowByte & 15;
      if (quarter >= 2) {
        low = lowByte >> 4;
      }
      const high = (blk.qh[half * 32 + l] >> (quarter * 2)) & 3;
      const q = i32(low | (high << 4)) - 32;
      const w = blk.d * f32(blk.scales[half * 8 + (l >> 4) + quarter * 2]) * f32(q);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid
export const matvecIQ4_NL = kernel(
  { name: "matvec_iq4_nl", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("iq4_nl")), x: read(f32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      const w = blk.d * f32(KVALUES_IQ4NL[q]);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales
export const matvecIQ4_XS = kernel(
  { name: "matvec_iq4_xs", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("iq4_xs")), x: read(f32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, x, out, QK }) => {
    const row = workgroupId.x;
    let acc: f32 = 0.0;
    // each invocation takes every workgroupSize-th value: 32 neighbouring invocations (a GPU's warp or
    // subgroup) read 32 consecutive values, one scale's run, together
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(row * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const ib = j >> 5;
      const l = j & 31;
      const ls = ((blk.scales_l[ib >> 1] >> ((ib & 1) * 4)) & 15) | (((blk.scales_h >> (ib * 2)) & 3) << 4);
      const dl = blk.d * f32(i32(ls) - 32);
      const byte = blk.qs[ib * 16 + (l & 15)];
      let q: u32 = byte & 15;
      if (l >= 16) {
        q = byte >> 4;
      }
      const w = dl * f32(KVALUES_IQ4NL[q]);
      acc += w * x[i];
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[row] = total;
    }
  },
);

