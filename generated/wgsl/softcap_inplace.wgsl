// GENERATED — do not edit; source: engine/kernels/softcap_inplace.kernel.ts
// kernel softcap_inplace (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read_write> x: array<f32>;

struct softcap_inplace_params {
  n: u32,
  cap: f32,
}
@group(0) @binding(1) var<uniform> params: softcap_inplace_params;

@compute @workgroup_size(256, 1, 1)
fn softcap_inplace(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  let cap: f32 = params.cap;
  let i: u32 = globalId.x;
  if (i < n) {
    // tanh(15) is 1.0 in f32, so the clamp changes no result; it keeps GPU tanh spelled as
    // (e^2t - 1) / (e^2t + 1) from giving inf / inf = NaN on large logits [line 16]
    x[i] = cap * tanh(clamp(x[i] / cap, -15.0f, 15.0f));
  }
}
