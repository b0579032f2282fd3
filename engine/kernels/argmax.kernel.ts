// Index of the largest value of each row; the lowest index wins ties (llama.cpp's greedy sampler).
// Shapes: x (rows, n) f32; out (rows) u32. One workgroup per row (dispatch `rows` workgroups).
// Reference: engine/sampling/sampler.ts argmax; ggml counterpart: ggml_argmax.
// NaN never wins: `v > best` is false for NaN, as in the reference's loop.
import { barrier, f32, kernel, localId, read, shared, u32, workgroupId, workgroupSize, write } from "../../codegen/dsl/index.js";

export const argmax = kernel(
  { name: "argmax", workgroupSize: 256, uniforms: { n: u32 }, buffers: { x: read(f32), out: write(u32) } },
  ({ n, x, out }) => {
    const bestValue = shared(f32, 256);
    const bestIndex = shared(u32, 256);
    const row = workgroupId.x * n;
    // each invocation scans a strided slice; ascending order keeps its lowest index on ties
    // `at === n` marks "nothing seen yet", so the first value is taken whatever it is
    let best: f32 = 0.0;
    let at: u32 = n;
    for (let i = localId.x; i < n; i += workgroupSize.x) {
      const v = x[row + i];
      if (at === n || v > best) {
        best = v;
        at = i;
      }
    }
    bestValue[localId.x] = best;
    bestIndex[localId.x] = at;
    barrier();
    // a tree over the workgroup: the larger value wins, the lower index breaks ties
    for (let stride: u32 = 128; stride > 0; stride = stride >> 1) {
      if (localId.x < stride) {
        const v = bestValue[localId.x + stride];
        const j = bestIndex[localId.x + stride];
        const mine = bestValue[localId.x];
        if (j < n && (bestIndex[localId.x] === n || v > mine || (v === mine && j < bestIndex[localId.x]))) {
          bestValue[localId.x] = v;
          bestIndex[localId.x] = j;
        }
      }
      barrier();
    }
    if (localId.x === 0) {
      out[workgroupId.x] = bestIndex[0];
    }
  },
);
