// Row lookup and dequantization: out[r, :] = W[ids[r], :] decoded to f32, for every weight type the
// kernels read (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k..q6_k, iq4_nl, iq4_xs) and the
// lookup-only ones (q8_1, q8_k, tq1_0, tq2_0, mxfp4; the lattice i-quants are in get_rows_iq.kernel.ts).
// Shapes: W (n_rows, k) in its ggml type, row-major; ids (rows) u32; out (rows, k) f32. One workgroup per
// output row (dispatch `rows` workgroups); k is a multiple of the type's block size. The same kernels are
// the dequantize op: ids = 0, 1, ..., rows - 1 decodes a whole tensor.
// Reference: engine/quant dequantizeRow (bit-exact with ggml's dequantize_row_*); ggml counterparts:
// ggml_get_rows (the token embedding lookup) and the to_float of each type (ggml-quants.c).
// Every value is decoded on its own, in ggml's rounding order, so the output is ggml's bits exactly.
import { bitcastF32, f32, i32, idiv, kernel, localId, quant, read, table, u32, unpackF16, workgroupId, workgroupSize, write } from "../../codegen/dsl/index.js";

// ggml's kvalues_iq4nl (ggml-common.h): the 16 levels of iq4_nl and iq4_xs
const KVALUES_IQ4NL = table(i32, [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);

// f32: plain f32
export const getRowsF32 = kernel(
  { name: "get_rows_f32", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(f32), ids: read(u32), out: write(f32) } },
  ({ k, W, ids, out }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const e = src * k + i;
      const w = W[e];
      out[workgroupId.x * k + i] = w;
    }
  },
);

// f16: IEEE half, two per u32 word (low half first)
export const getRowsF16 = kernel(
  { name: "get_rows_f16", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(u32), ids: read(u32), out: write(f32) } },
  ({ k, W, ids, out }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const e = src * k + i;
      const w = unpackF16(W[e >> 1] >> ((e & 1) * 16));
      out[workgroupId.x * k + i] = w;
    }
  },
);

// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)
export const getRowsBF16 = kernel(
  { name: "get_rows_bf16", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(u32), ids: read(u32), out: write(f32) } },
  ({ k, W, ids, out }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const e = src * k + i;
      const w = bitcastF32(((W[e >> 1] >> ((e & 1) * 16)) & 65535) << 16);
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q4_0: x = d * (q - 8), q the nibble of value j
export const getRowsQ4_0 = kernel(
  { name: "get_rows_q4_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q4_0")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      // values 0..15 are the low nibbles of qs, 16..31 the high ones
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      const w = f32(i32(q) - 8) * blk.d;
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q4_1: x = d * q + m
export const getRowsQ4_1 = kernel(
  { name: "get_rows_q4_1", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q4_1")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      const w = f32(q) * blk.d + blk.m;
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q5_0: x = d * (q - 16), q's 5th bit from qh
export const getRowsQ5_0 = kernel(
  { name: "get_rows_q5_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q5_0")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      // bit j of the little-endian qh word
      q = q | (((blk.qh[j >> 3] >> (j & 7)) & 1) << 4);
      const w = f32(i32(q) - 16) * blk.d;
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q5_1: x = d * q + m, q's 5th bit from qh
export const getRowsQ5_1 = kernel(
  { name: "get_rows_q5_1", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q5_1")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      q = q | (((blk.qh[j >> 3] >> (j & 7)) & 1) << 4);
      const w = f32(q) * blk.d + blk.m;
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q8_0: x = d * q
export const getRowsQ8_0 = kernel(
  { name: "get_rows_q8_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q8_0")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      const w = f32(blk.qs[j]) * blk.d;
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16
export const getRowsQ2K = kernel(
  { name: "get_rows_q2_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q2_k")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values
      const half = j >> 7;
      const plane = (j & 127) >> 5;
      const p = j & 31;
      const sc = blk.scales[half * 8 + plane * 2 + (p >> 4)];
      const dl = blk.d * f32(sc & 15);
      const ml = blk.dmin * f32(sc >> 4);
      const w = dl * f32((blk.qs[half * 32 + p] >> (plane * 2)) & 3) - ml;
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16
export const getRowsQ3K = kernel(
  { name: "get_rows_q3_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q3_k")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
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
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32
export const getRowsQ4K = kernel(
  { name: "get_rows_q4_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q4_k")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high
      const is = j >> 5;
      const l = j & 31;
      // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes
      let sc: u32 = 0;
      let mn: u32 = 0;
      if (is < 4) {
        sc = blk.scales[is] & 63;
        mn = blk.scales[is + 4] & 63;
      } else {
        sc = (blk.scales[is + 4] & 15) | ((blk.scales[is - 4] >> 6) << 4);
        mn = (blk.scales[is + 4] >> 4) | ((blk.scales[is] >> 6) << 4);
      }
      const byte = blk.qs[(is >> 1) * 32 + l];
      let q: u32 = byte & 15;
      if ((is & 1) === 1) {
        q = byte >> 4;
      }
      const w = blk.d * f32(sc) * f32(q) - blk.dmin * f32(mn);
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q5_k: x = d * sc * q - dmin * m, q's 5th bit from qh
export const getRowsQ5K = kernel(
  { name: "get_rows_q5_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q5_k")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      // pairs of 32-value sub-blocks share 32 bytes of qs: low nibbles first, then high
      const is = j >> 5;
      const l = j & 31;
      // get_scale_min_k4: 6-bit scale and min, packed in 12 bytes
      let sc: u32 = 0;
      let mn: u32 = 0;
      if (is < 4) {
        sc = blk.scales[is] & 63;
        mn = blk.scales[is + 4] & 63;
      } else {
        sc = (blk.scales[is + 4] & 15) | ((blk.scales[is - 4] >> 6) << 4);
        mn = (blk.scales[is + 4] >> 4) | ((blk.scales[is] >> 6) << 4);
      }
      const byte = blk.qs[(is >> 1) * 32 + l];
      let q: u32 = byte & 15;
      if ((is & 1) === 1) {
        q = byte >> 4;
      }
      q = q | (((blk.qh[l] >> is) & 1) << 4);
      const w = blk.d * f32(sc) * f32(q) - blk.dmin * f32(mn);
      out[workgroupId.x * k + i] = w;
    }
  },
);

// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales
export const getRowsQ6K = kernel(
  { name: "get_rows_q6_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q6_k")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
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
      out[workgroupId.x * k + i] = w;
    }
  },
);

// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid
export const getRowsIQ4_NL = kernel(
  { name: "get_rows_iq4_nl", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("iq4_nl")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      const w = blk.d * f32(KVALUES_IQ4NL[q]);
      out[workgroupId.x * k + i] = w;
    }
  },
);

// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales
export const getRowsIQ4_XS = kernel(
  { name: "get_rows_iq4_xs", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("iq4_xs")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = (i) % QK;
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
      out[workgroupId.x * k + i] = w;
    }
  },
);


// ---- types that are only looked up or dequantized here (no matvec/matmul kernels) ----------------------

// base-3 place values of the five digits a tq1_0 byte holds
const POW3 = table(u32, [1, 3, 9, 27, 81]);

// q8_1: x = d * q (s = d * sum(q) is a cached sum the value does not need)
export const getRowsQ8_1 = kernel(
  { name: "get_rows_q8_1", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q8_1")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      out[workgroupId.x * k + i] = f32(blk.qs[i % QK]) * blk.d;
    }
  },
);

// q8_k: x = d * q with an f32 scale per 256 values (the k-quants' activation type)
export const getRowsQ8_K = kernel(
  { name: "get_rows_q8_k", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("q8_k")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      out[workgroupId.x * k + i] = blk.d * f32(blk.qs[i % QK]);
    }
  },
);

// tq2_0: x = d * (q - 1), q a 2-bit code; each byte holds values m, m + 32, m + 64, m + 96 of its 128
export const getRowsTQ2_0 = kernel(
  { name: "get_rows_tq2_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("tq2_0")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      const q = (blk.qs[(j >> 7) * 32 + (j & 31)] >> (((j & 127) >> 5) * 2)) & 3;
      out[workgroupId.x * k + i] = f32(i32(q) - 1) * blk.d;
    }
  },
);

// tq1_0: x = d * t, t in {-1, 0, 1}; qs bytes hold five base-3 digits scaled to 0..255 (values 0..159 by
// 32-byte runs, 160..239 by 16-byte runs), qh bytes four more (values 240..255)
export const getRowsTQ1_0 = kernel(
  { name: "get_rows_tq1_0", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("tq1_0")), ids: read(u32), out: write(f32) }, constants: { QK: 256 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const j = i % QK;
      let byte: u32 = 0;
      let digit: u32 = 0;
      if (j < 160) {
        byte = blk.qs[j & 31];
        digit = j >> 5;
      } else if (j < 240) {
        byte = blk.qs[32 + ((j - 160) & 15)];
        digit = (j - 160) >> 4;
      } else {
        byte = blk.qh[(j - 240) & 3];
        digit = (j - 240) >> 2;
      }
      // multiplying by 3^digit moves the digit to the top; * 3 >> 8 reads it back as 0, 1 or 2
      const t = i32((((byte * POW3[digit]) & 255) * 3) >> 8) - 1;
      out[workgroupId.x * k + i] = f32(t) * blk.d;
    }
  },
);

// ggml's kvalues_mxfp4 (ggml-common.h): the fp4 e2m1 levels, doubled so that every one is an integer
const KVALUES_MXFP4 = table(i32, [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]);

// mxfp4: x = kvalues_mxfp4[q] * 2^(e-128), e the block's e8m0 exponent byte (ggml's
// GGML_E8M0_TO_FP32_HALF: the halving pairs with the doubled levels; e = 0 and 1 give the f32 subnormals
// 2^-128 and 2^-127). Values 0..15 are the low nibbles of qs, 16..31 the high ones, as in q4_0.
export const getRowsMXFP4 = kernel(
  { name: "get_rows_mxfp4", workgroupSize: 64, uniforms: { k: u32 }, buffers: { W: read(quant("mxfp4")), ids: read(u32), out: write(f32) }, constants: { QK: 32 } },
  ({ k, W, ids, out, QK }) => {
    const src = ids[workgroupId.x];
    for (let i = localId.x; i < k; i += workgroupSize.x) {
      const blk = W.block(src * idiv(k, QK) + idiv(i, QK));
      const e = blk.e;
      let bits: u32 = (e - 1) << 23;
      if (e < 2) {
        bits = u32(0x00200000) << e;
      }
      const j = i % QK;
      const byte = blk.qs[j & 15];
      let q: u32 = byte & 15;
      if (j >= 16) {
        q = byte >> 4;
      }
      out[workgroupId.x * k + i] = f32(KVALUES_MXFP4[q]) * bitcastF32(bits);
    }
  },
);
