// The feed-forward gates: swiglu out = silu(gate) * up (llama, qwen2, phi3), geglu out = gelu(gate) * up
// (gemma2), gelu alone, and softcap (gemma2's logit cap). GELU is the tanh approximation. Shapes: every
// buffer (n); one invocation per value, dispatch ceil(n / 256) workgroups.
// Reference: engine/reference/ops.ts silu and geluTanh; ggml counterparts: ggml_swiglu / ggml_silu +
// ggml_mul, ggml_geglu / ggml_gelu (ggml-cpu vec.h).
import { exp, f32, globalId, kernel, read, tanh, u32, write } from "../../codegen/dsl/index.js";

export const swiglu = kernel(
  { name: "swiglu", workgroupSize: 256, uniforms: { n: u32 }, buffers: { gate: read(f32), up: read(f32), out: write(f32) } },
  ({ n, gate, up, out }) => {
    const i = globalId.x;
    if (i < n) {
      const g = gate[i];
      // silu(g) = g * sigmoid(g); exp(-g) overflowing to +inf gives the right limit, -0
      out[i] = (g / (1.0 + exp(-g))) * up[i];
    }
  },
);

export const gelu = kernel(
  { name: "gelu", workgroupSize: 256, uniforms: { n: u32 }, buffers: { x: read(f32), out: write(f32) } },
  ({ n, x, out }) => {
    const i = globalId.x;
    if (i < n) {
      const v = x[i];
      // sqrt(2 / pi) = 0.7978845608
      out[i] = 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    }
  },
);

export const geglu = kernel(
  { name: "geglu", workgroupSize: 256, uniforms: { n: u32 }, buffers: { gate: read(f32), up: read(f32), out: write(f32) } },
  ({ n, gate, up, out }) => {
    const i = globalId.x;
    if (i < n) {
      const g = gate[i];
      out[i] = 0.5 * g * (1.0 + tanh(0.7978845608028654 * (g + 0.044715 * g * g * g))) * up[i];
    }
  },
);

// gemma2's soft-cap of the final logits: out = cap * tanh(x / cap). Reference: engine/reference/ops.ts
// softcap; ggml counterpart: ggml_softcap (ggml_scale, ggml_tanh, ggml_scale).
export const softcap = kernel(
  { name: "softcap", workgroupSize: 256, uniforms: { n: u32, cap: f32 }, buffers: { x: read(f32), out: write(f32) } },
  ({ n, cap, x, out }) => {
    const i = globalId.x;
    if (i < n) {
      out[i] = cap * tanh(x[i] / cap);
    }
  },
);
