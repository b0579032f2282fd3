// Half-precision conversions between float32 and the 16-bit formats ggml stores: IEEE binary16 (f16)
// and bfloat16 (bf16). Values cross as their bit patterns (numbers 0..0xffff).
// Reference: ggml-impl.h (ggml_compute_fp16_to_fp32, ggml_compute_fp32_to_fp16 as the x86 F16C
// instruction computes it, ggml_compute_fp32_to_bf16). All conversions to 16 bits round to nearest,
// ties to even; f16 -> f32 and bf16 -> f32 are exact.

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Every f16 bit pattern decoded to float32, so that decoding in hot loops is one load. */
export const F16_TO_F32_TABLE: Float32Array = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    let v: number;
    if (e === 0) v = m * 2 ** -24; // zero and subnormals: exact in float32
    else if (e === 31) v = m === 0 ? Infinity : NaN;
    else v = (1 + m / 1024) * 2 ** (e - 15);
    t[h] = sign * v;
  }
  // NaN payloads are not carried by the arithmetic above; write the bit patterns directly.
  const u = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) u[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
  }
  return t;
})();

/** f16 bits -> float32 value (exact). */
export function f16ToF32(bits: number): number {
  return F16_TO_F32_TABLE[bits & 0xffff]!;
}

/** float32 value -> f16 bits, round to nearest even; overflow gives infinity, NaN stays a quiet NaN. */
export function f32ToF16(value: number): number {
  f32Scratch[0] = value;
  const u = u32Scratch[0]!;
  const sign = (u >>> 16) & 0x8000;
  const abs = u & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00 | ((abs >>> 13) & 0x3ff); // NaN, made quiet like F16C
  if (abs >= 0x477ff000) return sign | 0x7c00; // >= 65520 rounds to infinity
  if (abs >= 0x38800000) {
    // Normal in f16: rebias the exponent, round the 13 dropped mantissa bits; a carry moves into the
    // exponent, which is the right result.
    const e = (abs >>> 23) - 127 + 15;
    let h = (e << 10) | ((abs >>> 13) & 0x3ff);
    const rest = abs & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) !== 0)) h++;
    return sign | h;
  }
  // Subnormal (or zero) in f16: count units of 2^-24, rounding half to even. f32Scratch[0] * 2^24 is
  // exact in a double.
  const q = Math.abs(f32Scratch[0]!) * 16777216;
  let n = Math.floor(q);
  const r = q - n;
  if (r > 0.5 || (r === 0.5 && (n & 1) !== 0)) n++;
  return sign | n;
}

/** bf16 bits -> float32 value (exact: bf16 is the top half of a float32). */
export function bf16ToF32(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0]!;
}

/** float32 value -> bf16 bits, round to nearest even; NaN is forced quiet (ggml_compute_fp32_to_bf16). */
export function f32ToBf16(value: number): number {
  f32Scratch[0] = value;
  const u = u32Scratch[0]!;
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 64) & 0xffff;
  return ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16) & 0xffff;
}
