// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_tq1_0 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// tq1_0: x = d * t, t in {-1, 0, 1}; qs bytes hold five base-3 digits scaled to 0..255 (values 0..159 by
// 32-byte runs, 160..239 by 16-byte runs), qh bytes four more (values 240..255)

@group(0) @binding(0) var<storage, read> W: array<u32>; // tq1_0 blocks of 54 bytes, read as words
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct get_rows_tq1_0_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: get_rows_tq1_0_params;
var<private> POW3: array<u32, 5> = array<u32, 5>(
  1u, 3u, 9u, 27u, 81u
);

@compute @workgroup_size(64, 1, 1)
fn get_rows_tq1_0(
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
    var byte: u32 = 0u;
    var digit: u32 = 0u;
    if (j < 160u) {
      byte = (W[(blk * 54u + (j & 31u)) >> 2u] >> (((blk * 54u + (j & 31u)) & 3u) << 3u)) & 255u;
      digit = j >> 5u;
    } else {
      if (j < 240u) {
        byte = (W[(blk * 54u + (32u + ((j - 160u) & 15u))) >> 2u] >> (((blk * 54u + (32u + ((j - 160u) & 15u))) & 3u) << 3u)) & 255u;
        digit = (j - 160u) >> 4u;
      } else {
        byte = (W[(blk * 54u + 48u + ((j - 240u) & 3u)) >> 2u] >> (((blk * 54u + 48u + ((j - 240u) & 3u)) & 3u) << 3u)) & 255u;
        digit = (j - 240u) >> 2u;
      }
    }
    // multiplying by 3^digit moves the digit to the top; * 3 >> 8 reads it back as 0, 1 or 2 [line 399]
    let t: i32 = i32((((byte * POW3[digit]) & 255u) * 3u) >> 8u) - 1i;
    out[workgroupId.x * k + i] = f32(t) * unpack2x16float((W[(blk * 54u + 52u) >> 2u] >> (((blk * 54u + 52u) & 2u) << 3u)) & 65535u).x;
  }
}
