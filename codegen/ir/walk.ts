// Generic traversal and rewriting of the IR, so passes state only the cases they change.
import type { Expr, LValue, Stmt } from "./types.js";

/** Rebuilds an expression bottom-up, applying `f` to every node after its children. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const m = (x: Expr): Expr => mapExpr(x, f);
  switch (e.k) {
    case "bin":
      return f({ ...e, a: m(e.a), b: m(e.b) });
    case "un":
    case "conv":
      return f({ ...e, a: m(e.a) });
    case "call":
      return f({ ...e, args: e.args.map(m) });
    case "collective":
      return f({ ...e, arg: m(e.arg) });
    case "select":
      return f({ ...e, cond: m(e.cond), a: m(e.a), b: m(e.b) });
    case "load":
      return f({ ...e, index: m(e.index) });
    case "quant":
      return f({ ...e, block: m(e.block), index: e.index ? m(e.index) : null });
    case "bytes":
      return f({ ...e, offset: m(e.offset) });
    default:
      return f(e);
  }
}

function mapLValue(t: LValue, f: (e: Expr) => Expr): LValue {
  return t.k === "store" ? { ...t, index: mapExpr(t.index, f) } : t;
}

/** Applies an expression rewrite to every expression of a statement list. */
export function mapStmtExprs(body: readonly Stmt[], f: (e: Expr) => Expr): Stmt[] {
  return body.map((s) => mapStmtExpr(s, f));
}

export function mapStmtExpr(s: Stmt, f: (e: Expr) => Expr): Stmt {
  const m = (x: Expr): Expr => mapExpr(x, f);
  switch (s.k) {
    case "decl":
      return { ...s, init: s.init ? m(s.init) : null };
    case "assign":
      return { ...s, target: mapLValue(s.target, f), value: m(s.value) };
    case "if":
      return { ...s, cond: m(s.cond), then: mapStmtExprs(s.then, f), else: s.else ? mapStmtExprs(s.else, f) : null };
    case "for":
      return {
        ...s,
        init: mapStmtExpr(s.init, f) as Stmt & { k: "decl" },
        cond: m(s.cond),
        update: mapStmtExpr(s.update, f) as Stmt & { k: "assign" },
        body: mapStmtExprs(s.body, f),
      };
    case "block":
      return { ...s, body: mapStmtExprs(s.body, f) };
    default:
      return s;
  }
}

/** Visits every expression (and sub-expression) in a statement list. */
export function forEachExpr(body: readonly Stmt[], f: (e: Expr) => void): void {
  mapStmtExprs(body, (e) => {
    f(e);
    return e;
  });
}

/** Visits every statement, nested ones included, parents first. */
export function forEachStmt(body: readonly Stmt[], f: (s: Stmt) => void): void {
  for (const s of body) {
    f(s);
    if (s.k === "if") {
      forEachStmt(s.then, f);
      if (s.else) forEachStmt(s.else, f);
    } else if (s.k === "for") {
      forEachStmt([s.init], f);
      forEachStmt(s.body, f);
      forEachStmt([s.update], f);
    } else if (s.k === "block") forEachStmt(s.body, f);
  }
}

/** Whether a statement list contains a barrier (at any depth). */
export function hasBarrier(body: readonly Stmt[]): boolean {
  let found = false;
  forEachStmt(body, (s) => {
    if (s.k === "barrier") found = true;
  });
  return found;
}
