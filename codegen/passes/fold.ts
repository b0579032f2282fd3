// Constant folding: operations on literals become literals (with the DSL's wrap and rounding rules
// from ir/scalar.ts), and `if` on a literal keeps only the branch taken.
import { binary, convert, intrinsic, unary } from "../ir/scalar.js";
import type { Expr, KernelIR, Stmt } from "../ir/types.js";
import { mapExpr, mapStmtExpr } from "../ir/walk.js";

const lit = (e: Expr): e is Expr & { k: "lit" } => e.k === "lit";

/** Folds one node whose children are already folded. */
function foldNode(x: Expr): Expr {
    switch (x.k) {
      case "bin":
        if (lit(x.a) && lit(x.b)) return { k: "lit", type: x.type, value: binary(x.op, x.a.type, x.a.value, x.b.value) };
        // x + 0, x * 1 on integers (index arithmetic after unrolling)
        if (x.type !== "f32" && (x.op === "+" || x.op === "|") && lit(x.b) && x.b.value === 0) return x.a;
        if (x.type !== "f32" && x.op === "+" && lit(x.a) && x.a.value === 0) return x.b;
        if (x.type !== "f32" && x.op === "*" && lit(x.b) && x.b.value === 1) return x.a;
        if (x.type !== "f32" && x.op === "*" && lit(x.a) && x.a.value === 1) return x.b;
        return x;
      case "un":
        return lit(x.a) ? { k: "lit", type: x.type, value: unary(x.op, x.type, x.a.value) } : x;
      case "conv":
        return lit(x.a) ? { k: "lit", type: x.type, value: convert(x.type, x.a.type, x.a.value) } : x;
      case "call":
        return x.args.every(lit) && x.fn !== "f16tof32" && x.fn !== "bitcastf32" && x.fn !== "bitcastu32" ? { k: "lit", type: x.type, value: intrinsic(x.fn, x.type, x.args.map((a) => (a as { value: number }).value)) } : x;
      case "select":
        return lit(x.cond) ? (x.cond.value ? x.a : x.b) : x;
      default:
        return x;
    }
}

export function foldExpr(e: Expr): Expr {
  return mapExpr(e, foldNode);
}

export function foldStmts(body: readonly Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s0 of body) {
    const s = s0;
    if (s.k === "if") {
      const cond = foldExpr(s.cond);
      const then = foldStmts(s.then);
      const els = s.else ? foldStmts(s.else) : null;
      if (cond.k === "lit") {
        const taken = cond.value ? then : els;
        if (taken?.length) out.push({ k: "block", loc: s.loc, ...(s.comments ? { comments: s.comments } : {}), body: taken });
        continue;
      }
      out.push({ ...s, cond, then, else: els });
    } else if (s.k === "for") {
      out.push({
        ...s,
        init: { ...s.init, init: s.init.init ? foldExpr(s.init.init) : null },
        cond: foldExpr(s.cond),
        update: mapStmtExpr(s.update, foldNode) as typeof s.update,
        body: foldStmts(s.body),
      });
    } else if (s.k === "block") {
      out.push({ ...s, body: foldStmts(s.body) });
    } else {
      out.push(mapStmtExpr(s, foldNode));
    }
  }
  return out;
}

export function fold(k: KernelIR): KernelIR {
  return { ...k, body: foldStmts(k.body) };
}
