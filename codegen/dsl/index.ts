// The kernel DSL: the vocabulary engine/kernels/*.kernel.ts import. Everything here is plain, typed
// TypeScript so kernel files typecheck with tsc; what a kernel *means* is defined by the IR interpreter
// (codegen/interpret), and what it may say is checked by the frontend (codegen/frontend), which reads
// the kernel's source with ts-morph — never by running it. The language is described in README.md here.

// ---- scalar types ---------------------------------------------------------------------------------
// Each scalar type is a type (for annotations: `let acc: f32 = 0.0`) and a function of the same name
// (the explicit conversion: `f32(i)`). Conversions are never implicit.

export type f32 = number;
export type i32 = number;
export type u32 = number;
export type bool = boolean;

/** Converts to f32 (rounding to the nearest f32; from bool: 1.0 or 0.0). */
export function f32(x: number | boolean): f32 {
  return Math.fround(Number(x));
}
/** Converts to i32; from a float, truncates toward zero (like C and WGSL for in-range values). */
export function i32(x: number | boolean): i32 {
  return Math.trunc(Number(x)) | 0;
}
/** Converts to u32; from i32, reinterprets the bits (-1 becomes 4294967295). */
export function u32(x: number | boolean): u32 {
  return Math.trunc(Number(x)) >>> 0;
}
/** Converts a number to bool (non-zero is true). */
export function bool(x: number | boolean): bool {
  return x !== 0 && x !== false;
}

/** A scalar type token, as used in `uniforms: { n: u32 }` and `read(f32)`. */
export type ScalarToken = typeof f32 | typeof i32 | typeof u32;

// ---- quantized blocks ------------------------------------------------------------------------------
// A quantized weight buffer is an array of ggml blocks; its fields are read by name through the layout
// table in engine/quant/layouts.ts (`W.block(i).d`, `W.block(i).qs[j]`), so no kernel or emitter
// spells a byte offset.

/** A quant type token: `read(quant("q8_0"))`. The name is ggml's lower-case type name. */
export interface QuantToken<Q extends string = string> {
  readonly quant: Q;
}
export function quant<Q extends string>(name: Q): QuantToken<Q> {
  return { quant: name };
}

/**
 * One field of a block. A scalar field (`d`, an f16 scale) reads as its f32 value; an array field
 * (`qs`) is indexed with a u32 (`qs[j]`) and reads as i32 for signed bytes, u32 for unsigned ones.
 */
export type QuantField = number & { readonly [j: number]: number };
export interface QuantBlock {
  readonly [field: string]: QuantField;
}
export interface QuantBuffer<Q extends string = string> {
  readonly type: Q;
  block(i: u32): QuantBlock;
}

// ---- buffers -----------------------------------------------------------------------------------------

/** A read-only storage buffer of scalars, indexed with u32. */
export interface ReadBuffer {
  readonly [i: number]: number;
}
/** A read-write storage buffer of scalars, indexed with u32. */
export interface Buffer {
  [i: number]: number;
}

export type ElemToken = ScalarToken | QuantToken;
export type Access = "read" | "read_write";
export interface BufferDecl<T extends ElemToken = ElemToken, A extends Access = Access> {
  readonly elem: T;
  readonly access: A;
}
/** A buffer the kernel only reads: `read(f32)`, `read(quant("q8_0"))`. */
export function read<T extends ElemToken>(elem: T): BufferDecl<T, "read"> {
  return { elem, access: "read" };
}
/** A buffer the kernel writes (and may read): `write(f32)`. */
export function write<T extends ScalarToken>(elem: T): BufferDecl<T, "read_write"> {
  return { elem, access: "read_write" };
}

/**
 * Workgroup-shared memory: `const tile = shared(f32, 256)`, declared at the top of a kernel body with a
 * compile-time size. All invocations of a workgroup see the same array; order accesses with barrier().
 */
export function shared(elem: ScalarToken, n: number): Buffer {
  void elem;
  return new Array<number>(n).fill(0);
}

// ---- invocation ids (WGSL's names) ------------------------------------------------------------------

export interface Vec3u {
  readonly x: u32;
  readonly y: u32;
  readonly z: u32;
}
const outsideKernel: Vec3u = { x: 0, y: 0, z: 0 };
/** This invocation's index in the whole dispatch: workgroupId * workgroupSize + localId. */
export const globalId: Vec3u = outsideKernel;
/** This invocation's index inside its workgroup. */
export const localId: Vec3u = outsideKernel;
/** This workgroup's index in the dispatch. */
export const workgroupId: Vec3u = outsideKernel;
/** The workgroup size the kernel declares (a compile-time constant). */
export const workgroupSize: Vec3u = outsideKernel;
/** The number of workgroups in the dispatch. */
export const numWorkgroups: Vec3u = outsideKernel;

// ---- synchronisation and collectives (uniform control flow only) -------------------------------------

/** Waits until every invocation of the workgroup arrives; orders shared and storage memory. */
export function barrier(): void {}
/** The sum of `x` over the workgroup, returned to every invocation. */
export function workgroupSum(x: f32): f32 {
  return x;
}
/** The maximum of `x` over the workgroup, returned to every invocation. */
export function workgroupMax(x: f32): f32 {
  return x;
}

// ---- math intrinsics (f32 unless noted) -------------------------------------------------------------

export const exp = (x: f32): f32 => Math.fround(Math.exp(x));
export const log = (x: f32): f32 => Math.fround(Math.log(x));
export const sqrt = (x: f32): f32 => Math.fround(Math.sqrt(x));
/** 1 / sqrt(x). */
export const rsqrt = (x: f32): f32 => Math.fround(1 / Math.sqrt(x));
export const tanh = (x: f32): f32 => Math.fround(Math.tanh(x));
export const sin = (x: f32): f32 => Math.fround(Math.sin(x));
export const cos = (x: f32): f32 => Math.fround(Math.cos(x));
export const floor = (x: f32): f32 => Math.fround(Math.floor(x));
export const ceil = (x: f32): f32 => Math.fround(Math.ceil(x));
/** Rounds toward zero. */
export const trunc = (x: f32): f32 => Math.fround(Math.trunc(x));
/** x to the power y (x > 0 for a defined result on every target, as in C's powf and WGSL's pow). */
export const pow = (x: f32, y: f32): f32 => Math.fround(Math.pow(x, y));
export const exp2 = (x: f32): f32 => Math.fround(2 ** x);
export const log2 = (x: f32): f32 => Math.fround(Math.log2(x));
/** a * b + c; targets may fuse it (one rounding) or not. */
export const fma = (a: f32, b: f32, c: f32): f32 => Math.fround(a * b + c);
/** Any numeric type; both operands of the same type. */
export const abs = (x: number): number => Math.abs(x);
export const max = (a: number, b: number): number => Math.max(a, b);
export const min = (a: number, b: number): number => Math.min(a, b);
export const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
/** cond ? ifTrue : ifFalse, evaluating both sides (WGSL's select, with the condition first). */
export function select<T extends number | boolean>(cond: boolean, ifTrue: T, ifFalse: T): T {
  return cond ? ifTrue : ifFalse;
}
/** The f32 whose bits are `bits` (WGSL bitcast<f32>, CUDA __uint_as_float). */
export function bitcastF32(bits: u32): f32 {
  bitScratch.setUint32(0, bits >>> 0);
  return bitScratch.getFloat32(0);
}
/** The bits of an f32, as a u32. */
export function bitcastU32(x: f32): u32 {
  bitScratch.setFloat32(0, x);
  return bitScratch.getUint32(0);
}
/** The IEEE f16 whose bits are the low 16 bits of `bits`, as f32 (exact): ggml's f16 scales. */
export function unpackF16(bits: u32): f32 {
  const h = bits & 0xffff;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
}
const bitScratch = new DataView(new ArrayBuffer(4));

/**
 * A constant lookup table, declared at the top level of a kernel file (outside any kernel):
 * `const KVALUES_IQ4NL = table(i32, [-127, -104, ...])`, read in a kernel as `KVALUES_IQ4NL[j]` (u32 index).
 * Values are number literals; at most 4096 of them.
 */
export function table(elem: ScalarToken, values: readonly number[]): ReadBuffer {
  void elem;
  return values;
}

/** Integer division truncating toward zero; both operands i32 or both u32. `/` on integers is rejected. */
export function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

// ---- kernel declaration -----------------------------------------------------------------------------

export type Feature = "subgroups";

export interface KernelSpec {
  /** The entry point name in every target (a C identifier). */
  readonly name: string;
  /** Invocations per workgroup: a compile-time constant, x or [x, y, z]. */
  readonly workgroupSize: number | readonly [number, number?, number?];
  /** Scalar parameters passed per dispatch: `{ n: u32, eps: f32 }`. */
  readonly uniforms?: Readonly<Record<string, ScalarToken>>;
  /** Storage buffers, in binding order: `{ x: read(f32), out: write(f32) }`. */
  readonly buffers: Readonly<Record<string, BufferDecl>>;
  /** Compile-time constants the kernel is specialized on: `{ BLOCK: 32 }`. */
  readonly constants?: Readonly<Record<string, number>>;
  /** Optional target features the kernel relies on; targets without them skip the kernel. */
  readonly needs?: readonly Feature[];
}

type BufferArg<D> = D extends BufferDecl<infer T, infer A>
  ? T extends QuantToken<infer Q>
    ? QuantBuffer<Q>
    : A extends "read"
      ? ReadBuffer
      : Buffer
  : never;

/** What a kernel body receives, destructured by name: uniforms, buffers and constants. */
export type KernelArgs<S extends KernelSpec> = {
  readonly [K in keyof S["uniforms"]]: number;
} & {
  readonly [K in keyof S["buffers"]]: BufferArg<S["buffers"][K]>;
} & {
  readonly [K in keyof S["constants"]]: number;
};

export interface Kernel<S extends KernelSpec = KernelSpec> {
  readonly spec: S;
  readonly body: (args: KernelArgs<S>) => void;
}

/**
 * Declares a kernel. The body runs once per invocation (SIMT); it receives its uniforms, buffers and
 * constants by name: `kernel({ name: "add", ... }, ({ n, a, b, out }) => { ... })`.
 */
export function kernel<const S extends KernelSpec>(spec: S, body: (args: KernelArgs<S>) => void): Kernel<S> {
  return { spec, body };
}
