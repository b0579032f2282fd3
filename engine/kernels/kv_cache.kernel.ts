// The KV cache stores of the GPU backends. kv_store_f32 writes the current token's K or V into row
// step[0] of an f32 cache (a dispatch rather than a buffer copy, so a token's layers stay in one
// compute pass). round_f16 rounds values to the nearest IEEE half in place (a cache of halves kept in
// f32 storage). kv_store_f16 writes the current token's K or V as halves into row step[0] of a cache
// packed two halves to a u32 word (element e in word e >> 1, the low half when e is even: the bytes of
// a little-endian f16 array, as flash_attention_f16 reads them).
// The conversion is integer bit work on the f32's bits, round to nearest, ties to even, overflow to
// infinity, NaN kept quiet, subnormal halves rounded exactly: engine/quant/half.ts f32ToF16 (x86 F16C,
// ggml's ggml_compute_fp32_to_fp16), the same bits on every target, none of which needs f16 support.
// Shapes: x, src (n) f32; dst (n_ctx * n) f32, or (n_ctx * n halves) as u32 words for kv_store_f16;
// step (1+) u32, the position. kv_store_f32 and round_f16: one invocation per value, dispatch
// ceil(n / 256). kv_store_f16: one invocation per word of the row (at most n), dispatch ceil(n / 256);
// a row that starts or ends inside a word keeps the other row's half of it.
// Reference: engine/quant/half.ts f32ToF16 / f16ToF32 (engine/reference/ops.ts roundToF16); ggml
// counterpart: ggml_cpy into the cache (llm_graph's cpy_k / cpy_v), ggml_fp32_to_fp16_row.
// Buffer names, binding order and uniforms are the ones targets/wgsl/backend/graph.ts binds.
import { bitcastU32, globalId, kernel, read, u32, unpackF16, write, f32 } from "../../codegen/dsl/index.js";

// f32 -> f16 bits (in the low 16 bits), round to nearest, ties to even
function f32ToF16Bits(v: f32): u32 {
  const u = bitcastU32(v);
  const sign = (u >> 16) & 0x8000;
  const abs = u & 0x7fffffff;
  let h: u32 = 0;
  if (abs > 0x7f800000) {
    // NaN: made quiet, the top mantissa bits kept (as F16C does)
    h = 0x7e00 | ((abs >> 13) & 0x3ff);
  } else if (abs >= 0x477ff000) {
    // 65520 and above round to infinity
    h = 0x7c00;
  } else if (abs >= 0x38800000) {
    // normal in f16: rebias the exponent (127 -> 15), round the 13 dropped bits; a carry out of the
    // mantissa steps the exponent, which is the right result
    h = (((abs >> 23) - 112) << 10) | ((abs >> 13) & 0x3ff);
    const rest = abs & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) {
      h = h + 1;
    }
  } else {
    const e = abs >> 23;
    // below 2^-25 everything rounds to zero (2^-25 itself is a tie to the even 0)
    if (e >= 102) {
      // subnormal in f16: the 24-bit significand in units of 2^-24 is m >> (126 - e), 14..24 bits shifted out
      const m = (abs & 0x7fffff) | 0x800000;
      const shift = 126 - e;
      const one: u32 = 1;
      h = m >> shift;
      const rest = m & ((one << shift) - 1);
      const halfway = one << (shift - 1);
      if (rest > halfway || (rest === halfway && (h & 1) === 1)) {
        h = h + 1;
      }
    }
  }
  return sign | h;
}

export const roundF16 = kernel(
  { name: "round_f16", workgroupSize: 256, uniforms: { n: u32 }, buffers: { x: write(f32) } },
  ({ n, x }) => {
    const i = globalId.x;
    if (i < n) {
      x[i] = unpackF16(f32ToF16Bits(x[i]));
    }
  },
);

export const kvStoreF32 = kernel(
  { name: "kv_store_f32", workgroupSize: 256, uniforms: { n: u32 }, buffers: { src: read(f32), dst: write(f32), step: read(u32) } },
  ({ n, src, dst, step }) => {
    const i = globalId.x;
    if (i < n) {
      dst[step[0] * n + i] = src[i];
    }
  },
);

export const kvStoreF16 = kernel(
  { name: "kv_store_f16", workgroupSize: 256, uniforms: { n: u32 }, buffers: { src: read(f32), dst: write(u32), step: read(u32) } },
  ({ n, src, dst, step }) => {
    // the row's elements first .. first + n - 1, and the words they touch
    const first = step[0] * n;
    const word = (first >> 1) + globalId.x;
    const end = first + n;
    if (n > 0 && word <= (end - 1) >> 1) {
      const lo = word * 2;
      const hi = lo + 1;
      let bits = dst[word];
      // each half from this row where it belongs to the row, else the half already there
      if (lo >= first) {
        bits = (bits & 0xffff0000) | f32ToF16Bits(src[lo - first]);
      }
      if (hi < end) {
        bits = (bits & 0xffff) | (f32ToF16Bits(src[hi - first]) << 16);
      }
      dst[word] = bits;
    }
  },
);
