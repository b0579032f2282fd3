// GENERATED — do not edit; source: engine/kernels/matvec.kernel.ts
// kernel matvec_bf16 (WGSL), workgroup 64x1x1; regenerate with `npm run codegen`
//
// bf16: bfloat16 (the top half of an f32), two per u32 word (low half first)

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct matvec_bf16_params {
  k: u32,
}
@group(0) @binding(3) var<uniform> params: matvec_bf16_params;
var<workgroup> wg_scratch: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn matvec_bf16(
  @builtin(global_invocation_id) globalId: vec3<u32>,
  @builtin(local_invocation_id) localId: vec3<u32>,
  @builtin(workgroup_id) workgroupId: vec3<u32>,
  @builtin(num_workgroups) numWorkgroups: vec3<u32>,
) {
  let k: u32 = params.k;
  let row: u32 = workgroupId.x;
  var acc: f32 = 0.0f;
  // each invocation takes every workgroupSize-th run of 32 values (one scale each in every type) [line 102]
  for (var g: u32 = localId.x; g < (k >> 5u); g += 64u) {
    for (var jj: u32 = 0u; jj < 32u; jj += 1u) {
      let i: u32 = g * 32u + jj;
      let e: u32 = row * k + i;
      let h: u32 = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
      // the DSL has no bit cast: scale the 8-bit mantissa by 2^(expo - 134) in steps that stay normal [line 108]
      let expo: u32 = (h >> 7u) & 255u;
      var mag: f32 = f32((h & 127u) | 128u);
      if (expo == 0u) {
        mag = 0.0f;
      }
      var t: i32 = i32(expo) - 134i;
      {
        if (t > 30i) {
          mag = mag * 1073741824.0f;
          t = t - 30i;
        } else {
          if (t < -30i) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30i;
          }
        }
      }
      {
        if (t > 30i) {
          mag = mag * 1073741824.0f;
          t = t - 30i;
        } else {
          if (t < -30i) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30i;
          }
        }
      }
      {
        if (t > 30i) {
          mag = mag * 1073741824.0f;
          t = t - 30i;
        } else {
          if (t < -30i) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30i;
          }
        }
      }
      {
        if (t > 30i) {
          mag = mag * 1073741824.0f;
          t = t - 30i;
        } else {
          if (t < -30i) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30i;
          }
        }
      }
      {
        if (t > 30i) {
          mag = mag * 1073741824.0f;
          t = t - 30i;
        } else {
          if (t < -30i) {
            mag = mag * 9.313225746154785e-10f;
            t = t + 30i;
          }
        }
      }
      if (t >= 0i) {
        mag = mag * f32(1i << u32(t));
      } else {
        mag = mag / f32(1i << u32(-t));
      }
      var w: f32 = mag;
      if ((h >> 15u) == 1u) {
        w = -mag;
      }
      acc += w * x[i];
    }
  }
  // workgroupSum: tree reduction over 64 invocations in shared memory [line 135]
  wg_scratch[localId.x] = acc;
  storageBarrier();
  workgroupBarrier();
  {
    if (localId.x < 32u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 32u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 16u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 16u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 8u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 8u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 4u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 4u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 2u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 2u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  {
    if (localId.x < 1u) {
      wg_scratch[localId.x] = wg_scratch[localId.x] + wg_scratch[localId.x + 1u];
    }
    storageBarrier();
    workgroupBarrier();
  }
  let total: f32 = wg_scratch[0u];
  storageBarrier();
  workgroupBarrier();
  if (localId.x == 0u) {
    out[row] = total;
  }
}
