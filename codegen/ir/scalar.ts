// Scalar arithmetic with the DSL's meaning (what the interpreter does and what folding may assume):
// f32 rounds every result to float32; i32 wraps at 32 bits; u32 wraps modulo 2^32; shift amounts are
// taken modulo 32 (WGSL and TypeScript agree; C would be undefined, so kernels keep them below 32).
import type { BinOp, Intrinsic, Scalar, UnOp } from "./types.js";

export type Value = number | boolean;

const f16Scratch = new DataView(new ArrayBuffer(4));
/** IEEE binary16 bits (low 16 bits) to the exact f32 value. */
export function f16BitsToF32(bits: number): number {
  const h = bits & 0xffff;
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) {
    if (m === 0) return sign * Infinity;
    f16Scratch.setUint32(0, ((h & 0x8000) << 16) | 0x7f800000 | (m << 13));
    return f16Scratch.getFloat32(0);
  }
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Normalizes a JS number to the value a scalar of type `t` holds. */
export function norm(t: Scalar, v: number): Value {
  switch (t) {
    case "f32":
      return Math.fround(v);
    case "i32":
      return v | 0;
    case "u32":
      return v >>> 0;
    case "bool":
      return v !== 0;
  }
}

/** Conversion between scalar types (the DSL's f32()/i32()/u32()). */
export function convert(to: Scalar, from: Scalar, v: Value): Value {
  const n = typeof v === "boolean" ? (v ? 1 : 0) : v;
  if (to === "bool") return n !== 0;
  if (from === "f32" && to !== "f32") {
    if (Number.isNaN(n)) return 0;
    // saturate like WGSL (C leaves out-of-range conversions undefined, so kernels avoid them)
    const t = Math.trunc(n);
    if (to === "i32") return Math.min(Math.max(t, -2147483648), 2147483647);
    return Math.min(Math.max(t, 0), 4294967295);
  }
  return norm(to, n);
}

export function binary(op: BinOp, type: Scalar, a: Value, b: Value): Value {
  if (op === "&&") return (a as boolean) && (b as boolean);
  if (op === "||") return (a as boolean) || (b as boolean);
  if (op === "==") return a === b;
  if (op === "!=") return a !== b;
  const x = a as number;
  const y = b as number;
  switch (op) {
    case "<": return x < y;
    case "<=": return x <= y;
    case ">": return x > y;
    case ">=": return x >= y;
    case "+": return norm(type, x + y);
    case "-": return norm(type, x - y);
    case "*": return type === "f32" ? Math.fround(x * y) : norm(type, Math.imul(x, y));
    case "/": return Math.fround(x / y);
    case "%": return y === 0 ? 0 : norm(type, x % y);
    case "<<": return norm(type, x << (y & 31));
    case ">>": return type === "u32" ? x >>> (y & 31) : x >> (y & 31);
    case "&": return norm(type, x & y);
    case "|": return norm(type, x | y);
    case "^": return norm(type, x ^ y);
  }
}

export function unary(op: UnOp, type: Scalar, a: Value): Value {
  if (op === "!") return !a;
  if (op === "-") return norm(type, -(a as number));
  return norm(type, ~(a as number));
}

export function intrinsic(fn: Intrinsic, type: Scalar, args: readonly Value[]): Value {
  const [a, b, c] = args as number[];
  const f = Math.fround;
  switch (fn) {
    case "exp": return f(Math.exp(a!));
    case "log": return f(Math.log(a!));
    case "sqrt": return f(Math.sqrt(a!));
    case "rsqrt": return f(1 / Math.sqrt(a!));
    case "tanh": return f(Math.tanh(a!));
    case "sin": return f(Math.sin(a!));
    case "cos": return f(Math.cos(a!));
    case "floor": return f(Math.floor(a!));
    case "ceil": return f(Math.ceil(a!));
    case "trunc": return f(Math.trunc(a!));
    case "exp2": return f(2 ** a!);
    case "log2": return f(Math.log2(a!));
    case "pow": return f(Math.pow(a!, b!));
    case "fma": return f(a! * b! + c!);
    case "abs": return norm(type, Math.abs(a!));
    case "max": return type === "f32" && (Number.isNaN(a!) || Number.isNaN(b!)) ? (Number.isNaN(a!) ? b! : a!) : Math.max(a!, b!);
    case "min": return type === "f32" && (Number.isNaN(a!) || Number.isNaN(b!)) ? (Number.isNaN(a!) ? b! : a!) : Math.min(a!, b!);
    case "clamp": return Math.min(Math.max(a!, b!), c!);
    case "idiv": return b === 0 ? 0 : norm(type, Math.trunc(a! / b!));
    case "f16tof32": return f16BitsToF32(a!);
    case "bitcastf32": {
      f16Scratch.setUint32(0, a! >>> 0);
      return f16Scratch.getFloat32(0);
    }
    case "bitcastu32": {
      f16Scratch.setFloat32(0, a!);
      return f16Scratch.getUint32(0);
    }
  }
}
