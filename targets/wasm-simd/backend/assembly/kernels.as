// The wasm backend's compute kernels, AssemblyScript with SIMD128, and for the q4_0/q8_0 products also
// relaxed SIMD's int8 pair product (i16x8.relaxed_dot_i8x16_i7x16_s) where the module is built with it
// (../build.ts builds both flavours; relaxed-SIMD code sits behind ASC_FEATURE_RELAXED_SIMD, so the
// plain module has none). Node 20's i32x4.relaxed_dot_i8x16_i7x16_add_s ignores its accumulator (wrong
// sums), so it is not used. Compiled by ../build.ts with asc into one module that imports a shared
// memory; every worker of the pool instantiates it over the same memory.
//
// What is here and why it is hand-written: the int8 dot products ggml's CPU backend runs after quantizing
// activations (ggml-cpu-quants.c: quantize_row_q8_0/q8_1/q8_K, ggml_vec_dot_q4_0_q8_0 ... q6_K_q8_K), the
// f16/f32 dot products, attention over the KV cache, and the element-wise steps between them (at the
// end of the file). The DSL kernels in engine/kernels (generated
// into generated/wasm-simd) compute matvec on f32 activations with one scalar lane per invocation; they
// do not quantize activations and have no int8 dot product, so they can neither reproduce llama.cpp's
// rounding nor run at speed. When the DSL grows int8 dot products these are the kernels to replace.
//
// Tests: test/wasm-backend-kernels.test.ts (every fast product path and layout against the one-row
// one-token kernels), test/wasm-backend-types.test.ts (every other weight type against ggml's dot
// product, whole models of each file type), test/wasm-backend-attention.test.ts (attention, f16 rounding), and the golden
// suites test/wasm-backend-{logits,greedy,session,split,cli}.test.ts (whole models against llama.cpp).
//
// Conventions: every exported job takes (tid, nth) first and does its share; addresses are byte
// offsets into the shared memory; weights stay in ggml's block layouts (engine/quant/layouts.ts) but for
// the interleaved "x4" matrices (X4_Q4_0, X4_Q8_0, X4_Q4_K, X4_Q6_K below, written by repackX4). The
// exported constants (block and layout sizes, attention's ATT_ROWS/ATT_TOKENS) are the ones backend.ts
// sizes its buffers by (KERNEL_CONSTANTS there; a test holds the two equal).
// This file has no static data (no strings, no arrays), so instantiating it again on a shared memory
// writes nothing into it.

// ---------------------------------------------------------------------------------------------------
// half precision

// f16 bits -> f32, exact, without denormal intermediates: x86 takes a microcode assist (a hundred
// cycles and more) on every denormal operand, and rescaling the shifted bits by 2^112 makes one of
// every f16 subnormal, such as the scales of q6_K blocks of small weights (d = max|scale| / 127 is
// often below 2^-14): a TinyLlama-shaped q6_K output matrix multiplied at 2.8 instead of 6.7 GMAC/s.
// Normal halves: exponent and mantissa moved into place, the exponent rebiased with an integer add;
// subnormal ones: the mantissa converted and scaled by 2^-24 (both exact).
const F16_REBIAS: u32 = 112 << 23; // (127 - 15) << 23
const TWO_M24: f32 = reinterpret<f32>(0x33800000); // 2^-24

function f16(h: u32): f32 {
  const m = h & 0x7fff;
  let v: f32;
  if (m >= 0x7c00) v = reinterpret<f32>((m << 13) | 0x7f800000); // inf, nan
  else if (m >= 0x400) v = reinterpret<f32>((m << 13) + F16_REBIAS);
  else v = <f32>m * TWO_M24;
  return (h & 0x8000) != 0 ? -v : v;
}

// f16 bits -> f32 for block scales, which are finite
function f16s(h: u32): f32 {
  const m = h & 0x7fff;
  const v = m >= 0x400 ? reinterpret<f32>((m << 13) + F16_REBIAS) : <f32>m * TWO_M24;
  return reinterpret<f32>(reinterpret<u32>(v) | ((h & 0x8000) << 16));
}

// four f16 (in the low halves of u32 lanes) -> f32x4; weights and KV values are finite, so no inf/nan case
function f16x4(u: v128): v128 {
  const m = v128.and(u, i32x4.splat(0x7fff));
  const normal = i32x4.add(i32x4.shl(m, 13), i32x4.splat(F16_REBIAS));
  const sub = f32x4.mul(f32x4.convert_i32x4_s(m), f32x4.splat(TWO_M24));
  const mag = v128.bitselect(normal, sub, i32x4.gt_s(m, i32x4.splat(0x3ff)));
  return v128.or(mag, i32x4.shl(v128.and(u, i32x4.splat(0x8000)), 16));
}

// f16x4 for a matrix none of whose block scales is an f16 subnormal (checked at load, see repackX4):
// the magnitude's bits moved under an f32 exponent and scaled by 2^112, exact for normal halves and zero
// in half the operations. (A subnormal half would make a denormal f32 operand, which x86 multiplies
// through a microcode assist: such matrices take f16x4.)
const TWO_P112: f32 = reinterpret<f32>(0x77800000);
@inline function f16x4n(u: v128): v128 {
  const mag = f32x4.mul(i32x4.shl(v128.and(u, i32x4.splat(0x7fff)), 13), f32x4.splat(TWO_P112));
  return v128.or(mag, i32x4.shl(v128.and(u, i32x4.splat(0x8000)), 16));
}

// f32 -> f16 bits, round to nearest even (what F16C's vcvtps2ph does)
function f32tof16(f: f32): u32 {
  const x = reinterpret<u32>(f);
  const sign = (x >> 16) & 0x8000;
  let a = x & 0x7fffffff;
  if (a >= 0x7f800000) return sign | (a > 0x7f800000 ? 0x7e00 : 0x7c00);
  if (a >= 0x477ff000) return sign | 0x7c00;
  if (a < 0x38800000) {
    // half subnormal: adding 0.5 leaves the value in units of 2^-24 in the mantissa, rounded by the FPU
    const v = reinterpret<f32>(a) + <f32>0.5;
    return sign | (reinterpret<u32>(v) - 0x3f000000);
  }
  a += 0xc8000fff + ((a >> 13) & 1);
  return sign | (a >> 13);
}

// f16(f32tof16(x)) on four lanes: each value rounded to the nearest f16 (ties to even), as an f32. The
// same cases as f32tof16: an f16-normal magnitude loses its low 13 bits with the rounding carried into
// the exponent; an f16-subnormal one is rounded to a multiple of 2^-24 by the FPU (+0.5, -0.5, both
// exact but for that rounding); 65520 and up overflow to infinity; a NaN stays a (quiet) NaN.
@inline function roundF16x4(v: v128): v128 {
  const a = v128.and(v, i32x4.splat(0x7fffffff));
  const lsb = v128.and(i32x4.shr_u(a, 13), i32x4.splat(1));
  const normal = v128.and(i32x4.add(i32x4.add(a, i32x4.splat(0xfff)), lsb), i32x4.splat(0xffffe000));
  const sub = f32x4.sub(f32x4.add(a, f32x4.splat(0.5)), f32x4.splat(0.5));
  const big = v128.bitselect(i32x4.splat(0x7fc00000), i32x4.splat(0x7f800000), i32x4.gt_s(a, i32x4.splat(0x7f800000)));
  const r = v128.bitselect(big, v128.bitselect(sub, normal, i32x4.lt_s(a, i32x4.splat(0x38800000))), i32x4.ge_s(a, i32x4.splat(0x477ff000)));
  return v128.or(r, v128.and(v, i32x4.splat(0x80000000)));
}

export function roundF16(x: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(x + (<usize>j << 2), roundF16x4(v128.load(x + (<usize>j << 2))));
  for (let i = j; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, f16(f32tof16(load<f32>(p))));
  }
}

// ---------------------------------------------------------------------------------------------------
// helpers

function hsumF(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

function hsumI(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// 16 int8 x 16 int8 -> four i32 partial sums: widen to i16, then i32x4.dot_i16x8_s
function dot16(a: v128, b: v128): v128 {
  const lo = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b));
  const hi = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b));
  return i32x4.add(lo, hi);
}

// 16 f32 -> 16 int8 after scaling by id, rounded to nearest even
function quant16(x: usize, id: v128): v128 {
  const a = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(x), id)));
  const b = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(x, 16), id)));
  const c = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(x, 32), id)));
  const d = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(x, 48), id)));
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

function amax32(x: usize): f32 {
  let m = f32x4.abs(v128.load(x));
  for (let j: usize = 16; j < 128; j += 16) m = f32x4.max(m, f32x4.abs(v128.load(x + j)));
  return max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
}

// ---------------------------------------------------------------------------------------------------
// activation quantizers: rows of k f32 (k a multiple of the block) -> q8_0 / q8_1 / q8_K rows.
// Rows are split across threads. Counterparts: ggml-cpu-quants.c quantize_row_q8_0/q8_1 (the AVX2 path:
// d = max/127 stored as f16, values times 127/max, rounded to nearest even) and quantize_row_q8_K_ref.

export function quantizeQ8_0(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let b = 0; b < (k >> 5); b++) {
      const xb = xr + (<usize>b << 7);
      const yb = yr + <usize>b * 34;
      const m = amax32(xb);
      store<u16>(yb, <u16>f32tof16(m / <f32>127));
      const id = f32x4.splat(m != 0 ? <f32>127 / m : <f32>0);
      v128.store(yb + 2, quant16(xb, id));
      v128.store(yb + 18, quant16(xb + 64, id));
    }
  }
}

// q8_0 rows widened for the q4_0/q8_0 dot products: per block of 32, the 32 values as i16 (64 bytes),
// an i32x4 (-8 * sum of the values, 0, 0, 0) (the q4_0 offset of 8 folded in), and d as f32: 96 bytes.
// The values and d are exactly ggml's q8_0; only their storage is wider, so each weight row's products
// skip widening the activations again.
export const Q8_0X_BLOCK = 96;
export function quantizeQ8_0X(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  const ones = i8x16.splat(1);
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let b = 0; b < (k >> 5); b++) {
      const xb = xr + (<usize>b << 7);
      const yb = yr + <usize>b * Q8_0X_BLOCK;
      const m = amax32(xb);
      const id = f32x4.splat(m != 0 ? <f32>127 / m : <f32>0);
      const q0 = quant16(xb, id);
      const q1 = quant16(xb + 64, id);
      v128.store(yb, i16x8.extend_low_i8x16_s(q0));
      v128.store(yb, i16x8.extend_high_i8x16_s(q0), 16);
      v128.store(yb, i16x8.extend_low_i8x16_s(q1), 32);
      v128.store(yb, i16x8.extend_high_i8x16_s(q1), 48);
      const sum = hsumI(i32x4.add(dot16(q0, ones), dot16(q1, ones)));
      v128.store(yb, i32x4(-8 * sum, 0, 0, 0), 64);
      store<f32>(yb, f16(f32tof16(m / <f32>127)), 80);
    }
  }
}

// q8_0 rows for the relaxed-SIMD products of x4 q4_0/q8_0 matrices ("q8_0r", built when the module
// has relaxed SIMD, see the x4 kernels): per block of 32, the values as i8 (32 bytes), their absolute
// values (32 bytes), an i32x4 (-8 * sum of the values, 0, 0, 0) and d as f32, padded to 96 bytes. The
// values and d are exactly ggml's q8_0.
export function quantizeQ8_0R(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  const ones = i8x16.splat(1);
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let b = 0; b < (k >> 5); b++) {
      const xb = xr + (<usize>b << 7);
      const yb = yr + <usize>b * Q8_0X_BLOCK;
      const m = amax32(xb);
      const id = f32x4.splat(m != 0 ? <f32>127 / m : <f32>0);
      const q0 = quant16(xb, id);
      const q1 = quant16(xb + 64, id);
      v128.store(yb, q0);
      v128.store(yb, q1, 16);
      v128.store(yb, i8x16.abs(q0), 32);
      v128.store(yb, i8x16.abs(q1), 48);
      const sum = hsumI(i32x4.add(dot16(q0, ones), dot16(q1, ones)));
      v128.store(yb, i32x4(-8 * sum, 0, 0, 0), 64);
      store<f32>(yb, f16(f32tof16(m / <f32>127)), 80);
    }
  }
}

export function quantizeQ8_1(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let b = 0; b < (k >> 5); b++) {
      const xb = xr + (<usize>b << 7);
      const yb = yr + <usize>b * 36;
      const m = amax32(xb);
      const d = m / <f32>127;
      store<u16>(yb, <u16>f32tof16(d));
      const id = f32x4.splat(m != 0 ? <f32>127 / m : <f32>0);
      const q0 = quant16(xb, id);
      const q1 = quant16(xb + 64, id);
      v128.store(yb + 4, q0);
      v128.store(yb + 20, q1);
      const ones = i8x16.splat(1);
      const s = hsumI(i32x4.add(dot16(q0, ones), dot16(q1, ones)));
      store<u16>(yb + 2, <u16>f32tof16(d * <f32>s));
    }
  }
}

export function quantizeQ8_K(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  quantizeRowsQ8_K(tid, nth, x, xStride, y, yStride, nRows, k, false);
}

// q8_K rows widened for the q4_K and q6_K dot products: per block of 256, d as f32 (then 12 bytes of
// padding), the 256 values as i16 (512 bytes) and the 16 bsums as i16 (32 bytes): 560 bytes. The values,
// d and the bsums are exactly quantizeQ8_K's; only their storage is wider, so each weight row's products
// skip widening the activations again.
export const Q8_KX_BLOCK = 560;
export function quantizeQ8_KX(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  quantizeRowsQ8_K(tid, nth, x, xStride, y, yStride, nRows, k, true);
}

// quantize_row_q8_K_ref into ggml's 292-byte q8_K blocks (d f32, qs i8[256], bsums i16[16]) or the
// widened ones above
function quantizeRowsQ8_K(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32, widened: bool): void {
  const block: usize = widened ? Q8_KX_BLOCK : 292;
  const bsums: usize = widened ? 528 : 260;
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let b = 0; b < (k >> 8); b++) {
      const xb = xr + (<usize>b << 10);
      const yb = yr + <usize>b * block;
      // the signed value of largest magnitude, the first one on ties
      let amax: f32 = 0;
      let mx: f32 = 0;
      for (let j = 0; j < 256; j++) {
        const v = load<f32>(xb + (<usize>j << 2));
        if (abs(v) > amax) {
          amax = abs(v);
          mx = v;
        }
      }
      if (amax == 0) {
        zeroBytes(yb, block);
        continue;
      }
      const iscale: f32 = <f32>-127 / mx;
      const id = f32x4.splat(iscale);
      const cap = i8x16.splat(127);
      const ones = i8x16.splat(1);
      for (let g = 0; g < 16; g++) {
        const q = i8x16.min_s(quant16(xb + (<usize>g << 6), id), cap);
        if (widened) {
          v128.store(yb + 16 + (<usize>g << 5), i16x8.extend_low_i8x16_s(q));
          v128.store(yb + 16 + (<usize>g << 5), i16x8.extend_high_i8x16_s(q), 16);
        } else {
          v128.store(yb + 4 + (<usize>g << 4), q);
        }
        store<i16>(yb + bsums + (<usize>g << 1), <i16>hsumI(dot16(q, ones)));
      }
      store<f32>(yb, <f32>1 / iscale);
    }
  }
}

/** f32 rows -> f16 rows (the vec_dot_type of f16 weights). */
export function quantizeF16(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let j = 0; j < k; j++) store<u16>(yr + (<usize>j << 1), <u16>f32tof16(load<f32>(xr + (<usize>j << 2))));
  }
}

/**
 * f32 rows -> bf16 rows (the vec_dot_type of bf16 weights), rounded to nearest even as ggml's
 * GGML_FP32_TO_BF16 does (a NaN keeps its top half with the quiet bit set).
 */
export function quantizeBF16(tid: i32, nth: i32, x: usize, xStride: u32, y: usize, yStride: u32, nRows: i32, k: i32): void {
  for (let r = tid; r < nRows; r += nth) {
    const xr = x + <usize>r * xStride;
    const yr = y + <usize>r * yStride;
    for (let j = 0; j < k; j++) {
      const u = load<u32>(xr + (<usize>j << 2));
      const h = (u & 0x7fffffff) > 0x7f800000 ? (u >>> 16) | 64 : (u + (0x7fff + ((u >>> 16) & 1))) >>> 16;
      store<u16>(yr + (<usize>j << 1), <u16>h);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// dot products of one weight row (nb blocks) with one quantized activation row
//
// WebAssembly has no prefetch instruction, and the hardware prefetcher alone keeps a weight stream at
// about half the rate the kernels multiply (a TinyLlama-sized q4_0 matrix from DRAM: 3.8 GMAC/s without,
// 6.6 with). So each block loop also reads one byte of every cache line `prefetchAhead` bytes further
// on, the rows matmul will take next, which starts their transfer early. The bytes are folded into a
// global so that no optimizer drops the loads; matmul keeps the address inside the matrix.
let prefetchAhead: usize = 0;
let touched: u32 = 0;
export function touchedSink(): u32 {
  return touched;
}

// q4_0 against widened q8_0: nibbles widened to i16 and multiplied with i32x4.dot_i16x8_s;
// sum((q - 8) * x) = sum(q * x) - 8 * sum(x), the second term precomputed per activation block
function dotQ4_0X(w: usize, x: usize, nb: i32): f32 {
  let acc = f32x4.splat(0);
  const m4 = i16x8.splat(0x0f);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    const q = v128.load(w, 2);
    const v0 = i16x8.extend_low_i8x16_u(q);
    const v1 = i16x8.extend_high_i8x16_u(q);
    const s0 = i32x4.add(i32x4.dot_i16x8_s(v128.and(v0, m4), v128.load(x)), i32x4.dot_i16x8_s(v128.and(v1, m4), v128.load(x, 16)));
    const s1 = i32x4.add(i32x4.dot_i16x8_s(i16x8.shr_u(v0, 4), v128.load(x, 32)), i32x4.dot_i16x8_s(i16x8.shr_u(v1, 4), v128.load(x, 48)));
    const s = i32x4.add(i32x4.add(s0, s1), v128.load(x, 64));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16s(load<u16>(w)) * load<f32>(x, 80))));
    w += 18;
    x += Q8_0X_BLOCK;
  }
  touched ^= pf;
  return hsumF(acc);
}

// Two weight rows against one or two widened q8_0 activation rows at once: each weight block is
// unpacked once for both tokens and each activation block loaded once for both rows. out gets
// (row r, token t) at out + t * outStride + r * 4.
function dotQ4_0X2x2(w: usize, w2: usize, x: usize, xb: usize, nb: i32, two: bool, out: usize, outStride: usize): void {
  let a00 = f32x4.splat(0);
  let a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0);
  let a11 = f32x4.splat(0);
  const m4 = i16x8.splat(0x0f);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    pf ^= load<u8>(w2 + ahead);
    const q = v128.load(w, 2);
    const v0 = i16x8.extend_low_i8x16_u(q);
    const v1 = i16x8.extend_high_i8x16_u(q);
    const l0 = v128.and(v0, m4);
    const l1 = v128.and(v1, m4);
    const h0 = i16x8.shr_u(v0, 4);
    const h1 = i16x8.shr_u(v1, 4);
    const q2 = v128.load(w2, 2);
    const u0 = i16x8.extend_low_i8x16_u(q2);
    const u1 = i16x8.extend_high_i8x16_u(q2);
    const k0 = v128.and(u0, m4);
    const k1 = v128.and(u1, m4);
    const g0 = i16x8.shr_u(u0, 4);
    const g1 = i16x8.shr_u(u1, 4);
    const d0 = f16s(load<u16>(w));
    const d1 = f16s(load<u16>(w2));
    {
      const x0 = v128.load(x);
      const x1 = v128.load(x, 16);
      const x2 = v128.load(x, 32);
      const x3 = v128.load(x, 48);
      const c = v128.load(x, 64);
      const dx = load<f32>(x, 80);
      const s = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(l0, x0), i32x4.dot_i16x8_s(l1, x1)), i32x4.add(i32x4.dot_i16x8_s(h0, x2), i32x4.dot_i16x8_s(h1, x3)));
      const t = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(k0, x0), i32x4.dot_i16x8_s(k1, x1)), i32x4.add(i32x4.dot_i16x8_s(g0, x2), i32x4.dot_i16x8_s(g1, x3)));
      a00 = f32x4.add(a00, f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(s, c)), f32x4.splat(d0 * dx)));
      a10 = f32x4.add(a10, f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(t, c)), f32x4.splat(d1 * dx)));
    }
    if (two) {
      const x0 = v128.load(xb);
      const x1 = v128.load(xb, 16);
      const x2 = v128.load(xb, 32);
      const x3 = v128.load(xb, 48);
      const c = v128.load(xb, 64);
      const dx = load<f32>(xb, 80);
      const s = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(l0, x0), i32x4.dot_i16x8_s(l1, x1)), i32x4.add(i32x4.dot_i16x8_s(h0, x2), i32x4.dot_i16x8_s(h1, x3)));
      const t = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(k0, x0), i32x4.dot_i16x8_s(k1, x1)), i32x4.add(i32x4.dot_i16x8_s(g0, x2), i32x4.dot_i16x8_s(g1, x3)));
      a01 = f32x4.add(a01, f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(s, c)), f32x4.splat(d0 * dx)));
      a11 = f32x4.add(a11, f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(t, c)), f32x4.splat(d1 * dx)));
      xb += Q8_0X_BLOCK;
    }
    w += 18;
    w2 += 18;
    x += Q8_0X_BLOCK;
  }
  store<f32>(out, hsumF(a00));
  store<f32>(out, hsumF(a10), 4);
  if (two) {
    store<f32>(out + outStride, hsumF(a01));
    store<f32>(out + outStride, hsumF(a11), 4);
  }
  touched ^= pf;
}

// q4_0 and q8_0 matrices are stored four rows interleaved ("x4", see backend.ts): for each group of four
// rows and each block column, the four f16 scales (8 bytes), then the four rows' quants (16 bytes each
// for q4_0, 32 for q8_0). The blocks are ggml's, only their order changes; a group is 72 (q4_0) or 136
// (q8_0) bytes, the same as four blocks. (q4_0 matrices the relaxed kernels multiply interleave their
// quants four bytes at a time instead: see repackX4 and tokenQ4_0R.) A pass reads one sequential stream and converts four scales
// with one vector operation. The arithmetic of each row is that of the row-by-row kernels
// (dotQ4_0X2x2, dotQ8_0X2x2: the same integer lane sums, scaled and accumulated per lane, summed at the
// end), so the results are the same bits. Rows past the matrix's last (up to three, zero) are computed
// and not stored (n < 4).
const X4_Q4_0 = 72;
const X4_Q8_0 = 136;

// hsumF of each accumulator, the first n (up to 4) to out
@inline function storeSums(out: usize, a0: v128, a1: v128, a2: v128, a3: v128, n: i32): void {
  store<f32>(out, hsumF(a0));
  if (n > 1) store<f32>(out, hsumF(a1), 4);
  if (n > 2) store<f32>(out, hsumF(a2), 8);
  if (n > 3) store<f32>(out, hsumF(a3), 12);
}

// one row's q4_0 block (its 16 quant bytes in q) against a widened q8_0 block at x: the four i32 lane
// sums of (q - 8) * x, the offset taken as x's precomputed -8 * sum(x)
@inline function laneSumsQ4_0(q: v128, x: usize): v128 {
  const m4 = i16x8.splat(0x0f);
  const v0 = i16x8.extend_low_i8x16_u(q);
  const v1 = i16x8.extend_high_i8x16_u(q);
  const lo = i32x4.add(i32x4.dot_i16x8_s(v128.and(v0, m4), v128.load(x)), i32x4.dot_i16x8_s(v128.and(v1, m4), v128.load(x, 16)));
  const hi = i32x4.add(i32x4.dot_i16x8_s(i16x8.shr_u(v0, 4), v128.load(x, 32)), i32x4.dot_i16x8_s(i16x8.shr_u(v1, 4), v128.load(x, 48)));
  return i32x4.add(i32x4.add(lo, hi), v128.load(x, 64));
}

// one row's q8_0 block (quant bytes 0-15 in q, 16-31 in t) against a widened q8_0 block at x
@inline function laneSumsQ8_0(q: v128, t: v128, x: usize): v128 {
  const lo = i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(q), v128.load(x)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(q), v128.load(x, 16)));
  const hi = i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(t), v128.load(x, 32)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(t), v128.load(x, 48)));
  return i32x4.add(lo, hi);
}

// acc + the lane sums scaled by d (a row's d_w * d_x in every lane: lane i of the group's four, spread)
@inline function accumulate(acc: v128, sums: v128, d: v128): v128 {
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), d));
}

// a group's four rows against activation row x (nb blocks)
function dotX4Q4_0(g: usize, x: usize, nb: i32, out: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(g + ahead) ^ load<u8>(g + ahead, 64);
    const d = f32x4.mul(f16x4(v128.load16x4_u(g)), f32x4.splat(load<f32>(x, 80)));
    a0 = accumulate(a0, laneSumsQ4_0(v128.load(g, 8), x), i32x4.shuffle(d, d, 0, 0, 0, 0));
    a1 = accumulate(a1, laneSumsQ4_0(v128.load(g, 24), x), i32x4.shuffle(d, d, 1, 1, 1, 1));
    a2 = accumulate(a2, laneSumsQ4_0(v128.load(g, 40), x), i32x4.shuffle(d, d, 2, 2, 2, 2));
    a3 = accumulate(a3, laneSumsQ4_0(v128.load(g, 56), x), i32x4.shuffle(d, d, 3, 3, 3, 3));
    g += X4_Q4_0;
    x += Q8_0X_BLOCK;
  }
  storeSums(out, a0, a1, a2, a3, n);
  touched ^= pf;
}

function dotX4Q8_0(g: usize, x: usize, nb: i32, out: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(g + ahead) ^ load<u8>(g + ahead, 64) ^ load<u8>(g + ahead, 128);
    const d = f32x4.mul(f16x4(v128.load16x4_u(g)), f32x4.splat(load<f32>(x, 80)));
    a0 = accumulate(a0, laneSumsQ8_0(v128.load(g, 8), v128.load(g, 24), x), i32x4.shuffle(d, d, 0, 0, 0, 0));
    a1 = accumulate(a1, laneSumsQ8_0(v128.load(g, 40), v128.load(g, 56), x), i32x4.shuffle(d, d, 1, 1, 1, 1));
    a2 = accumulate(a2, laneSumsQ8_0(v128.load(g, 72), v128.load(g, 88), x), i32x4.shuffle(d, d, 2, 2, 2, 2));
    a3 = accumulate(a3, laneSumsQ8_0(v128.load(g, 104), v128.load(g, 120), x), i32x4.shuffle(d, d, 3, 3, 3, 3));
    g += X4_Q8_0;
    x += Q8_0X_BLOCK;
  }
  storeSums(out, a0, a1, a2, a3, n);
  touched ^= pf;
}

// a group's four rows against two activation rows x and y: each weight block is loaded once for both
// (after inlining, the unpacking of a row's quants is the same expression for both and is computed once)
function dotX4Q4_0x2(g: usize, x: usize, y: usize, nb: i32, out: usize, outY: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    const ds = f16x4(v128.load16x4_u(g));
    const dx = f32x4.mul(ds, f32x4.splat(load<f32>(x, 80)));
    const dy = f32x4.mul(ds, f32x4.splat(load<f32>(y, 80)));
    const q0 = v128.load(g, 8), q1 = v128.load(g, 24), q2 = v128.load(g, 40), q3 = v128.load(g, 56);
    a0 = accumulate(a0, laneSumsQ4_0(q0, x), i32x4.shuffle(dx, dx, 0, 0, 0, 0));
    c0 = accumulate(c0, laneSumsQ4_0(q0, y), i32x4.shuffle(dy, dy, 0, 0, 0, 0));
    a1 = accumulate(a1, laneSumsQ4_0(q1, x), i32x4.shuffle(dx, dx, 1, 1, 1, 1));
    c1 = accumulate(c1, laneSumsQ4_0(q1, y), i32x4.shuffle(dy, dy, 1, 1, 1, 1));
    a2 = accumulate(a2, laneSumsQ4_0(q2, x), i32x4.shuffle(dx, dx, 2, 2, 2, 2));
    c2 = accumulate(c2, laneSumsQ4_0(q2, y), i32x4.shuffle(dy, dy, 2, 2, 2, 2));
    a3 = accumulate(a3, laneSumsQ4_0(q3, x), i32x4.shuffle(dx, dx, 3, 3, 3, 3));
    c3 = accumulate(c3, laneSumsQ4_0(q3, y), i32x4.shuffle(dy, dy, 3, 3, 3, 3));
    g += X4_Q4_0;
    x += Q8_0X_BLOCK;
    y += Q8_0X_BLOCK;
  }
  storeSums(out, a0, a1, a2, a3, n);
  storeSums(outY, c0, c1, c2, c3, n);
}

function dotX4Q8_0x2(g: usize, x: usize, y: usize, nb: i32, out: usize, outY: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    const ds = f16x4(v128.load16x4_u(g));
    const dx = f32x4.mul(ds, f32x4.splat(load<f32>(x, 80)));
    const dy = f32x4.mul(ds, f32x4.splat(load<f32>(y, 80)));
    const q0 = v128.load(g, 8), t0 = v128.load(g, 24), q1 = v128.load(g, 40), t1 = v128.load(g, 56);
    const q2 = v128.load(g, 72), t2 = v128.load(g, 88), q3 = v128.load(g, 104), t3 = v128.load(g, 120);
    a0 = accumulate(a0, laneSumsQ8_0(q0, t0, x), i32x4.shuffle(dx, dx, 0, 0, 0, 0));
    c0 = accumulate(c0, laneSumsQ8_0(q0, t0, y), i32x4.shuffle(dy, dy, 0, 0, 0, 0));
    a1 = accumulate(a1, laneSumsQ8_0(q1, t1, x), i32x4.shuffle(dx, dx, 1, 1, 1, 1));
    c1 = accumulate(c1, laneSumsQ8_0(q1, t1, y), i32x4.shuffle(dy, dy, 1, 1, 1, 1));
    a2 = accumulate(a2, laneSumsQ8_0(q2, t2, x), i32x4.shuffle(dx, dx, 2, 2, 2, 2));
    c2 = accumulate(c2, laneSumsQ8_0(q2, t2, y), i32x4.shuffle(dy, dy, 2, 2, 2, 2));
    a3 = accumulate(a3, laneSumsQ8_0(q3, t3, x), i32x4.shuffle(dx, dx, 3, 3, 3, 3));
    c3 = accumulate(c3, laneSumsQ8_0(q3, t3, y), i32x4.shuffle(dy, dy, 3, 3, 3, 3));
    g += X4_Q8_0;
    x += Q8_0X_BLOCK;
    y += Q8_0X_BLOCK;
  }
  storeSums(out, a0, a1, a2, a3, n);
  storeSums(outY, c0, c1, c2, c3, n);
}

// The same products with relaxed SIMD's i16x8.relaxed_dot_i8x16_i7x16_s (x86: pmaddubsw; one
// instruction multiplies 16 int8 pairs and adds them in pairs), against q8_0r activations
// (quantizeQ8_0R). Its second operand must lie in 0..127 for the result to be the same on every
// machine, so q4_0 passes its nibbles there (the -8 offset is the activation's precomputed term), and
// q8_0 multiplies |x| by the weight with x's sign moved onto it (w * x = (w * sgn x) * |x|; a weight
// of -128, which ggml's quantizer never writes, is kept off these kernels: see countQ8_0Min). The
// 16-bit pair sums cannot overflow (q4_0: see tokenQ4_0R; q8_0: 2 * 127 * 127). Each block's integer
// total is exact, and is scaled by d_w * d_x and added to its row's sum once (as ggml's scalar dot
// products do; the plain kernels keep four partial sums per row), so the f32 results may differ from
// the plain kernels' in the last bits, as ggml's own SIMD paths differ from each other. Up to four
// tokens share each weight block, with one accumulator (four rows) per token.
// (q4_K and q6_K have relaxed kernels of their own below, against ggml's q8_K: dotKRStreams, dotKRn.)

// a row's q8_0 block (quant bytes 0-15 in q, 16-31 in t) against a q8_0r block: a0, a1 |x|, m0, m1 all
// ones where x < 0
@inline function laneSumsQ8_0R(q: v128, t: v128, a0: v128, a1: v128, m0: v128, m1: v128): v128 {
  const p0 = i16x8.relaxed_dot_i8x16_i7x16_s(i8x16.sub(v128.xor(q, m0), m0), a0);
  const p1 = i16x8.relaxed_dot_i8x16_i7x16_s(i8x16.sub(v128.xor(t, m1), m1), a1);
  return i32x4.add(i32x4.extadd_pairwise_i16x8_s(p0), i32x4.extadd_pairwise_i16x8_s(p1));
}

// four rows' lane sums -> one vector of the four rows' totals (lane i: row i)
@inline function rowTotals(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const a = i32x4.add(i32x4.shuffle(s0, s1, 0, 2, 4, 6), i32x4.shuffle(s0, s1, 1, 3, 5, 7));
  const b = i32x4.add(i32x4.shuffle(s2, s3, 0, 2, 4, 6), i32x4.shuffle(s2, s3, 1, 3, 5, 7));
  return i32x4.add(i32x4.shuffle(a, b, 0, 2, 4, 6), i32x4.shuffle(a, b, 1, 3, 5, 7));
}

// A group's four rows against activation rows: acc (lane i: row i) + each row's block total (plus the
// q4_0 offset term) times its d_w * d_x. One accumulator holds the four rows, so a block's integer
// total is scaled once per row, as in ggml's scalar dot products.
@inline function groupQ4_0R(g: usize, x: usize, ds: v128, acc: v128): v128 {
  const m4 = i8x16.splat(0x0f);
  const q0 = v128.load(g, 8), q1 = v128.load(g, 24), q2 = v128.load(g, 40), q3 = v128.load(g, 56);
  return tokenQ4_0R(
    v128.and(q0, m4), v128.and(q1, m4), v128.and(q2, m4), v128.and(q3, m4),
    v128.and(i16x8.shr_u(q0, 4), m4), v128.and(i16x8.shr_u(q1, 4), m4), v128.and(i16x8.shr_u(q2, 4), m4), v128.and(i16x8.shr_u(q3, 4), m4),
    x, ds, acc,
  );
}

@inline function groupQ8_0R(g: usize, x: usize, ds: v128, acc: v128): v128 {
  const zero = i8x16.splat(0);
  const m0 = i8x16.lt_s(v128.load(x), zero), m1 = i8x16.lt_s(v128.load(x, 16), zero);
  const u0 = v128.load(x, 32), u1 = v128.load(x, 48);
  const t = rowTotals(
    laneSumsQ8_0R(v128.load(g, 8), v128.load(g, 24), u0, u1, m0, m1),
    laneSumsQ8_0R(v128.load(g, 40), v128.load(g, 56), u0, u1, m0, m1),
    laneSumsQ8_0R(v128.load(g, 72), v128.load(g, 88), u0, u1, m0, m1),
    laneSumsQ8_0R(v128.load(g, 104), v128.load(g, 120), u0, u1, m0, m1),
  );
  const d = f32x4.mul(ds, f32x4.splat(load<f32>(x, 80)));
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(t), d));
}

// One token's products with a q4_0 group of the relaxed kernels' layout, its nibbles unpacked. That
// layout (repackX4 with bytes4 set) interleaves the four rows' quant bytes four at a time: byte
// 4 * r + i of the group's vector v (v = 0..3) is row r's quant byte 4 * v + i, whose low nibble is the
// row's value 4 * v + i and whose high nibble its value 16 + 4 * v + i. So l_v (the low nibbles of
// vector v) against x's values 4v..4v+3 repeated four times gives, in i16 lanes 2r and 2r + 1, row r's
// pair sums of those four values, and likewise h_v against x's values 16+4v..16+4v+3: the eight
// products add up lane by lane (at most 8 * 2 * 15 * 127 = 30480, within i16), and one i16 pair sum
// (i32x4.dot_i16x8_s with ones) leaves the four rows' block totals in the four i32 lanes. Then the -8
// offset term is added and the totals scaled by d_w * d_x.
@inline function tokenQ4_0R(l0: v128, l1: v128, l2: v128, l3: v128, h0: v128, h1: v128, h2: v128, h3: v128, x: usize, ds: v128, acc: v128): v128 {
  let s = i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x), l0);
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 4), l1));
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 8), l2));
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 12), l3));
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 16), h0));
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 20), h1));
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 24), h2));
  s = i16x8.add(s, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(x, 28), h3));
  const t = i32x4.dot_i16x8_s(s, i16x8.splat(1));
  const d = f32x4.mul(ds, f32x4.splat(load<f32>(x, 80)));
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(t, v128.load32_splat(x, 64))), d));
}

// the first n (up to 4) lanes of acc to out
@inline function storeLanes(out: usize, acc: v128, n: i32): void {
  if (n >= 4) v128.store(out, acc);
  else {
    store<f32>(out, f32x4.extract_lane(acc, 0));
    if (n > 1) store<f32>(out, f32x4.extract_lane(acc, 1), 4);
    if (n > 2) store<f32>(out, f32x4.extract_lane(acc, 2), 8);
  }
}

// a group's four rows against `nx` (1 to 4) activation rows x, x + xStride, ...; each weight block is
// loaded once for all of them (q4_0's nibbles unpacked once). Decode takes dotX4Streams; this serves
// prefill and the groups left over there.
function dotX4R(q8: bool, g: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  if (!q8) {
    const m4 = i8x16.splat(0x0f);
    for (let b = 0; b < nb; b++) {
      const ds = f16x4(v128.load16x4_u(g));
      const q0 = v128.load(g, 8), q1 = v128.load(g, 24), q2 = v128.load(g, 40), q3 = v128.load(g, 56);
      const l0 = v128.and(q0, m4), h0 = v128.and(i16x8.shr_u(q0, 4), m4);
      const l1 = v128.and(q1, m4), h1 = v128.and(i16x8.shr_u(q1, 4), m4);
      const l2 = v128.and(q2, m4), h2 = v128.and(i16x8.shr_u(q2, 4), m4);
      const l3 = v128.and(q3, m4), h3 = v128.and(i16x8.shr_u(q3, 4), m4);
      a0 = tokenQ4_0R(l0, l1, l2, l3, h0, h1, h2, h3, x, ds, a0);
      if (nx > 1) a1 = tokenQ4_0R(l0, l1, l2, l3, h0, h1, h2, h3, x + xStride, ds, a1);
      if (nx > 2) a2 = tokenQ4_0R(l0, l1, l2, l3, h0, h1, h2, h3, x + 2 * xStride, ds, a2);
      if (nx > 3) a3 = tokenQ4_0R(l0, l1, l2, l3, h0, h1, h2, h3, x + 3 * xStride, ds, a3);
      g += X4_Q4_0;
      x += Q8_0X_BLOCK;
    }
  } else {
    // q8_0's weights need no unpacking; the sign of each token's x moves onto them per token
    for (let b = 0; b < nb; b++) {
      const ds = f16x4(v128.load16x4_u(g));
      a0 = groupQ8_0R(g, x, ds, a0);
      if (nx > 1) a1 = groupQ8_0R(g, x + xStride, ds, a1);
      if (nx > 2) a2 = groupQ8_0R(g, x + 2 * xStride, ds, a2);
      if (nx > 3) a3 = groupQ8_0R(g, x + 3 * xStride, ds, a3);
      g += X4_Q8_0;
      x += Q8_0X_BLOCK;
    }
  }
  storeLanes(out, a0, n);
  if (nx > 1) storeLanes(out + outStride, a1, n);
  if (nx > 2) storeLanes(out + 2 * outStride, a2, n);
  if (nx > 3) storeLanes(out + 3 * outStride, a3, n);
}

// Decode with relaxed SIMD: X4_STREAMS groups `span` bytes apart (group i at g + i * span, its rows
// rspan * i further on) against one activation row, walked side by side. A single sequential stream
// per thread reads a TinyLlama-sized q8_0 matrix from DRAM at about 7.5 GB/s here; several streams keep
// the hardware prefetchers busy on all of them and read it at about 15 GB/s (q4_0: 6.5 -> 10.5).
// WebAssembly has no prefetch instruction, and "touching" bytes ahead (as the plain kernels do) holds
// the reorder buffer until the line arrives; independent streams do not. Six streams rather than
// eight: V8 gives WebAssembly 16 SIMD registers, and eight accumulators with their temporaries spill
// on every block (decode at 2 threads 4-10% faster on q4_0, 8-11% on q8_0; A/B in one process). The
// q4_0/q8_0 branch sits outside the loop for the same reason. n: the first group's valid rows (the
// kernel stores min(4, n - i * rspan) lanes of group i).
const X4_STREAMS = 6;
function dotX4Streams(q8: bool, normal: bool, g: usize, span: usize, x: usize, nb: i32, out: usize, ospan: usize, n: i32, rspan: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0), a5 = f32x4.splat(0);
  const gs: usize = q8 ? X4_Q8_0 : X4_Q4_0;
  if (q8) {
    if (normal) {
      for (let b = 0; b < nb; b++) {
        a0 = groupQ8_0R(g, x, f16x4n(v128.load16x4_u(g)), a0);
        a1 = groupQ8_0R(g + span, x, f16x4n(v128.load16x4_u(g + span)), a1);
        a2 = groupQ8_0R(g + 2 * span, x, f16x4n(v128.load16x4_u(g + 2 * span)), a2);
        a3 = groupQ8_0R(g + 3 * span, x, f16x4n(v128.load16x4_u(g + 3 * span)), a3);
        a4 = groupQ8_0R(g + 4 * span, x, f16x4n(v128.load16x4_u(g + 4 * span)), a4);
        a5 = groupQ8_0R(g + 5 * span, x, f16x4n(v128.load16x4_u(g + 5 * span)), a5);
        g += gs;
        x += Q8_0X_BLOCK;
      }
    } else {
      for (let b = 0; b < nb; b++) {
        a0 = groupQ8_0R(g, x, f16x4(v128.load16x4_u(g)), a0);
        a1 = groupQ8_0R(g + span, x, f16x4(v128.load16x4_u(g + span)), a1);
        a2 = groupQ8_0R(g + 2 * span, x, f16x4(v128.load16x4_u(g + 2 * span)), a2);
        a3 = groupQ8_0R(g + 3 * span, x, f16x4(v128.load16x4_u(g + 3 * span)), a3);
        a4 = groupQ8_0R(g + 4 * span, x, f16x4(v128.load16x4_u(g + 4 * span)), a4);
        a5 = groupQ8_0R(g + 5 * span, x, f16x4(v128.load16x4_u(g + 5 * span)), a5);
        g += gs;
        x += Q8_0X_BLOCK;
      }
    }
  } else {
    if (normal) {
      for (let b = 0; b < nb; b++) {
        a0 = groupQ4_0R(g, x, f16x4n(v128.load16x4_u(g)), a0);
        a1 = groupQ4_0R(g + span, x, f16x4n(v128.load16x4_u(g + span)), a1);
        a2 = groupQ4_0R(g + 2 * span, x, f16x4n(v128.load16x4_u(g + 2 * span)), a2);
        a3 = groupQ4_0R(g + 3 * span, x, f16x4n(v128.load16x4_u(g + 3 * span)), a3);
        a4 = groupQ4_0R(g + 4 * span, x, f16x4n(v128.load16x4_u(g + 4 * span)), a4);
        a5 = groupQ4_0R(g + 5 * span, x, f16x4n(v128.load16x4_u(g + 5 * span)), a5);
        g += gs;
        x += Q8_0X_BLOCK;
      }
    } else {
      for (let b = 0; b < nb; b++) {
        a0 = groupQ4_0R(g, x, f16x4(v128.load16x4_u(g)), a0);
        a1 = groupQ4_0R(g + span, x, f16x4(v128.load16x4_u(g + span)), a1);
        a2 = groupQ4_0R(g + 2 * span, x, f16x4(v128.load16x4_u(g + 2 * span)), a2);
        a3 = groupQ4_0R(g + 3 * span, x, f16x4(v128.load16x4_u(g + 3 * span)), a3);
        a4 = groupQ4_0R(g + 4 * span, x, f16x4(v128.load16x4_u(g + 4 * span)), a4);
        a5 = groupQ4_0R(g + 5 * span, x, f16x4(v128.load16x4_u(g + 5 * span)), a5);
        g += gs;
        x += Q8_0X_BLOCK;
      }
    }
  }
  storeLanes(out, a0, n);
  storeLanes(out + ospan, a1, n - rspan);
  storeLanes(out + 2 * ospan, a2, n - 2 * rspan);
  storeLanes(out + 3 * ospan, a3, n - 3 * rspan);
  storeLanes(out + 4 * ospan, a4, n - 4 * rspan);
  storeLanes(out + 5 * ospan, a5, n - 5 * rspan);
}

// Whether a q8_0 matrix in the x4 layout (nGroups groups of nb blocks) holds a weight of -128, which
// the relaxed kernels cannot take (its sign cannot move onto x); 1 or 0, for the groups of this thread
// ORed into the u32 at flag.
export function countQ8_0Min(tid: i32, nth: i32, w: usize, nGroups: i32, nb: i32, flag: usize): void {
  const m = i8x16.splat(-128);
  let found = i8x16.splat(0);
  for (let gi = tid; gi < nGroups; gi += nth) {
    let g = w + <usize>gi * <usize>nb * X4_Q8_0;
    for (let b = 0; b < nb; b++) {
      for (let j: usize = 8; j < <usize>X4_Q8_0; j += 16) found = v128.or(found, i8x16.eq(v128.load(g + j), m));
      g += X4_Q8_0;
    }
  }
  if (v128.any_true(found)) atomic.store<u32>(flag, 1);
}

// Whether this module has relaxed SIMD and its pair product gives the exact sums here (a check of the
// engine's lowering before the kernels rely on it): 16 i8 at p against 16 values 0..127 at p + 16
// (the caller writes them; read from memory so that no optimizer folds the check away). 1 or 0.
export function relaxedSimdCheck(p: usize): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const a = v128.load(p), b = v128.load(p, 16);
    const got = i16x8.relaxed_dot_i8x16_i7x16_s(a, b);
    const lo = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b));
    const hi = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b));
    return i32x4.all_true(i32x4.eq(i32x4.extend_low_i16x8_s(got), lo)) && i32x4.all_true(i32x4.eq(i32x4.extend_high_i16x8_s(got), hi)) ? 1 : 0;
  }
  return 0;
}

function dotQ8_0X2x2(w: usize, w2: usize, x: usize, xb: usize, nb: i32, two: bool, out: usize, outStride: usize): void {
  let a00 = f32x4.splat(0);
  let a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0);
  let a11 = f32x4.splat(0);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    pf ^= load<u8>(w2 + ahead);
    const q = v128.load(w, 2);
    const r = v128.load(w, 18);
    const l0 = i16x8.extend_low_i8x16_s(q);
    const l1 = i16x8.extend_high_i8x16_s(q);
    const h0 = i16x8.extend_low_i8x16_s(r);
    const h1 = i16x8.extend_high_i8x16_s(r);
    const q2 = v128.load(w2, 2);
    const r2 = v128.load(w2, 18);
    const k0 = i16x8.extend_low_i8x16_s(q2);
    const k1 = i16x8.extend_high_i8x16_s(q2);
    const g0 = i16x8.extend_low_i8x16_s(r2);
    const g1 = i16x8.extend_high_i8x16_s(r2);
    const d0 = f16s(load<u16>(w));
    const d1 = f16s(load<u16>(w2));
    {
      const x0 = v128.load(x);
      const x1 = v128.load(x, 16);
      const x2 = v128.load(x, 32);
      const x3 = v128.load(x, 48);
      const dx = load<f32>(x, 80);
      const s = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(l0, x0), i32x4.dot_i16x8_s(l1, x1)), i32x4.add(i32x4.dot_i16x8_s(h0, x2), i32x4.dot_i16x8_s(h1, x3)));
      const t = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(k0, x0), i32x4.dot_i16x8_s(k1, x1)), i32x4.add(i32x4.dot_i16x8_s(g0, x2), i32x4.dot_i16x8_s(g1, x3)));
      a00 = f32x4.add(a00, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(d0 * dx)));
      a10 = f32x4.add(a10, f32x4.mul(f32x4.convert_i32x4_s(t), f32x4.splat(d1 * dx)));
    }
    if (two) {
      const x0 = v128.load(xb);
      const x1 = v128.load(xb, 16);
      const x2 = v128.load(xb, 32);
      const x3 = v128.load(xb, 48);
      const dx = load<f32>(xb, 80);
      const s = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(l0, x0), i32x4.dot_i16x8_s(l1, x1)), i32x4.add(i32x4.dot_i16x8_s(h0, x2), i32x4.dot_i16x8_s(h1, x3)));
      const t = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(k0, x0), i32x4.dot_i16x8_s(k1, x1)), i32x4.add(i32x4.dot_i16x8_s(g0, x2), i32x4.dot_i16x8_s(g1, x3)));
      a01 = f32x4.add(a01, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(d0 * dx)));
      a11 = f32x4.add(a11, f32x4.mul(f32x4.convert_i32x4_s(t), f32x4.splat(d1 * dx)));
      xb += Q8_0X_BLOCK;
    }
    w += 34;
    w2 += 34;
    x += Q8_0X_BLOCK;
  }
  store<f32>(out, hsumF(a00));
  store<f32>(out, hsumF(a10), 4);
  if (two) {
    store<f32>(out + outStride, hsumF(a01));
    store<f32>(out + outStride, hsumF(a11), 4);
  }
  touched ^= pf;
}

function dotQ8_0X(w: usize, x: usize, nb: i32): f32 {
  let acc = f32x4.splat(0);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    const q0 = v128.load(w, 2);
    const q1 = v128.load(w, 18);
    const s0 = i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(q0), v128.load(x)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(q0), v128.load(x, 16)));
    const s1 = i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(q1), v128.load(x, 32)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(q1), v128.load(x, 48)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(s0, s1)), f32x4.splat(f16s(load<u16>(w)) * load<f32>(x, 80))));
    w += 34;
    x += Q8_0X_BLOCK;
  }
  touched ^= pf;
  return hsumF(acc);
}

function dotQ4_1(w: usize, x: usize, nb: i32): f32 {
  let acc = f32x4.splat(0);
  let summs: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    const q = v128.load(w, 4);
    const s = i32x4.add(dot16(v128.and(q, m4), v128.load(x, 4)), dot16(i8x16.shr_u(q, 4), v128.load(x, 20)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16s(load<u16>(w)) * f16s(load<u16>(x)))));
    summs += f16s(load<u16>(w, 2)) * f16s(load<u16>(x, 2));
    w += 20;
    x += 36;
  }
  touched ^= pf;
  return hsumF(acc) + summs;
}

// the fifth bits of 32 q5 values: bit j of qh set -> 0x10 in byte j
function q5High(qh: u32, second: bool): v128 {
  const v = i32x4.splat(qh);
  const bytes = second
    ? i8x16.swizzle(v, i8x16(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3))
    : i8x16.swizzle(v, i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
  const bits = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  return v128.and(i8x16.eq(v128.and(bytes, bits), bits), i8x16.splat(0x10));
}

function dotQ5_0(w: usize, x: usize, nb: i32): f32 {
  let acc = f32x4.splat(0);
  const m4 = i8x16.splat(0x0f);
  const sixteen = i8x16.splat(16);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    const qh = load<u32>(w, 2);
    const q = v128.load(w, 6);
    const lo = i8x16.sub(v128.or(v128.and(q, m4), q5High(qh, false)), sixteen);
    const hi = i8x16.sub(v128.or(i8x16.shr_u(q, 4), q5High(qh, true)), sixteen);
    const s = i32x4.add(dot16(lo, v128.load(x, 2)), dot16(hi, v128.load(x, 18)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16s(load<u16>(w)) * f16s(load<u16>(x)))));
    w += 22;
    x += 34;
  }
  touched ^= pf;
  return hsumF(acc);
}

function dotQ5_1(w: usize, x: usize, nb: i32): f32 {
  let acc = f32x4.splat(0);
  let summs: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    const qh = load<u32>(w, 4);
    const q = v128.load(w, 8);
    const lo = v128.or(v128.and(q, m4), q5High(qh, false));
    const hi = v128.or(i8x16.shr_u(q, 4), q5High(qh, true));
    const s = i32x4.add(dot16(lo, v128.load(x, 4)), dot16(hi, v128.load(x, 20)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16s(load<u16>(w)) * f16s(load<u16>(x)))));
    summs += f16s(load<u16>(w, 2)) * f16s(load<u16>(x, 2));
    w += 24;
    x += 36;
  }
  touched ^= pf;
  return hsumF(acc) + summs;
}

function dotIQ4_NL(w: usize, x: usize, nb: i32): f32 {
  let acc = f32x4.splat(0);
  const m4 = i8x16.splat(0x0f);
  // kvalues_iq4nl (ggml-common.h)
  const table = i8x16(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    const q = v128.load(w, 2);
    const lo = i8x16.swizzle(table, v128.and(q, m4));
    const hi = i8x16.swizzle(table, i8x16.shr_u(q, 4));
    const s = i32x4.add(dot16(lo, v128.load(x, 2)), dot16(hi, v128.load(x, 18)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16s(load<u16>(w)) * f16s(load<u16>(x)))));
    w += 18;
    x += 34;
  }
  touched ^= pf;
  return hsumF(acc);
}

// 6-bit scale and min of sub-block j of a q4_K/q5_K block (ggml's get_scale_min_k4)
function scaleK4(s: usize, j: i32): i32 {
  return j < 4 ? <i32>(load<u8>(s + j) & 63) : <i32>((load<u8>(s + j + 4) & 0xf) | ((load<u8>(s + j - 4) >> 6) << 4));
}
function minK4(s: usize, j: i32): i32 {
  return j < 4 ? <i32>(load<u8>(s + j + 4) & 63) : <i32>((load<u8>(s + j + 4) >> 4) | ((load<u8>(s + j) >> 6) << 4));
}


// q4_K block: d f16, dmin f16, scales[12] (eight 6-bit scales and mins), qs[128]; against widened q8_K
// (quantizeQ8_KX). The nibbles split with 16-bit shifts (which never carry a wanted bit across bytes
// here), the scales and mins are unpacked once per block with ggml's word masks (ggml-cpu-quants.c,
// kmask1..3), and the mins' term is two i16 dot products with the bsums. Per block:
// dy * d * sum(q * y * sc) - dy * dmin * sum(min * bsum), the integer sums exact.
function dotQ4_KX(w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead) ^ load<u8>(w + ahead, 64) ^ load<u8>(w + ahead, 128);
    sumf += blockQ4_KX(w, x);
    w += 144;
    x += Q8_KX_BLOCK;
  }
  touched ^= pf;
  return sumf;
}

// a q4_K block's scales[12] -> i32x4 (u0, u1, u2, u3): the eight 6-bit scales as bytes in u0, u1 and
// the eight mins in u2, u3 (ggml's get_scale_min_k4 for all sub-blocks at once, with its word masks)
@inline function scalesQ4_K(w: usize): v128 {
  const t0 = load<u32>(w, 4);
  const t1 = load<u32>(w, 8);
  const t2 = load<u32>(w, 12);
  return i32x4(
    t0 & 0x3f3f3f3f,
    (t2 & 0x0f0f0f0f) | (((t0 >> 6) & 0x03030303) << 4),
    t1 & 0x3f3f3f3f,
    ((t2 >> 4) & 0x0f0f0f0f) | (((t1 >> 6) & 0x03030303) << 4),
  );
}

// sum over sub-blocks of min * (the sub-block's two bsums) against a q8_K block's 16 bsums at bs
// (a widened block's at 528, ggml's own at 260): each min twice, against the bsums in order
@inline function minsTermQ4_K(u: v128, bs: usize): i32 {
  const md = i8x16.shuffle(u, u, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
  return hsumI(i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(md), v128.load(bs)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(md), v128.load(bs, 16)),
  ));
}

// 64 values of a q4_K block (low nibbles l0, l1: sub-block 2j, scale slo; high nibbles h0, h1:
// sub-block 2j + 1, scale shi) against the widened q8_K values at y
@inline function partQ4_K(l0: v128, l1: v128, h0: v128, h1: v128, y: usize, slo: v128, shi: v128): v128 {
  const lo = i32x4.add(dotU8I16(l0, y), dotU8I16(l1, y + 32));
  const hi = i32x4.add(dotU8I16(h0, y + 64), dotU8I16(h1, y + 96));
  return i32x4.add(i32x4.mul(lo, slo), i32x4.mul(hi, shi));
}

// one q4_K block against one widened q8_K block
@inline function blockQ4_KX(w: usize, x: usize): f32 {
  const m4 = i8x16.splat(0x0f);
  const u = scalesQ4_K(w);
  let vs = i32x4.splat(0);
  for (let j = 0; j < 4; j++) {
    const q = w + 16 + (<usize>j << 5);
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    const sw = <u32>(j < 2 ? i32x4.extract_lane(u, 0) : i32x4.extract_lane(u, 1));
    const sh = <u32>(j & 1) << 4;
    vs = i32x4.add(vs, partQ4_K(
      v128.and(v0, m4), v128.and(v1, m4), v128.and(i16x8.shr_u(v0, 4), m4), v128.and(i16x8.shr_u(v1, 4), m4),
      x + 16 + (<usize>j << 7), i32x4.splat(<i32>((sw >> sh) & 0xff)), i32x4.splat(<i32>((sw >> (sh + 8)) & 0xff)),
    ));
  }
  const dy = load<f32>(x);
  return dy * f16s(load<u16>(w)) * <f32>hsumI(vs) - dy * f16s(load<u16>(w, 2)) * <f32>minsTermQ4_K(u, x + 528);
}

// dotQ4_KX for two activation rows x and y at once (prefill): each weight block, its scales and mins
// are unpacked once for both; each token's arithmetic is dotQ4_KX's, so the results are its bits
function dotQ4_KXx2(w: usize, x: usize, y: usize, nb: i32, out: usize, outY: usize): void {
  let sumx: f32 = 0, sumy: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  for (let b = 0; b < nb; b++) {
    const u = scalesQ4_K(w);
    let vx = i32x4.splat(0), vy = i32x4.splat(0);
    for (let j = 0; j < 4; j++) {
      const q = w + 16 + (<usize>j << 5);
      const o = 16 + (<usize>j << 7);
      const v0 = v128.load(q);
      const v1 = v128.load(q, 16);
      const l0 = v128.and(v0, m4), l1 = v128.and(v1, m4);
      const h0 = v128.and(i16x8.shr_u(v0, 4), m4), h1 = v128.and(i16x8.shr_u(v1, 4), m4);
      const sw = <u32>(j < 2 ? i32x4.extract_lane(u, 0) : i32x4.extract_lane(u, 1));
      const sh = <u32>(j & 1) << 4;
      const slo = i32x4.splat(<i32>((sw >> sh) & 0xff));
      const shi = i32x4.splat(<i32>((sw >> (sh + 8)) & 0xff));
      vx = i32x4.add(vx, partQ4_K(l0, l1, h0, h1, x + o, slo, shi));
      vy = i32x4.add(vy, partQ4_K(l0, l1, h0, h1, y + o, slo, shi));
    }
    const d = f16s(load<u16>(w)), dmin = f16s(load<u16>(w, 2));
    const dx = load<f32>(x), dy = load<f32>(y);
    sumx += dx * d * <f32>hsumI(vx) - dx * dmin * <f32>minsTermQ4_K(u, x + 528);
    sumy += dy * d * <f32>hsumI(vy) - dy * dmin * <f32>minsTermQ4_K(u, y + 528);
    w += 144;
    x += Q8_KX_BLOCK;
    y += Q8_KX_BLOCK;
  }
  store<f32>(out, sumx);
  store<f32>(outY, sumy);
}

// q5_K block: d f16, dmin f16, scales[12], qh[32], qs[128]
function dotQ5_K(w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead);
    pf ^= load<u8>(w + ahead, 64);
    pf ^= load<u8>(w + ahead, 128);
    const sc = w + 4;
    const h0 = v128.load(w, 16);
    const h1 = v128.load(w, 32);
    let vs = i32x4.splat(0);
    let summ = 0;
    for (let j = 0; j < 4; j++) {
      const q = w + 48 + (<usize>j << 5);
      const y = x + 4 + (<usize>j << 6);
      const v0 = v128.load(q);
      const v1 = v128.load(q, 16);
      const bl = i8x16.splat(<i8>(<i32>1 << (2 * j)));
      const bh = i8x16.splat(<i8>(<i32>1 << (2 * j + 1)));
      const sixteen = i8x16.splat(16);
      const l0 = v128.or(v128.and(v0, m4), v128.and(i8x16.eq(v128.and(h0, bl), bl), sixteen));
      const l1 = v128.or(v128.and(v1, m4), v128.and(i8x16.eq(v128.and(h1, bl), bl), sixteen));
      const u0 = v128.or(i8x16.shr_u(v0, 4), v128.and(i8x16.eq(v128.and(h0, bh), bh), sixteen));
      const u1 = v128.or(i8x16.shr_u(v1, 4), v128.and(i8x16.eq(v128.and(h1, bh), bh), sixteen));
      const lo = i32x4.add(dot16(l0, v128.load(y)), dot16(l1, v128.load(y, 16)));
      const hi = i32x4.add(dot16(u0, v128.load(y, 32)), dot16(u1, v128.load(y, 48)));
      vs = i32x4.add(vs, i32x4.add(i32x4.mul(lo, i32x4.splat(scaleK4(sc, 2 * j))), i32x4.mul(hi, i32x4.splat(scaleK4(sc, 2 * j + 1)))));
      const bs = x + 260 + (<usize>j << 3);
      summ += minK4(sc, 2 * j) * (<i32>load<i16>(bs) + <i32>load<i16>(bs, 2)) + minK4(sc, 2 * j + 1) * (<i32>load<i16>(bs, 4) + <i32>load<i16>(bs, 6));
    }
    const dy = load<f32>(x);
    sumf += dy * f16s(load<u16>(w)) * <f32>hsumI(vs) - dy * f16s(load<u16>(w, 2)) * <f32>summ;
    w += 176;
    x += 292;
  }
  touched ^= pf;
  return sumf;
}


// q2_K block: scales[16] @0 (per 16 values: the scale in the low nibble, the min in the high one),
// qs[64] @16 (two 32-byte halves of four 2-bit planes: value 128h + 32j + l is bits 2j..2j+1 of byte
// 32h + l), d f16 @80, dmin f16 @82; against ggml's q8_K. Per block, as ggml_vec_dot_q2_K_q8_K:
// dy * d * sum(q * y * sc) - dy * dmin * sum(min * bsum), both integer sums exact.
function dotQ2_K(w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  const m3 = i8x16.splat(3);
  for (let b = 0; b < nb; b++) {
    const summs = scaleBsums(i8x16.shr_u(v128.load(w), 4), x + 260);
    let vs = i32x4.splat(0);
    for (let h = 0; h < 2; h++) {
      const q0 = v128.load(w + 16 + (<usize>h << 5));
      const q1 = v128.load(w + 32 + (<usize>h << 5));
      for (let j = 0; j < 4; j++) {
        const y = x + 4 + (<usize>h << 7) + (<usize>j << 5);
        const is = w + (<usize>h << 3) + (<usize>j << 1);
        const s0 = dot16(v128.and(i8x16.shr_u(q0, 2 * j), m3), v128.load(y));
        const s1 = dot16(v128.and(i8x16.shr_u(q1, 2 * j), m3), v128.load(y, 16));
        vs = i32x4.add(vs, i32x4.add(i32x4.mul(s0, i32x4.splat(load<u8>(is) & 15)), i32x4.mul(s1, i32x4.splat(load<u8>(is, 1) & 15))));
      }
    }
    const dy = load<f32>(x);
    sumf += dy * f16s(load<u16>(w, 80)) * <f32>hsumI(vs) - dy * f16s(load<u16>(w, 82)) * <f32>summs;
    w += 84;
    x += 292;
  }
  return sumf;
}

// q3_K block: hmask[32] @0, qs[64] @32 (2-bit planes as q2_K's), scales[12] @96, d f16 @108; against
// ggml's q8_K. Value 128h + 32j + l is its two bits from qs minus 4 where bit 4h + j of hmask[l] is
// clear. Per block: dy * d * sum(q * y * (sc - 32)), the integer sum exact.
function dotQ3_K(w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  const m3 = i8x16.splat(3);
  const four = i8x16.splat(4);
  for (let b = 0; b < nb; b++) {
    const hm0 = v128.load(w);
    const hm1 = v128.load(w, 16);
    const sc = scalesQ3_K(w);
    let vs = i32x4.splat(0);
    for (let h = 0; h < 2; h++) {
      const q0 = v128.load(w + 32 + (<usize>h << 5));
      const q1 = v128.load(w + 48 + (<usize>h << 5));
      // the sub-blocks' scales as i16 lanes, rotated by two a step (as in dotQ3_KRn)
      let s16 = h == 0 ? i16x8.extend_low_i8x16_s(sc) : i16x8.extend_high_i8x16_s(sc);
      for (let j = 0; j < 4; j++) {
        const bit = i8x16.splat(<i8>(<i32>1 << (4 * h + j)));
        const v0 = i8x16.sub(v128.and(i8x16.shr_u(q0, 2 * j), m3), v128.andnot(four, i8x16.eq(v128.and(hm0, bit), bit)));
        const v1 = i8x16.sub(v128.and(i8x16.shr_u(q1, 2 * j), m3), v128.andnot(four, i8x16.eq(v128.and(hm1, bit), bit)));
        const y = x + 4 + (<usize>h << 7) + (<usize>j << 5);
        vs = i32x4.add(vs, i32x4.add(
          i32x4.mul(dot16(v0, v128.load(y)), i32x4.extend_low_i16x8_s(splat16Lane0(s16))),
          i32x4.mul(dot16(v1, v128.load(y, 16)), i32x4.extend_low_i16x8_s(splat16Lane1(s16))),
        ));
        s16 = rotate16By2(s16);
      }
    }
    sumf += load<f32>(x) * f16s(load<u16>(w, 108)) * <f32>hsumI(vs);
    w += 110;
    x += 292;
  }
  return sumf;
}

// iq4_xs block: d f16 @0, scales_h u16 @2, scales_l[4] @4, qs[128] @8 (sub-block i of 32 values: 16
// bytes, low nibbles its first 16 values and high nibbles its last 16, each an index into
// kvalues_iq4nl); against ggml's q8_K. Sub-block i's scale: four bits of scales_l[i / 2] and two of
// scales_h, minus 32. Per block: d * dy * sum(q * y * scale), the integer sum exact.
function dotIQ4_XS(w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  // kvalues_iq4nl (ggml-common.h)
  const table = i8x16(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);
  for (let b = 0; b < nb; b++) {
    const sh = <i32>load<u16>(w, 2);
    let vs = i32x4.splat(0);
    for (let i = 0; i < 8; i++) {
      const q = v128.load(w + 8 + (<usize>i << 4));
      const y = x + 4 + (<usize>i << 5);
      const s = i32x4.add(dot16(i8x16.swizzle(table, v128.and(q, m4)), v128.load(y)), dot16(i8x16.swizzle(table, i8x16.shr_u(q, 4)), v128.load(y, 16)));
      const ls = ((<i32>load<u8>(w + 4 + (i >> 1)) >> (4 * (i & 1))) & 15) | (((sh >> (2 * i)) & 3) << 4);
      vs = i32x4.add(vs, i32x4.mul(s, i32x4.splat(ls - 32)));
    }
    sumf += f16s(load<u16>(w)) * load<f32>(x) * <f32>hsumI(vs);
    w += 136;
    x += 292;
  }
  return sumf;
}

// q2_K and q3_K against ggml's q8_K with relaxed SIMD (modules built with it), one to four activation
// rows per unpacked weight block: each 16 values' quants (0..3 for q2_K; for q3_K their two bits plus 4
// where the hmask bit is set, 0..7) are one pair product with the activations, and the pair sums times
// the sub-block's scale one i16 dot (llama.cpp's AVX2 scheme). q3_K's -4 offset is taken back once per
// block with the bsums: sum((u - 4) y sc) = sum(u y sc) - 4 sum(sc bsum). Exact integer sums, scaled as
// dotQ2_K and dotQ3_K scale them: the same bits. Sub-block 8h + 2j covers values 128h + 32j + 0..15 and
// 8h + 2j + 1 the next 16; the scale vectors (i16 lanes) are rotated by two lanes a step, so that every
// step takes lanes 0 and 1.

// the sixteen 6-bit scales of a q3_K block minus 32, as i8 lanes (ggml's kmask1/kmask2 word unpacking)
@inline function scalesQ3_K(w: usize): v128 {
  const a0 = load<u32>(w, 96), a1 = load<u32>(w, 100), t = load<u32>(w, 104);
  const k1: u32 = 0x03030303, k2: u32 = 0x0f0f0f0f;
  let v = i32x4.splat(<i32>((a0 & k2) | ((t & k1) << 4)));
  v = i32x4.replace_lane(v, 1, <i32>((a1 & k2) | (((t >> 2) & k1) << 4)));
  v = i32x4.replace_lane(v, 2, <i32>(((a0 >> 4) & k2) | (((t >> 4) & k1) << 4)));
  v = i32x4.replace_lane(v, 3, <i32>(((a1 >> 4) & k2) | (((t >> 6) & k1) << 4)));
  return i8x16.sub(v, i8x16.splat(32));
}

// 32 values (u0: sub-block a, u1: sub-block b) against q8_K values at y, scaled by sa and sb (i16 splats)
@inline function partKR2(u0: v128, u1: v128, y: usize, sa: v128, sb: v128): v128 {
  return i32x4.add(
    i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y), u0), sa),
    i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 16), u1), sb),
  );
}

@inline function splat16Lane0(v: v128): v128 { return i8x16.shuffle(v, v, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1); }
@inline function splat16Lane1(v: v128): v128 { return i8x16.shuffle(v, v, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3); }
@inline function rotate16By2(v: v128): v128 { return i8x16.shuffle(v, v, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3); }

// sum(sc * bsum) over a block's sixteen sub-blocks (scales as i8 lanes, bsums of the q8_K block at bs)
@inline function scaleBsums(sc: v128, bs: usize): i32 {
  return hsumI(i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(sc), v128.load(bs)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(sc), v128.load(bs, 16)),
  ));
}

// q3_K quants of one 2-bit plane j (0..3) of 16 values: their two bits (q) plus 4 where the hmask bit (moved
// to bit 2 + j of each byte in g) is set
@inline function unpackQ3_K(q: v128, g: v128, j: i32): v128 {
  return v128.or(v128.and(i16x8.shr_u(q, 2 * j), i8x16.splat(3)), v128.and(i16x8.shr_u(g, j), i8x16.splat(4)));
}

// one q3_K block against one q8_K block (dotQ3_KRn's arithmetic for one token)
@inline function blockQ3_KR(w: usize, x: usize): f32 {
  let v = i32x4.splat(0);
  const sc = scalesQ3_K(w);
  const hm0 = v128.load(w), hm1 = v128.load(w, 16);
  for (let h = 0; h < 2; h++) {
    const q0 = v128.load(w + 32 + (<usize>h << 5));
    const q1 = v128.load(w + 48 + (<usize>h << 5));
    const g0 = h == 0 ? i16x8.shl(hm0, 2) : i16x8.shr_u(hm0, 2);
    const g1 = h == 0 ? i16x8.shl(hm1, 2) : i16x8.shr_u(hm1, 2);
    let s16 = h == 0 ? i16x8.extend_low_i8x16_s(sc) : i16x8.extend_high_i8x16_s(sc);
    for (let j = 0; j < 4; j++) {
      v = i32x4.add(v, partKR2(unpackQ3_K(q0, g0, j), unpackQ3_K(q1, g1, j), x + 4 + (<usize>h << 7) + (<usize>j << 5), splat16Lane0(s16), splat16Lane1(s16)));
      s16 = rotate16By2(s16);
    }
  }
  return load<f32>(x) * f16s(load<u16>(w, 108)) * <f32>(hsumI(v) - 4 * scaleBsums(sc, x + 260));
}

function dotQ3_KRn(w: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let b = 0; b < nb; b++) {
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0), v2 = i32x4.splat(0), v3 = i32x4.splat(0);
    const sc = scalesQ3_K(w);
    const hm0 = v128.load(w), hm1 = v128.load(w, 16);
    for (let h = 0; h < 2; h++) {
      const q0 = v128.load(w + 32 + (<usize>h << 5));
      const q1 = v128.load(w + 48 + (<usize>h << 5));
      // hmask bit 4h + j moved to bit 2 of each byte by a 16-bit right shift of j (never carrying a kept bit across bytes)
      const g0 = h == 0 ? i16x8.shl(hm0, 2) : i16x8.shr_u(hm0, 2);
      const g1 = h == 0 ? i16x8.shl(hm1, 2) : i16x8.shr_u(hm1, 2);
      let s16 = h == 0 ? i16x8.extend_low_i8x16_s(sc) : i16x8.extend_high_i8x16_s(sc);
      for (let j = 0; j < 4; j++) {
        const u0 = unpackQ3_K(q0, g0, j);
        const u1 = unpackQ3_K(q1, g1, j);
        const sa = splat16Lane0(s16), sb = splat16Lane1(s16);
        const y = x + 4 + (<usize>h << 7) + (<usize>j << 5);
        v0 = i32x4.add(v0, partKR2(u0, u1, y, sa, sb));
        if (nx > 1) v1 = i32x4.add(v1, partKR2(u0, u1, y + xStride, sa, sb));
        if (nx > 2) v2 = i32x4.add(v2, partKR2(u0, u1, y + 2 * xStride, sa, sb));
        if (nx > 3) v3 = i32x4.add(v3, partKR2(u0, u1, y + 3 * xStride, sa, sb));
        s16 = rotate16By2(s16);
      }
    }
    const d = f16s(load<u16>(w, 108));
    s0 += load<f32>(x) * d * <f32>(hsumI(v0) - 4 * scaleBsums(sc, x + 260));
    if (nx > 1) s1 += load<f32>(x + xStride) * d * <f32>(hsumI(v1) - 4 * scaleBsums(sc, x + xStride + 260));
    if (nx > 2) s2 += load<f32>(x + 2 * xStride) * d * <f32>(hsumI(v2) - 4 * scaleBsums(sc, x + 2 * xStride + 260));
    if (nx > 3) s3 += load<f32>(x + 3 * xStride) * d * <f32>(hsumI(v3) - 4 * scaleBsums(sc, x + 3 * xStride + 260));
    w += 110;
    x += 292;
  }
  store<f32>(out, s0);
  if (nx > 1) store<f32>(out + outStride, s1);
  if (nx > 2) store<f32>(out + 2 * outStride, s2);
  if (nx > 3) store<f32>(out + 3 * outStride, s3);
}

function dotQ2_KRn(w: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  const m3 = i8x16.splat(3);
  const m4 = i8x16.splat(0x0f);
  for (let b = 0; b < nb; b++) {
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0), v2 = i32x4.splat(0), v3 = i32x4.splat(0);
    const raw = v128.load(w);
    const sc = v128.and(raw, m4);
    const mins = i8x16.shr_u(raw, 4);
    for (let h = 0; h < 2; h++) {
      const q0 = v128.load(w + 16 + (<usize>h << 5));
      const q1 = v128.load(w + 32 + (<usize>h << 5));
      let s16 = h == 0 ? i16x8.extend_low_i8x16_u(sc) : i16x8.extend_high_i8x16_u(sc);
      for (let j = 0; j < 4; j++) {
        const u0 = v128.and(i16x8.shr_u(q0, 2 * j), m3);
        const u1 = v128.and(i16x8.shr_u(q1, 2 * j), m3);
        const sa = splat16Lane0(s16), sb = splat16Lane1(s16);
        const y = x + 4 + (<usize>h << 7) + (<usize>j << 5);
        v0 = i32x4.add(v0, partKR2(u0, u1, y, sa, sb));
        if (nx > 1) v1 = i32x4.add(v1, partKR2(u0, u1, y + xStride, sa, sb));
        if (nx > 2) v2 = i32x4.add(v2, partKR2(u0, u1, y + 2 * xStride, sa, sb));
        if (nx > 3) v3 = i32x4.add(v3, partKR2(u0, u1, y + 3 * xStride, sa, sb));
        s16 = rotate16By2(s16);
      }
    }
    const d = f16s(load<u16>(w, 80)), dmin = f16s(load<u16>(w, 82));
    let dy = load<f32>(x);
    s0 += dy * d * <f32>hsumI(v0) - dy * dmin * <f32>scaleBsums(mins, x + 260);
    if (nx > 1) {
      dy = load<f32>(x + xStride);
      s1 += dy * d * <f32>hsumI(v1) - dy * dmin * <f32>scaleBsums(mins, x + xStride + 260);
    }
    if (nx > 2) {
      dy = load<f32>(x + 2 * xStride);
      s2 += dy * d * <f32>hsumI(v2) - dy * dmin * <f32>scaleBsums(mins, x + 2 * xStride + 260);
    }
    if (nx > 3) {
      dy = load<f32>(x + 3 * xStride);
      s3 += dy * d * <f32>hsumI(v3) - dy * dmin * <f32>scaleBsums(mins, x + 3 * xStride + 260);
    }
    w += 84;
    x += 292;
  }
  store<f32>(out, s0);
  if (nx > 1) store<f32>(out + outStride, s1);
  if (nx > 2) store<f32>(out + 2 * outStride, s2);
  if (nx > 3) store<f32>(out + 3 * outStride, s3);
}

// q5_K against ggml's q8_K with relaxed SIMD, up to four tokens per unpacked block: dotKRn's q4_K
// arithmetic (the same scales and mins layout) with each quant's fifth bit from qh (0..31, within the
// pair product's seven bits; two pair products added in i16 stay below 2 * 2 * 31 * 127). The same
// integer sums and scaling as dotQ5_K: the same bits.
function dotQ5_KRn(w: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  const sixteen = i8x16.splat(16);
  for (let b = 0; b < nb; b++) {
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0), v2 = i32x4.splat(0), v3 = i32x4.splat(0);
    const u = scalesQ4_K(w);
    const H0 = v128.load(w, 16), H1 = v128.load(w, 32);
    for (let j = 0; j < 4; j++) {
      const q = w + 48 + (<usize>j << 5);
      const a = v128.load(q);
      const c = v128.load(q, 16);
      const bl = i8x16.splat(<i8>(<i32>1 << (2 * j)));
      const bh = i8x16.splat(<i8>(<i32>1 << (2 * j + 1)));
      const l0 = v128.or(v128.and(a, m4), v128.and(i8x16.eq(v128.and(H0, bl), bl), sixteen));
      const l1 = v128.or(v128.and(c, m4), v128.and(i8x16.eq(v128.and(H1, bl), bl), sixteen));
      const h0 = v128.or(v128.and(i16x8.shr_u(a, 4), m4), v128.and(i8x16.eq(v128.and(H0, bh), bh), sixteen));
      const h1 = v128.or(v128.and(i16x8.shr_u(c, 4), m4), v128.and(i8x16.eq(v128.and(H1, bh), bh), sixteen));
      const sw = <u32>(j < 2 ? i32x4.extract_lane(u, 0) : i32x4.extract_lane(u, 1));
      const sh = <u32>(j & 1) << 4;
      const slo = i16x8.splat(<i16>((sw >> sh) & 0xff));
      const shi = i16x8.splat(<i16>((sw >> (sh + 8)) & 0xff));
      const y = x + 4 + (<usize>j << 6);
      v0 = i32x4.add(v0, partQ4_KR(l0, l1, h0, h1, y, slo, shi));
      if (nx > 1) v1 = i32x4.add(v1, partQ4_KR(l0, l1, h0, h1, y + xStride, slo, shi));
      if (nx > 2) v2 = i32x4.add(v2, partQ4_KR(l0, l1, h0, h1, y + 2 * xStride, slo, shi));
      if (nx > 3) v3 = i32x4.add(v3, partQ4_KR(l0, l1, h0, h1, y + 3 * xStride, slo, shi));
    }
    const d = f16s(load<u16>(w)), dmin = f16s(load<u16>(w, 2));
    let dy = load<f32>(x);
    s0 += dy * d * <f32>hsumI(v0) - dy * dmin * <f32>minsTermQ4_K(u, x + 260);
    if (nx > 1) {
      dy = load<f32>(x + xStride);
      s1 += dy * d * <f32>hsumI(v1) - dy * dmin * <f32>minsTermQ4_K(u, x + xStride + 260);
    }
    if (nx > 2) {
      dy = load<f32>(x + 2 * xStride);
      s2 += dy * d * <f32>hsumI(v2) - dy * dmin * <f32>minsTermQ4_K(u, x + 2 * xStride + 260);
    }
    if (nx > 3) {
      dy = load<f32>(x + 3 * xStride);
      s3 += dy * d * <f32>hsumI(v3) - dy * dmin * <f32>minsTermQ4_K(u, x + 3 * xStride + 260);
    }
    w += 176;
    x += 292;
  }
  store<f32>(out, s0);
  if (nx > 1) store<f32>(out + outStride, s1);
  if (nx > 2) store<f32>(out + 2 * outStride, s2);
  if (nx > 3) store<f32>(out + 3 * outStride, s3);
}

// iq4_xs against ggml's q8_K with relaxed SIMD, up to four tokens per unpacked block. Each
// kvalues_iq4nl entry v is split as v = 16a + b - 128 with a and b in 0..15 (two 16-entry tables), so
// each 16 values are two pair products with the activations: sum(v y) = 16 sum(a y) + sum(b y) -
// 128 sum(y), the last from the bsums (two per 32-value sub-block). Exact integer sums, scaled as
// dotIQ4_XS scales them: the same bits.
@inline function scaleIQ4_XS(sl: u32, sh: u32, i: i32): i32 {
  return <i32>(((sl >> (4 * i)) & 15) | (((sh >> (2 * i)) & 3) << 4)) - 32;
}

// 32 values (table halves aLo, bLo: the first 16; aHi, bHi: the next 16) against q8_K values at y,
// times the sub-block's scale (s16: 16 times it, s1: it)
@inline function partIQ4_XSR(aLo: v128, bLo: v128, aHi: v128, bHi: v128, y: usize, s16: v128, s1: v128): v128 {
  const y0 = v128.load(y), y1 = v128.load(y, 16);
  const pa = i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(y0, aLo), i16x8.relaxed_dot_i8x16_i7x16_s(y1, aHi));
  const pb = i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(y0, bLo), i16x8.relaxed_dot_i8x16_i7x16_s(y1, bHi));
  return i32x4.add(i32x4.dot_i16x8_s(pa, s16), i32x4.dot_i16x8_s(pb, s1));
}

// sum over the eight sub-blocks of scale * (its two bsums), scales in l0 (0-3) and l1 (4-7)
@inline function biasIQ4_XS(l0: v128, l1: v128, bs: usize): i32 {
  return hsumI(i32x4.add(
    i32x4.mul(i32x4.extadd_pairwise_i16x8_s(v128.load(bs)), l0),
    i32x4.mul(i32x4.extadd_pairwise_i16x8_s(v128.load(bs, 16)), l1),
  ));
}

function dotIQ4_XSRn(w: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  // kvalues_iq4nl + 128 = 1, 24, 45, 63, 79, 93, 106, 118, 129, 141, 153, 166, 181, 197, 217, 241: high and low nibbles
  const ta = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13, 15);
  const tb = i8x16(1, 8, 13, 15, 15, 13, 10, 6, 1, 13, 9, 6, 5, 5, 9, 1);
  for (let b = 0; b < nb; b++) {
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0), v2 = i32x4.splat(0), v3 = i32x4.splat(0);
    const sl = load<u32>(w, 4), sh = <u32>load<u16>(w, 2);
    for (let i = 0; i < 8; i++) {
      const q = v128.load(w + 8 + (<usize>i << 4));
      const lo = v128.and(q, m4), hi = v128.and(i16x8.shr_u(q, 4), m4);
      const aLo = i8x16.swizzle(ta, lo), bLo = i8x16.swizzle(tb, lo), aHi = i8x16.swizzle(ta, hi), bHi = i8x16.swizzle(tb, hi);
      const ls = scaleIQ4_XS(sl, sh, i);
      const sc1 = i16x8.splat(<i16>ls), sc16 = i16x8.splat(<i16>(ls << 4));
      const y = x + 4 + (<usize>i << 5);
      v0 = i32x4.add(v0, partIQ4_XSR(aLo, bLo, aHi, bHi, y, sc16, sc1));
      if (nx > 1) v1 = i32x4.add(v1, partIQ4_XSR(aLo, bLo, aHi, bHi, y + xStride, sc16, sc1));
      if (nx > 2) v2 = i32x4.add(v2, partIQ4_XSR(aLo, bLo, aHi, bHi, y + 2 * xStride, sc16, sc1));
      if (nx > 3) v3 = i32x4.add(v3, partIQ4_XSR(aLo, bLo, aHi, bHi, y + 3 * xStride, sc16, sc1));
    }
    const l0 = i32x4(scaleIQ4_XS(sl, sh, 0), scaleIQ4_XS(sl, sh, 1), scaleIQ4_XS(sl, sh, 2), scaleIQ4_XS(sl, sh, 3));
    const l1 = i32x4(scaleIQ4_XS(sl, sh, 4), scaleIQ4_XS(sl, sh, 5), scaleIQ4_XS(sl, sh, 6), scaleIQ4_XS(sl, sh, 7));
    const d = f16s(load<u16>(w));
    s0 += d * load<f32>(x) * <f32>(hsumI(v0) - 128 * biasIQ4_XS(l0, l1, x + 260));
    if (nx > 1) s1 += d * load<f32>(x + xStride) * <f32>(hsumI(v1) - 128 * biasIQ4_XS(l0, l1, x + xStride + 260));
    if (nx > 2) s2 += d * load<f32>(x + 2 * xStride) * <f32>(hsumI(v2) - 128 * biasIQ4_XS(l0, l1, x + 2 * xStride + 260));
    if (nx > 3) s3 += d * load<f32>(x + 3 * xStride) * <f32>(hsumI(v3) - 128 * biasIQ4_XS(l0, l1, x + 3 * xStride + 260));
    w += 136;
    x += 292;
  }
  store<f32>(out, s0);
  if (nx > 1) store<f32>(out + outStride, s1);
  if (nx > 2) store<f32>(out + 2 * outStride, s2);
  if (nx > 3) store<f32>(out + 3 * outStride, s3);
}

// one q2_K block against one q8_K block (dotQ2_KRn's arithmetic for one token)
@inline function blockQ2_KR(w: usize, x: usize): f32 {
  let v = i32x4.splat(0);
  const raw = v128.load(w);
  for (let h = 0; h < 2; h++) {
    const q0 = v128.load(w + 16 + (<usize>h << 5));
    const q1 = v128.load(w + 32 + (<usize>h << 5));
    let s16 = h == 0 ? i16x8.extend_low_i8x16_u(v128.and(raw, i8x16.splat(0x0f))) : i16x8.extend_high_i8x16_u(v128.and(raw, i8x16.splat(0x0f)));
    for (let j = 0; j < 4; j++) {
      const u0 = v128.and(i16x8.shr_u(q0, 2 * j), i8x16.splat(3));
      const u1 = v128.and(i16x8.shr_u(q1, 2 * j), i8x16.splat(3));
      v = i32x4.add(v, partKR2(u0, u1, x + 4 + (<usize>h << 7) + (<usize>j << 5), splat16Lane0(s16), splat16Lane1(s16)));
      s16 = rotate16By2(s16);
    }
  }
  const dy = load<f32>(x);
  return dy * f16s(load<u16>(w, 80)) * <f32>hsumI(v) - dy * f16s(load<u16>(w, 82)) * <f32>scaleBsums(i8x16.shr_u(raw, 4), x + 260);
}

// one q5_K block against one q8_K block (dotQ5_KRn's arithmetic for one token)
@inline function blockQ5_KR(w: usize, x: usize): f32 {
  let v = i32x4.splat(0);
  const u = scalesQ4_K(w);
  const H0 = v128.load(w, 16), H1 = v128.load(w, 32);
  for (let j = 0; j < 4; j++) {
    const q = w + 48 + (<usize>j << 5);
    const a = v128.load(q);
    const c = v128.load(q, 16);
    const sw = <u32>(j < 2 ? i32x4.extract_lane(u, 0) : i32x4.extract_lane(u, 1));
    const sh = <u32>(j & 1) << 4;
    v = i32x4.add(v, partQ4_KR(
      q5Quants(v128.and(a, i8x16.splat(0x0f)), H0, 2 * j), q5Quants(v128.and(c, i8x16.splat(0x0f)), H1, 2 * j),
      q5Quants(v128.and(i16x8.shr_u(a, 4), i8x16.splat(0x0f)), H0, 2 * j + 1), q5Quants(v128.and(i16x8.shr_u(c, 4), i8x16.splat(0x0f)), H1, 2 * j + 1),
      x + 4 + (<usize>j << 6), i16x8.splat(<i16>((sw >> sh) & 0xff)), i16x8.splat(<i16>((sw >> (sh + 8)) & 0xff)),
    ));
  }
  const dy = load<f32>(x);
  return dy * f16s(load<u16>(w)) * <f32>hsumI(v) - dy * f16s(load<u16>(w, 2)) * <f32>minsTermQ4_K(u, x + 260);
}

// q5_K quants: four bits (n) plus 16 where bit `bit` of the qh byte (H) is set
@inline function q5Quants(n: v128, H: v128, bit: i32): v128 {
  const m = i8x16.splat(<i8>(<i32>1 << bit));
  return v128.or(n, v128.and(i8x16.eq(v128.and(H, m), m), i8x16.splat(16)));
}

// Decode with relaxed SIMD: four q2_K, q3_K or q5_K rows `span` bytes apart against one activation row,
// block by block side by side (four sequential streams, see dotX4Streams); row i's product to
// out + i * ospan, with dotQ2_KRn's / dotQ3_KRn's / dotQ5_KRn's bits. (A TinyLlama-shaped q3_K_M decode
// step spent 28-38 ms in its q3_K products this way, 38-50 ms a row at a time.)
function dotKR3Streams(type: i32, w: usize, span: usize, x: usize, nb: i32, out: usize, ospan: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let b = 0; b < nb; b++) {
    if (type == Q3_K) {
      s0 += blockQ3_KR(w, x);
      s1 += blockQ3_KR(w + span, x);
      s2 += blockQ3_KR(w + 2 * span, x);
      s3 += blockQ3_KR(w + 3 * span, x);
      w += 110;
    } else if (type == Q2_K) {
      s0 += blockQ2_KR(w, x);
      s1 += blockQ2_KR(w + span, x);
      s2 += blockQ2_KR(w + 2 * span, x);
      s3 += blockQ2_KR(w + 3 * span, x);
      w += 84;
    } else {
      s0 += blockQ5_KR(w, x);
      s1 += blockQ5_KR(w + span, x);
      s2 += blockQ5_KR(w + 2 * span, x);
      s3 += blockQ5_KR(w + 3 * span, x);
      w += 176;
    }
    x += Q8_K_BLOCK;
  }
  store<f32>(out, s0);
  store<f32>(out + ospan, s1);
  store<f32>(out + 2 * ospan, s2);
  store<f32>(out + 3 * ospan, s3);
}

// q6_K block: ql[128], qh[64], scales i8[16], d f16; against widened q8_K (quantizeQ8_KX). The quants
// are unpacked without the -32 offset (their six bits with 16-bit shifts, which never carry across bytes
// here) and the offset is taken back once per block with the bsums: sum((q - 32) y sc) = sum(q y sc) -
// 32 sum(sc bsum), an exact integer; the block adds dy * d * that total.
function dotQ6_KX(w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  let pf: u32 = 0;
  const ahead = prefetchAhead;
  for (let b = 0; b < nb; b++) {
    pf ^= load<u8>(w + ahead) ^ load<u8>(w + ahead, 64) ^ load<u8>(w + ahead, 128) ^ load<u8>(w + ahead, 192);
    sumf += blockQ6_KX(w, x);
    w += 210;
    x += Q8_KX_BLOCK;
  }
  touched ^= pf;
  return sumf;
}

// one q6_K block against one widened q8_K block
@inline function blockQ6_KX(w: usize, x: usize): f32 {
  const m4 = i8x16.splat(0x0f);
  const m30 = i8x16.splat(0x30);
  let vs = i32x4.splat(0);
  for (let n = 0; n < 2; n++) {
    const ql = w + (<usize>n << 6);
    const qh = w + 128 + (<usize>n << 5);
    const sc = w + 192 + (<usize>n << 3);
    for (let is = 0; is < 2; is++) {
      const l = <usize>is << 4;
      const a = v128.load(ql + l);
      const c = v128.load(ql + 32 + l);
      const h = v128.load(qh + l);
      const q1 = v128.or(v128.and(a, m4), v128.and(i16x8.shl(h, 4), m30));
      const q2 = v128.or(v128.and(c, m4), v128.and(i16x8.shl(h, 2), m30));
      const q3 = v128.or(v128.and(i16x8.shr_u(a, 4), m4), v128.and(h, m30));
      const q4 = v128.or(v128.and(i16x8.shr_u(c, 4), m4), v128.and(i16x8.shr_u(h, 2), m30));
      vs = i32x4.add(vs, partQ6_K(q1, q2, q3, q4, x + 16 + (((<usize>n << 7) + l) << 1), sc + is));
    }
  }
  return load<f32>(x) * f16s(load<u16>(w, 208)) * <f32>(hsumI(vs) - 32 * biasQ6_K(w, x + 528));
}

// four 16-value pieces of a q6_K block (values 0..63, 32 apart) against the widened q8_K values at y,
// each times its scale (i8 at sc, sc + 2, sc + 4, sc + 6)
@inline function partQ6_K(q1: v128, q2: v128, q3: v128, q4: v128, y: usize, sc: usize): v128 {
  const a = i32x4.add(i32x4.mul(dotU8I16(q1, y), i32x4.splat(<i32>load<i8>(sc))), i32x4.mul(dotU8I16(q2, y + 64), i32x4.splat(<i32>load<i8>(sc, 2))));
  const b = i32x4.add(i32x4.mul(dotU8I16(q3, y + 128), i32x4.splat(<i32>load<i8>(sc, 4))), i32x4.mul(dotU8I16(q4, y + 192), i32x4.splat(<i32>load<i8>(sc, 6))));
  return i32x4.add(a, b);
}

// sum(sc * bsum) of a q6_K block against a widened q8_K block: the 16 scales widened to i16 against the
// 16 bsums (the -32 offset of the quants, taken back once per block)
@inline function biasQ6_K(w: usize, bs: usize): i32 {
  const scs = v128.load(w + 192);
  return hsumI(i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(scs), v128.load(bs)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(scs), v128.load(bs, 16)),
  ));
}

// Decode: eight q4_K or q6_K rows `span` bytes apart against one activation row, block by block side
// by side (eight sequential streams, see dotX4Streams); out gets row i's product at out + i * ospan.
// Each row's sum is dotQ4_KX's / dotQ6_KX's, block for block: the same bits.
const STREAMS = 8;
function dotKStreams(q6: bool, w: usize, span: usize, x: usize, nb: i32, out: usize, ospan: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  for (let b = 0; b < nb; b++) {
    if (q6) {
      s0 += blockQ6_KX(w, x);
      s1 += blockQ6_KX(w + span, x);
      s2 += blockQ6_KX(w + 2 * span, x);
      s3 += blockQ6_KX(w + 3 * span, x);
      s4 += blockQ6_KX(w + 4 * span, x);
      s5 += blockQ6_KX(w + 5 * span, x);
      s6 += blockQ6_KX(w + 6 * span, x);
      s7 += blockQ6_KX(w + 7 * span, x);
      w += 210;
    } else {
      s0 += blockQ4_KX(w, x);
      s1 += blockQ4_KX(w + span, x);
      s2 += blockQ4_KX(w + 2 * span, x);
      s3 += blockQ4_KX(w + 3 * span, x);
      s4 += blockQ4_KX(w + 4 * span, x);
      s5 += blockQ4_KX(w + 5 * span, x);
      s6 += blockQ4_KX(w + 6 * span, x);
      s7 += blockQ4_KX(w + 7 * span, x);
      w += 144;
    }
    x += Q8_KX_BLOCK;
  }
  store<f32>(out, s0);
  store<f32>(out + ospan, s1);
  store<f32>(out + 2 * ospan, s2);
  store<f32>(out + 3 * ospan, s3);
  store<f32>(out + 4 * ospan, s4);
  store<f32>(out + 5 * ospan, s5);
  store<f32>(out + 6 * ospan, s6);
  store<f32>(out + 7 * ospan, s7);
}

// Decode with relaxed SIMD, q6_K against ggml's own q8_K blocks (i8 values: d f32, qs i8[256] at 4,
// bsums i16[16] at 260): each 16 values' products by one pair product (the quants, 0..63, are the i7
// operand) and their scale by one i16 dot, as llama.cpp's AVX2 kernel does, instead of widening both to
// i16 and an i32 multiply. The integer sums are exact either way, so the bits are dotQ6_KX's.
@inline function partQ6_KR(q1: v128, q2: v128, q3: v128, q4: v128, y: usize, sc: usize): v128 {
  const a = i32x4.add(
    i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y), q1), i16x8.splat(<i16>load<i8>(sc))),
    i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 32), q2), i16x8.splat(<i16>load<i8>(sc, 2))),
  );
  const b = i32x4.add(
    i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 64), q3), i16x8.splat(<i16>load<i8>(sc, 4))),
    i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 96), q4), i16x8.splat(<i16>load<i8>(sc, 6))),
  );
  return i32x4.add(a, b);
}

@inline function blockQ6_KR(w: usize, x: usize): f32 {
  const m4 = i8x16.splat(0x0f);
  const m30 = i8x16.splat(0x30);
  let vs = i32x4.splat(0);
  for (let n = 0; n < 2; n++) {
    const ql = w + (<usize>n << 6);
    const qh = w + 128 + (<usize>n << 5);
    const sc = w + 192 + (<usize>n << 3);
    for (let is = 0; is < 2; is++) {
      const l = <usize>is << 4;
      const a = v128.load(ql + l);
      const c = v128.load(ql + 32 + l);
      const h = v128.load(qh + l);
      const q1 = v128.or(v128.and(a, m4), v128.and(i16x8.shl(h, 4), m30));
      const q2 = v128.or(v128.and(c, m4), v128.and(i16x8.shl(h, 2), m30));
      const q3 = v128.or(v128.and(i16x8.shr_u(a, 4), m4), v128.and(h, m30));
      const q4 = v128.or(v128.and(i16x8.shr_u(c, 4), m4), v128.and(i16x8.shr_u(h, 2), m30));
      vs = i32x4.add(vs, partQ6_KR(q1, q2, q3, q4, x + 4 + (<usize>n << 7) + l, sc + is));
    }
  }
  // the -32 offset of the quants: sum(sc * bsum)
  return load<f32>(x) * f16s(load<u16>(w, 208)) * <f32>(hsumI(vs) - 32 * biasQ6_K(w, x + 260));
}

const Q8_K_BLOCK = 292;

// one q4_K or q6_K row against one q8_K row (the rows the streams below leave over)
function dotKR(q6: bool, w: usize, x: usize, nb: i32): f32 {
  let sumf: f32 = 0;
  for (let b = 0; b < nb; b++) {
    if (q6) {
      sumf += blockQ6_KR(w, x);
      w += 210;
    } else {
      sumf += blockQ4_KR(w, x);
      w += 144;
    }
    x += Q8_K_BLOCK;
  }
  return sumf;
}

// dotKStreams against q8_K with the relaxed products: eight rows side by side
function dotKRStreams(q6: bool, w: usize, span: usize, x: usize, nb: i32, out: usize, ospan: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  for (let b = 0; b < nb; b++) {
    if (q6) {
      s0 += blockQ6_KR(w, x);
      s1 += blockQ6_KR(w + span, x);
      s2 += blockQ6_KR(w + 2 * span, x);
      s3 += blockQ6_KR(w + 3 * span, x);
      s4 += blockQ6_KR(w + 4 * span, x);
      s5 += blockQ6_KR(w + 5 * span, x);
      s6 += blockQ6_KR(w + 6 * span, x);
      s7 += blockQ6_KR(w + 7 * span, x);
      w += 210;
    } else {
      s0 += blockQ4_KR(w, x);
      s1 += blockQ4_KR(w + span, x);
      s2 += blockQ4_KR(w + 2 * span, x);
      s3 += blockQ4_KR(w + 3 * span, x);
      s4 += blockQ4_KR(w + 4 * span, x);
      s5 += blockQ4_KR(w + 5 * span, x);
      s6 += blockQ4_KR(w + 6 * span, x);
      s7 += blockQ4_KR(w + 7 * span, x);
      w += 144;
    }
    x += Q8_K_BLOCK;
  }
  store<f32>(out, s0);
  store<f32>(out + ospan, s1);
  store<f32>(out + 2 * ospan, s2);
  store<f32>(out + 3 * ospan, s3);
  store<f32>(out + 4 * ospan, s4);
  store<f32>(out + 5 * ospan, s5);
  store<f32>(out + 6 * ospan, s6);
  store<f32>(out + 7 * ospan, s7);
}

// Prefill with relaxed SIMD: a q4_K or q6_K row against nx (1 to 4) q8_K activation rows x, x + xStride,
// ... (ggml's own blocks), each weight block unpacked once for all of them. As in the decode kernels
// above, each 16 values' products are one pair product (the quants are the i7 operand) and their
// sub-block's scale one i16 dot; the integer sums are exact, so each token's result has the bits of
// dotQ4_KX / dotQ6_KX.
function dotKRn(q6: bool, w: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let b = 0; b < nb; b++) {
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0), v2 = i32x4.splat(0), v3 = i32x4.splat(0);
    if (q6) {
      const m4 = i8x16.splat(0x0f);
      const m30 = i8x16.splat(0x30);
      for (let n = 0; n < 2; n++) {
        const ql = w + (<usize>n << 6);
        const qh = w + 128 + (<usize>n << 5);
        const sc = w + 192 + (<usize>n << 3);
        for (let is = 0; is < 2; is++) {
          const l = <usize>is << 4;
          const a = v128.load(ql + l);
          const c = v128.load(ql + 32 + l);
          const h = v128.load(qh + l);
          const q1 = v128.or(v128.and(a, m4), v128.and(i16x8.shl(h, 4), m30));
          const q2 = v128.or(v128.and(c, m4), v128.and(i16x8.shl(h, 2), m30));
          const q3 = v128.or(v128.and(i16x8.shr_u(a, 4), m4), v128.and(h, m30));
          const q4 = v128.or(v128.and(i16x8.shr_u(c, 4), m4), v128.and(i16x8.shr_u(h, 2), m30));
          const y = x + 4 + (<usize>n << 7) + l;
          v0 = i32x4.add(v0, partQ6_KR(q1, q2, q3, q4, y, sc + is));
          if (nx > 1) v1 = i32x4.add(v1, partQ6_KR(q1, q2, q3, q4, y + xStride, sc + is));
          if (nx > 2) v2 = i32x4.add(v2, partQ6_KR(q1, q2, q3, q4, y + 2 * xStride, sc + is));
          if (nx > 3) v3 = i32x4.add(v3, partQ6_KR(q1, q2, q3, q4, y + 3 * xStride, sc + is));
        }
      }
      const d = f16s(load<u16>(w, 208));
      s0 += load<f32>(x) * d * <f32>(hsumI(v0) - 32 * biasQ6_K(w, x + 260));
      if (nx > 1) s1 += load<f32>(x + xStride) * d * <f32>(hsumI(v1) - 32 * biasQ6_K(w, x + xStride + 260));
      if (nx > 2) s2 += load<f32>(x + 2 * xStride) * d * <f32>(hsumI(v2) - 32 * biasQ6_K(w, x + 2 * xStride + 260));
      if (nx > 3) s3 += load<f32>(x + 3 * xStride) * d * <f32>(hsumI(v3) - 32 * biasQ6_K(w, x + 3 * xStride + 260));
      w += 210;
    } else {
      const m4 = i8x16.splat(0x0f);
      const u = scalesQ4_K(w);
      for (let j = 0; j < 4; j++) {
        const q = w + 16 + (<usize>j << 5);
        const a = v128.load(q);
        const c = v128.load(q, 16);
        const l0 = v128.and(a, m4), l1 = v128.and(c, m4);
        const h0 = v128.and(i16x8.shr_u(a, 4), m4), h1 = v128.and(i16x8.shr_u(c, 4), m4);
        const sw = <u32>(j < 2 ? i32x4.extract_lane(u, 0) : i32x4.extract_lane(u, 1));
        const sh = <u32>(j & 1) << 4;
        const slo = i16x8.splat(<i16>((sw >> sh) & 0xff));
        const shi = i16x8.splat(<i16>((sw >> (sh + 8)) & 0xff));
        const y = x + 4 + (<usize>j << 6);
        v0 = i32x4.add(v0, partQ4_KR(l0, l1, h0, h1, y, slo, shi));
        if (nx > 1) v1 = i32x4.add(v1, partQ4_KR(l0, l1, h0, h1, y + xStride, slo, shi));
        if (nx > 2) v2 = i32x4.add(v2, partQ4_KR(l0, l1, h0, h1, y + 2 * xStride, slo, shi));
        if (nx > 3) v3 = i32x4.add(v3, partQ4_KR(l0, l1, h0, h1, y + 3 * xStride, slo, shi));
      }
      const d = f16s(load<u16>(w)), dmin = f16s(load<u16>(w, 2));
      let dy = load<f32>(x);
      s0 += dy * d * <f32>hsumI(v0) - dy * dmin * <f32>minsTermQ4_K(u, x + 260);
      if (nx > 1) {
        dy = load<f32>(x + xStride);
        s1 += dy * d * <f32>hsumI(v1) - dy * dmin * <f32>minsTermQ4_K(u, x + xStride + 260);
      }
      if (nx > 2) {
        dy = load<f32>(x + 2 * xStride);
        s2 += dy * d * <f32>hsumI(v2) - dy * dmin * <f32>minsTermQ4_K(u, x + 2 * xStride + 260);
      }
      if (nx > 3) {
        dy = load<f32>(x + 3 * xStride);
        s3 += dy * d * <f32>hsumI(v3) - dy * dmin * <f32>minsTermQ4_K(u, x + 3 * xStride + 260);
      }
      w += 144;
    }
    x += Q8_K_BLOCK;
  }
  store<f32>(out, s0);
  if (nx > 1) store<f32>(out + outStride, s1);
  if (nx > 2) store<f32>(out + 2 * outStride, s2);
  if (nx > 3) store<f32>(out + 3 * outStride, s3);
}

// 64 values of a q4_K block (low nibbles l0, l1: sub-block 2j, scale slo; high nibbles h0, h1:
// sub-block 2j + 1, scale shi) against ggml q8_K values at y: the pair sums of each sub-block (at most
// 2 * 2 * 15 * 127 after the add) times its scale by one i16 dot
@inline function partQ4_KR(l0: v128, l1: v128, h0: v128, h1: v128, y: usize, slo: v128, shi: v128): v128 {
  const lo = i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y), l0), i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 16), l1));
  const hi = i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 32), h0), i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(y, 48), h1));
  return i32x4.add(i32x4.dot_i16x8_s(lo, slo), i32x4.dot_i16x8_s(hi, shi));
}

// one q4_K block against one q8_K block with the relaxed products (dotKRn's arithmetic for one token)
@inline function blockQ4_KR(w: usize, x: usize): f32 {
  const m4 = i8x16.splat(0x0f);
  const u = scalesQ4_K(w);
  let v = i32x4.splat(0);
  for (let j = 0; j < 4; j++) {
    const q = w + 16 + (<usize>j << 5);
    const a = v128.load(q);
    const c = v128.load(q, 16);
    const sw = <u32>(j < 2 ? i32x4.extract_lane(u, 0) : i32x4.extract_lane(u, 1));
    const sh = <u32>(j & 1) << 4;
    v = i32x4.add(v, partQ4_KR(
      v128.and(a, m4), v128.and(c, m4), v128.and(i16x8.shr_u(a, 4), m4), v128.and(i16x8.shr_u(c, 4), m4),
      x + 4 + (<usize>j << 6), i16x8.splat(<i16>((sw >> sh) & 0xff)), i16x8.splat(<i16>((sw >> (sh + 8)) & 0xff)),
    ));
  }
  const dy = load<f32>(x);
  return dy * f16s(load<u16>(w)) * <f32>hsumI(v) - dy * f16s(load<u16>(w, 2)) * <f32>minsTermQ4_K(u, x + 260);
}

// ---------------------------------------------------------------------------------------------------
// q4_K matrices for the relaxed kernels are stored four rows interleaved too ("x4", as q4_0 and q8_0
// above; repackX4 with 144-byte blocks): for each group of four rows and each 256-value block column,
// 576 bytes, the four rows' blocks rearranged:
//   0: the four d (f16), 8: the four dmin (f16),
//   16, 32, 48: the four rows' packed scale words t0, t1, t2 (ggml's scales[12] as three u32; lane r: row r),
//   64 + 128 * jp + 16 * v + 4 * r + i (jp, v, i: 0..3, 0..7, 0..3): row r's quant byte 32 * jp + 4 * v + i,
//   whose low nibble is the row's value 64 * jp + 4 * v + i (sub-block 2 * jp) and high nibble its value
//   64 * jp + 32 + 4 * v + i (sub-block 2 * jp + 1).
// As for q4_0 (tokenQ4_0R), each 16-byte vector against four of x's values repeated four times gives
// every row's pair sums in its two i16 lanes, and a sub-block's eight vectors add up in i16 (at most
// 8 * 2 * 15 * 127); one i16 dot with the row's scale in both lanes leaves the four rows' scaled
// sub-block totals in the four i32 lanes. The scales and mins are unpacked for the four rows at once
// (scalesQ4_K's bit operations on the lanes), and the block's f32 step, (dy * d) * sum - (dy * dmin) *
// mins, is blockQ4_KR's, lane by lane: each row's result has the bits of the one-row kernels.
const X4_Q4_K = 576;

// the four rows' scales of sub-blocks 0-3 (lane r: row r's four bytes) and of sub-blocks 4-7
@inline function x4Sc03(g: usize): v128 {
  return v128.and(v128.load(g, 16), i32x4.splat(0x3f3f3f3f));
}
@inline function x4Sc47(g: usize): v128 {
  const low = v128.and(v128.load(g, 48), i32x4.splat(0x0f0f0f0f));
  return v128.or(low, i32x4.shl(v128.and(i32x4.shr_u(v128.load(g, 16), 6), i32x4.splat(0x03030303)), 4));
}

// byte b of each lane of u in both i16 lanes of its row (b = 0..3): the scale vector of one sub-block
@inline function x4Scale0(u: v128): v128 { return i8x16.swizzle(u, i8x16(0, -128, 0, -128, 4, -128, 4, -128, 8, -128, 8, -128, 12, -128, 12, -128)); }
@inline function x4Scale1(u: v128): v128 { return i8x16.swizzle(u, i8x16(1, -128, 1, -128, 5, -128, 5, -128, 9, -128, 9, -128, 13, -128, 13, -128)); }
@inline function x4Scale2(u: v128): v128 { return i8x16.swizzle(u, i8x16(2, -128, 2, -128, 6, -128, 6, -128, 10, -128, 10, -128, 14, -128, 14, -128)); }
@inline function x4Scale3(u: v128): v128 { return i8x16.swizzle(u, i8x16(3, -128, 3, -128, 7, -128, 7, -128, 11, -128, 11, -128, 15, -128, 15, -128)); }

// the four rows' sum over sub-blocks of min * (the sub-block's two bsums), against a q8_K block's
// bsums at bs (minsTermQ4_K for four rows: lane r, row r)
@inline function x4MinsQ4_K(g: usize, bs: usize): v128 {
  const t1 = v128.load(g, 32);
  const m03 = v128.and(t1, i32x4.splat(0x3f3f3f3f));
  const m47 = v128.or(
    v128.and(i32x4.shr_u(v128.load(g, 48), 4), i32x4.splat(0x0f0f0f0f)),
    i32x4.shl(v128.and(i32x4.shr_u(t1, 6), i32x4.splat(0x03030303)), 4),
  );
  // the eight sub-blocks' bsum pairs, as i16 (at most 32 * 127)
  const s = i16x8.narrow_i32x4_s(i32x4.extadd_pairwise_i16x8_s(v128.load(bs)), i32x4.extadd_pairwise_i16x8_s(v128.load(bs, 16)));
  // a lane pair of m03 as i16 is a row's (m0 | m1 << 8, m2 | m3 << 8): the even mins by a mask, the odd by a shift
  const ff = i16x8.splat(0xff);
  return i32x4.add(
    i32x4.add(
      i32x4.dot_i16x8_s(v128.and(m03, ff), i16x8.shuffle(s, s, 0, 2, 0, 2, 0, 2, 0, 2)),
      i32x4.dot_i16x8_s(i16x8.shr_u(m03, 8), i16x8.shuffle(s, s, 1, 3, 1, 3, 1, 3, 1, 3)),
    ),
    i32x4.add(
      i32x4.dot_i16x8_s(v128.and(m47, ff), i16x8.shuffle(s, s, 4, 6, 4, 6, 4, 6, 4, 6)),
      i32x4.dot_i16x8_s(i16x8.shr_u(m47, 8), i16x8.shuffle(s, s, 5, 7, 5, 7, 5, 7, 5, 7)),
    ),
  );
}

// acc + the block's f32 step for the four rows (lane r), with integer sums v and mins term mt
@inline function x4StepQ4_K(g: usize, x: usize, v: v128, mt: v128, acc: v128): v128 {
  const dy = f32x4.splat(load<f32>(x));
  const d = f16x4(v128.load16x4_u(g));
  const dmin = f16x4(v128.load16x4_u(g, 8));
  return f32x4.add(acc, f32x4.sub(
    f32x4.mul(f32x4.mul(dy, d), f32x4.convert_i32x4_s(v)),
    f32x4.mul(f32x4.mul(dy, dmin), f32x4.convert_i32x4_s(mt)),
  ));
}

// one token's scaled totals of sub-blocks 2jp and 2jp + 1 of a group (q: the pair's 128 quant bytes,
// y: x's values 64 * jp ..., slo and shi: the two sub-blocks' scale vectors)
@inline function x4PairQ4_KR(q: usize, y: usize, slo: v128, shi: v128): v128 {
  const m4 = i8x16.splat(0x0f);
  let lo = i16x8.splat(0), hi = i16x8.splat(0);
  for (let v: usize = 0; v < 8; v++) {
    const b = v128.load(q + (v << 4));
    lo = i16x8.add(lo, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(y + (v << 2)), v128.and(b, m4)));
    hi = i16x8.add(hi, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(y + (v << 2), 32), v128.and(i16x8.shr_u(b, 4), m4)));
  }
  return i32x4.add(i32x4.dot_i16x8_s(lo, slo), i32x4.dot_i16x8_s(hi, shi));
}

// a group's block (g) against one q8_K block (x): acc (lane r: row r) + the block's products
@inline function x4BlockQ4_KR(g: usize, x: usize, acc: v128): v128 {
  const u0 = x4Sc03(g), u1 = x4Sc47(g);
  const y = x + 4;
  const v = i32x4.add(
    i32x4.add(x4PairQ4_KR(g + 64, y, x4Scale0(u0), x4Scale1(u0)), x4PairQ4_KR(g + 192, y + 64, x4Scale2(u0), x4Scale3(u0))),
    i32x4.add(x4PairQ4_KR(g + 320, y + 128, x4Scale0(u1), x4Scale1(u1)), x4PairQ4_KR(g + 448, y + 192, x4Scale2(u1), x4Scale3(u1))),
  );
  return x4StepQ4_K(g, x, v, x4MinsQ4_K(g, x + 260), acc);
}

// two tokens' scaled totals of sub-blocks 2jp and 2jp + 1 (x4PairQ4_KR for y and z, each quant vector
// unpacked once for both): the first token's returned, the second's added to x4Z (a global, so one per
// thread: each thread has its own instance of the module)
let x4Z: v128 = i32x4.splat(0);
@inline function x4PairQ4_KRx2(q: usize, y: usize, z: usize, slo: v128, shi: v128): v128 {
  const m4 = i8x16.splat(0x0f);
  let lo = i16x8.splat(0), hi = i16x8.splat(0), lo2 = i16x8.splat(0), hi2 = i16x8.splat(0);
  for (let v: usize = 0; v < 8; v++) {
    const b = v128.load(q + (v << 4));
    const l = v128.and(b, m4), h = v128.and(i16x8.shr_u(b, 4), m4);
    lo = i16x8.add(lo, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(y + (v << 2)), l));
    hi = i16x8.add(hi, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(y + (v << 2), 32), h));
    lo2 = i16x8.add(lo2, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(z + (v << 2)), l));
    hi2 = i16x8.add(hi2, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(z + (v << 2), 32), h));
  }
  x4Z = i32x4.add(x4Z, i32x4.add(i32x4.dot_i16x8_s(lo2, slo), i32x4.dot_i16x8_s(hi2, shi)));
  return i32x4.add(i32x4.dot_i16x8_s(lo, slo), i32x4.dot_i16x8_s(hi, shi));
}

// Decode: X4K_STREAMS groups `span` bytes apart against one q8_K row, walked side by side (as
// dotX4Streams); n: the first group's valid rows, rspan the rows between streams
const X4K_STREAMS = 4;
function dotX4KStreams(g: usize, span: usize, x: usize, nb: i32, out: usize, ospan: usize, n: i32, rspan: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    a0 = x4BlockQ4_KR(g, x, a0);
    a1 = x4BlockQ4_KR(g + span, x, a1);
    a2 = x4BlockQ4_KR(g + 2 * span, x, a2);
    a3 = x4BlockQ4_KR(g + 3 * span, x, a3);
    g += X4_Q4_K;
    x += Q8_K_BLOCK;
  }
  storeLanes(out, a0, n);
  storeLanes(out + ospan, a1, n - rspan);
  storeLanes(out + 2 * ospan, a2, n - 2 * rspan);
  storeLanes(out + 3 * ospan, a3, n - 3 * rspan);
}

// A group against nx (1 or 2) q8_K rows x and x + xStride; the first n (up to 4) rows stored
function dotX4KR(g: usize, x: usize, xStride: usize, nx: i32, nb: i32, out: usize, outStride: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let z = x + xStride;
  for (let b = 0; b < nb; b++) {
    if (nx > 1) {
      const u0 = x4Sc03(g), u1 = x4Sc47(g);
      x4Z = i32x4.splat(0);
      const v = i32x4.add(
        i32x4.add(
          x4PairQ4_KRx2(g + 64, x + 4, z + 4, x4Scale0(u0), x4Scale1(u0)),
          x4PairQ4_KRx2(g + 192, x + 68, z + 68, x4Scale2(u0), x4Scale3(u0)),
        ),
        i32x4.add(
          x4PairQ4_KRx2(g + 320, x + 132, z + 132, x4Scale0(u1), x4Scale1(u1)),
          x4PairQ4_KRx2(g + 448, x + 196, z + 196, x4Scale2(u1), x4Scale3(u1)),
        ),
      );
      a0 = x4StepQ4_K(g, x, v, x4MinsQ4_K(g, x + 260), a0);
      a1 = x4StepQ4_K(g, z, x4Z, x4MinsQ4_K(g, z + 260), a1);
    } else {
      a0 = x4BlockQ4_KR(g, x, a0);
    }
    g += X4_Q4_K;
    x += Q8_K_BLOCK;
    z += Q8_K_BLOCK;
  }
  storeLanes(out, a0, n);
  if (nx > 1) storeLanes(out + outStride, a1, n);
}

// q6_K matrices for the relaxed kernels are stored four rows interleaved as well, with each 6-bit quant
// unpacked into a byte of its own (repackX4 -> repackX6; 30% more bytes than the file's 210 a block, and no
// bit work in the products): for each group of four rows and each block column, 1096 bytes:
//   0: the four d (f16),
//   8 + 16 * j + 4 * r (j: 0..3): row r's scales 4j .. 4j+3 (i8),
//   72 + 16 * j + 4 * r (j: 0..63): row r's quants 4j .. 4j+3 (0..63, in ggml's value order: the -32
//   not yet applied).
// Each vector then holds four values of each of the four rows; against four of x's values repeated, a
// row's two i16 lanes get its pair sums. Two vectors add
// up in i16 (2 * 2 * 63 * 127), a 16-value sub-block is two such sums, each scaled by one i16 dot with
// the row's scale (sign-extended) in both lanes. The -32 offset is blockQ6_KR's bsums term and the f32
// step its (dy * d) * (sum - 32 * bias), lane by lane: each row's result has the bits of the one-row kernels.
export const X4_Q6_K = 1096;

// byte b of each lane of u, sign-extended, in both i16 lanes of its row (a sub-block's scale vector)
@inline function x6Scale0(u: v128): v128 { return i16x8.shr_s(i8x16.swizzle(u, i8x16(-128, 0, -128, 0, -128, 4, -128, 4, -128, 8, -128, 8, -128, 12, -128, 12)), 8); }
@inline function x6Scale1(u: v128): v128 { return i16x8.shr_s(i8x16.swizzle(u, i8x16(-128, 1, -128, 1, -128, 5, -128, 5, -128, 9, -128, 9, -128, 13, -128, 13)), 8); }
@inline function x6Scale2(u: v128): v128 { return i16x8.shr_s(i8x16.swizzle(u, i8x16(-128, 2, -128, 2, -128, 6, -128, 6, -128, 10, -128, 10, -128, 14, -128, 14)), 8); }
@inline function x6Scale3(u: v128): v128 { return i16x8.shr_s(i8x16.swizzle(u, i8x16(-128, 3, -128, 3, -128, 7, -128, 7, -128, 11, -128, 11, -128, 15, -128, 15)), 8); }

// sum over the sixteen sub-blocks of scale * bsum for the four rows (lane r), against q8_K bsums at bs:
// each scale word's bytes (0, 1) and (2, 3), sign-extended, against the matching bsum pairs
@inline function x6BiasQ6_K(g: usize, bs: usize): v128 {
  let t = i32x4.splat(0);
  for (let j: usize = 0; j < 4; j++) {
    const u = v128.load(g + 8 + (j << 4));
    const e01 = i16x8.shr_s(i8x16.swizzle(u, i8x16(-128, 0, -128, 1, -128, 4, -128, 5, -128, 8, -128, 9, -128, 12, -128, 13)), 8);
    const e23 = i16x8.shr_s(i8x16.swizzle(u, i8x16(-128, 2, -128, 3, -128, 6, -128, 7, -128, 10, -128, 11, -128, 14, -128, 15)), 8);
    t = i32x4.add(t, i32x4.add(i32x4.dot_i16x8_s(e01, v128.load32_splat(bs + (j << 3))), i32x4.dot_i16x8_s(e23, v128.load32_splat(bs + (j << 3), 4))));
  }
  return t;
}

// a quarter of a group's block (128 * n + 16 * is .. + 15 of each 32-value run: four sub-blocks) against
// x's values at y (the quarter's first), for one token: q the quarter's first quant vector (the runs'
// vectors follow 128 bytes apart); the sub-blocks' scales are bytes is and is + 2 (odd: is = 1) of the
// scale words at ws and ws + 16, made into scale vectors after the products (fewer live registers in the
// loop)
@inline function x6QuarterR(q: usize, y: usize, ws: usize, odd: bool): v128 {
  let t = i32x4.splat(0);
  for (let half: usize = 0; half < 2; half++) {
    let p1 = i16x8.splat(0), p2 = i16x8.splat(0), p3 = i16x8.splat(0), p4 = i16x8.splat(0);
    for (let j: usize = half << 1; j < (half << 1) + 2; j++) {
      const v = q + (j << 4), o = y + (j << 2);
      p1 = i16x8.add(p1, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o), v128.load(v)));
      p2 = i16x8.add(p2, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o, 32), v128.load(v, 128)));
      p3 = i16x8.add(p3, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o, 64), v128.load(v, 256)));
      p4 = i16x8.add(p4, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o, 96), v128.load(v, 384)));
    }
    const u = v128.load(ws), u2 = v128.load(ws, 16);
    t = i32x4.add(t, i32x4.add(
      i32x4.add(i32x4.dot_i16x8_s(p1, odd ? x6Scale1(u) : x6Scale0(u)), i32x4.dot_i16x8_s(p2, odd ? x6Scale3(u) : x6Scale2(u))),
      i32x4.add(i32x4.dot_i16x8_s(p3, odd ? x6Scale1(u2) : x6Scale0(u2)), i32x4.dot_i16x8_s(p4, odd ? x6Scale3(u2) : x6Scale2(u2))),
    ));
  }
  return t;
}

// a group's block (g) against one q8_K block (x): acc (lane r: row r) + the block's products
@inline function x4BlockQ6_KR(g: usize, x: usize, acc: v128): v128 {
  const y = x + 4;
  // quarter (n, is): scales 8n + is + {0, 2, 4, 6}: words 2n and 2n + 1, bytes is and is + 2
  let v = x6QuarterR(g + 72, y, g + 8, false);
  v = i32x4.add(v, x6QuarterR(g + 136, y + 16, g + 8, true));
  v = i32x4.add(v, x6QuarterR(g + 584, y + 128, g + 40, false));
  v = i32x4.add(v, x6QuarterR(g + 648, y + 144, g + 40, true));
  const dyd = f32x4.mul(f32x4.splat(load<f32>(x)), f16x4(v128.load16x4_u(g)));
  return f32x4.add(acc, f32x4.mul(dyd, f32x4.convert_i32x4_s(i32x4.sub(v, i32x4.shl(x6BiasQ6_K(g, x + 260), 5)))));
}

// Decode: X4K_STREAMS q6_K groups `span` bytes apart against one q8_K row (dotX4KStreams's walk)
function dotX6KStreams(g: usize, span: usize, x: usize, nb: i32, out: usize, ospan: usize, n: i32, rspan: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    a0 = x4BlockQ6_KR(g, x, a0);
    a1 = x4BlockQ6_KR(g + span, x, a1);
    a2 = x4BlockQ6_KR(g + 2 * span, x, a2);
    a3 = x4BlockQ6_KR(g + 3 * span, x, a3);
    g += X4_Q6_K;
    x += Q8_K_BLOCK;
  }
  storeLanes(out, a0, n);
  storeLanes(out + ospan, a1, n - rspan);
  storeLanes(out + 2 * ospan, a2, n - 2 * rspan);
  storeLanes(out + 3 * ospan, a3, n - 3 * rspan);
}

// A q6_K group against one q8_K row; the first n (up to 4) rows stored
function dotX6KR(g: usize, x: usize, nb: i32, out: usize, n: i32): void {
  let a0 = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    a0 = x4BlockQ6_KR(g, x, a0);
    g += X4_Q6_K;
    x += Q8_K_BLOCK;
  }
  storeLanes(out, a0, n);
}

// x6QuarterR for two tokens (y, z), each vector loaded once for both: the first token's returned, the
// second's added to x4Z. The runs of q1, q2 and of q3, q4 go in two passes over the quarter, so that the
// loop's live values fit the 16 SIMD registers V8 gives WebAssembly.
@inline function x6QuarterRx2(q: usize, y: usize, z: usize, ws: usize, odd: bool): v128 {
  let t = i32x4.splat(0);
  for (let half: usize = 0; half < 2; half++) {
    const u = v128.load(ws), u2 = v128.load(ws, 16);
    let p1 = i16x8.splat(0), p2 = i16x8.splat(0), r1 = i16x8.splat(0), r2 = i16x8.splat(0);
    for (let j: usize = half << 1; j < (half << 1) + 2; j++) {
      const v = q + (j << 4), o = y + (j << 2), oz = z + (j << 2);
      const q1 = v128.load(v), q2 = v128.load(v, 128);
      p1 = i16x8.add(p1, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o), q1));
      p2 = i16x8.add(p2, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o, 32), q2));
      r1 = i16x8.add(r1, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(oz), q1));
      r2 = i16x8.add(r2, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(oz, 32), q2));
    }
    const s1 = odd ? x6Scale1(u) : x6Scale0(u), s2 = odd ? x6Scale3(u) : x6Scale2(u);
    t = i32x4.add(t, i32x4.add(i32x4.dot_i16x8_s(p1, s1), i32x4.dot_i16x8_s(p2, s2)));
    x4Z = i32x4.add(x4Z, i32x4.add(i32x4.dot_i16x8_s(r1, s1), i32x4.dot_i16x8_s(r2, s2)));
    let p3 = i16x8.splat(0), p4 = i16x8.splat(0), r3 = i16x8.splat(0), r4 = i16x8.splat(0);
    for (let j: usize = half << 1; j < (half << 1) + 2; j++) {
      const v = q + (j << 4), o = y + (j << 2), oz = z + (j << 2);
      const q3 = v128.load(v, 256), q4 = v128.load(v, 384);
      p3 = i16x8.add(p3, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o, 64), q3));
      p4 = i16x8.add(p4, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(o, 96), q4));
      r3 = i16x8.add(r3, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(oz, 64), q3));
      r4 = i16x8.add(r4, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load32_splat(oz, 96), q4));
    }
    const s3 = odd ? x6Scale1(u2) : x6Scale0(u2), s4 = odd ? x6Scale3(u2) : x6Scale2(u2);
    t = i32x4.add(t, i32x4.add(i32x4.dot_i16x8_s(p3, s3), i32x4.dot_i16x8_s(p4, s4)));
    x4Z = i32x4.add(x4Z, i32x4.add(i32x4.dot_i16x8_s(r3, s3), i32x4.dot_i16x8_s(r4, s4)));
  }
  return t;
}

// A q6_K group against two q8_K rows x and x + xStride; the first n (up to 4) rows stored
function dotX6KRx2(g: usize, x: usize, xStride: usize, nb: i32, out: usize, outStride: usize, n: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let z = x + xStride;
  for (let b = 0; b < nb; b++) {
    const y = x + 4, yz = z + 4;
    x4Z = i32x4.splat(0);
    let v = x6QuarterRx2(g + 72, y, yz, g + 8, false);
    v = i32x4.add(v, x6QuarterRx2(g + 136, y + 16, yz + 16, g + 8, true));
    v = i32x4.add(v, x6QuarterRx2(g + 584, y + 128, yz + 128, g + 40, false));
    v = i32x4.add(v, x6QuarterRx2(g + 648, y + 144, yz + 144, g + 40, true));
    const d = f16x4(v128.load16x4_u(g));
    a0 = f32x4.add(a0, f32x4.mul(f32x4.mul(f32x4.splat(load<f32>(x)), d), f32x4.convert_i32x4_s(i32x4.sub(v, i32x4.shl(x6BiasQ6_K(g, x + 260), 5)))));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.mul(f32x4.splat(load<f32>(z)), d), f32x4.convert_i32x4_s(i32x4.sub(x4Z, i32x4.shl(x6BiasQ6_K(g, z + 260), 5)))));
    g += X4_Q6_K;
    x += Q8_K_BLOCK;
    z += Q8_K_BLOCK;
  }
  storeLanes(out, a0, n);
  storeLanes(out + outStride, a1, n);
}

// dotQ6_KX for two activation rows x and y at once (prefill), the same bits per token
function dotQ6_KXx2(w: usize, x: usize, y: usize, nb: i32, out: usize, outY: usize): void {
  let sumx: f32 = 0, sumy: f32 = 0;
  const m4 = i8x16.splat(0x0f);
  const m30 = i8x16.splat(0x30);
  for (let b = 0; b < nb; b++) {
    let vx = i32x4.splat(0), vy = i32x4.splat(0);
    for (let n = 0; n < 2; n++) {
      const ql = w + (<usize>n << 6);
      const qh = w + 128 + (<usize>n << 5);
      const sc = w + 192 + (<usize>n << 3);
      for (let is = 0; is < 2; is++) {
        const l = <usize>is << 4;
        const a = v128.load(ql + l);
        const c = v128.load(ql + 32 + l);
        const h = v128.load(qh + l);
        const q1 = v128.or(v128.and(a, m4), v128.and(i16x8.shl(h, 4), m30));
        const q2 = v128.or(v128.and(c, m4), v128.and(i16x8.shl(h, 2), m30));
        const q3 = v128.or(v128.and(i16x8.shr_u(a, 4), m4), v128.and(h, m30));
        const q4 = v128.or(v128.and(i16x8.shr_u(c, 4), m4), v128.and(i16x8.shr_u(h, 2), m30));
        const o = 16 + (((<usize>n << 7) + l) << 1);
        vx = i32x4.add(vx, partQ6_K(q1, q2, q3, q4, x + o, sc + is));
        vy = i32x4.add(vy, partQ6_K(q1, q2, q3, q4, y + o, sc + is));
      }
    }
    const d = f16s(load<u16>(w, 208));
    sumx += load<f32>(x) * d * <f32>(hsumI(vx) - 32 * biasQ6_K(w, x + 528));
    sumy += load<f32>(y) * d * <f32>(hsumI(vy) - 32 * biasQ6_K(w, y + 528));
    w += 210;
    x += Q8_KX_BLOCK;
    y += Q8_KX_BLOCK;
  }
  store<f32>(out, sumx);
  store<f32>(outY, sumy);
}

// 16 unsigned bytes against 16 i16 at y: four i32 partial sums
@inline function dotU8I16(q: v128, y: usize): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(q), v128.load(y)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(q), v128.load(y, 16)));
}

function dotF16(w: usize, x: usize, k: i32): f32 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const a = v128.load(w + (<usize>j << 1));
    const c = v128.load(x + (<usize>j << 1));
    acc = f32x4.add(acc, f32x4.mul(f16x4(i32x4.extend_low_i16x8_u(a)), f16x4(i32x4.extend_low_i16x8_u(c))));
    acc = f32x4.add(acc, f32x4.mul(f16x4(i32x4.extend_high_i16x8_u(a)), f16x4(i32x4.extend_high_i16x8_u(c))));
  }
  let s = hsumF(acc);
  for (; j < k; j++) s += f16(load<u16>(w + (<usize>j << 1))) * f16(load<u16>(x + (<usize>j << 1)));
  return s;
}

// bf16 weights against bf16 activations (quantizeBF16): each half widened to f32 exactly, f32 sums
function dotBF16(w: usize, x: usize, k: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const a = v128.load(w + (<usize>j << 1));
    const c = v128.load(x + (<usize>j << 1));
    acc0 = f32x4.add(acc0, f32x4.mul(i32x4.shl(i32x4.extend_low_i16x8_u(a), 16), i32x4.shl(i32x4.extend_low_i16x8_u(c), 16)));
    acc1 = f32x4.add(acc1, f32x4.mul(i32x4.shl(i32x4.extend_high_i16x8_u(a), 16), i32x4.shl(i32x4.extend_high_i16x8_u(c), 16)));
  }
  let s = hsumF(f32x4.add(acc0, acc1));
  for (; j < k; j++) s += reinterpret<f32>(<u32>load<u16>(w + (<usize>j << 1)) << 16) * reinterpret<f32>(<u32>load<u16>(x + (<usize>j << 1)) << 16);
  return s;
}

function dotF32(w: usize, x: usize, k: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const o = <usize>j << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(w + o), v128.load(x + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(w + o, 16), v128.load(x + o, 16)));
  }
  let s = hsumF(f32x4.add(acc0, acc1));
  for (; j < k; j++) s += load<f32>(w + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
  return s;
}

// ggml type ids (ggml.h enum ggml_type)
const F32 = 0;
const F16 = 1;
const Q4_0 = 2;
const Q4_1 = 3;
const Q5_0 = 6;
const Q5_1 = 7;
const Q8_0 = 8;
const Q2_K = 10;
const Q3_K = 11;
const Q4_K = 12;
const Q5_K = 13;
const Q6_K = 14;
const IQ4_NL = 20;
const IQ4_XS = 23;
const BF16 = 30;

function dot(type: i32, w: usize, x: usize, k: i32): f32 {
  switch (type) {
    case Q4_0: return dotQ4_0X(w, x, k >> 5);
    case Q4_1: return dotQ4_1(w, x, k >> 5);
    case Q5_0: return dotQ5_0(w, x, k >> 5);
    case Q5_1: return dotQ5_1(w, x, k >> 5);
    case Q8_0: return dotQ8_0X(w, x, k >> 5);
    case IQ4_NL: return dotIQ4_NL(w, x, k >> 5);
    case IQ4_XS: return dotIQ4_XS(w, x, k >> 8);
    case Q2_K: return dotQ2_K(w, x, k >> 8);
    case Q3_K: return dotQ3_K(w, x, k >> 8);
    case Q4_K: return dotQ4_KX(w, x, k >> 8);
    case Q5_K: return dotQ5_K(w, x, k >> 8);
    case Q6_K: return dotQ6_KX(w, x, k >> 8);
    case F16: return dotF16(w, x, k);
    case BF16: return dotBF16(w, x, k);
    default: return dotF32(w, x, k);
  }
}

// ---------------------------------------------------------------------------------------------------
// matrix products. A job list (u32 records of MATMUL_JOB words) shares one split of all their rows
// across threads, so q/k/v or gate/up run as one dispatch:
//   [type, w, rowBytes, nRows, k, xq, xStride, nTok, out, outStride(floats), validRows]
// A type with X4_LAYOUT set is a q4_0/q8_0 matrix in the interleaved layout: nRows is then its row
// count rounded up to a multiple of 4, and only the first validRows rows are written. With
// RELAXED_ACTIVATIONS also set (modules built with relaxed SIMD only) the activations are q8_0r and
// the relaxed-SIMD kernels multiply (a q4_0 matrix then in repackX4's bytes4 layout).
// out[t * outStride + r] = W[r] . xq[t]. Rows are taken in tiles so a tile of weight rows stays in
// cache while every token's activation row passes over it.

const MATMUL_JOB: usize = 11;
const X4_LAYOUT = 0x100;
const RELAXED_ACTIVATIONS = 0x200;
const NORMAL_SCALES = 0x400; // an x4 matrix without f16-subnormal block scales (f16x4n)
const TILE = 16;

// The jobs' rows, concatenated, are shared out in contiguous ranges cut at multiples of 4 rows: one
// range per thread, or with DYNAMIC set in the first job (decode) and more than one thread, chunks of
// CHUNK rows that each thread claims in turn from the u32 counter after the job records (the caller
// zeroes it), so that a thread that runs slower (the two cores of a VM differ by 10-20% from minute to
// minute) takes fewer. (One thread keeps its whole range: its streams run longer.)
const DYNAMIC = 0x800;
const CHUNK = 96; // rows: 24 groups of 4, six runs of four for dotX4Streams, four of six for dotX4KStreams and dotX6KStreams, eight of twelve for dotKStreams
export function matmul(tid: i32, nth: i32, jobs: usize, nJobs: i32): void {
  let total = 0;
  for (let j = 0; j < nJobs; j++) total += <i32>load<u32>(jobs + (<usize>j * MATMUL_JOB + 3) * 4);
  if (nth > 1 && (load<u32>(jobs) & DYNAMIC) != 0) {
    const counter = jobs + <usize>nJobs * MATMUL_JOB * 4;
    const nChunks = <u32>((total + CHUNK - 1) / CHUNK);
    for (;;) {
      const c = atomic.add<u32>(counter, 1);
      if (c >= nChunks) break;
      matmulRows(jobs, nJobs, <i32>c * CHUNK, min(total, (<i32>c + 1) * CHUNK));
    }
    return;
  }
  const per = (((total + nth - 1) / nth + 3) >> 2) << 2;
  const g0 = min(total, tid * per);
  matmulRows(jobs, nJobs, g0, min(total, g0 + per));
}

// rows g0 .. g1 of the jobs' concatenated rows (g0 a multiple of 4)
function matmulRows(jobs: usize, nJobs: i32, g0: i32, g1: i32): void {
  let base = 0;
  for (let j = 0; j < nJobs; j++) {
    const rec = jobs + <usize>j * MATMUL_JOB * 4;
    const nRows = <i32>load<u32>(rec, 12);
    const r0 = max(g0 - base, 0);
    const r1 = min(g1 - base, nRows);
    base += nRows;
    if (r0 >= r1) continue;
    const typeWord = <i32>load<u32>(rec);
    const type = typeWord & 0xff;
    const w = <usize>load<u32>(rec, 4);
    const rowBytes = <usize>load<u32>(rec, 8);
    const k = <i32>load<u32>(rec, 16);
    const xq = <usize>load<u32>(rec, 20);
    const xStride = <usize>load<u32>(rec, 24);
    const nTok = <i32>load<u32>(rec, 28);
    const out = <usize>load<u32>(rec, 32);
    const outStride = <usize>load<u32>(rec, 36) << 2;
    const pairs = type == Q4_0 || type == Q8_0;
    // rows to prefetch ahead: the next pair (or row) when each row is used once, the next tile when a
    // tile serves many tokens (then only during the first token's pass)
    const ahead = nTok <= 2 ? (pairs ? 8 : 4) : TILE;
    if ((typeWord & X4_LAYOUT) != 0) {
      // rows r0 .. r1 start at a multiple of 4: the split cuts there, and x4 row counts are padded
      if (ASC_FEATURE_RELAXED_SIMD) {
        if (type == Q4_K || type == Q6_K) {
          // x4 q4_K and q6_K (relaxed modules only): decode in X4K_STREAMS runs as q4_0 below, prefill two
          // tokens a pass
          const q6 = type == Q6_K;
          const nbK = k >> 8;
          const gsK = <usize>nbK * (q6 ? X4_Q6_K : X4_Q4_K);
          const validK = <i32>load<u32>(rec, 40);
          if (nTok == 1) {
            const nG = (r1 - r0) >> 2;
            const q = (nG + X4K_STREAMS - 1) / X4K_STREAMS;
            const runRows = q << 2;
            for (let i = 0; i < q; i++) {
              const ra = r0 + (i << 2);
              if (ra + (X4K_STREAMS - 1) * runRows < r1) {
                if (q6) dotX6KStreams(w + <usize>(ra >> 2) * gsK, <usize>q * gsK, xq, nbK, out + (<usize>ra << 2), <usize>runRows << 2, validK - ra, runRows);
                else dotX4KStreams(w + <usize>(ra >> 2) * gsK, <usize>q * gsK, xq, nbK, out + (<usize>ra << 2), <usize>runRows << 2, validK - ra, runRows);
              } else {
                for (let r = ra; r < r1; r += runRows) {
                  if (q6) dotX6KR(w + <usize>(r >> 2) * gsK, xq, nbK, out + (<usize>r << 2), validK - r);
                  else dotX4KR(w + <usize>(r >> 2) * gsK, xq, xStride, 1, nbK, out + (<usize>r << 2), outStride, validK - r);
                }
              }
            }
          } else {
            for (let rt = r0; rt < r1; rt += TILE) {
              const re = min(rt + TILE, r1);
              for (let t = 0; t < nTok; t += 2) {
                const xr = xq + <usize>t * xStride;
                const orow = out + <usize>t * outStride;
                for (let r = rt; r < re; r += 4) {
                  const gr = w + <usize>(r >> 2) * gsK;
                  const o = orow + (<usize>r << 2);
                  if (!q6) dotX4KR(gr, xr, xStride, min(nTok - t, 2), nbK, o, outStride, validK - r);
                  else if (t + 1 < nTok) dotX6KRx2(gr, xr, xStride, nbK, o, outStride, validK - r);
                  else dotX6KR(gr, xr, nbK, o, validK - r);
                }
              }
            }
          }
          continue;
        }
      }
      const nb = k >> 5;
      const groupStride = <usize>nb * (type == Q4_0 ? X4_Q4_0 : X4_Q8_0);
      const valid = <i32>load<u32>(rec, 40);
      const relaxed = (typeWord & RELAXED_ACTIVATIONS) != 0;
      if (ASC_FEATURE_RELAXED_SIMD) {
        if (relaxed && nTok == 1) {
          // decode: this thread's groups cut into X4_STREAMS runs of q groups, walked side by side
          // (dotX4Streams); when the groups do not fill the runs the last ones go one by one
          const nG = (r1 - r0) >> 2;
          const q = (nG + X4_STREAMS - 1) / X4_STREAMS;
          const runRows = q << 2;
          for (let i = 0; i < q; i++) {
            const ra = r0 + (i << 2);
            if (ra + (X4_STREAMS - 1) * runRows < r1) {
              dotX4Streams(type == Q8_0, (typeWord & NORMAL_SCALES) != 0, w + <usize>(ra >> 2) * groupStride, <usize>q * groupStride, xq, nb, out + (<usize>ra << 2), <usize>runRows << 2, valid - ra, runRows);
            } else {
              for (let r = ra; r < r1; r += runRows) dotX4R(type == Q8_0, w + <usize>(r >> 2) * groupStride, xq, xStride, 1, nb, out + (<usize>r << 2), outStride, valid - r);
            }
          }
          continue;
        }
      }
      for (let rt = r0; rt < r1; rt += TILE) {
        const re = min(rt + TILE, r1);
        // tokens: four at a time with the relaxed kernels, two with the plain ones
        for (let t = 0; t < nTok; t += relaxed ? 4 : 2) {
          const two = t + 1 < nTok;
          const xr = xq + <usize>t * xStride;
          const orow = out + <usize>t * outStride;
          for (let r = rt; r < re; r += 4) {
            const g = w + <usize>(r >> 2) * groupStride;
            const o = orow + (<usize>r << 2);
            if (ASC_FEATURE_RELAXED_SIMD) {
              if (relaxed) {
                dotX4R(type == Q8_0, g, xr, xStride, min(nTok - t, 4), nb, o, outStride, valid - r);
                continue;
              }
            }
            if (two) {
              if (type == Q4_0) dotX4Q4_0x2(g, xr, xr + xStride, nb, o, o + outStride, valid - r);
              else dotX4Q8_0x2(g, xr, xr + xStride, nb, o, o + outStride, valid - r);
            } else {
              // two groups ahead: the next rows of this thread's range, streamed in while these multiply
              prefetchAhead = t == 0 && r + 12 <= nRows ? 2 * groupStride : 0;
              if (type == Q4_0) dotX4Q4_0(g, xr, nb, o, valid - r);
              else dotX4Q8_0(g, xr, nb, o, valid - r);
            }
          }
        }
      }
      continue;
    }
    if (ASC_FEATURE_RELAXED_SIMD) {
      if (type == Q2_K || type == Q3_K || type == Q5_K || (type == IQ4_XS && nTok > 1)) {
        // q2_K, q3_K, q5_K and iq4_xs against q8_K with the relaxed products, up to four tokens per unpacked
        // block (one token of iq4_xs goes faster through the plain dotIQ4_XS: its products in a
        // TinyLlama-shaped decode step took 47 against 65 ms)
        const nbK = k >> 8;
        if (nTok == 1 && type != IQ4_XS) {
          // decode: this thread's rows cut into four runs of q rows, walked side by side (dotKR3Streams)
          const q = (r1 - r0 + 3) >> 2;
          for (let i = 0; i < q; i++) {
            const ra = r0 + i;
            if (ra + 3 * q < r1) {
              dotKR3Streams(type, w + <usize>ra * rowBytes, <usize>q * rowBytes, xq, nbK, out + (<usize>ra << 2), <usize>q << 2);
            } else {
              for (let r = ra; r < r1; r += q) {
                const wr = w + <usize>r * rowBytes, o = out + (<usize>r << 2);
                if (type == Q2_K) dotQ2_KRn(wr, xq, xStride, 1, nbK, o, outStride);
                else if (type == Q3_K) dotQ3_KRn(wr, xq, xStride, 1, nbK, o, outStride);
                else dotQ5_KRn(wr, xq, xStride, 1, nbK, o, outStride);
              }
            }
          }
          continue;
        }
        for (let rt = r0; rt < r1; rt += TILE) {
          const re = min(rt + TILE, r1);
          for (let t = 0; t < nTok; t += 4) {
            const xr = xq + <usize>t * xStride;
            const orow = out + <usize>t * outStride;
            for (let r = rt; r < re; r++) {
              if (type == Q2_K) dotQ2_KRn(w + <usize>r * rowBytes, xr, xStride, min(nTok - t, 4), nbK, orow + (<usize>r << 2), outStride);
              else if (type == IQ4_XS) dotIQ4_XSRn(w + <usize>r * rowBytes, xr, xStride, min(nTok - t, 4), nbK, orow + (<usize>r << 2), outStride);
              else if (type == Q5_K) dotQ5_KRn(w + <usize>r * rowBytes, xr, xStride, min(nTok - t, 4), nbK, orow + (<usize>r << 2), outStride);
              else dotQ3_KRn(w + <usize>r * rowBytes, xr, xStride, min(nTok - t, 4), nbK, orow + (<usize>r << 2), outStride);
            }
          }
        }
        continue;
      }
      if (nTok == 1 && (type == Q6_K || type == Q4_K) && (typeWord & RELAXED_ACTIVATIONS) != 0) {
        // decode against q8_K with the relaxed products, in STREAMS runs as below
        const q = (r1 - r0 + STREAMS - 1) / STREAMS;
        for (let i = 0; i < q; i++) {
          const ra = r0 + i;
          if (ra + (STREAMS - 1) * q < r1) {
            dotKRStreams(type == Q6_K, w + <usize>ra * rowBytes, <usize>q * rowBytes, xq, k >> 8, out + (<usize>ra << 2), <usize>q << 2);
          } else {
            for (let r = ra; r < r1; r += q) store<f32>(out + (<usize>r << 2), dotKR(type == Q6_K, w + <usize>r * rowBytes, xq, k >> 8));
          }
        }
        continue;
      }
    }
    if (nTok == 1 && (type == Q4_K || type == Q6_K)) {
      // decode: this thread's rows cut into STREAMS runs of q rows, walked side by side (dotKStreams)
      const q = (r1 - r0 + STREAMS - 1) / STREAMS;
      for (let i = 0; i < q; i++) {
        const ra = r0 + i;
        if (ra + (STREAMS - 1) * q < r1) {
          dotKStreams(type == Q6_K, w + <usize>ra * rowBytes, <usize>q * rowBytes, xq, k >> 8, out + (<usize>ra << 2), <usize>q << 2);
        } else {
          prefetchAhead = 0;
          for (let r = ra; r < r1; r += q) store<f32>(out + (<usize>r << 2), dot(type, w + <usize>r * rowBytes, xq, k));
        }
      }
      continue;
    }
    for (let rt = r0; rt < r1; rt += TILE) {
      const re = min(rt + TILE, r1);
      if (pairs) {
        // two rows by two tokens at a time (an odd last row or token takes the plain path below)
        const re2 = rt + ((re - rt) & ~1);
        for (let t = 0; t < nTok; t += 2) {
          const two = t + 1 < nTok;
          const xr = xq + <usize>t * xStride;
          const orow = out + <usize>t * outStride;
          for (let r = rt; r < re2; r += 2) {
            const wr = w + <usize>r * rowBytes;
            prefetchAhead = t == 0 && r + 1 + ahead < nRows ? <usize>ahead * rowBytes : 0;
            if (type == Q4_0) dotQ4_0X2x2(wr, wr + rowBytes, xr, xr + xStride, k >> 5, two, orow + (<usize>r << 2), outStride);
            else dotQ8_0X2x2(wr, wr + rowBytes, xr, xr + xStride, k >> 5, two, orow + (<usize>r << 2), outStride);
          }
          for (let r = re2; r < re; r++) {
            prefetchAhead = t == 0 && r + ahead < nRows ? <usize>ahead * rowBytes : 0;
            store<f32>(orow + (<usize>r << 2), dot(type, w + <usize>r * rowBytes, xr, k));
            if (two) store<f32>(orow + outStride + (<usize>r << 2), dot(type, w + <usize>r * rowBytes, xr + xStride, k));
          }
        }
        continue;
      }
      if (ASC_FEATURE_RELAXED_SIMD) {
        if (nTok > 1 && (type == Q4_K || type == Q6_K) && (typeWord & RELAXED_ACTIVATIONS) != 0) {
          // four tokens at a time against ggml's q8_K, each weight block unpacked once for them
          for (let t = 0; t < nTok; t += 4) {
            const xr = xq + <usize>t * xStride;
            const orow = out + <usize>t * outStride;
            for (let r = rt; r < re; r++) {
              dotKRn(type == Q6_K, w + <usize>r * rowBytes, xr, xStride, min(nTok - t, 4), k >> 8, orow + (<usize>r << 2), outStride);
            }
          }
          continue;
        }
      }
      if (nTok > 1 && (type == Q4_K || type == Q6_K)) {
        // two tokens at a time: each weight block is unpacked once for both
        for (let t = 0; t < nTok; t += 2) {
          const xr = xq + <usize>t * xStride;
          const orow = out + <usize>t * outStride;
          for (let r = rt; r < re; r++) {
            const wr = w + <usize>r * rowBytes;
            const o = orow + (<usize>r << 2);
            if (t + 1 < nTok) {
              if (type == Q4_K) dotQ4_KXx2(wr, xr, xr + xStride, k >> 8, o, o + outStride);
              else dotQ6_KXx2(wr, xr, xr + xStride, k >> 8, o, o + outStride);
            } else {
              prefetchAhead = 0;
              store<f32>(o, dot(type, wr, xr, k));
            }
          }
        }
        continue;
      }
      for (let t = 0; t < nTok; t++) {
        const xr = xq + <usize>t * xStride;
        const orow = out + <usize>t * outStride;
        for (let r = rt; r < re; r++) {
          prefetchAhead = t == 0 && r + ahead < nRows ? <usize>ahead * rowBytes : 0;
          store<f32>(orow + (<usize>r << 2), dot(type, w + <usize>r * rowBytes, xr, k));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Byte fill and copy by plain loads and stores. The kernels avoid memory.fill and memory.copy: V8 checks
// those against a size each thread caches for a shared memory and refreshes only when it handles the
// interrupt a grow sends, so a worker could trap on pages another thread has just added; plain loads
// and stores are checked by the memory's guard region and see every page that exists.

function zeroBytes(p: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(p + i, i32x4.splat(0));
  for (; i < n; i++) store<u8>(p + i, 0);
}

/** Copies n bytes from src to dst (the ranges do not overlap). */
function copyBytes(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

// Rewrites a matrix of ggml type `type` (q4_0 or q8_0; q4_K or q6_K for the relaxed kernels) in place
// into the x4 layout, four rows (a group) at a time: the group is copied to this thread's scratch
// (4 * rowBytes at scratch + tid * scratchStride), then written back interleaved. Groups are split
// across threads. Notes at flag whether a q4_0/q8_0 block scale is an f16 subnormal. With bytes4 set
// (q4_0 for the relaxed kernels, see tokenQ4_0R) the four rows' quants interleave four bytes at a time:
// the block's bytes 8 + 16 * v + 4 * r .. + 3 are row r's quant bytes 4 * v .. 4 * v + 3. The q4_K and
// q6_K layouts are described at X4_Q4_K and X4_Q6_K.
export function repackX4(tid: i32, nth: i32, w: usize, rowBytes: u32, nGroups: i32, type: i32, scratch: usize, scratchStride: u32, flag: usize, bytes4: i32): void {
  if (type == Q6_K) {
    if (tid == 0) repackX6(w, rowBytes, nGroups, scratch);
    return;
  }
  const blockBytes: u32 = type == Q4_K ? X4_Q4_K / 4 : type == Q8_0 ? X4_Q8_0 / 4 : X4_Q4_0 / 4;
  const sc = scratch + <usize>tid * scratchStride;
  const nb = rowBytes / blockBytes;
  const qs = <usize>blockBytes - 2;
  let subnormal = false;
  for (let gi = tid; gi < nGroups; gi += nth) {
    const g = w + <usize>gi * 4 * rowBytes;
    copyBytes(sc, g, 4 * <usize>rowBytes);
    for (let b: u32 = 0; b < nb; b++) {
      const dst = g + <usize>b * 4 * blockBytes;
      for (let i: u32 = 0; i < 4; i++) {
        const src = sc + <usize>i * rowBytes + <usize>b * blockBytes;
        if (type == Q4_K) {
          // q4_K (see X4_Q4_K): d, dmin, the three scale words, the quants four bytes at a time
          const r = <usize>i;
          store<u16>(dst + (r << 1), load<u16>(src));
          store<u16>(dst + 8 + (r << 1), load<u16>(src, 2));
          for (let t: usize = 0; t < 3; t++) store<u32>(dst + 16 + (t << 4) + (r << 2), load<u32>(src + 4 + (t << 2)));
          for (let j: usize = 0; j < 32; j++) store<u32>(dst + 64 + (j << 4) + (r << 2), load<u32>(src + 16 + (j << 2)));
          continue;
        }
        const d = load<u16>(src);
        if ((d & 0x7c00) == 0 && (d & 0x3ff) != 0) subnormal = true;
        store<u16>(dst + (<usize>i << 1), d);
        if (bytes4 != 0) {
          for (let v: usize = 0; v < qs >> 2; v++) store<u32>(dst + 8 + (v << 4) + (<usize>i << 2), load<u32>(src + 2 + (v << 2)));
        } else {
          copyBytes(dst + 8 + <usize>i * qs, src + 2, qs);
        }
      }
    }
  }
  // the u32 at flag: 1 when some scale is an f16 subnormal (threads only ever store 1)
  if (subnormal) atomic.store<u32>(flag, 1);
}

// the four 4-byte lanes of v to p, p + 16, p + 32, p + 48 (one row's place in four x4 vectors)
@inline function storeQuads(p: usize, v: v128): void {
  v128.store32_lane(p, v, 0);
  v128.store32_lane(p, v, 1, 16);
  v128.store32_lane(p, v, 2, 32);
  v128.store32_lane(p, v, 3, 48);
}

// q6_K rows (210-byte blocks: ql[128], qh[64], scales[16], d) -> the X4_Q6_K layout, in place. Each
// group's 1096 * nb bytes run past its 840 * nb of input, so the groups go from the last down, on one
// thread, each copied to the scratch (four rows) first.
function repackX6(w: usize, rowBytes: u32, nGroups: i32, sc: usize): void {
  const nb = rowBytes / 210;
  const m4 = i8x16.splat(0x0f), m30 = i8x16.splat(0x30);
  for (let gi = nGroups - 1; gi >= 0; gi--) {
    copyBytes(sc, w + <usize>gi * 4 * rowBytes, 4 * <usize>rowBytes);
    const out = w + <usize>gi * nb * X4_Q6_K;
    for (let b: u32 = 0; b < nb; b++) {
      const dst = out + <usize>b * X4_Q6_K;
      for (let r: usize = 0; r < 4; r++) {
        const src = sc + r * rowBytes + <usize>b * 210;
        store<u16>(dst + (r << 1), load<u16>(src, 208));
        for (let j: usize = 0; j < 4; j++) store<u32>(dst + 8 + (j << 4) + (r << 2), load<u32>(src + 192 + (j << 2)));
        // value v of the block (as dequantize_row_q6_K orders them) at 72 + 16 * (v / 4) + 4 * r + v % 4:
        // sixteen values of each run at a time, unpacked from ql/qh on lanes, then four bytes a store
        for (let n: usize = 0; n < 2; n++) {
          for (let l: usize = 0; l < 32; l += 16) {
            const a = v128.load(src + (n << 6) + l), c = v128.load(src + (n << 6) + 32 + l), h = v128.load(src + 128 + (n << 5) + l);
            const at = dst + 72 + (r << 2) + (((n << 7) + l) << 2); // value 128n + l
            storeQuads(at, v128.or(v128.and(a, m4), v128.and(i16x8.shl(h, 4), m30)));
            storeQuads(at + 128, v128.or(v128.and(c, m4), v128.and(i16x8.shl(h, 2), m30)));
            storeQuads(at + 256, v128.or(v128.and(i16x8.shr_u(a, 4), m4), v128.and(h, m30)));
            storeQuads(at + 384, v128.or(v128.and(i16x8.shr_u(c, 4), m4), v128.and(i16x8.shr_u(h, 2), m30)));
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// attention over the KV cache for nTok query tokens at positions pos0 .. pos0+nTok-1, every head;
// (token, head) pairs are split across threads. K rows: (n_ctx, nHeadKv * headK), V rows likewise,
// f32 or f16 (kvF16). With an f16 cache, q arrives rounded to f16 (the caller does it) and the
// attention weights are rounded to f16 here, as ggml converts them to the cache's type for the products.
// scratch: nth rows of scratchStride floats for the scores.

export function attention(
  tid: i32, nth: i32,
  q: usize, qStride: u32, kc: usize, vc: usize, kvStrideK: u32, kvStrideV: u32, out: usize, outStride: u32,
  nTok: i32, pos0: i32, nHead: i32, nHeadKv: i32, headK: i32, headV: i32,
  scale: f32, softcap: f32, window: i32, kvF16: i32, scratch: usize, scratchStride: u32,
): void {
  const group = nHead / nHeadKv;
  const att = scratch + <usize>tid * scratchStride * 4;
  if (nTok * nHeadKv >= nth) {
    attentionGrouped(tid, nth, q, qStride, kc, vc, kvStrideK, kvStrideV, out, outStride, nTok, pos0, nHead, nHeadKv, headK, headV, scale, softcap, window, kvF16 != 0, att, scratchStride);
    return;
  }
  const items = nTok * nHead;
  const elK: usize = kvF16 ? 2 : 4;
  for (let it = tid; it < items; it += nth) {
    const t = it / nHead;
    const h = it % nHead;
    const pos = pos0 + t;
    const first = window > 0 ? max(0, pos - window + 1) : 0;
    const kvh = h / group;
    const qh = q + (<usize>t * qStride + <usize>h * headK) * 4;
    // scores: q . k * scale (soft-capped for gemma2)
    let mx: f32 = -Infinity;
    for (let p = first; p <= pos; p++) {
      const kr = kc + (<usize>p * kvStrideK + <usize>kvh * headK) * elK;
      let s: f32 = kvF16 ? dotF32F16(qh, kr, headK) : dotF32(qh, kr, headK);
      s *= scale;
      if (softcap > 0) s = softcap * <f32>Math.tanh(<f64>(s / softcap));
      store<f32>(att + (<usize>(p - first) << 2), s);
      if (s > mx) mx = s;
    }
    // softmax (sum in f64 as ggml_vec_soft_max_f32 does)
    const n = pos - first + 1;
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) {
      const e = Mathf.exp(load<f32>(att + (<usize>i << 2)) - mx);
      store<f32>(att + (<usize>i << 2), e);
      sum += e;
    }
    const inv = <f32>(1.0 / sum);
    for (let i = 0; i < n; i++) {
      let a = load<f32>(att + (<usize>i << 2)) * inv;
      if (kvF16) a = f16(f32tof16(a));
      store<f32>(att + (<usize>i << 2), a);
    }
    // weighted sum of the values
    const o = out + (<usize>t * outStride + <usize>h * headV) * 4;
    zeroBytes(o, <usize>headV * 4);
    for (let p = first; p <= pos; p++) {
      const a = f32x4.splat(load<f32>(att + (<usize>(p - first) << 2)));
      const as = load<f32>(att + (<usize>(p - first) << 2));
      if (kvF16) {
        const vr = vc + (<usize>p * kvStrideV + <usize>kvh * headV) * 2;
        let i = 0;
        for (; i + 8 <= headV; i += 8) {
          const hv = v128.load(vr + (<usize>i << 1));
          const op = o + (<usize>i << 2);
          v128.store(op, f32x4.add(v128.load(op), f32x4.mul(a, f16x4(i32x4.extend_low_i16x8_u(hv)))));
          v128.store(op, f32x4.add(v128.load(op, 16), f32x4.mul(a, f16x4(i32x4.extend_high_i16x8_u(hv)))), 16);
        }
        for (; i < headV; i++) store<f32>(o + (<usize>i << 2), load<f32>(o + (<usize>i << 2)) + as * f16(load<u16>(vr + (<usize>i << 1))));
      } else {
        const vr = vc + (<usize>p * kvStrideV + <usize>kvh * headV) * 4;
        let i = 0;
        for (; i + 4 <= headV; i += 4) {
          const op = o + (<usize>i << 2);
          v128.store(op, f32x4.add(v128.load(op), f32x4.mul(a, v128.load(vr + (<usize>i << 2)))));
        }
        for (; i < headV; i++) store<f32>(o + (<usize>i << 2), load<f32>(o + (<usize>i << 2)) + as * load<f32>(vr + (<usize>i << 2)));
      }
    }
  }
}

// Attention with the query heads that share a KV head together: (token block, KV head) pairs are split
// across threads, and over an f16 cache each K and V row is converted to f32 once for the whole group
// (eight heads in TinyLlama) and, in prefill, for up to ATT_TOKENS consecutive tokens, instead of once
// per head and token; the conversion was most of the work. The same operations in the same order per
// token and head as the loop above, so the same bits, arranged so that the heads' sums run side by side
// instead of one dependent chain at a time:
// - scores: four heads' dot products with a K row in one pass over it, each head's sum in the loop's
//   order (dotF32Seq4 for an f16 cache, dotF32x4 for an f32 one);
// - values: up to ATT_ROWS V rows converted at a time, then each head's output, 32 floats at a time,
//   kept in eight registers while the rows' weighted values are added to it in position order (the loop
//   above adds them into memory one row at a time: the same additions in the same order).
// An f32 cache's rows are read where they are. att: this thread's scratch (scratchStride floats): a
// block's scores, ATT_TOKENS * group rows of n_ctx + 8 at most, then the converted rows (the backend
// reserves ATT_ROWS rows of max(headK, headV) floats).
export const ATT_ROWS = 32;
export const ATT_TOKENS = 4;
function attentionGrouped(
  tid: i32, nth: i32,
  q: usize, qStride: u32, kc: usize, vc: usize, kvStrideK: u32, kvStrideV: u32, out: usize, outStride: u32,
  nTok: i32, pos0: i32, nHead: i32, nHeadKv: i32, headK: i32, headV: i32,
  scale: f32, softcap: f32, window: i32, f16kv: bool, att: usize, scratchStride: u32,
): void {
  const group = nHead / nHeadKv;
  // tokens a block: up to ATT_TOKENS while every thread still gets two blocks or more
  const tb = max(1, min(ATT_TOKENS, nTok * nHeadKv / (2 * nth)));
  const nBlocks = (nTok + tb - 1) / tb;
  const elK: usize = f16kv ? 2 : 4;
  // V rows as the products read them: converted (headV floats apart) or in the cache
  const vStride: usize = f16kv ? <usize>headV << 2 : <usize>kvStrideV << 2;
  for (let it = tid; it < nBlocks * nHeadKv; it += nth) {
    const t0 = (it / nHeadKv) * tb;
    const kvh = it % nHeadKv;
    const tn = min(tb, nTok - t0);
    // rows first .. last cover every token of the block; the last token sees the most of them
    const last = pos0 + t0 + tn - 1;
    const first = window > 0 ? max(0, pos0 + t0 - window + 1) : 0;
    const rowN = (last - (window > 0 ? max(0, last - window + 1) : 0) + 1 + 7) & ~7;
    const tokStride = group * rowN; // floats of one token's scores
    const rows = att + (<usize>(tn * tokStride) << 2); // converted K or V rows
    const chunk = min(ATT_ROWS, (<i32>scratchStride - tn * tokStride) / max(headK, headV));
    if (chunk < 1) unreachable(); // a scratch smaller than the backend reserves (attentionScratch): trap, not loop
    // scores of every head of the group, for each token whose window holds row p
    for (let p = first; p <= last; p++) {
      let kr = kc + (<usize>p * kvStrideK + <usize>kvh * headK) * elK;
      if (f16kv) {
        f16RowToF32(kr, rows, headK);
        kr = rows;
      }
      for (let tt = 0; tt < tn; tt++) {
        const pos = pos0 + t0 + tt;
        const from = window > 0 ? max(0, pos - window + 1) : 0;
        if (p < from || p > pos) continue;
        const q0 = q + (<usize>(t0 + tt) * qStride + <usize>kvh * group * headK) * 4;
        const sp = att + (<usize>(tt * tokStride + p - from) << 2);
        let g = 0;
        if (f16kv) {
          for (; g + 4 <= group; g += 4) dotF32Seq4(q0 + (<usize>g * headK << 2), <usize>headK << 2, kr, headK, sp + (<usize>g * rowN << 2), <usize>rowN << 2, scale, softcap);
          for (; g < group; g++) store<f32>(sp + (<usize>g * rowN << 2), score(dotF32Seq(q0 + (<usize>g * headK << 2), kr, headK), scale, softcap));
        } else {
          for (; g + 4 <= group; g += 4) dotF32x4(q0 + (<usize>g * headK << 2), <usize>headK << 2, kr, headK, sp + (<usize>g * rowN << 2), <usize>rowN << 2, scale, softcap);
          for (; g < group; g++) store<f32>(sp + (<usize>g * rowN << 2), score(dotF32(q0 + (<usize>g * headK << 2), kr, headK), scale, softcap));
        }
      }
    }
    // softmax per token and head (sum in f64 as ggml_vec_soft_max_f32 does), weights rounded to f16 for
    // an f16 cache
    for (let tt = 0; tt < tn; tt++) {
      const pos = pos0 + t0 + tt;
      const n = pos - (window > 0 ? max(0, pos - window + 1) : 0) + 1;
      for (let g = 0; g < group; g++) {
        const ag = att + (<usize>(tt * tokStride + g * rowN) << 2);
        let mx: f32 = -Infinity;
        for (let i = 0; i < n; i++) {
          const v = load<f32>(ag + (<usize>i << 2));
          if (v > mx) mx = v;
        }
        let sum: f64 = 0;
        for (let i = 0; i < n; i++) {
          const e = Mathf.exp(load<f32>(ag + (<usize>i << 2)) - mx);
          store<f32>(ag + (<usize>i << 2), e);
          sum += e;
        }
        const inv = <f32>(1.0 / sum);
        const iv = f32x4.splat(inv);
        let i = 0;
        if (f16kv) {
          for (; i + 4 <= n; i += 4) v128.store(ag + (<usize>i << 2), roundF16x4(f32x4.mul(v128.load(ag + (<usize>i << 2)), iv)));
          for (; i < n; i++) store<f32>(ag + (<usize>i << 2), f16(f32tof16(load<f32>(ag + (<usize>i << 2)) * inv)));
        } else {
          for (; i + 4 <= n; i += 4) v128.store(ag + (<usize>i << 2), f32x4.mul(v128.load(ag + (<usize>i << 2)), iv));
          for (; i < n; i++) store<f32>(ag + (<usize>i << 2), load<f32>(ag + (<usize>i << 2)) * inv);
        }
        zeroBytes(out + (<usize>(t0 + tt) * outStride + (<usize>kvh * group + g) * headV) * 4, <usize>headV << 2);
      }
    }
    // weighted sums of the values, ATT_ROWS rows at a time
    for (let p0 = first; p0 <= last; p0 += chunk) {
      const pn = min(chunk, last + 1 - p0);
      let vr = vc + (<usize>p0 * kvStrideV + <usize>kvh * headV) * 4;
      if (f16kv) {
        for (let r = 0; r < pn; r++) f16RowToF32(vc + (<usize>(p0 + r) * kvStrideV + <usize>kvh * headV) * 2, rows + <usize>r * vStride, headV);
        vr = rows;
      }
      for (let tt = 0; tt < tn; tt++) {
        const pos = pos0 + t0 + tt;
        const from = window > 0 ? max(0, pos - window + 1) : 0;
        const lo = max(p0, from), cnt = min(p0 + pn - 1, pos) - lo + 1;
        if (cnt <= 0) continue;
        const rs = vr + <usize>(lo - p0) * vStride;
        for (let g = 0; g < group; g++) {
          const a = att + (<usize>(tt * tokStride + g * rowN + lo - from) << 2);
          const o = out + (<usize>(t0 + tt) * outStride + (<usize>kvh * group + g) * headV) * 4;
          addRows(o, a, rs, vStride, cnt, headV);
        }
      }
    }
  }
}

// o[0..k] += a[r] * rows[r][0..k] for r = 0 .. n-1 in order (rows `stride` bytes apart)
function addRows(o: usize, a: usize, rows: usize, stride: usize, n: i32, k: i32): void {
  let i = 0;
  for (; i + 32 <= k; i += 32) addRows32(o + (<usize>i << 2), a, rows + (<usize>i << 2), stride, n);
  for (; i + 4 <= k; i += 4) {
    const op = o + (<usize>i << 2);
    let acc = v128.load(op);
    for (let r = 0; r < n; r++) acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(a + (<usize>r << 2))), v128.load(rows + <usize>r * stride + (<usize>i << 2))));
    v128.store(op, acc);
  }
  for (; i < k; i++) {
    const op = o + (<usize>i << 2);
    let acc = load<f32>(op);
    for (let r = 0; r < n; r++) acc += load<f32>(a + (<usize>r << 2)) * load<f32>(rows + <usize>r * stride + (<usize>i << 2));
    store<f32>(op, acc);
  }
}

// a score: q . k times the scale, soft-capped (gemma2) when softcap > 0
@inline function score(dot: f32, scale: f32, softcap: f32): f32 {
  let s = dot * scale;
  if (softcap > 0) s = softcap * <f32>Math.tanh(<f64>(s / softcap));
  return s;
}

// dotF32Seq of four rows x, x + xs, x + 2xs, x + 3xs with y (each sum in dotF32Seq's order), as scores
// to out, out + os, out + 2os, out + 3os
function dotF32Seq4(x: usize, xs: usize, y: usize, k: i32, out: usize, os: usize, scale: f32, softcap: f32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const o = <usize>j << 2;
    const y0 = v128.load(y + o), y1 = v128.load(y + o, 16);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), y0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x + xs + o), y0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(x + 2 * xs + o), y0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(x + 3 * xs + o), y0));
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o, 16), y1));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x + xs + o, 16), y1));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(x + 2 * xs + o, 16), y1));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(x + 3 * xs + o, 16), y1));
  }
  let s0 = hsumF(a0), s1 = hsumF(a1), s2 = hsumF(a2), s3 = hsumF(a3);
  for (; j < k; j++) {
    const o = <usize>j << 2;
    const v = load<f32>(y + o);
    s0 += load<f32>(x + o) * v;
    s1 += load<f32>(x + xs + o) * v;
    s2 += load<f32>(x + 2 * xs + o) * v;
    s3 += load<f32>(x + 3 * xs + o) * v;
  }
  store<f32>(out, score(s0, scale, softcap));
  store<f32>(out + os, score(s1, scale, softcap));
  store<f32>(out + 2 * os, score(s2, scale, softcap));
  store<f32>(out + 3 * os, score(s3, scale, softcap));
}

// dotF32 of four rows x, x + xs, x + 2xs, x + 3xs with y (each sum in dotF32's order: two accumulators),
// as scores to out, out + os, out + 2os, out + 3os
function dotF32x4(x: usize, xs: usize, y: usize, k: i32, out: usize, os: usize, scale: f32, softcap: f32): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const o = <usize>j << 2;
    const y0 = v128.load(y + o), y1 = v128.load(y + o, 16);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), y0));
    b0 = f32x4.add(b0, f32x4.mul(v128.load(x + o, 16), y1));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x + xs + o), y0));
    b1 = f32x4.add(b1, f32x4.mul(v128.load(x + xs + o, 16), y1));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(x + 2 * xs + o), y0));
    b2 = f32x4.add(b2, f32x4.mul(v128.load(x + 2 * xs + o, 16), y1));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(x + 3 * xs + o), y0));
    b3 = f32x4.add(b3, f32x4.mul(v128.load(x + 3 * xs + o, 16), y1));
  }
  let s0 = hsumF(f32x4.add(a0, b0)), s1 = hsumF(f32x4.add(a1, b1)), s2 = hsumF(f32x4.add(a2, b2)), s3 = hsumF(f32x4.add(a3, b3));
  for (; j < k; j++) {
    const o = <usize>j << 2;
    const v = load<f32>(y + o);
    s0 += load<f32>(x + o) * v;
    s1 += load<f32>(x + xs + o) * v;
    s2 += load<f32>(x + 2 * xs + o) * v;
    s3 += load<f32>(x + 3 * xs + o) * v;
  }
  store<f32>(out, score(s0, scale, softcap));
  store<f32>(out + os, score(s1, scale, softcap));
  store<f32>(out + 2 * os, score(s2, scale, softcap));
  store<f32>(out + 3 * os, score(s3, scale, softcap));
}

// o[0..32] += a[r] * rows[r][0..32] for r = 0 .. n-1 in order (rows `stride` bytes apart), o kept in
// registers
function addRows32(o: usize, a: usize, rows: usize, stride: usize, n: i32): void {
  let c0 = v128.load(o), c1 = v128.load(o, 16), c2 = v128.load(o, 32), c3 = v128.load(o, 48);
  let c4 = v128.load(o, 64), c5 = v128.load(o, 80), c6 = v128.load(o, 96), c7 = v128.load(o, 112);
  for (let r = 0; r < n; r++) {
    const w = f32x4.splat(load<f32>(a + (<usize>r << 2)));
    const v = rows + <usize>r * stride;
    c0 = f32x4.add(c0, f32x4.mul(w, v128.load(v)));
    c1 = f32x4.add(c1, f32x4.mul(w, v128.load(v, 16)));
    c2 = f32x4.add(c2, f32x4.mul(w, v128.load(v, 32)));
    c3 = f32x4.add(c3, f32x4.mul(w, v128.load(v, 48)));
    c4 = f32x4.add(c4, f32x4.mul(w, v128.load(v, 64)));
    c5 = f32x4.add(c5, f32x4.mul(w, v128.load(v, 80)));
    c6 = f32x4.add(c6, f32x4.mul(w, v128.load(v, 96)));
    c7 = f32x4.add(c7, f32x4.mul(w, v128.load(v, 112)));
  }
  v128.store(o, c0); v128.store(o, c1, 16); v128.store(o, c2, 32); v128.store(o, c3, 48);
  v128.store(o, c4, 64); v128.store(o, c5, 80); v128.store(o, c6, 96); v128.store(o, c7, 112);
}

// k f16 values at h to f32 at y (f16x4, f16 for a tail)
function f16RowToF32(h: usize, y: usize, k: i32): void {
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const c = v128.load(h + (<usize>j << 1));
    v128.store(y + (<usize>j << 2), f16x4(i32x4.extend_low_i16x8_u(c)));
    v128.store(y + (<usize>j << 2), f16x4(i32x4.extend_high_i16x8_u(c)), 16);
  }
  for (; j < k; j++) store<f32>(y + (<usize>j << 2), f16(load<u16>(h + (<usize>j << 1))));
}

// dotF32F16's sum over f32 values: one accumulator through the 8-value chunks in order, then a tail
function dotF32Seq(x: usize, y: usize, k: i32): f32 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const o = <usize>j << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  let s = hsumF(acc);
  for (; j < k; j++) s += load<f32>(x + (<usize>j << 2)) * load<f32>(y + (<usize>j << 2));
  return s;
}

function dotF32F16(x: usize, h: usize, k: i32): f32 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const c = v128.load(h + (<usize>j << 1));
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + (<usize>j << 2)), f16x4(i32x4.extend_low_i16x8_u(c))));
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + (<usize>j << 2), 16), f16x4(i32x4.extend_high_i16x8_u(c))));
  }
  let s = hsumF(acc);
  for (; j < k; j++) s += load<f32>(x + (<usize>j << 2)) * f16(load<u16>(h + (<usize>j << 1)));
  return s;
}

/** KV store: f32 rows (n, k) -> f16 rows at y with row stride yStride bytes. */
export function storeF16(x: usize, y: usize, yStride: u32, n: i32, k: i32): void {
  for (let r = 0; r < n; r++) {
    const xr = x + (<usize>r * k << 2);
    const yr = y + <usize>r * yStride;
    for (let j = 0; j < k; j++) store<u16>(yr + (<usize>j << 1), <u16>f32tof16(load<f32>(xr + (<usize>j << 2))));
  }
}

// ---------------------------------------------------------------------------------------------------
// The element-wise steps between the products, with engine/reference/ops.ts's arithmetic (and so its
// bits): rows (tokens) or elements are split across threads.

// RMSNorm as rmsnormGgml: f32 squares summed in f64 in order, an f32 scale, two f32 products.
// x, out: nTok rows of k f32 (row stride k); w: k f32.
export function rmsnorm(tid: i32, nth: i32, x: usize, w: usize, out: usize, nTok: i32, k: i32, eps: f32): void {
  for (let t = tid; t < nTok; t += nth) {
    const xr = x + (<usize>t * k << 2);
    const or = out + (<usize>t * k << 2);
    let ss: f64 = 0;
    for (let i = 0; i < k; i++) {
      const v = load<f32>(xr + (<usize>i << 2));
      ss += <f64>(v * v);
    }
    const mean = <f32>(ss / <f64>k);
    const scale = <f32>1 / Mathf.sqrt(mean + eps);
    const sv = f32x4.splat(scale);
    let i = 0;
    for (; i + 4 <= k; i += 4) {
      const o = <usize>i << 2;
      v128.store(or + o, f32x4.mul(f32x4.mul(v128.load(xr + o), sv), v128.load(w + o)));
    }
    for (; i < k; i++) store<f32>(or + (<usize>i << 2), load<f32>(xr + (<usize>i << 2)) * scale * load<f32>(w + (<usize>i << 2)));
  }
}

// RoPE as rope(): each of nHeads heads of nTok rows (row stride `stride` floats) rotated in place by
// its token's angles (cs: per token, half pairs of f64 cos, sin), in f64, rounded to f32 once.
// "norm" pairs (2i, 2i+1), neox pairs (i, i + nRot/2); dimensions past nRot are left as they are.
export function rope(tid: i32, nth: i32, x: usize, stride: i32, nTok: i32, nHeads: i32, headDim: i32, nRot: i32, neox: i32, cs: usize): void {
  const half = nRot >> 1;
  for (let it = tid; it < nTok * nHeads; it += nth) {
    const t = it / nHeads;
    const h = it % nHeads;
    const xh = x + ((<usize>t * stride + <usize>h * headDim) << 2);
    const ct = cs + (<usize>t * half << 4);
    for (let i = 0; i < half; i++) {
      const a = xh + (<usize>(neox ? i : 2 * i) << 2);
      const b = a + (neox ? <usize>half << 2 : 4);
      const c = load<f64>(ct + (<usize>i << 4));
      const s = load<f64>(ct + (<usize>i << 4), 8);
      const x0 = <f64>load<f32>(a);
      const x1 = <f64>load<f32>(b);
      store<f32>(a, <f32>(x0 * c - x1 * s));
      store<f32>(b, <f32>(x0 * s + x1 * c));
    }
  }
}

// x[i] += y[i] (f32), elements split across threads in runs of 4
export function addInPlace(tid: i32, nth: i32, x: usize, y: usize, n: i32): void {
  const per = (((n + nth - 1) / nth + 3) >> 2) << 2;
  const i0 = min(n, tid * per);
  const i1 = min(n, i0 + per);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.add(v128.load(x + o), v128.load(y + o)));
  }
  for (; i < i1; i++) store<f32>(x + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) + load<f32>(y + (<usize>i << 2)));
}

// g[i] = silu(g[i]) * u[i] as the reference computes it: x / (1 + exp(-x)) times u in f64, rounded
// to f32 once
export function swiglu(tid: i32, nth: i32, g: usize, u: usize, n: i32): void {
  const per = (n + nth - 1) / nth;
  const i0 = min(n, tid * per);
  const i1 = min(n, i0 + per);
  for (let i = i0; i < i1; i++) {
    const p = <usize>i << 2;
    const x = <f64>load<f32>(g + p);
    store<f32>(g + p, <f32>(x / (1 + Math.exp(-x)) * <f64>load<f32>(u + p)));
  }
}

// rows of f32 rounded to the nearest f16 (an f16 KV cache's q), rows split across threads
export function roundF16Rows(tid: i32, nth: i32, x: usize, nTok: i32, k: i32): void {
  for (let t = tid; t < nTok; t += nth) roundF16(x + (<usize>t * k << 2), k);
}

// KV rows to an f16 cache: nTok rows of k f32 at x (stride k) to rows at y (stride yStride bytes)
export function storeF16Rows(tid: i32, nth: i32, x: usize, y: usize, yStride: u32, nTok: i32, k: i32): void {
  for (let t = tid; t < nTok; t += nth) storeF16(x + (<usize>t * k << 2), y + <usize>t * yStride, 0, 1, k);
}
