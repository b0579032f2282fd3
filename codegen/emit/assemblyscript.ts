// AssemblyScript (WebAssembly): one exported function per kernel runs ONE workgroup on the CPU; the host
// (targets/wasm-simd) loops over workgroups, across worker threads. SIMT becomes loops over the local
// ids: the body is split into phases at barriers, each phase is `for (lid = 0; lid < size; lid++)`,
// and control flow that contains barriers (uniform, checked by ir/verify) runs once at workgroup level.
// Values that live from one phase into another are kept per invocation in scratch memory; shared
// arrays live there too. The kernel allocates nothing: the host passes `scratch` (manifest:
// wasm.scratchBytes) and buffers as byte addresses in linear memory. Scalar code for now; v128 SIMD
// for inner loops is a later pass.
import type { ByteLoad, Expr, KernelIR, Scalar, Stmt } from "../ir/types.js";
import { uniformVariables } from "../ir/verify.js";
import { forEachExpr, forEachStmt, hasBarrier, mapExpr, mapStmtExprs } from "../ir/walk.js";
import { floatText, header, indent, printExpr, stmtComments, tableLines, type Spelling } from "./print.js";

const F32_FN: Readonly<Record<string, string>> = {
  exp: "Mathf.exp", log: "Mathf.log", sqrt: "Mathf.sqrt", tanh: "Mathf.tanh", sin: "Mathf.sin", cos: "Mathf.cos",
  floor: "Mathf.floor", abs: "Mathf.abs", max: "Mathf.max", min: "Mathf.min", pow: "Mathf.pow", exp2: "Mathf.exp2",
  log2: "Mathf.log2", ceil: "Mathf.ceil", trunc: "Mathf.trunc",
};
const LOAD_TYPE: Readonly<Record<Scalar, string>> = { f32: "f32", i32: "i32", u32: "u32", bool: "bool" };
const BYTES: Readonly<Record<ByteLoad, (p: string) => string>> = {
  u8: (p) => `<u32>load<u8>(${p})`,
  i8: (p) => `<i32>load<i8>(${p})`,
  u16: (p) => `<u32>load<u16>(${p})`,
  i16: (p) => `<i32>load<i16>(${p})`,
  u32: (p) => `load<u32>(${p})`,
  i32: (p) => `load<i32>(${p})`,
  f16: (p) => `f16tof32(<u32>load<u16>(${p}))`,
  f32: (p) => `load<f32>(${p})`,
};

/** The f16 decoder generated kernels import (AssemblyScript has no f16 type). */
export const ASSEMBLYSCRIPT_PRELUDE = `// GENERATED — do not edit; source: codegen/emit/assemblyscript.ts
// Helpers the generated AssemblyScript kernels import.

/** IEEE binary16 bits (low 16 bits of h) to the exact f32 value. */
@inline
export function f16tof32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e == 0) {
    // zero and subnormals: m * 2^-24, exact in f32
    const v = <f32>m * <f32>5.9604644775390625e-8;
    return sign ? -v : v;
  }
  if (e == 31) return reinterpret<f32>(sign | 0x7f800000 | (m << 13));
  return reinterpret<f32>(sign | ((e + 112) << 23) | (m << 13));
}
`;

export interface AssemblyScriptKernel {
  readonly source: string;
  /** Bytes of scratch memory one workgroup needs (shared arrays and values carried across barriers). */
  readonly scratchBytes: number;
  /** The exported function's parameters, in order. */
  readonly params: readonly string[];
}

const SPILL = "__spill_";

export function emitAssemblyScript(k: KernelIR): AssemblyScriptKernel {
  const [sx, sy, sz] = k.workgroupSize;
  const n = sx * sy * sz;
  const phased = hasBarrier(k.body);

  // ---- plan: which statements run at workgroup level, which variables cross phases ------------------
  const uniform = uniformVariables(k.body);
  const wgVars = new Map<string, Scalar>();
  const phasesOf = new Map<string, Set<number>>();
  const typeOf = new Map<string, Scalar>();
  const mutable = new Set<string>();
  forEachStmt(k.body, (s) => {
    if (s.k === "decl") typeOf.set(s.name, s.type);
    if (s.k === "decl" && s.mutable) mutable.add(s.name);
  });
  const wgLoopVars = new Set<string>();
  let phase = 0;
  const note = (name: string, p: number): void => {
    if (!phasesOf.has(name)) phasesOf.set(name, new Set());
    phasesOf.get(name)!.add(p);
  };
  const varsIn = (list: readonly Stmt[], f: (name: string) => void): void => {
    forEachExpr(list, (e) => {
      if (e.k === "var") f(e.name);
    });
    forEachStmt(list, (s) => {
      if (s.k === "decl") f(s.name);
      if (s.k === "assign" && s.target.k === "var") f(s.target.name);
    });
  };
  const wgRef = (e: Expr): void => varsIn([{ k: "if", loc: k.loc, cond: e, then: [], else: null }], (v) => wgVars.set(v, typeOf.get(v)!));
  const plan = (list: readonly Stmt[]): void => {
    let open = false;
    for (const s of list) {
      if (s.k === "barrier") {
        open = false;
        continue;
      }
      if (hasBarrier([s])) {
        open = false;
        if (s.k === "if") {
          wgRef(s.cond);
          plan(s.then);
          if (s.else) plan(s.else);
        } else if (s.k === "for") {
          wgVars.set(s.init.name, s.init.type);
          wgLoopVars.add(s.init.name);
          if (s.init.init) wgRef(s.init.init);
          wgRef(s.cond);
          wgRef(s.update.value);
          plan(s.body);
        } else if (s.k === "block") plan(s.body);
        continue;
      }
      if (!open) {
        phase++;
        open = true;
      }
      varsIn([s], (v) => note(v, phase));
    }
  };
  if (phased) plan(k.body);
  for (const v of wgVars.keys()) {
    if (!uniform.has(v)) throw new Error(`internal: kernel ${k.name}: ${v} steers control flow around a barrier but is not uniform`);
  }
  // per-invocation values used in more than one phase live in scratch, one slot per invocation
  let offset = 0;
  const sharedAt = new Map<string, number>();
  for (const s of k.shared) {
    sharedAt.set(s.name, offset);
    offset += s.size * 4;
  }
  // A `let` is updated by every invocation in its phase (`l = l * c + s` runs once per invocation), so
  // each invocation keeps its own copy even when all copies are equal; control flow at workgroup level
  // reads invocation 0's. A `const` (one value, written identically by every invocation) and the
  // variable of a workgroup-level loop can be one workgroup-level variable.
  const readsLane0 = new Set<string>();
  for (const v of [...wgVars.keys()]) {
    if (mutable.has(v) && !wgLoopVars.has(v)) {
      wgVars.delete(v);
      readsLane0.add(v);
    }
  }
  const spillAt = new Map<string, number>();
  for (const [v, ps] of phasesOf) {
    if (ps.size > 1 && uniform.has(v) && !mutable.has(v)) wgVars.set(v, typeOf.get(v)!);
    if ((ps.size > 1 || readsLane0.has(v)) && !wgVars.has(v)) {
      spillAt.set(v, offset);
      offset += n * 4;
    }
  }

  // spilled variables become scratch slots indexed by the invocation
  const lid: Expr = { k: "var", type: "u32", name: "lid" };
  const spillRead = (e: Expr): Expr => (e.k === "var" && spillAt.has(e.name) ? { k: "load", type: e.type, buffer: SPILL + e.name, index: lid } : e);
  const lane0: Expr = { k: "lit", type: "u32", value: 0 };
  const spillRead0 = (e: Expr): Expr => (e.k === "var" && spillAt.has(e.name) ? { k: "load", type: e.type, buffer: SPILL + e.name, index: lane0 } : e);
  // statements that run at workgroup level (control flow around barriers) read invocation 0's copies
  const rewriteLevel = (list: readonly Stmt[]): Stmt[] =>
    list.map((s): Stmt => {
      if (s.k === "barrier" || !hasBarrier([s])) return s.k === "barrier" ? s : rewrite([s])[0]!;
      if (s.k === "if") return { ...s, cond: mapExpr(s.cond, spillRead0), then: rewriteLevel(s.then), else: s.else ? rewriteLevel(s.else) : null };
      if (s.k === "for") {
        return {
          ...s,
          init: { ...s.init, init: s.init.init ? mapExpr(s.init.init, spillRead0) : null },
          cond: mapExpr(s.cond, spillRead0),
          update: { ...s.update, value: mapExpr(s.update.value, spillRead0) },
          body: rewriteLevel(s.body),
        };
      }
      if (s.k === "block") return { ...s, body: rewriteLevel(s.body) };
      return s;
    });
  const rewrite = (list: readonly Stmt[]): Stmt[] =>
    mapStmtExprs(list, spillRead).map((s): Stmt => {
      if (s.k === "decl" && (spillAt.has(s.name) || wgVars.has(s.name))) {
        if (!s.init) return { k: "block", loc: s.loc, body: [] };
        const target = spillAt.has(s.name)
          ? { k: "store" as const, buffer: SPILL + s.name, index: lid, type: s.type }
          : { k: "var" as const, name: s.name, type: s.type };
        return { k: "assign", loc: s.loc, ...(s.comments ? { comments: s.comments } : {}), target, op: "=", value: s.init };
      }
      if (s.k === "assign" && s.target.k === "var" && spillAt.has(s.target.name)) {
        return { ...s, target: { k: "store", buffer: SPILL + s.target.name, index: lid, type: s.target.type } };
      }
      if (s.k === "if") return { ...s, then: rewrite(s.then), else: s.else ? rewrite(s.else) : null };
      if (s.k === "for") {
        const init = wgVars.has(s.init.name) ? s.init : (rewrite([s.init])[0] as typeof s.init);
        return { ...s, init, update: rewrite([s.update])[0] as typeof s.update, body: rewrite(s.body) };
      }
      if (s.k === "block") return { ...s, body: rewrite(s.body) };
      return s;
    });
  const body = phased ? rewriteLevel(k.body) : k.body;

  // ---- spellings ---------------------------------------------------------------------------------------
  const isBuffer = new Set(k.buffers.map((b) => b.name));
  const isTable = new Set(k.tables.map((t) => t.name));
  const addr = (buffer: string, index: string): string => {
    if (buffer.startsWith(SPILL)) return `scratch + ${spillAt.get(buffer.slice(SPILL.length))} + (<usize>(${index}) << 2)`;
    if (sharedAt.has(buffer)) return `scratch + ${sharedAt.get(buffer)} + (<usize>(${index}) << 2)`;
    if (isBuffer.has(buffer) || isTable.has(buffer)) return `${buffer} + (<usize>(${index}) << 2)`;
    throw new Error(`internal: kernel ${k.name}: no memory named ${buffer}`);
  };
  const lit = (t: Scalar, v: number | boolean): string => (t === "f32" ? `<f32>${floatText(v as number)}` : t === "bool" ? String(v) : `<${t}>${v}`);
  const as: Spelling = {
    lit,
    uniform: (name) => name,
    builtin: (name, axis) => {
      const a = { x: 0, y: 1, z: 2 }[axis];
      const l = ["lx", "ly", "lz"][a]!;
      const w = ["wx", "wy", "wz"][a]!;
      switch (name) {
        case "localId": return l;
        case "workgroupId": return w;
        case "numWorkgroups": return ["nwx", "nwy", "nwz"][a]!;
        case "workgroupSize": return `<u32>${k.workgroupSize[a]}`;
        case "globalId": return `(${w} * <u32>${k.workgroupSize[a]} + ${l})`;
      }
    },
    call: (fn, t, args) => {
      if (fn === "idiv") return `(${args[0]} / ${args[1]})`;
      if (fn === "f16tof32") return `f16tof32(${args[0]})`;
      if (fn === "bitcastf32") return `reinterpret<f32>(${args[0]})`;
      if (fn === "bitcastu32") return `reinterpret<u32>(${args[0]})`;
      if (fn === "rsqrt") return `(<f32>1.0 / Mathf.sqrt(${args[0]}))`;
      // no scalar f32 fma in WebAssembly: two roundings (conformance allows it for every target)
      if (fn === "fma") return `(${args[0]} * ${args[1]} + ${args[2]})`;
      if (fn === "clamp") return t === "f32" ? `Mathf.min(Mathf.max(${args[0]}, ${args[1]}), ${args[2]})` : `min<${t}>(max<${t}>(${args[0]}, ${args[1]}), ${args[2]})`;
      if (t !== "f32") return fn === "abs" ? (t === "u32" ? args[0]! : `abs<i32>(${args[0]})`) : `${fn}<${t}>(${args.join(", ")})`;
      return `${F32_FN[fn]}(${args.join(", ")})`;
    },
    conv: (to, from, a) => (from === "bool" ? `select<${to}>(${lit(to, 1)}, ${lit(to, 0)}, ${a})` : to === "bool" ? `(${a} != 0)` : `<${to}>(${a})`),
    select: (_t, c, a, b) => `(${c} ? ${a} : ${b})`,
    load: (buffer, index, t) => `load<${LOAD_TYPE[t]}>(${addr(buffer, index)})`,
    bytes: (buffer, off, bl) => BYTES[bl](`${buffer} + <usize>(${off})`),
    op: (op, t) => (op === ">>" && t === "u32" ? ">>>" : op),
  };
  const e = (x: Expr): string => printExpr(x, as);

  const out: string[] = [...header(k, "AssemblyScript").map((l) => (l ? `// ${l}` : "//"))];
  // ---- SIMD: a unit-stride sum loop of fixed length, four values per step -------------------------------
  // for (let j = 0; j < C; j++) { const t = ...; acc += <f32 expression of j> }, C a multiple of 4, where
  // every memory read is at (loop-invariant) + j: the body becomes f32x4 arithmetic over four
  // consecutive j, summed in four lanes and folded into acc at the end. The sum's order changes (four
  // partial sums), as in every SIMD or GPU reduction; elementwise results are unchanged.
  const mentions = (x: Expr, name: string): boolean => {
    let found = false;
    mapExpr(x, (y) => {
      if (y.k === "var" && y.name === name) found = true;
      return y;
    });
    return found;
  };
  /** base when x is base + j (a u32 sum with j as exactly one term), else null. */
  const offsetOf = (x: Expr, j: string): Expr | null => {
    const terms: Expr[] = [];
    const flat = (y: Expr): void => {
      if (y.k === "bin" && y.op === "+" && y.type === "u32") {
        flat(y.a);
        flat(y.b);
      } else terms.push(y);
    };
    flat(x);
    const at = terms.findIndex((t) => t.k === "var" && t.name === j);
    if (at < 0 || terms.some((t, i) => i !== at && mentions(t, j))) return null;
    const rest = terms.filter((_, i) => i !== at);
    return rest.length ? rest.reduce((a, b) => ({ k: "bin", type: "u32", op: "+", a, b })) : { k: "lit", type: "u32", value: 0 };
  };
  const F32X4: Partial<Record<string, string>> = { "+": "f32x4.add", "-": "f32x4.sub", "*": "f32x4.mul", "/": "f32x4.div" };
  const vec = (x: Expr, j: string): string | null => {
    if (!mentions(x, j)) return x.type === "f32" ? `f32x4.splat(${e(x)})` : null;
    // f32 buffers, shared arrays (matmul's tiles) and tables: four consecutive elements
    if (x.k === "load" && x.type === "f32" && !x.buffer.startsWith(SPILL)) {
      const base = offsetOf(x.index, j);
      return base ? `v128.load(${addr(x.buffer, `${e(base)} + ${j}`)})` : null;
    }
    if (x.k === "bin" && F32X4[x.op] && x.type === "f32") {
      const a = vec(x.a, j);
      const b = vec(x.b, j);
      return a && b ? `${F32X4[x.op]}(${a}, ${b})` : null;
    }
    if (x.k === "conv" && x.type === "f32" && x.a.k === "bytes" && (x.a.as === "i8" || x.a.as === "u8")) {
      const base = offsetOf(x.a.offset, j);
      const sx = x.a.as === "i8" ? "s" : "u";
      const bytes = `v128.load32_zero(${x.a.buffer} + <usize>(${base ? e(base) : ""} + ${j}))`;
      return base ? `f32x4.convert_i32x4_${sx}(i32x4.extend_low_i16x8_${sx}(i16x8.extend_low_i8x16_${sx}(${bytes})))` : null;
    }
    return null;
  };
  const simdSum = (s: Stmt & { k: "for" }, depth: number): boolean => {
    const j = s.init.name;
    const { cond, update } = s;
    if (s.init.type !== "u32" || s.init.init?.k !== "lit" || s.init.init.value !== 0) return false;
    if (cond.k !== "bin" || cond.op !== "<" || cond.a.k !== "var" || cond.a.name !== j || cond.b.k !== "lit") return false;
    const count = cond.b.value as number;
    if (count < 4 || count % 4 !== 0) return false;
    if (update.target.k !== "var" || update.op !== "+=" || update.value.k !== "lit" || update.value.value !== 1) return false;
    const last = s.body[s.body.length - 1];
    if (!last || last.k !== "assign" || last.op !== "+=" || last.target.type !== "f32") return false;
    // the sum goes to a variable, or to the invocation's scratch slot when it lives across barriers
    const target = last.target;
    if (target.k === "store" && !target.buffer.startsWith(SPILL)) return false;
    // the consts before the sum are pure: substitute them into it
    const defs = new Map<string, Expr>();
    for (const d of s.body.slice(0, -1)) {
      if (d.k !== "decl" || d.mutable || !d.init) return false;
      defs.set(d.name, mapExpr(d.init, (y) => (y.k === "var" && defs.has(y.name) ? defs.get(y.name)! : y)));
    }
    const value = mapExpr(last.value, (y) => (y.k === "var" && defs.has(y.name) ? defs.get(y.name)! : y));
    const acc = target.k === "var" ? target.name : target.buffer.slice(SPILL.length);
    let readsAcc = mentions(value, acc);
    mapExpr(value, (y) => {
      if (y.k === "load" && target.k === "store" && y.buffer === target.buffer) readsAcc = true;
      return y;
    });
    if (readsAcc) return false;
    const v = vec(value, j);
    if (!v) return false;
    const ind = indent(depth);
    const lanes = `${acc}_x4`;
    const hsum = `(f32x4.extract_lane(${lanes}, 0) + f32x4.extract_lane(${lanes}, 1)) + (f32x4.extract_lane(${lanes}, 2) + f32x4.extract_lane(${lanes}, 3))`;
    const slot = target.k === "store" ? addr(target.buffer, e(target.index)) : "";
    const fold = target.k === "var" ? `${acc} += ${hsum};` : `store<f32>(${slot}, load<f32>(${slot}) + (${hsum}));`;
    for (const c of stmtComments(s)) out.push(`${ind}// ${c}`);
    out.push(
      `${ind}{`,
      `${ind}  // SIMD: four values of ${j} per step in four partial sums [line ${s.loc.line}]`,
      `${ind}  let ${lanes} = f32x4.splat(<f32>0.0);`,
      `${ind}  for (let ${j}: u32 = 0; ${j} < ${count}; ${j} += 4) {`,
      `${ind}    ${lanes} = f32x4.add(${lanes}, ${v});`,
      `${ind}  }`,
      `${ind}  ${fold}`,
      `${ind}}`,
    );
    return true;
  };

  const printStmts = (list: readonly Stmt[], depth: number): void => {
    for (const s of list) {
      const ind = indent(depth);
      for (const c of stmtComments(s)) out.push(`${ind}// ${c}`);
      switch (s.k) {
        case "decl": {
          const init = s.init ? e(s.init) : s.type === "bool" ? "false" : lit(s.type, 0);
          out.push(`${ind}${s.mutable ? "let" : "const"} ${s.name}: ${s.type} = ${init};`);
          break;
        }
        case "assign": {
          if (s.target.k === "var") {
            out.push(`${ind}${s.target.name} ${s.op === ">>=" && s.target.type === "u32" ? ">>>=" : s.op} ${e(s.value)};`);
          } else {
            const t = s.target;
            const value: Expr = s.op === "=" ? s.value : { k: "bin", type: t.type, op: s.op.slice(0, -1) as "+", a: { k: "load", type: t.type, buffer: t.buffer, index: t.index }, b: s.value };
            out.push(`${ind}store<${LOAD_TYPE[t.type]}>(${addr(t.buffer, e(t.index))}, ${e(value)});`);
          }
          break;
        }
        case "if":
          out.push(`${ind}if (${e(s.cond)}) {`);
          printStmts(s.then, depth + 1);
          if (s.else) {
            out.push(`${ind}} else {`);
            printStmts(s.else, depth + 1);
          }
          out.push(`${ind}}`);
          break;
        case "for": {
          if (simdSum(s, depth)) break;
          const u = s.update;
          const name = u.target.k === "var" ? u.target.name : "";
          const op = u.op === ">>=" && s.init.type === "u32" ? ">>>=" : u.op;
          out.push(`${ind}for (let ${s.init.name}: ${s.init.type} = ${e(s.init.init!)}; ${e(s.cond)}; ${name} ${op} ${e(u.value)}) {`);
          printStmts(s.body, depth + 1);
          out.push(`${ind}}`);
          break;
        }
        case "block":
          if (s.body.length === 0) break;
          out.push(`${ind}{`);
          printStmts(s.body, depth + 1);
          out.push(`${ind}}`);
          break;
        case "break": case "continue": case "return":
          out.push(`${ind}${s.k};`);
          break;
        case "barrier":
          throw new Error(`internal: kernel ${k.name}: barrier inside a phase`);
      }
    }
  };

  const localIds = (depth: number): void => {
    const ind = indent(depth);
    if (sy === 1 && sz === 1) out.push(`${ind}const lx: u32 = lid;`, `${ind}const ly: u32 = 0;`, `${ind}const lz: u32 = 0;`);
    else out.push(`${ind}const lx: u32 = lid % ${sx};`, `${ind}const ly: u32 = (lid / ${sx}) % ${sy};`, `${ind}const lz: u32 = lid / ${sx * sy};`);
  };
  const phaseLoop = (list: readonly Stmt[], depth: number): void => {
    const ind = indent(depth);
    // a phase that is one `if (localId.x < C)` (a reduction step) needs only the first C invocations
    let count = n;
    const only = list.length === 1 ? list[0]! : null;
    if (sy === 1 && sz === 1 && only?.k === "if" && !only.else && only.cond.k === "bin" && only.cond.op === "<") {
      const { a, b } = only.cond;
      if (a.k === "builtin" && a.name === "localId" && a.axis === "x" && b.k === "lit") count = Math.min(n, b.value as number);
    }
    out.push(`${ind}for (let lid: u32 = 0; lid < ${count}; lid++) {`);
    localIds(depth + 1);
    printStmts(list, depth + 1);
    out.push(`${ind}}`);
  };
  // workgroup level: barrier-free runs become phase loops; control flow around barriers stays
  const emitLevel = (list: readonly Stmt[], depth: number): void => {
    let run: Stmt[] = [];
    const flush = (): void => {
      if (run.length) phaseLoop(run, depth);
      run = [];
    };
    for (const s of list) {
      if (s.k === "barrier") {
        flush();
        out.push(`${indent(depth)}// barrier [line ${s.loc.line}]: the next phase starts after every invocation finished this one`);
        continue;
      }
      if (!hasBarrier([s])) {
        run.push(s);
        continue;
      }
      flush();
      const ind = indent(depth);
      for (const c of stmtComments(s)) out.push(`${ind}// ${c}`);
      if (s.k === "if") {
        out.push(`${ind}if (${e(s.cond)}) {`);
        emitLevel(s.then, depth + 1);
        if (s.else) {
          out.push(`${ind}} else {`);
          emitLevel(s.else, depth + 1);
        }
        out.push(`${ind}}`);
      } else if (s.k === "for") {
        const u = s.update;
        const op = u.op === ">>=" && s.init.type === "u32" ? ">>>=" : u.op;
        out.push(`${ind}for (${s.init.name} = ${e(s.init.init!)}; ${e(s.cond)}; ${s.init.name} ${op} ${e(u.value)}) {`);
        emitLevel(s.body, depth + 1);
        out.push(`${ind}}`);
      } else if (s.k === "block") {
        out.push(`${ind}{`);
        emitLevel(s.body, depth + 1);
        out.push(`${ind}}`);
      }
    }
    flush();
  };

  const params = [
    "scratch: usize", "wx: u32", "wy: u32", "wz: u32", "nwx: u32", "nwy: u32", "nwz: u32",
    ...k.buffers.map((b) => `${b.name}: usize`),
    ...k.uniforms.map((u) => `${u.name}: ${u.type}`),
  ];
  let usesF16 = false;
  forEachExpr(body, (x) => {
    if ((x.k === "bytes" && x.as === "f16") || (x.k === "call" && x.fn === "f16tof32")) usesF16 = true;
  });
  if (usesF16) out.push("", 'import { f16tof32 } from "./prelude";');
  for (const t of k.tables) {
    // static data in the module's memory: the table's address
    out.push("", `const ${t.name}: usize = memory.data<${t.type}>([`, ...tableLines(t.values.map((v) => (t.type === "f32" ? floatText(v) : String(v))), "  "), "]);");
  }
  let returns = false;
  forEachStmt(body, (s) => {
    if (s.k === "return") returns = true;
  });
  if (returns) {
    // `return` ends one invocation: give the body a function of its own
    const inv = ["lx: u32", "ly: u32", "lz: u32", ...params.slice(1)];
    out.push("", "@inline", `function ${k.name}_invocation(${inv.join(", ")}): void {`);
    printStmts(body, 1);
    out.push("}");
  }
  out.push(
    "",
    `/** Runs workgroup (wx, wy, wz) of ${k.name}; buffers are byte addresses, scratch holds ${offset} bytes. */`,
    `export function ${k.name}(${params.join(", ")}): void {`,
  );
  for (const [v, t] of wgVars) out.push(`${indent(1)}let ${v}: ${t} = ${t === "bool" ? "false" : lit(t, 0)};`);
  if (returns) {
    out.push(`${indent(1)}for (let lid: u32 = 0; lid < ${n}; lid++) {`);
    localIds(2);
    const args = ["lx", "ly", "lz", ...params.slice(1).map((p) => p.split(":")[0]!)];
    out.push(`${indent(2)}${k.name}_invocation(${args.join(", ")});`, `${indent(1)}}`);
  } else if (phased) emitLevel(body, 1);
  else phaseLoop(body, 1);
  out.push("}", "");
  return { source: out.join("\n"), scratchBytes: offset, params: params.map((p) => p.split(":")[0]!) };
}
