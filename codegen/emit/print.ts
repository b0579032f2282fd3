// The expression printer every emitter shares: a target supplies a table of spellings (types,
// literals, builtins, intrinsics, memory access) and this prints the IR with as few parentheses as
// stay unambiguous in every target (WGSL forbids mixing bit, shift and comparison operators unbracketed,
// so only arithmetic chains and comparisons under && / || go without).
import type { Axis, BinOp, BuiltinName, ByteLoad, Expr, Intrinsic, KernelIR, Scalar, Stmt } from "../ir/types.js";

export interface Spelling {
  lit(t: Scalar, v: number | boolean): string;
  uniform(name: string, t: Scalar): string;
  builtin(name: BuiltinName, axis: Axis): string;
  call(fn: Intrinsic, t: Scalar, args: readonly string[], argTypes: readonly Scalar[]): string;
  conv(to: Scalar, from: Scalar, a: string): string;
  select(t: Scalar, cond: string, a: string, b: string): string;
  load(buffer: string, index: string, t: Scalar): string;
  bytes(buffer: string, offset: string, as: ByteLoad, t: Scalar): string;
  /** The spelling of a binary operator for operands of type `t` (u32 `>>` is `>>>` in AssemblyScript). */
  op?(op: BinOp, t: Scalar): string;
}

const PREC: Readonly<Record<BinOp, number>> = {
  "*": 10, "/": 10, "%": 10, "+": 9, "-": 9, "<<": 8, ">>": 8, "<": 7, "<=": 7, ">": 7, ">=": 7, "==": 6, "!=": 6,
  "&": 5, "^": 4, "|": 3, "&&": 2, "||": 1,
};
const ARITH = new Set<BinOp>(["*", "/", "%", "+", "-"]);
const COMPARE = new Set<BinOp>(["<", "<=", ">", ">=", "==", "!="]);

function needsParens(parent: BinOp, child: Expr, right: boolean): boolean {
  if (child.k !== "bin") return false;
  if (ARITH.has(parent) && ARITH.has(child.op)) return PREC[child.op] < PREC[parent] || (PREC[child.op] === PREC[parent] && right);
  if ((parent === "&&" || parent === "||") && (COMPARE.has(child.op) || child.op === parent)) return false;
  return true;
}

export function printExpr(e: Expr, s: Spelling): string {
  const p = (x: Expr): string => printExpr(x, s);
  switch (e.k) {
    case "lit": return s.lit(e.type, e.value);
    case "var": return e.name;
    case "uniform": return s.uniform(e.name, e.type);
    case "const": return s.lit(e.type, e.value);
    case "builtin": return s.builtin(e.name, e.axis);
    case "bin": {
      const a = needsParens(e.op, e.a, false) ? `(${p(e.a)})` : p(e.a);
      const b = needsParens(e.op, e.b, true) ? `(${p(e.b)})` : p(e.b);
      return `${a} ${s.op ? s.op(e.op, e.a.type) : e.op} ${b}`;
    }
    case "un": {
      const a = e.a.k === "bin" || (e.a.k === "lit" && typeof e.a.value === "number" && e.a.value < 0) ? `(${p(e.a)})` : p(e.a);
      return `${e.op}${a}`;
    }
    case "call": return s.call(e.fn, e.type, e.args.map(p), e.args.map((a) => a.type));
    case "conv": return s.conv(e.type, e.a.type, p(e.a));
    case "select": return s.select(e.type, p(e.cond), p(e.a), p(e.b));
    case "load": return s.load(e.buffer, p(e.index), e.type);
    case "bytes": return s.bytes(e.buffer, p(e.offset), e.as, e.type);
    case "quant": throw new Error(`internal: quant field ${e.buffer}.${e.field} reached an emitter (run passes/quant first)`);
    case "collective": throw new Error(`internal: ${e.fn} reached an emitter (run passes/collectives first)`);
  }
}

/** Prints an f32 value as the shortest decimal that reads back as the same f32. */
export function floatText(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`internal: non-finite f32 constant ${v} cannot be spelled in every target`);
  if (Object.is(v, -0)) return "-0.0";
  const t = String(v);
  return /[.eE]/.test(t) ? t : `${t}.0`;
}

/** The header every generated file starts with (no timestamps: regenerating is byte-stable). */
export function header(k: KernelIR, target: string): string[] {
  return [
    `GENERATED — do not edit; source: ${k.source}`,
    `kernel ${k.name} (${target}), workgroup ${k.workgroupSize.join("x")}; regenerate with \`npm run codegen\``,
    ...(k.doc.length ? ["", ...k.doc] : []),
  ];
}

/** The comment lines printed above a statement: its kernel comments, tagged with the source line. */
export function stmtComments(s: Stmt): string[] {
  if (!s.comments?.length) return [];
  return s.comments.map((c, i) => (i === s.comments!.length - 1 ? `${c} [line ${s.loc.line}]` : c));
}

export const indent = (depth: number): string => "  ".repeat(depth);

/** A table's values as lines of `perLine` literals, comma-separated, for an initializer list. */
export function tableLines(values: readonly string[], prefix: string, perLine = 16): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    out.push(`${prefix}${values.slice(i, i + perLine).join(", ")}${i + perLine < values.length ? "," : ""}`);
  }
  return out;
}
