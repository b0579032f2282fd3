// Whole-kernel checks on the IR, after the frontend: barriers and collectives only in uniform control
// flow, the shared-memory budget, and the shapes collectives and barriers need. Uniformity follows
// WGSL's idea: a value is uniform when every invocation of a workgroup computes the same one.
import { KernelError } from "./diagnostic.js";
import { MAX_WORKGROUP_INVOCATIONS, SHARED_BUDGET_BYTES, scalarBytes, type Expr, type KernelIR, type Loc, type Scalar, type Stmt } from "./types.js";
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

/**
 * Internal consistency of the IR's types, for passes: every operator's operands have the types it
 * takes, every variable is used with its declared type, every memory access names real memory of that
 * element type with a u32 index. The frontend only builds such IR; a pass that breaks it is a bug, and
 * this says which kernel and where.
 */
export function checkTypes(k: KernelIR, after = "the frontend"): void {
  const fail = (what: string): never => {
    throw new Error(`internal: kernel ${k.name} after ${after}: ${what}`);
  };
  const vars = new Map<string, Scalar>();
  forEachStmt(k.body, (s) => {
    if (s.k === "decl") {
      const prev = vars.get(s.name);
      if (prev && prev !== s.type) fail(`variable ${s.name} declared as ${prev} and ${s.type}`);
      vars.set(s.name, s.type);
    }
  });
  const mem = new Map<string, Scalar | "quant">();
  for (const b of k.buffers) mem.set(b.name, typeof b.elem === "string" ? b.elem : "quant");
  for (const s of k.shared) mem.set(s.name, s.type);
  for (const t of k.tables) mem.set(t.name, t.type);
  const uniforms = new Map(k.uniforms.map((u) => [u.name, u.type]));
  const F32_ONLY = new Set(["exp", "log", "sqrt", "rsqrt", "tanh", "sin", "cos", "floor", "fma", "pow", "exp2", "log2", "ceil", "trunc"]);

  const expr = (e: Expr): Scalar => {
    const want = (x: Expr, t: Scalar, role: string): void => {
      const got = expr(x);
      if (got !== t) fail(`${role} is ${got}, expected ${t}`);
    };
    switch (e.k) {
      case "lit":
        if (typeof e.value !== (e.type === "bool" ? "boolean" : "number")) fail(`literal ${String(e.value)} typed ${e.type}`);
        break;
      case "var":
        if (vars.get(e.name) !== e.type) fail(`variable ${e.name} read as ${e.type} but declared ${vars.get(e.name) ?? "nowhere"}`);
        break;
      case "uniform":
        if (uniforms.get(e.name) !== e.type) fail(`uniform ${e.name} read as ${e.type}`);
        break;
      case "const": case "builtin":
        break;
      case "bin": {
        const a = expr(e.a);
        if (e.op === "<<" || e.op === ">>") {
          want(e.b, "u32", `shift amount of ${e.op}`);
          if (a !== e.type || (a !== "i32" && a !== "u32")) fail(`${e.op} on ${a} typed ${e.type}`);
        } else {
          want(e.b, a, `right operand of ${e.op}`);
          const cmp = ["<", "<=", ">", ">=", "==", "!="].includes(e.op);
          if (cmp ? e.type !== "bool" : e.type !== a) fail(`${e.op} on ${a} typed ${e.type}`);
          if ((e.op === "&&" || e.op === "||") && a !== "bool") fail(`${e.op} on ${a}`);
          if (e.op === "/" && a !== "f32") fail(`integer / on ${a}`);
        }
        break;
      }
      case "un":
        want(e.a, e.op === "!" ? "bool" : e.type, `operand of ${e.op}`);
        break;
      case "conv":
        expr(e.a);
        break;
      case "call":
        if (F32_ONLY.has(e.fn)) e.args.forEach((x, i) => want(x, "f32", `argument ${i + 1} of ${e.fn}`));
        else if (e.fn === "f16tof32" || e.fn === "bitcastf32") want(e.args[0]!, "u32", `argument of ${e.fn}`);
        else if (e.fn === "bitcastu32") want(e.args[0]!, "f32", `argument of ${e.fn}`);
        else e.args.forEach((x, i) => want(x, e.type, `argument ${i + 1} of ${e.fn}`));
        break;
      case "collective":
        want(e.arg, "f32", `argument of ${e.fn}`);
        break;
      case "select":
        want(e.cond, "bool", "select condition");
        want(e.a, e.type, "select's first value");
        want(e.b, e.type, "select's second value");
        break;
      case "load": {
        const m = mem.get(e.buffer);
        // a quant buffer may be read as u32 words (how WGSL, without byte addressing, sees it)
        if (m === undefined || (m === "quant" ? e.type !== "u32" : m !== e.type)) fail(`load from ${e.buffer} as ${e.type} (memory is ${m ?? "missing"})`);
        want(e.index, "u32", `index into ${e.buffer}`);
        break;
      }
      case "quant":
        if (mem.get(e.buffer) !== "quant") fail(`block field of ${e.buffer}, which is not a quant buffer`);
        want(e.block, "u32", `block index into ${e.buffer}`);
        if (e.index) want(e.index, "u32", `element index of ${e.buffer}.${e.field}`);
        break;
      case "bytes":
        if (mem.get(e.buffer) !== "quant") fail(`byte load from ${e.buffer}, which is not a quant buffer`);
        want(e.offset, "u32", `byte offset into ${e.buffer}`);
        break;
    }
    return e.type;
  };
  const stmts = (list: readonly Stmt[]): void => {
    for (const s of list) {
      switch (s.k) {
        case "decl":
          if (s.init && expr(s.init) !== s.type) fail(`${s.name}: ${s.type} initialized with ${s.init.type} (line ${s.loc.line})`);
          break;
        case "assign": {
          const t = s.target;
          if (t.k === "var" && vars.get(t.name) !== t.type) fail(`assignment to ${t.name} as ${t.type}`);
          if (t.k === "store") {
            const m = mem.get(t.buffer);
            if (m !== t.type) fail(`store into ${t.buffer} as ${t.type} (memory is ${m ?? "missing"})`);
            if (expr(t.index) !== "u32") fail(`index into ${t.buffer} is not u32 (line ${s.loc.line})`);
          }
          const v = expr(s.value);
          const shift = s.op === "<<=" || s.op === ">>=";
          if (v !== (shift ? "u32" : t.type)) fail(`${s.op} of ${v} into ${t.type} (line ${s.loc.line})`);
          break;
        }
        case "if":
          if (expr(s.cond) !== "bool") fail(`if condition is not bool (line ${s.loc.line})`);
          stmts(s.then);
          if (s.else) stmts(s.else);
          break;
        case "for":
          stmts([s.init]);
          if (expr(s.cond) !== "bool") fail(`loop condition is not bool (line ${s.loc.line})`);
          stmts([s.update]);
          stmts(s.body);
          break;
        case "block":
          stmts(s.body);
          break;
        default:
          break;
      }
    }
  };
  stmts(k.body);
}
