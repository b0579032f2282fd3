// GENERATED — do not edit; source: engine/kernels/activation.kernel.ts
// kernel softcap (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`
//
// gemma2's soft-cap of the final logits: out = cap * tanh(x / cap). Reference: engine/reference/ops.ts
// softcap; ggml counterpart: ggml_softcap (ggml_scale, ggml_tanh, ggml_scale).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

struct softcap_params {
  n: u32,
  cap: f32,
}
@group(0) @binding(2) var<uniform> params: softcap_params;

@compute @workgroup_size(256, 1, 1)
fn softcap(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let cap: f32 = params.cap;
  let i: u32 = globalId.x;
  if (i < n) {
    out[i] = cap * tanh(x[i] / cap);
  }
}
