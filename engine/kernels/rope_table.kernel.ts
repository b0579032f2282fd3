// RoPE in place on the current token's heads, from an angle table the host computes: the GPU
// backends' rope. table holds (cos, sin) of every pair at every position, (n_ctx, nRot / 2, 2) f32,
// filled on the host in f64 by engine/reference/ops.ts ropeAngles, so one kernel covers plain,
// linear, YaRN and llama3 scaling and rope_freqs alike, and no target evaluates sin/cos of angles that
// reach n_ctx radians (Vulkan bounds their error only on [-pi, pi]). The position is `step[0]`, a
// storage word the command stream writes before each token, so one submission carries many tokens.
// Shapes: x (nHeads, headDim) f32, rotated in place; step (1+) u32. One invocation per pair:
// dispatch ceil(nHeads * nRot / 2 / 64) workgroups. neox = 0 pairs (2i, 2i + 1) (llama), neox = 1
// pairs (i, i + nRot / 2) (qwen2, phi3, gemma2); dimensions past nRot are left as they are.
// Reference: engine/reference/ops.ts rope (with ropeAngles); ggml counterpart: ggml_rope_ext (modes 0
// and GGML_ROPE_TYPE_NEOX), whose theta cache plays the table's part.
// Buffer names, binding order and uniforms are the ones targets/wgsl/backend/graph.ts binds.
import { globalId, idiv, kernel, read, u32, write, f32 } from "../../codegen/dsl/index.js";

export const ropeTable = kernel(
  {
    name: "rope",
    workgroupSize: 64,
    uniforms: { nHeads: u32, headDim: u32, nRot: u32, neox: u32 },
    buffers: { x: write(f32), table: read(f32), step: read(u32) },
  },
  ({ nHeads, headDim, nRot, neox, x, table, step }) => {
    const half = nRot >> 1;
    const idx = globalId.x;
    if (idx < nHeads * half) {
      const h = idiv(idx, half);
      const i = idx - h * half;
      let a = h * headDim + 2 * i;
      let b = a + 1;
      if (neox === 1) {
        // NeoX rotates the first half of the head against the second
        a = h * headDim + i;
        b = a + half;
      }
      const t = (step[0] * half + i) * 2;
      const c = table[t];
      const s = table[t + 1];
      const x0 = x[a];
      const x1 = x[b];
      x[a] = x0 * c - x1 * s;
      x[b] = x0 * s + x1 * c;
    }
  },
);
