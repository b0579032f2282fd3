// RMS normalisation of each row: out[r, i] = x[r, i] / sqrt(mean(x[r, :]^2) + eps) * w[i].
// Shapes: x, out (rows, n); w (n). One workgroup per row (dispatch `rows` workgroups).
// Reference: llama2.c run.c rmsnorm; ggml counterpart: ggml_rms_norm followed by ggml_mul.
import { kernel, localId, read, rsqrt, workgroupId, workgroupSize, workgroupSum, write, f32, u32 } from "../../codegen/dsl/index.js";

export const rmsnorm = kernel(
  {
    name: "rmsnorm",
    workgroupSize: 256,
    uniforms: { n: u32, eps: f32 },
    buffers: { x: read(f32), w: read(f32), out: write(f32) },
  },
  ({ n, eps, x, w, out }) => {
    const row = workgroupId.x * n;
    // each invocation sums the squares of a strided slice of the row
    let ss: f32 = 0.0;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      const v = x[row + i];
      ss += v * v;
    }
    const total = workgroupSum(ss);
    const scale = rsqrt(total / f32(n) + eps);
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      out[row + i] = x[row + i] * scale * w[i];
    }
  },
);
