// The kernel IR: a small, typed, structured tree (statements and expressions, every expression with
// its scalar type). The frontend builds it from a *.kernel.ts file; passes rewrite it; emitters only
// print it; the interpreter runs it. Names from the kernel source are kept so generated code reads
// like the kernel, and every statement carries its source line and the comments above it.

export type Scalar = "f32" | "i32" | "u32" | "bool";
export const SCALARS: readonly Scalar[] = ["f32", "i32", "u32", "bool"];
export const isInt = (t: Scalar): boolean => t === "i32" || t === "u32";
export const isFloat = (t: Scalar): boolean => t === "f32";

/** Where a node came from: the kernel file (relative to the repository root), 1-based line and column. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Axis = "x" | "y" | "z";
export type BuiltinName = "globalId" | "localId" | "workgroupId" | "workgroupSize" | "numWorkgroups";

export type BinOp =
  | "+" | "-" | "*" | "/" | "%"
  | "<<" | ">>" | "&" | "|" | "^"
  | "<" | "<=" | ">" | ">=" | "==" | "!="
  | "&&" | "||";
export type UnOp = "-" | "!" | "~";

/** Math and integer intrinsics the DSL knows; anything else is rejected by the frontend. */
export type Intrinsic =
  | "exp" | "log" | "sqrt" | "rsqrt" | "tanh" | "sin" | "cos" | "floor" | "fma"
  | "pow" | "exp2" | "log2" | "ceil" | "trunc"
  | "abs" | "max" | "min" | "clamp" | "idiv"
  // f16 bits (low 16 bits of a u32) to f32: the DSL's unpackF16, and the quant lowering's f16 fields
  | "f16tof32"
  // reinterpret the 32 bits: u32 -> f32 and f32 -> u32
  | "bitcastf32" | "bitcastu32";

/** Collectives: lowered to shared memory and barriers by passes/collectives.ts. */
export type Collective = "workgroupSum" | "workgroupMax";

/** How a byte-addressed load reinterprets memory (quant blocks are byte arrays). */
export type ByteLoad = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f16" | "f32";

export type Expr =
  | { readonly k: "lit"; readonly type: Scalar; readonly value: number | boolean }
  | { readonly k: "var"; readonly type: Scalar; readonly name: string }
  | { readonly k: "uniform"; readonly type: Scalar; readonly name: string }
  | { readonly k: "const"; readonly type: Scalar; readonly name: string; readonly value: number }
  | { readonly k: "builtin"; readonly type: "u32"; readonly name: BuiltinName; readonly axis: Axis }
  | { readonly k: "bin"; readonly type: Scalar; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: "un"; readonly type: Scalar; readonly op: UnOp; readonly a: Expr }
  | { readonly k: "call"; readonly type: Scalar; readonly fn: Intrinsic; readonly args: readonly Expr[] }
  | { readonly k: "collective"; readonly type: Scalar; readonly fn: Collective; readonly arg: Expr }
  | { readonly k: "conv"; readonly type: Scalar; readonly a: Expr }
  /** cond ? a : b. Targets may evaluate both sides; both are side-effect free. */
  | { readonly k: "select"; readonly type: Scalar; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
  /** An element of a storage buffer or shared array. */
  | { readonly k: "load"; readonly type: Scalar; readonly buffer: string; readonly index: Expr }
  /** A quant block field (`W.block(i).d`, `.qs[j]`); lowered to byte loads by passes/quant.ts. */
  | {
      readonly k: "quant"; readonly type: Scalar; readonly buffer: string; readonly block: Expr;
      readonly field: string; readonly index: Expr | null;
    }
  /** A little-endian load at a byte offset of a quant buffer, widened to `type` (i32 for i8, f32 for f16). */
  | { readonly k: "bytes"; readonly type: Scalar; readonly buffer: string; readonly offset: Expr; readonly as: ByteLoad };

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "<<=" | ">>=" | "&=" | "|=" | "^=";

export type LValue =
  | { readonly k: "var"; readonly name: string; readonly type: Scalar }
  | { readonly k: "store"; readonly buffer: string; readonly index: Expr; readonly type: Scalar };

interface StmtBase {
  readonly loc: Loc;
  /** Comment lines written above the statement in the kernel source, without the `//`. */
  readonly comments?: readonly string[];
}

export type Stmt =
  | (StmtBase & {
      readonly k: "decl"; readonly name: string; readonly type: Scalar; readonly mutable: boolean; readonly init: Expr | null;
      /** Set by the collective lowering: the value is the same in every invocation of the workgroup. */
      readonly uniform?: boolean;
    })
  | (StmtBase & { readonly k: "assign"; readonly target: LValue; readonly op: AssignOp; readonly value: Expr })
  | (StmtBase & { readonly k: "if"; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] | null })
  | (StmtBase & {
      readonly k: "for"; readonly init: Stmt & { k: "decl" }; readonly cond: Expr;
      readonly update: Stmt & { k: "assign" }; readonly body: readonly Stmt[];
    })
  | (StmtBase & { readonly k: "block"; readonly body: readonly Stmt[] })
  | (StmtBase & { readonly k: "break" })
  | (StmtBase & { readonly k: "continue" })
  | (StmtBase & { readonly k: "return" })
  | (StmtBase & { readonly k: "barrier" });

export interface UniformDecl {
  readonly name: string;
  readonly type: Scalar;
}
export interface BufferBinding {
  readonly name: string;
  /** Element type for a plain buffer; for a quant buffer the ggml type name and its block size in bytes. */
  readonly elem: Scalar | { readonly quant: string; readonly blockBytes: number; readonly blockValues: number };
  readonly access: "read" | "read_write";
}
export interface SharedDecl {
  readonly name: string;
  readonly type: Scalar;
  readonly size: number;
  readonly loc: Loc;
}

/** A constant lookup table from the kernel's file (`table(i32, [...])`), read like a read-only buffer. */
export interface TableDecl {
  readonly name: string;
  readonly type: Scalar;
  readonly values: readonly number[];
  readonly loc: Loc;
}

export interface KernelIR {
  readonly name: string;
  /** The kernel file, relative to the repository root: engine/kernels/norm.kernel.ts. */
  readonly source: string;
  readonly loc: Loc;
  /** The comment block above the kernel declaration. */
  readonly doc: readonly string[];
  readonly workgroupSize: readonly [number, number, number];
  readonly uniforms: readonly UniformDecl[];
  readonly buffers: readonly BufferBinding[];
  readonly constants: Readonly<Record<string, number>>;
  readonly shared: readonly SharedDecl[];
  /** The lookup tables the kernel reads. */
  readonly tables: readonly TableDecl[];
  readonly needs: readonly string[];
  readonly body: readonly Stmt[];
}

export const scalarBytes = (t: Scalar): number => (t === "bool" ? 4 : 4);

/** Total workgroup-shared bytes a kernel declares. */
export function sharedBytes(k: KernelIR): number {
  return k.shared.reduce((n, s) => n + s.size * scalarBytes(s.type), 0);
}

/** The smallest shared-memory budget of all targets (WebGPU's maxComputeWorkgroupStorageSize default). */
export const SHARED_BUDGET_BYTES = 16384;
/** The largest workgroup WebGPU guarantees (maxComputeInvocationsPerWorkgroup default). */
export const MAX_WORKGROUP_INVOCATIONS = 256;
