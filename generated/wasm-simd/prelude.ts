// GENERATED — do not edit; source: codegen/emit/assemblyscript.ts
// Helpers the generated AssemblyScript kernels import.

/** IEEE binary16 bits (low 16 bits of h) to the exact f32 value. */
@inline
export function f16tof32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e == 0) {
    // zero and subnormals: m * 2^-24, exact in f32
    const v = <f32>m * <f32>5.9604644775390625e-8;
    return sign ? -v : v;
  }
  if (e == 31) return reinterpret<f32>(sign | 0x7f800000 | (m << 13));
  return reinterpret<f32>(sign | ((e + 112) << 23) | (m << 13));
}
