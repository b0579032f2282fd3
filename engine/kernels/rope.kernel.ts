// Rotary position embedding (RoPE) of each head of each token, in place of x into out.
// Shapes: x, out (tokens, nHeads, headDim) f32; pos (tokens) u32. One workgroup per (head, token):
// dispatch [nHeads, tokens]; each invocation rotates one pair i < nRot / 2 by the angle
// pos * freqBase^(-2i / nRot) * freqScale, and copies the dimensions past nRot unchanged.
// rope_norm pairs (2i, 2i + 1) (llama); rope_neox pairs (i, i + nRot / 2) (qwen2, phi3, gemma2).
// Reference: engine/reference/ops.ts ropeAngles + rope; ggml counterpart: ggml_rope_ext (modes 0 and
// GGML_ROPE_TYPE_NEOX) without YaRN ramps (freqScale covers linear scaling).
import { cos, f32, kernel, localId, pow, read, sin, u32, workgroupId, workgroupSize, write } from "../../codegen/dsl/index.js";

export const ropeNorm = kernel(
  {
    name: "rope_norm",
    workgroupSize: 64,
    uniforms: { nHeads: u32, headDim: u32, nRot: u32, freqBase: f32, freqScale: f32 },
    buffers: { x: read(f32), pos: read(u32), out: write(f32) },
  },
  ({ nHeads, headDim, nRot, freqBase, freqScale, x, pos, out }) => {
    const base = (workgroupId.y * nHeads + workgroupId.x) * headDim;
    const p = f32(pos[workgroupId.y]);
    for (let i = localId.x; i < nRot >> 1; i += workgroupSize.x) {
      const freq = pow(freqBase, f32(i) * -2.0 / f32(nRot));
      const theta = p * freq * freqScale;
      const c = cos(theta);
      const s = sin(theta);
      const x0 = x[base + 2 * i];
      const x1 = x[base + 2 * i + 1];
      out[base + 2 * i] = x0 * c - x1 * s;
      out[base + 2 * i + 1] = x0 * s + x1 * c;
    }
    for (let d = nRot + localId.x; d < headDim; d += workgroupSize.x) {
      out[base + d] = x[base + d];
    }
  },
);

export const ropeNeox = kernel(
  {
    name: "rope_neox",
    workgroupSize: 64,
    uniforms: { nHeads: u32, headDim: u32, nRot: u32, freqBase: f32, freqScale: f32 },
    buffers: { x: read(f32), pos: read(u32), out: write(f32) },
  },
  ({ nHeads, headDim, nRot, freqBase, freqScale, x, pos, out }) => {
    const base = (workgroupId.y * nHeads + workgroupId.x) * headDim;
    const p = f32(pos[workgroupId.y]);
    const half = nRot >> 1;
    for (let i = localId.x; i < half; i += workgroupSize.x) {
      const freq = pow(freqBase, f32(i) * -2.0 / f32(nRot));
      const theta = p * freq * freqScale;
      const c = cos(theta);
      const s = sin(theta);
      // NeoX rotates the first half of the head against the second
      const x0 = x[base + i];
      const x1 = x[base + i + half];
      out[base + i] = x0 * c - x1 * s;
      out[base + i + half] = x0 * s + x1 * c;
    }
    for (let d = nRot + localId.x; d < headDim; d += workgroupSize.x) {
      out[base + d] = x[base + d];
    }
  },
);
