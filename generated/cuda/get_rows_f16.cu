// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_f16 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

extern "C" __global__ void __launch_bounds__(64) get_rows_f16(
    const unsigned int* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int e = src * k + i;
    const unsigned int h = (W[e >> 1u] >> ((e & 1u) * 16u)) & 65535u;
    // the DSL has no bit cast: build the value from its fields, exactly (every factor a power of two) [line 34]
    const unsigned int expo = (h >> 10u) & 31u;
    const unsigned int mant = h & 1023u;
    float mag = (float)(mant) * 5.960464477539063e-8f;
    if (expo > 0u) {
      mag = (float)(mant | 1024u) * ((float)(1 << expo) * 2.9802322387695312e-8f);
    }
    float w = mag;
    if ((h >> 15u) == 1u) {
      w = -mag;
    }
    out[blockIdx.x * k + i] = w;
  }
}
