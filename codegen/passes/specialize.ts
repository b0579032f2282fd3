// Specialization: the kernel's compile-time values become literals — workgroupSize.* and named
// constants — so folding and unrolling can see through them.
import type { Expr, KernelIR } from "../ir/types.js";
import { mapStmtExprs } from "../ir/walk.js";

export function specialize(k: KernelIR): KernelIR {
  const axes = { x: 0, y: 1, z: 2 } as const;
  const f = (e: Expr): Expr => {
    if (e.k === "builtin" && e.name === "workgroupSize") return { k: "lit", type: "u32", value: k.workgroupSize[axes[e.axis]] };
    if (e.k === "const") return { k: "lit", type: e.type, value: e.value };
    return e;
  };
  return { ...k, body: mapStmtExprs(k.body, f) };
}
