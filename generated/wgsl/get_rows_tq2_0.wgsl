// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq2_0 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq2_0: x = d * (q - 1), q a 2-bit code; each byte holds values m, m + 32, m + 64, m + 96 of its 128

@group(0) @binding(0) var<storage, read> W: array<u32>; // tq2_0 blocks of 66 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_tq2_0_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_tq2_0_params;

@compute @workgroup_size(64, 1, 1)
fn get_rows_tq2_0(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let src: u32 = ids[workgroupId.x];
  for (var i: u32 = localId.x; i < k; i += 64u) {
    let blk: u32 = src * (k / 256u) + (i / 256u);
    let j: u32 = i % 256u;
    let q: u32 = (((W[(blk * 66u + ((j >> 7u) * 32u + (j & 31u))) >> 2u] >> (((blk * 66u + ((j >> 7u) * 32u + (j & 31u))) & 3u) << 3u)) & 255u) >> (((j & 127u) >> 5u) * 2u)) & 3u;
    out[workgroupId.x * k + i] = f32(i32(q) - 1i) * unpack2x16float((W[(blk * 66u + 64u) >> 2u] >> (((blk * 66u + 64u) & 2u) << 3u)) & 65535u).x;
  }
}
