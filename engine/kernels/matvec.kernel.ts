// Quantized matrix-vector product: out[r] = sum_k W[r, k] * x[k].
// Shapes: W (rows, k) as ggml blocks, row-major; x (k) f32; out (rows) f32. One workgroup per row
// (dispatch `rows` workgroups); k is a multiple of the block size.
// Reference: the dequantize-then-dot matvec in engine/reference; ggml counterpart: ggml_mul_mat with a
// quantized src0 and f32 src1 (dequantize_row_q8_0 + dot, ggml-quants.c).
import { f32, idiv, kernel, localId, quant, read, u32, workgroupId, workgroupSize, workgroupSum, write } from "../../codegen/dsl/index.js";

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
    const blocksPerRow = idiv(k, QK);
    const firstBlock = workgroupId.x * blocksPerRow;
    // each invocation takes every workgroupSize-th block of the row
    let acc: f32 = 0.0;
    for (let b = localId.x; b < blocksPerRow; b += workgroupSize.x) {
      const blk = W.block(firstBlock + b);
      let dot: f32 = 0.0;
      for (let j = 0; j < QK; j++) {
        dot += f32(blk.qs[j]) * x[b * QK + j];
      }
      // one scale per block: multiply once, after the integer-valued dot
      acc += blk.d * dot;
    }
    const total = workgroupSum(acc);
    if (localId.x === 0) {
      out[workgroupId.x] = total;
    }
  },
);
