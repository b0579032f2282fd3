// Unrolls loops whose trip count is known at compile time and small (the collectives' reduction
// trees, short fixed loops): each iteration becomes a block with the loop variable as a literal.
// Variables declared in the body get a per-iteration suffix so every name stays unique in the kernel.
import { binary } from "../ir/scalar.js";
import type { Expr, KernelIR, Stmt } from "../ir/types.js";
import { forEachStmt, mapStmtExprs } from "../ir/walk.js";
import { foldStmts } from "./fold.js";

export const MAX_UNROLL = 8;

/** The values the loop variable takes, or null when they are not compile-time or too many. */
function tripValues(s: Stmt & { k: "for" }): number[] | null {
  const v = s.init.name;
  if (!s.init.init || s.init.init.k !== "lit") return null;
  if (s.cond.k !== "bin" || s.cond.a.k !== "var" || s.cond.a.name !== v || s.cond.b.k !== "lit") return null;
  if (s.update.target.k !== "var" || s.update.value.k !== "lit" || s.update.op === "=") return null;
  let assigned = false;
  forEachStmt(s.body, (b) => {
    if ((b.k === "assign" && b.target.k === "var" && b.target.name === v) || b.k === "break" || b.k === "continue" || b.k === "return") assigned = true;
  });
  if (assigned) return null;
  const type = s.init.type;
  const op = s.update.op.slice(0, -1) as Parameters<typeof binary>[0];
  const values: number[] = [];
  let x = s.init.init.value as number;
  while (binary(s.cond.op, type, x, s.cond.b.value as number) === true) {
    values.push(x);
    if (values.length > MAX_UNROLL) return null;
    x = binary(op, type, x, s.update.value.value as number) as number;
  }
  return values;
}

function rename(body: readonly Stmt[], suffix: string): Stmt[] {
  const names = new Map<string, string>();
  forEachStmt(body, (s) => {
    if (s.k === "decl") names.set(s.name, `${s.name}${suffix}`);
  });
  const ren = (e: Expr): Expr => (e.k === "var" && names.has(e.name) ? { ...e, name: names.get(e.name)! } : e);
  const walk = (list: readonly Stmt[]): Stmt[] =>
    mapStmtExprs(list, ren).map((s): Stmt => {
      if (s.k === "decl") return { ...s, name: names.get(s.name) ?? s.name };
      if (s.k === "assign" && s.target.k === "var" && names.has(s.target.name)) return { ...s, target: { ...s.target, name: names.get(s.target.name)! } };
      if (s.k === "if") return { ...s, then: walk(s.then), else: s.else ? walk(s.else) : null };
      if (s.k === "for") return { ...s, init: walk([s.init])[0] as typeof s.init, update: walk([s.update])[0] as typeof s.update, body: walk(s.body) };
      if (s.k === "block") return { ...s, body: walk(s.body) };
      return s;
    });
  return walk(body);
}

function unrollStmts(list: readonly Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s of list) {
    if (s.k === "if") out.push({ ...s, then: unrollStmts(s.then), else: s.else ? unrollStmts(s.else) : null });
    else if (s.k === "block") out.push({ ...s, body: unrollStmts(s.body) });
    else if (s.k === "for") {
      const body = unrollStmts(s.body);
      const values = tripValues(s);
      if (!values) {
        out.push({ ...s, body });
        continue;
      }
      values.forEach((value, i) => {
        const lit: Expr = { k: "lit", type: s.init.type, value };
        const subst = mapStmtExprs(rename(body, `_${i}`), (e) => (e.k === "var" && e.name === s.init.name ? lit : e));
        const folded = foldStmts(subst);
        out.push({ k: "block", loc: s.loc, ...(i === 0 && s.comments ? { comments: s.comments } : {}), body: folded });
      });
    } else out.push(s);
  }
  return out;
}

export function unroll(k: KernelIR): KernelIR {
  return { ...k, body: unrollStmts(k.body) };
}
