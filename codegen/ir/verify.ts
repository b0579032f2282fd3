// Whole-kernel checks on the IR, after the frontend: barriers and collectives only in uniform control
// flow, the shared-memory budget, and the shapes collectives and barriers need. Uniformity follows
// WGSL's idea: a value is uniform when every invocation of a workgroup computes the same one.
import { KernelError } from "./diagnostic.js";
import { MAX_WORKGROUP_INVOCATIONS, SHARED_BUDGET_BYTES, scalarBytes, type Expr, type KernelIR, type Loc, type Stmt } from "./types.js";
import { forEachExpr, forEachStmt, hasBarrier } from "./walk.js";

/** Whether an expression has the same value in every invocation, given the uniform variables. */
export function isUniformExpr(e: Expr, uniformVars: ReadonlySet<string>): boolean {
  switch (e.k) {
    case "lit": case "uniform": case "const": case "collective":
      return true;
    case "builtin":
      return e.name === "workgroupId" || e.name === "workgroupSize" || e.name === "numWorkgroups";
    case "var":
      return uniformVars.has(e.name);
    case "bin":
      return isUniformExpr(e.a, uniformVars) && isUniformExpr(e.b, uniformVars);
    case "un": case "conv":
      return isUniformExpr(e.a, uniformVars);
    case "call":
      return e.args.every((a) => isUniformExpr(a, uniformVars));
    case "select":
      return isUniformExpr(e.cond, uniformVars) && isUniformExpr(e.a, uniformVars) && isUniformExpr(e.b, uniformVars);
    // memory may differ between invocations (another invocation may have written it)
    case "load": case "quant": case "bytes":
      return false;
  }
}

/**
 * The variables that hold the same value in every invocation: assigned only uniform values, only in
 * uniform control flow. A fixed point, since a loop may make a variable non-uniform after its first use.
 */
export function uniformVariables(body: readonly Stmt[]): Set<string> {
  const all = new Set<string>();
  forEachStmt(body, (s) => {
    if (s.k === "decl") all.add(s.name);
  });
  const uniform = new Set(all);
  let changed = true;
  const visit = (list: readonly Stmt[], ctx: boolean): void => {
    for (const s of list) {
      switch (s.k) {
        case "decl":
          if (uniform.has(s.name) && !(ctx && (s.uniform || !s.init || isUniformExpr(s.init, uniform)))) {
            uniform.delete(s.name);
            changed = true;
          }
          break;
        case "assign":
          if (s.target.k === "var" && uniform.has(s.target.name) && !(ctx && isUniformExpr(s.value, uniform))) {
            uniform.delete(s.target.name);
            changed = true;
          }
          break;
        case "if": {
          const c = ctx && isUniformExpr(s.cond, uniform);
          visit(s.then, c);
          if (s.else) visit(s.else, c);
          break;
        }
        case "for": {
          visit([s.init], ctx);
          const c = ctx && isUniformExpr(s.cond, uniform) && loopExitsUniformly(s.body, uniform);
          visit(s.body, c);
          visit([s.update], c);
          break;
        }
        case "block":
          visit(s.body, ctx);
          break;
        default:
          break;
      }
    }
  };
  while (changed) {
    changed = false;
    visit(body, true);
  }
  return uniform;
}

/** A loop whose break/continue sit under non-uniform conditions runs a different count per invocation. */
function loopExitsUniformly(body: readonly Stmt[], uniform: ReadonlySet<string>): boolean {
  let ok = true;
  const visit = (list: readonly Stmt[], ctx: boolean): void => {
    for (const s of list) {
      if ((s.k === "break" || s.k === "continue") && !ctx) ok = false;
      if (s.k === "if") {
        const c = ctx && isUniformExpr(s.cond, uniform);
        visit(s.then, c);
        if (s.else) visit(s.else, c);
      } else if (s.k === "block") visit(s.body, ctx);
      // break/continue inside a nested loop belong to that loop
    }
  };
  visit(body, true);
  return ok;
}

function hasCollective(list: readonly Stmt[]): boolean {
  let found = false;
  forEachExpr(list, (e) => {
    if (e.k === "collective") found = true;
  });
  return found;
}

/** Throws a KernelError for the first whole-kernel rule the kernel breaks. */
export function verifyKernel(k: KernelIR): void {
  const [x, y, z] = k.workgroupSize;
  const invocations = x * y * z;
  if (invocations > MAX_WORKGROUP_INVOCATIONS) {
    throw new KernelError(k.loc, `workgroupSize ${x}x${y}x${z} has ${invocations} invocations`, `use at most ${MAX_WORKGROUP_INVOCATIONS}`);
  }
  const collectives = hasCollective(k.body);
  if (collectives && (invocations & (invocations - 1)) !== 0) {
    throw new KernelError(k.loc, `workgroupSum/workgroupMax need a power-of-two workgroup, not ${invocations}`, "use a workgroupSize of 32, 64, 128 or 256");
  }

  // shared memory: the kernel's arrays plus the collectives' scratch (one f32 per invocation)
  let bytes = collectives ? invocations * 4 : 0;
  for (const s of k.shared) {
    bytes += s.size * scalarBytes(s.type);
    if (bytes > SHARED_BUDGET_BYTES) {
      throw new KernelError(
        s.loc,
        `shared array ${s.name} (${s.size} x ${s.type}) brings workgroup memory to ${bytes} bytes, over the ${SHARED_BUDGET_BYTES}-byte budget`,
        "use fewer or smaller shared arrays (WebGPU guarantees 16 KiB per workgroup)",
      );
    }
  }

  const syncs = hasBarrier(k.body) || collectives;
  const uniform = uniformVariables(k.body);
  // barriers and collectives: reached by every invocation or by none
  const check = (list: readonly Stmt[], divergent: Loc | null, what: string): void => {
    for (const s of list) {
      if (s.k === "return" && syncs) {
        throw new KernelError(s.loc, "return in a kernel that uses barrier() or a workgroup collective", "let every invocation reach the barrier: wrap the rest of the body in an if instead of returning");
      }
      if (s.k === "barrier" && divergent) {
        throw new KernelError(s.loc, `barrier() in non-uniform control flow (the ${what} at line ${divergent.line} depends on localId, globalId or memory)`, "move the barrier out of the branch so every invocation of the workgroup reaches it");
      }
      let coll = false;
      if ((s.k === "decl" && s.init?.k === "collective") || (s.k === "assign" && s.value.k === "collective")) coll = true;
      if (coll && divergent) {
        throw new KernelError(s.loc, `workgroup collective in non-uniform control flow (the ${what} at line ${divergent.line} depends on localId, globalId or memory)`, "compute it outside the branch so every invocation of the workgroup takes part");
      }
      if (s.k === "if") {
        const d = divergent ?? (isUniformExpr(s.cond, uniform) ? null : s.loc);
        const w = divergent ? what : "if";
        check(s.then, d, w);
        if (s.else) check(s.else, d, w);
      } else if (s.k === "for") {
        const body = s.body;
        if (hasBarrier(body) || hasCollective(body)) {
          forEachStmt(body, (b) => {
            if (b.k === "break" || b.k === "continue") {
              throw new KernelError(b.loc, `${b.k} in a loop that contains a barrier or collective`, "give the loop a uniform bound instead, so every invocation runs it the same number of times");
            }
          });
        }
        const d = divergent ?? (isUniformExpr(s.cond, uniform) && uniform.has(s.init.name) ? null : s.loc);
        check(body, d, divergent ? what : "for loop");
      } else if (s.k === "block") check(s.body, divergent, what);
    }
  };
  check(k.body, null, "");
}
