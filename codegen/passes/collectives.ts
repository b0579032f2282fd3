// Lowers workgroupSum/workgroupMax to a tree reduction over a shared scratch array (one f32 per
// invocation): store, barrier, halve the active range log2(n) times, read element 0. The frontend has
// already checked that collectives sit in uniform control flow and that the workgroup is a power of two.
import type { Expr, KernelIR, Loc, SharedDecl, Stmt } from "../ir/types.js";

export function lowerCollectives(k: KernelIR): KernelIR {
  const [x, y, z] = k.workgroupSize;
  const n = x * y * z;
  const used = new Set<string>([...k.shared.map((s) => s.name)]);
  let scratch = "wg_scratch";
  for (let i = 1; used.has(scratch); i++) scratch = `wg_scratch_${i}`;
  let needed = false;
  let counter = 0;

  const u32 = (value: number): Expr => ({ k: "lit", type: "u32", value });
  const lb = (name: string): Expr => ({ k: "builtin", type: "u32", name: "localId", axis: name as "x" });
  // the invocation's linear index in its workgroup
  let lid: Expr = lb("x");
  if (y > 1 || z > 1) {
    lid = { k: "bin", type: "u32", op: "+", a: lid, b: { k: "bin", type: "u32", op: "*", a: lb("y"), b: u32(x) } };
    if (z > 1) lid = { k: "bin", type: "u32", op: "+", a: lid, b: { k: "bin", type: "u32", op: "*", a: lb("z"), b: u32(x * y) } };
  }
  const at = (i: Expr): Expr => ({ k: "load", type: "f32", buffer: scratch, index: i });

  const reduce = (fn: "workgroupSum" | "workgroupMax", arg: Expr, loc: Loc, comments: readonly string[], finish: (v: Expr) => Stmt): Stmt[] => {
    needed = true;
    const s = `stride${counter++ === 0 ? "" : `_${counter - 1}`}`;
    const sv: Expr = { k: "var", type: "u32", name: s };
    const other = at({ k: "bin", type: "u32", op: "+", a: lid, b: sv });
    const combined: Expr = fn === "workgroupSum"
      ? { k: "bin", type: "f32", op: "+", a: at(lid), b: other }
      : { k: "call", type: "f32", fn: "max", args: [at(lid), other] };
    return [
      { k: "assign", loc, comments: [...comments, `${fn}: tree reduction over ${n} invocations in shared memory`], target: { k: "store", buffer: scratch, index: lid, type: "f32" }, op: "=", value: arg },
      { k: "barrier", loc },
      {
        k: "for", loc,
        init: { k: "decl", loc, name: s, type: "u32", mutable: true, init: u32(n >> 1) },
        cond: { k: "bin", type: "bool", op: ">", a: sv, b: u32(0) },
        update: { k: "assign", loc, target: { k: "var", name: s, type: "u32" }, op: ">>=", value: u32(1) },
        body: [
          { k: "if", loc, cond: { k: "bin", type: "bool", op: "<", a: lid, b: sv }, then: [{ k: "assign", loc, target: { k: "store", buffer: scratch, index: lid, type: "f32" }, op: "=", value: combined }], else: null },
          { k: "barrier", loc },
        ],
      },
      finish(at(u32(0))),
      // the scratch is reused by the next collective: everyone must have read it first
      { k: "barrier", loc },
    ];
  };

  const walk = (list: readonly Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of list) {
      if (s.k === "decl" && s.init?.k === "collective") {
        const c = s.init;
        const { comments, ...rest } = s;
        out.push(...reduce(c.fn, c.arg, s.loc, comments ?? [], (v) => ({ ...rest, init: v, uniform: true })));
      } else if (s.k === "assign" && s.value.k === "collective") {
        const c = s.value;
        const { comments, ...rest } = s;
        out.push(...reduce(c.fn, c.arg, s.loc, comments ?? [], (v) => ({ ...rest, value: v })));
      } else if (s.k === "if") out.push({ ...s, then: walk(s.then), else: s.else ? walk(s.else) : null });
      else if (s.k === "for") out.push({ ...s, body: walk(s.body) });
      else if (s.k === "block") out.push({ ...s, body: walk(s.body) });
      else out.push(s);
    }
    return out;
  };
  const body = walk(k.body);
  if (!needed) return k;
  const decl: SharedDecl = { name: scratch, type: "f32", size: n, loc: k.loc };
  return { ...k, body, shared: [...k.shared, decl] };
}
