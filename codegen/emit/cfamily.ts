// The C-family printer CUDA and Metal share: statements, declarations and control flow are the same
// C; a target (cuda.ts, metal.ts) is a table of spellings plus its kernel signature and prologue.
import type { KernelIR, Scalar, SharedDecl, Stmt } from "../ir/types.js";
import { header, indent, printExpr, stmtComments, type Spelling } from "./print.js";

export interface CTarget extends Spelling {
  readonly label: string;
  type(t: Scalar): string;
  readonly barrier: string;
  sharedDecl(s: SharedDecl): string;
  /** Includes and helper declarations at the top of the file. */
  preamble(k: KernelIR): string[];
  /** The kernel's signature, ending with the opening brace. */
  signature(k: KernelIR): string[];
  /** Statements at the top of the body (uniform copies), before shared declarations. */
  prologue(k: KernelIR): string[];
}

export function printC(k: KernelIR, t: CTarget): string {
  const lines: string[] = [...header(k, t.label).map((l) => (l ? `// ${l}` : "//")), ""];
  lines.push(...t.preamble(k));
  lines.push(...t.signature(k));
  for (const l of t.prologue(k)) lines.push(`${indent(1)}${l}`);
  for (const s of k.shared) lines.push(`${indent(1)}${t.sharedDecl(s)}`);
  printStmts(k.body, 1, t, lines);
  lines.push("}", "");
  return lines.join("\n");
}

function printStmts(list: readonly Stmt[], depth: number, t: CTarget, out: string[]): void {
  for (const s of list) printStmt(s, depth, t, out);
}

function printStmt(s: Stmt, depth: number, t: CTarget, out: string[]): void {
  const ind = indent(depth);
  const e = (x: Parameters<typeof printExpr>[0]): string => printExpr(x, t);
  for (const c of stmtComments(s)) out.push(`${ind}// ${c}`);
  switch (s.k) {
    case "decl":
      out.push(`${ind}${s.mutable ? "" : "const "}${t.type(s.type)} ${s.name}${s.init ? ` = ${e(s.init)}` : ""};`);
      return;
    case "assign": {
      const target = s.target.k === "var" ? s.target.name : `${s.target.buffer}[${e(s.target.index)}]`;
      out.push(`${ind}${target} ${s.op} ${e(s.value)};`);
      return;
    }
    case "if":
      out.push(`${ind}if (${e(s.cond)}) {`);
      printStmts(s.then, depth + 1, t, out);
      if (s.else) {
        out.push(`${ind}} else {`);
        printStmts(s.else, depth + 1, t, out);
      }
      out.push(`${ind}}`);
      return;
    case "for": {
      const init = `${t.type(s.init.type)} ${s.init.name} = ${e(s.init.init!)}`;
      const u = s.update;
      const update = `${u.target.k === "var" ? u.target.name : ""} ${u.op} ${e(u.value)}`;
      out.push(`${ind}for (${init}; ${e(s.cond)}; ${update.trim()}) {`);
      printStmts(s.body, depth + 1, t, out);
      out.push(`${ind}}`);
      return;
    }
    case "block":
      out.push(`${ind}{`);
      printStmts(s.body, depth + 1, t, out);
      out.push(`${ind}}`);
      return;
    case "break": case "continue": case "return":
      out.push(`${ind}${s.k};`);
      return;
    case "barrier":
      out.push(`${ind}${t.barrier}`);
      return;
  }
}
