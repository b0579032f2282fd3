// Elementwise f32 ops over n values: out = a + b, out = a * b, out = x * scale.
// Shapes: every buffer (n). Reference: plain loops (test/codegen-interpret.test.ts);
// ggml counterparts: ggml_add, ggml_mul, ggml_scale (ggml-cpu/binary-ops.cpp, ops.cpp).
import { globalId, kernel, read, write, f32, u32 } from "../../codegen/dsl/index.js";

// out[i] = a[i] + b[i]; one invocation per value.
export const add = kernel(
  { name: "add", workgroupSize: 256, uniforms: { n: u32 }, buffers: { a: read(f32), b: read(f32), out: write(f32) } },
  ({ n, a, b, out }) => {
    const i = globalId.x;
    // the last workgroup may run past n
    if (i < n) {
      out[i] = a[i] + b[i];
    }
  },
);

// out[i] = a[i] * b[i]; one invocation per value.
export const mul = kernel(
  { name: "mul", workgroupSize: 256, uniforms: { n: u32 }, buffers: { a: read(f32), b: read(f32), out: write(f32) } },
  ({ n, a, b, out }) => {
    const i = globalId.x;
    if (i < n) {
      out[i] = a[i] * b[i];
    }
  },
);

// out[i] = x[i] * scale; one invocation per value.
export const scale = kernel(
  { name: "scale", workgroupSize: 256, uniforms: { n: u32, scale: f32 }, buffers: { x: read(f32), out: write(f32) } },
  ({ n, scale, x, out }) => {
    const i = globalId.x;
    if (i < n) {
      out[i] = x[i] * scale;
    }
  },
);
