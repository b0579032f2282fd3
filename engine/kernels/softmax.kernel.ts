// Softmax of each row: out[r, i] = exp(x[r, i] - max_r) / sum_j exp(x[r, j] - max_r).
// Shapes: x, out (rows, n). One workgroup per row (dispatch `rows` workgroups).
// Reference: llama2.c run.c softmax; ggml counterpart: ggml_soft_max (without mask or scale).
import { exp, kernel, localId, max, read, workgroupId, workgroupMax, workgroupSize, workgroupSum, write, f32, u32 } from "../../codegen/dsl/index.js";

export const softmax = kernel(
  { name: "softmax", workgroupSize: 256, uniforms: { n: u32 }, buffers: { x: read(f32), out: write(f32) } },
  ({ n, x, out }) => {
    const row = workgroupId.x * n;
    // the lowest finite f32 stands in for -inf, which WGSL cannot spell
    let m: f32 = -3.4028234663852886e38;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      m = max(m, x[row + i]);
    }
    // subtracting the row max keeps exp() from overflowing
    const rowMax = workgroupMax(m);
    let sum: f32 = 0.0;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      const e = exp(x[row + i] - rowMax);
      out[row + i] = e;
      sum += e;
    }
    const total = workgroupSum(sum);
    const inv = 1.0 / total;
    // each invocation rescales only the values it wrote, so no barrier is needed
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      out[row + i] = out[row + i] * inv;
    }
  },
);

// Softmax with scale and additive mask, as attention uses it: out[r, i] = softmax(x[r, :] * scale +
// mask[r % maskRows, :])[i]. Shapes: x, out (rows, n); mask (maskRows, n), -inf where a position is hidden
// (the causal mask); one mask row serves every head of a token when rows = heads * maskRows in that order.
// Reference: engine/reference/ops.ts softmax after the scale and mask; ggml counterpart: ggml_soft_max_ext.
export const softmaxMasked = kernel(
  {
    name: "softmax_masked",
    workgroupSize: 256,
    uniforms: { n: u32, scale: f32, maskRows: u32 },
    buffers: { x: read(f32), mask: read(f32), out: write(f32) },
  },
  ({ n, scale, maskRows, x, mask, out }) => {
    const row = workgroupId.x * n;
    const maskRow = (workgroupId.x % maskRows) * n;
    let m: f32 = -3.4028234663852886e38;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      const v = x[row + i] * scale + mask[maskRow + i];
      out[row + i] = v;
      m = max(m, v);
    }
    const rowMax = workgroupMax(m);
    let sum: f32 = 0.0;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      // a masked value is -inf, and exp(-inf) is 0
      const e = exp(out[row + i] - rowMax);
      out[row + i] = e;
      sum += e;
    }
    const total = workgroupSum(sum);
    const inv = 1.0 / total;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      out[row + i] = out[row + i] * inv;
    }
  },
);
