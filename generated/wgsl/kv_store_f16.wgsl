// GENERATED — do not edit; source: engine/kernels/kv_cache.kernel.ts
// kernel kv_store_f16 (WGSL), workgroup 256x1x1; regenerate with `npm run codegen`

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> step: array<u32>;

struct kv_store_f16_params {
  n: u32,
}
@group(0) @binding(3) var<uniform> params: kv_store_f16_params;

@compute @workgroup_size(256, 1, 1)
fn kv_store_f16(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let n: u32 = params.n;
  // the row's elements first .. first + n - 1, and the words they touch [line 82]
  let first: u32 = step[0u] * n;
  let word: u32 = (first >> 1u) + globalId.x;
  let end: u32 = first + n;
  if (n > 0u && word <= ((end - 1u) >> 1u)) {
    let lo: u32 = word * 2u;
    let hi: u32 = lo + 1u;
    var bits: u32 = dst[word];
    // each half from this row where it belongs to the row, else the half already there [line 90]
    if (lo >= first) {
      // inlined f32ToF16Bits() [line 20]
      let v: f32 = src[lo - first];
      let u: u32 = bitcast<u32>(v);
      let sign: u32 = (u >> 16u) & 32768u;
      let abs_: u32 = u & 2147483647u;
      var h: u32 = 0u;
      if (abs_ > 2139095040u) {
        // NaN: made quiet, the top mantissa bits kept (as F16C does) [line 27]
        h = 32256u | ((abs_ >> 13u) & 1023u);
      } else {
        if (abs_ >= 1199566848u) {
          // 65520 and above round to infinity [line 30]
          h = 31744u;
        } else {
          if (abs_ >= 947912704u) {
            // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
            // mantissa steps the exponent, which is the right result [line 34]
            h = (((abs_ >> 23u) - 112u) << 10u) | ((abs_ >> 13u) & 1023u);
            let rest: u32 = abs_ & 8191u;
            if (rest > 4096u || (rest == 4096u && (h & 1u) == 1u)) {
              h = h + 1u;
            }
          } else {
            let e: u32 = abs_ >> 23u;
            // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
            if (e >= 102u) {
              // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
              let m: u32 = (abs_ & 8388607u) | 8388608u;
              let shift: u32 = 126u - e;
              let one: u32 = 1u;
              h = m >> shift;
              let rest_1: u32 = m & ((one << shift) - 1u);
              let halfway: u32 = one << (shift - 1u);
              if (rest_1 > halfway || (rest_1 == halfway && (h & 1u) == 1u)) {
                h = h + 1u;
              }
            }
          }
        }
      }
      let f32ToF16Bits: u32 = sign | h;
      bits = (bits & 4294901760u) | f32ToF16Bits;
    }
    if (hi < end) {
      // inlined f32ToF16Bits() [line 20]
      let v_1: f32 = src[hi - first];
      let u_1: u32 = bitcast<u32>(v_1);
      let sign_1: u32 = (u_1 >> 16u) & 32768u;
      let abs_1: u32 = u_1 & 2147483647u;
      var h_1: u32 = 0u;
      if (abs_1 > 2139095040u) {
        // NaN: made quiet, the top mantissa bits kept (as F16C does) [line 27]
        h_1 = 32256u | ((abs_1 >> 13u) & 1023u);
      } else {
        if (abs_1 >= 1199566848u) {
          // 65520 and above round to infinity [line 30]
          h_1 = 31744u;
        } else {
          if (abs_1 >= 947912704u) {
            // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
            // mantissa steps the exponent, which is the right result [line 34]
            h_1 = (((abs_1 >> 23u) - 112u) << 10u) | ((abs_1 >> 13u) & 1023u);
            let rest_2: u32 = abs_1 & 8191u;
            if (rest_2 > 4096u || (rest_2 == 4096u && (h_1 & 1u) == 1u)) {
              h_1 = h_1 + 1u;
            }
          } else {
            let e_1: u32 = abs_1 >> 23u;
            // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0) [line 42]
            if (e_1 >= 102u) {
              // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out [line 44]
              let m_1: u32 = (abs_1 & 8388607u) | 8388608u;
              let shift_1: u32 = 126u - e_1;
              let one_1: u32 = 1u;
              h_1 = m_1 >> shift_1;
              let rest_3: u32 = m_1 & ((one_1 << shift_1) - 1u);
              let halfway_1: u32 = one_1 << (shift_1 - 1u);
              if (rest_3 > halfway_1 || (rest_3 == halfway_1 && (h_1 & 1u) == 1u)) {
                h_1 = h_1 + 1u;
              }
            }
          }
        }
      }
      let f32ToF16Bits_1: u32 = sign_1 | h_1;
      bits = (bits & 65535u) | (f32ToF16Bits_1 << 16u);
    }
    dst[word] = bits;
  }
}
