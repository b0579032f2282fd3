// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_mxfp4 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// mxfp4: x = kvalues_mxfp4[q] * 2^(e-128), e the block's e8m0 exponent byte (ggml's
// GGML_E8M0_TO_FP32_HALF: the halving pairs with the doubled levels; e = 0 and 1 give the f32 subnormals
// 2^-128 and 2^-127). Values 0..15 are the low nibbles of qs, 16..31 the high ones, as in q4_0.

__constant__ int KVALUES_MXFP4[16] = {
    0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12
};

extern "C" __global__ void __launch_bounds__(64) get_rows_mxfp4(
    const unsigned char* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int blk = src * (k / 32u) + (i / 32u);
    const unsigned int e = (unsigned int)*(W + blk * 17u);
    unsigned int bits = (e - 1u) << 23u;
    if (e < 2u) {
      bits = 2097152u << e;
    }
    const unsigned int j = i % 32u;
    const unsigned int byte = (unsigned int)*(W + blk * 17u + 1u + (j & 15u));
    unsigned int q = byte & 15u;
    if (j >= 16u) {
      q = byte >> 4u;
    }
    out[blockIdx.x * k + i] = (float)(KVALUES_MXFP4[q]) * __uint_as_float(bits);
  }
}
