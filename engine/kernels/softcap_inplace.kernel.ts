// gemma2's soft-cap of the final logits in place, x = cap * tanh(x / cap): the GPU backends' softcap.
// engine/kernels/activation.kernel.ts's softcap writes another buffer; WebGPU forbids binding one
// buffer both as read-only and as writable storage in a dispatch, so the logits' own buffer needs this
// in-place form. Shapes: x (n) f32; one invocation per value, dispatch ceil(n / 256) workgroups.
// Reference: engine/reference/ops.ts softcap; ggml counterpart: ggml_softcap (ggml_scale, ggml_tanh,
// ggml_scale). Buffer names, binding order and uniforms are the ones targets/wgsl/backend/graph.ts binds.
import { clamp, globalId, kernel, tanh, u32, write, f32 } from "../../codegen/dsl/index.js";

export const softcapInplace = kernel(
  { name: "softcap_inplace", workgroupSize: 256, uniforms: { n: u32, cap: f32 }, buffers: { x: write(f32) } },
  ({ n, cap, x }) => {
    const i = globalId.x;
    if (i < n) {
      // tanh(15) is 1.0 in f32, so the clamp changes no result; it keeps GPU tanh spelled as
      // (e^2t - 1) / (e^2t + 1) from giving inf / inf = NaN on large logits
      x[i] = cap * tanh(clamp(x[i] / cap, -15.0, 15.0));
    }
  },
);
