// Tiled matrix-matrix product for prefill: out[t, r] = sum_i W[r, i] * X[t, i], with the weights in their
// ggml type (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k..q6_k, iq4_nl, iq4_xs).
// Shapes: W (rows, k) row-major; X (tokens, k) f32; out (tokens, rows) f32. Workgroup 16 x 16 computes a
// tile of 16 rows x 16 tokens; dispatch [ceil(rows / 16), ceil(tokens / 16)]; k is a multiple of
// the type's block size. Each step stages a (16, 32) slice of W, decoded, and of X in shared memory, so
// every weight is decoded once per workgroup and never written back as f32 (fused dequantize + matmul).
// Reference: engine/reference/ops.ts matvec, once per token; ggml counterpart: ggml_mul_mat with a
// quantized src0 and several src1 columns (the mul_mm kernels of the GPU backends).
// The per-value decode is the one in get_rows.kernel.ts (what each type's block holds is described there).
import { barrier, bitcastF32, f32, i32, idiv, kernel, localId, quant, read, shared, table, u32, unpackF16, workgroupId, write } from "../../codegen/dsl/index.js";

// ggml's kvalues_iq4nl (ggml-common.h): the 16 levels of iq4_nl and iq4_xs
const KVALUES_IQ4NL = table(i32, [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);

// f32: plain f32
export const matmulF32 = kernel(
  {
    name: "matmul_f32", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(f32), X: read(f32), out: write(f32) },
  },
  ({ k, rows, tokens, W, X, out }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const e = r * k + i;
          const w = W[e];
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// f16: IEEE half, two per u32 word (low half first)
export const matmulF16 = kernel(
  {
    name: "matmul_f16", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(u32), X: read(f32), out: write(f32) },
  },
  ({ k, rows, tokens, W, X, out }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const e = r * k + i;
          const w = unpackF16(W[e >> 1] >> ((e & 1) * 16));
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)
export const matmulBF16 = kernel(
  {
    name: "matmul_bf16", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(u32), X: read(f32), out: write(f32) },
  },
  ({ k, rows, tokens, W, X, out }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const e = r * k + i;
          const w = bitcastF32(((W[e >> 1] >> ((e & 1) * 16)) & 65535) << 16);
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q4_0: x = d * (q - 8), q the nibble of value j
export const matmulQ4_0 = kernel(
  {
    name: "matmul_q4_0", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q4_0")), X: read(f32), out: write(f32) }, constants: { QK: 32 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          // values 0..15 are the low nibbles of qs, 16..31 the high ones
          const byte = blk.qs[j & 15];
          let q: u32 = byte & 15;
          if (j >= 16) {
            q = byte >> 4;
          }
          const w = f32(i32(q) - 8) * blk.d;
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q4_1: x = d * q + m
export const matmulQ4_1 = kernel(
  {
    name: "matmul_q4_1", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q4_1")), X: read(f32), out: write(f32) }, constants: { QK: 32 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          const byte = blk.qs[j & 15];
          let q: u32 = byte & 15;
          if (j >= 16) {
            q = byte >> 4;
          }
          const w = f32(q) * blk.d + blk.m;
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q5_0: x = d * (q - 16), q's 5th bit from qh
export const matmulQ5_0 = kernel(
  {
    name: "matmul_q5_0", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q5_0")), X: read(f32), out: write(f32) }, constants: { QK: 32 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          const byte = blk.qs[j & 15];
          let q: u32 = byte & 15;
          if (j >= 16) {
            q = byte >> 4;
          }
          // bit j of the little-endian qh word
          q = q | (((blk.qh[j >> 3] >> (j & 7)) & 1) << 4);
          const w = f32(i32(q) - 16) * blk.d;
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q5_1: x = d * q + m, q's 5th bit from qh
export const matmulQ5_1 = kernel(
  {
    name: "matmul_q5_1", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q5_1")), X: read(f32), out: write(f32) }, constants: { QK: 32 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          const byte = blk.qs[j & 15];
          let q: u32 = byte & 15;
          if (j >= 16) {
            q = byte >> 4;
          }
          q = q | (((blk.qh[j >> 3] >> (j & 7)) & 1) << 4);
          const w = f32(q) * blk.d + blk.m;
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q8_0: x = d * q
export const matmulQ8_0 = kernel(
  {
    name: "matmul_q8_0", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q8_0")), X: read(f32), out: write(f32) }, constants: { QK: 32 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          const w = f32(blk.qs[j]) * blk.d;
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q2_k: x = d * sc * q - dmin * m, 16 sub-blocks of 16
export const matmulQ2K = kernel(
  {
    name: "matmul_q2_k", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q2_k")), X: read(f32), out: write(f32) }, constants: { QK: 256 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          // two halves of 128; in each, four 2-bit planes of 32 bytes; a scale byte per 16 values
          const half = j >> 7;
          const plane = (j & 127) >> 5;
          const p = j & 31;
          const sc = blk.scales[half * 8 + plane * 2 + (p >> 4)];
          const dl = blk.d * f32(sc & 15);
          const ml = blk.dmin * f32(sc >> 4);
          const w = dl * f32((blk.qs[half * 32 + p] >> (plane * 2)) & 3) - ml;
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q3_k: x = d * (sc - 32) * (q - 4 * !hbit), 16 sub-blocks of 16
export const matmulQ3K = kernel(
  {
    name: "matmul_q3_k", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q3_k")), X: read(f32), out: write(f32) }, constants: { QK: 256 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
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
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q4_k: x = d * sc * q - dmin * m, 8 sub-blocks of 32
export const matmulQ4K = kernel(
  {
    name: "matmul_q4_k", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q4_k")), X: read(f32), out: write(f32) }, constants: { QK: 256 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
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
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q5_k: x = d * sc * q - dmin * m, q's 5th bit from qh
export const matmulQ5K = kernel(
  {
    name: "matmul_q5_k", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q5_k")), X: read(f32), out: write(f32) }, constants: { QK: 256 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
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
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// q6_k: x = d * sc * (q - 32), 16 sub-blocks of 16, 8-bit signed scales
export const matmulQ6K = kernel(
  {
    name: "matmul_q6_k", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("q6_k")), X: read(f32), out: write(f32) }, constants: { QK: 256 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
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
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid
export const matmulIQ4_NL = kernel(
  {
    name: "matmul_iq4_nl", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("iq4_nl")), X: read(f32), out: write(f32) }, constants: { QK: 32 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
          const j = (i) % QK;
          const byte = blk.qs[j & 15];
          let q: u32 = byte & 15;
          if (j >= 16) {
            q = byte >> 4;
          }
          const w = blk.d * f32(KVALUES_IQ4NL[q]);
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

// iq4_xs: x = d * (ls - 32) * kvalues_iq4nl[q], 8 sub-blocks of 32 with 6-bit scales
export const matmulIQ4_XS = kernel(
  {
    name: "matmul_iq4_xs", workgroupSize: [16, 16], uniforms: { k: u32, rows: u32, tokens: u32 },
    buffers: { W: read(quant("iq4_xs")), X: read(f32), out: write(f32) }, constants: { QK: 256 },
  },
  ({ k, rows, tokens, W, X, out, QK }) => {
    // (16 rows, 32 k) of W, decoded; (16 tokens, 32 k) of X
    const wTile = shared(f32, 512);
    const xTile = shared(f32, 512);
    const flat = localId.y * 16 + localId.x;
    let acc: f32 = 0.0;
    for (let k0: u32 = 0; k0 < k; k0 += 32) {
      // 256 invocations fill 512 slots of each tile, two each
      for (let s: u32 = 0; s < 2; s++) {
        const slot = flat + s * 256;
        const r = workgroupId.x * 16 + (slot >> 5);
        const i = k0 + (slot & 31);
        let wv: f32 = 0.0;
        // past the edge of W or X (rows, tokens, or a k that is not a multiple of 32): zeros
        if (r < rows && i < k) {
          const blk = W.block(r * idiv(k, QK) + idiv(i, QK));
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
          wv = w;
        }
        wTile[slot] = wv;
        const tok = workgroupId.y * 16 + (slot >> 5);
        let xv: f32 = 0.0;
        if (tok < tokens && i < k) {
          xv = X[tok * k + i];
        }
        xTile[slot] = xv;
      }
      barrier();
      for (let kk: u32 = 0; kk < 32; kk++) {
        acc += wTile[localId.x * 32 + kk] * xTile[localId.y * 32 + kk];
      }
      // the next iteration overwrites the tiles
      barrier();
    }
    const row = workgroupId.x * 16 + localId.x;
    const tok = workgroupId.y * 16 + localId.y;
    if (row < rows && tok < tokens) {
      out[tok * rows + row] = acc;
    }
  },
);

