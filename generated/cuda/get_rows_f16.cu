// GENERATED — do not edit; source: engine/kernels/get_rows.kernel.ts
// kernel get_rows_f16 (CUDA), workgroup 64x1x1; regenerate with `npm run codegen`
//
// f16: IEEE half, two per u32 word (low half first)

#include <cuda_fp16.h>

extern "C" __global__ void __launch_bounds__(64) get_rows_f16(
    const unsigned int* __restrict__ W,
    const unsigned int* __restrict__ ids,
    float* __restrict__ out,
    unsigned int k) {
  const unsigned int src = ids[blockIdx.x];
  for (unsigned int i = threadIdx.x; i < k; i += 64u) {
    const unsigned int e = src * k + i;
    const float w = __half2float(__ushort_as_half((unsigned short)(W[e >> 1u] >> ((e & 1u) * 16u))));
    out[blockIdx.x * k + i] = w;
  }
}
