// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_iq4_nl (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// iq4_nl: x = d * kvalues_iq4nl[q], a non-linear 4-bit grid

@group(0) @binding(0) var<storage, read> W: array<u32>; // iq4_nl blocks of 18 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_iq4_nl_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_iq4_nl_params;
var<private> KVALUES_IQ4NL: array<i32, 16> = array<i32, 16>(
  -127i, -104i, -83i, -65i, -49i, -35i, -22i, -10i, 1i, 13i, 25i, 38i, 53i, 69i, 89i, 113i
);

@compute @workgroup_size(64, 1, 1)
fn get_rows_iq4_nl(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let src: u32 = ids[workgroupId.x];
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = src * (k / 32u) + (i / 32u);
    let j: u32 = i % 32u;
    let byte: u32 = (W[(blk * 18u + 2u + (j & 15u)) >> 2u] >> (((blk * 18u + 2u + (j & 15u)) & 3u) << 3u)) & 255u;
    var q: u32 = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    let w: f32 = unpack2x16float((W[(blk * 18u) >> 2u] >> (((blk * 18u) & 2u) << 3u)) & 65535u).x * f32(KVALUES_IQ4NL[q]);
    out[workgroupId.x * k + i] = w;
  }
}
