// The IR interpreter: the living definition of what a kernel means, and a target that runs anywhere.
// Workgroups run one after another. Inside a workgroup, invocations advance in lock-step from one
// synchronisation point (barrier or collective) to the next: each stretch between them (a phase) runs
// for every invocation in turn, and control flow that contains a synchronisation point runs once for
// the whole workgroup after checking that every invocation agrees on its condition — so a barrier that
// only part of a workgroup would reach is reported, not hung on. Every buffer, shared and table access
// is bounds-checked and a miss names the kernel, the buffer and the index. Arithmetic: ir/scalar.ts.
// The IR is compiled once per kernel into closures (variables in numbered slots), then run per dispatch.
import { KilnError } from "../../engine/errors.js";
import { FIELD_BYTES, layoutOf } from "../../engine/quant/layouts.js";
import { typeInfoByName } from "../../engine/quant/types.js";
import { binary, convert, intrinsic, unary, type Value } from "../ir/scalar.js";
import type { BinOp, ByteLoad, Collective, Expr, KernelIR, Loc, Scalar, Stmt } from "../ir/types.js";
import { forEachExpr, forEachStmt } from "../ir/walk.js";

export type BufferData = Float32Array | Int32Array | Uint32Array | Uint8Array;

export interface Dispatch {
  /** Workgroups in the dispatch: n or [x, y, z]. */
  readonly workgroups: number | readonly [number, number?, number?];
  readonly uniforms?: Readonly<Record<string, number>>;
  /** One array per buffer: Float32Array for f32, Int32Array for i32, Uint32Array for u32, Uint8Array for quant blocks. */
  readonly buffers: Readonly<Record<string, BufferData>>;
}

type Signal = "break" | "continue" | "return" | undefined;

/** What a running dispatch shares: uniforms and memory by slot (buffers, tables, then shared arrays). */
interface Ctx {
  readonly uniforms: Value[];
  readonly mem: BufferData[];
  readonly views: (DataView | null)[];
  readonly wgs: readonly number[];
}
interface Inv {
  readonly vals: (Value | undefined)[];
  readonly lid: readonly [number, number, number];
  readonly wid: readonly [number, number, number];
  readonly ctx: Ctx;
}
type Ev = (inv: Inv) => Value;
type Run = (inv: Inv) => Signal;

/** A workgroup-level step: a phase (run by every invocation) or synchronising control flow. */
type Step = (invs: readonly Inv[], done: boolean[]) => void;

const ARRAY_FOR: Readonly<Record<Scalar, string>> = { f32: "Float32Array", i32: "Int32Array", u32: "Uint32Array", bool: "Uint32Array" };
const BYTE_LOAD_SIZE: Readonly<Record<ByteLoad, number>> = { u8: 1, i8: 1, u16: 2, i16: 2, f16: 2, u32: 4, i32: 4, f32: 4 };

interface Compiled {
  readonly steps: Step;
  readonly slots: number;
  readonly memSlot: ReadonlyMap<string, number>;
}

const compiledKernels = new WeakMap<KernelIR, Compiled>();

export function interpret(k: KernelIR, d: Dispatch): void {
  let c = compiledKernels.get(k);
  if (!c) {
    c = compile(k);
    compiledKernels.set(k, c);
  }
  const wgs = typeof d.workgroups === "number" ? [d.workgroups, 1, 1] : [d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1];
  const uniforms: Value[] = k.uniforms.map((u) => {
    const v = d.uniforms?.[u.name];
    if (v === undefined) throw new KilnError(`kernel ${k.name}: uniform ${u.name} (${u.type}) was not given; pass it in uniforms`);
    return u.type === "f32" ? Math.fround(v) : checkInt(k, u.name, u.type, v);
  });
  const mem: BufferData[] = [];
  const views: (DataView | null)[] = [];
  for (const b of k.buffers) {
    const arr = d.buffers[b.name];
    const want = typeof b.elem === "string" ? ARRAY_FOR[b.elem] : "Uint8Array";
    if (!arr) throw new KilnError(`kernel ${k.name}: buffer ${b.name} was not given; pass a ${want}`);
    if (arr.constructor.name !== want) throw new KilnError(`kernel ${k.name}: buffer ${b.name} is a ${arr.constructor.name}; pass a ${want}`);
    mem.push(arr);
    views.push(typeof b.elem === "string" ? null : new DataView(arr.buffer, arr.byteOffset, arr.byteLength));
  }
  for (const t of k.tables) {
    mem.push(t.type === "f32" ? Float32Array.from(t.values) : t.type === "i32" ? Int32Array.from(t.values) : Uint32Array.from(t.values));
    views.push(null);
  }
  const ctx: Ctx = { uniforms, mem, views, wgs };
  const sharedBase = k.buffers.length + k.tables.length;
  const [sx, sy, sz] = k.workgroupSize;
  for (let wz = 0; wz < wgs[2]!; wz++) {
    for (let wy = 0; wy < wgs[1]!; wy++) {
      for (let wx = 0; wx < wgs[0]!; wx++) {
        // shared memory starts as garbage on a GPU: NaN makes a read before a write visible
        k.shared.forEach((s, i) => {
          mem[sharedBase + i] = s.type === "f32" ? new Float32Array(s.size).fill(NaN) : s.type === "i32" ? new Int32Array(s.size) : new Uint32Array(s.size);
        });
        const wid = [wx, wy, wz] as const;
        const invs: Inv[] = [];
        for (let lz = 0; lz < sz; lz++) {
          for (let ly = 0; ly < sy; ly++) {
            for (let lx = 0; lx < sx; lx++) invs.push({ vals: new Array<Value | undefined>(c.slots), lid: [lx, ly, lz], wid, ctx });
          }
        }
        c.steps(invs, new Array<boolean>(invs.length).fill(false));
      }
    }
  }
}

function checkInt(k: KernelIR, name: string, type: Scalar, v: number): number {
  if (!Number.isInteger(v) || (type === "u32" && (v < 0 || v > 0xffffffff)) || (type === "i32" && (v < -0x80000000 || v > 0x7fffffff))) {
    throw new KilnError(`kernel ${k.name}: uniform ${name} = ${v} is not a ${type}; pass an integer in range`);
  }
  return v;
}

function compile(k: KernelIR): Compiled {
  // every variable name is unique in a kernel (the frontend and passes keep it so): one slot each
  const slotOf = new Map<string, number>();
  forEachStmt(k.body, (s) => {
    if (s.k === "decl" && !slotOf.has(s.name)) slotOf.set(s.name, slotOf.size);
  });
  const memSlot = new Map<string, number>();
  for (const b of k.buffers) memSlot.set(b.name, memSlot.size);
  for (const t of k.tables) memSlot.set(t.name, memSlot.size);
  for (const s of k.shared) memSlot.set(s.name, memSlot.size);
  const uniformSlot = new Map(k.uniforms.map((u, i) => [u.name, i]));
  const quantLayouts = new Map(
    k.buffers.filter((b) => typeof b.elem !== "string").map((b) => [b.name, layoutOf(typeInfoByName((b.elem as { quant: string }).quant)!.id)]),
  );
  const at = (l: Loc): string => `${l.file}:${l.line}`;
  const oob = (buffer: string, index: number, length: number): never => {
    throw new KilnError(`kernel ${k.name}: ${buffer}[${index}] is out of bounds (length ${length}); check the dispatch size and the kernel's bounds test`);
  };
  const slot = (name: string): number => {
    const s = slotOf.get(name);
    if (s === undefined) throw new KilnError(`internal: kernel ${k.name}: variable ${name} is not declared`);
    return s;
  };
  const memOf = (name: string): number => {
    const m = memSlot.get(name);
    if (m === undefined) throw new KilnError(`internal: kernel ${k.name}: no buffer, table or shared array ${name}`);
    return m;
  };

  const readBytes = (inv: Inv, buffer: string, m: number, offset: number, as: ByteLoad): number => {
    const v = inv.ctx.views[m]!;
    if (offset < 0 || offset + BYTE_LOAD_SIZE[as] > v.byteLength) oob(`${buffer} (bytes)`, offset, v.byteLength);
    switch (as) {
      case "u8": return v.getUint8(offset);
      case "i8": return v.getInt8(offset);
      case "u16": return v.getUint16(offset, true);
      case "i16": return v.getInt16(offset, true);
      case "u32": return v.getUint32(offset, true);
      case "i32": return v.getInt32(offset, true);
      case "f16": return intrinsic("f16tof32", "f32", [v.getUint16(offset, true)]) as number;
      case "f32": return v.getFloat32(offset, true);
    }
  };

  // Where targets disagree, the definition refuses: C leaves shifts by 32 or more and integer division
  // by zero undefined, WGSL defines them its own way.
  const shiftAmount = (v: number): number => {
    if (v >= 32) throw new KilnError(`kernel ${k.name}: a shift by ${v} bits; shift amounts must be below 32 (targets disagree beyond)`);
    return v;
  };
  const divisor = (v: number, op: string): number => {
    if (v === 0) throw new KilnError(`kernel ${k.name}: integer ${op} by zero (undefined on CUDA and Metal); guard the divisor`);
    return v;
  };
  const binFn = (op: BinOp, t: Scalar, a: Ev, b: Ev): Ev => {
    if (op === "<<" || op === ">>") {
      const sh = b;
      b = (i) => shiftAmount(sh(i) as number);
    }
    if (op === "%" && t !== "f32") {
      const dv = b;
      b = (i) => divisor(dv(i) as number, "%");
    }
    // the hot operators, spelled out; the rest through ir/scalar.ts
    if (t === "f32") {
      if (op === "+") return (i) => Math.fround((a(i) as number) + (b(i) as number));
      if (op === "-") return (i) => Math.fround((a(i) as number) - (b(i) as number));
      if (op === "*") return (i) => Math.fround((a(i) as number) * (b(i) as number));
      if (op === "/") return (i) => Math.fround((a(i) as number) / (b(i) as number));
    } else if (t === "u32") {
      if (op === "+") return (i) => ((a(i) as number) + (b(i) as number)) >>> 0;
      if (op === "-") return (i) => ((a(i) as number) - (b(i) as number)) >>> 0;
      if (op === "*") return (i) => Math.imul(a(i) as number, b(i) as number) >>> 0;
      if (op === "&") return (i) => ((a(i) as number) & (b(i) as number)) >>> 0;
      if (op === ">>") return (i) => (a(i) as number) >>> (b(i) as number);
      if (op === "<<") return (i) => ((a(i) as number) << (b(i) as number)) >>> 0;
    } else if (t === "i32") {
      if (op === "+") return (i) => ((a(i) as number) + (b(i) as number)) | 0;
      if (op === "-") return (i) => ((a(i) as number) - (b(i) as number)) | 0;
      if (op === "*") return (i) => Math.imul(a(i) as number, b(i) as number);
    }
    switch (op) {
      case "<": return (i) => (a(i) as number) < (b(i) as number);
      case "<=": return (i) => (a(i) as number) <= (b(i) as number);
      case ">": return (i) => (a(i) as number) > (b(i) as number);
      case ">=": return (i) => (a(i) as number) >= (b(i) as number);
      case "==": return (i) => a(i) === b(i);
      case "!=": return (i) => a(i) !== b(i);
      // && and || short-circuit, as in TypeScript
      case "&&": return (i) => (a(i) ? b(i) : false);
      case "||": return (i) => (a(i) ? true : b(i));
      default: return (i) => binary(op, t, a(i), b(i));
    }
  };

  const ev = (e: Expr): Ev => {
    switch (e.k) {
      case "lit": {
        const v = e.value;
        return () => v;
      }
      case "const": {
        const v = e.value;
        return () => v;
      }
      case "var": {
        const s = slot(e.name);
        const name = e.name;
        return (i) => {
          const v = i.vals[s];
          if (v === undefined) throw new KilnError(`kernel ${k.name}: variable ${name} is read before it is assigned`);
          return v;
        };
      }
      case "uniform": {
        const u = uniformSlot.get(e.name)!;
        return (i) => i.ctx.uniforms[u]!;
      }
      case "builtin": {
        const a = e.axis === "x" ? 0 : e.axis === "y" ? 1 : 2;
        const size = k.workgroupSize[a];
        switch (e.name) {
          case "localId": return (i) => i.lid[a];
          case "workgroupId": return (i) => i.wid[a];
          case "workgroupSize": return () => size;
          case "numWorkgroups": return (i) => i.ctx.wgs[a]!;
          case "globalId": return (i) => (i.wid[a] * size + i.lid[a]) >>> 0;
        }
        break;
      }
      case "bin": return binFn(e.op, e.a.type, ev(e.a), ev(e.b));
      case "un": {
        const a = ev(e.a);
        const { op, type } = e;
        return (i) => unary(op, type, a(i));
      }
      case "call": {
        const args = e.args.map(ev);
        const { fn, type } = e;
        if (fn === "idiv") {
          const [x, y] = args as [Ev, Ev];
          return (i) => intrinsic(fn, type, [x(i), divisor(y(i) as number, "idiv")]);
        }
        if (args.length === 1) {
          const a = args[0]!;
          return (i) => intrinsic(fn, type, [a(i)]);
        }
        return (i) => intrinsic(fn, type, args.map((a) => a(i)));
      }
      case "conv": {
        const a = ev(e.a);
        const to = e.type;
        const from = e.a.type;
        if (to === "f32" && from !== "bool") return (i) => Math.fround(a(i) as number);
        return (i) => convert(to, from, a(i));
      }
      case "select": {
        const c = ev(e.cond);
        const a = ev(e.a);
        const b = ev(e.b);
        return (i) => (c(i) ? a(i) : b(i));
      }
      case "load": {
        const m = memOf(e.buffer);
        const idx = ev(e.index);
        const name = e.buffer;
        return (i) => {
          const arr = i.ctx.mem[m]!;
          const x = idx(i) as number;
          if (x >= arr.length) oob(name, x, arr.length);
          return arr[x]!;
        };
      }
      case "quant": {
        const l = quantLayouts.get(e.buffer)!;
        const f = l.field[e.field]!;
        const m = memOf(e.buffer);
        const block = ev(e.block);
        const index = e.index ? ev(e.index) : null;
        const name = e.buffer;
        const field = e.field;
        return (i) => {
          let offset = (block(i) as number) * l.typeSize + f.offset;
          if (index) {
            const j = index(i) as number;
            if (j >= f.count) oob(`${name}.${field}`, j, f.count);
            offset += j * FIELD_BYTES[f.type];
          }
          return readBytes(i, name, m, offset, f.type as ByteLoad);
        };
      }
      case "bytes": {
        const m = memOf(e.buffer);
        const off = ev(e.offset);
        const { buffer, as } = e;
        return (i) => readBytes(i, buffer, m, off(i) as number, as);
      }
      case "collective":
        throw new KilnError(`internal: kernel ${k.name}: collective outside a declaration or assignment`);
    }
    throw new KilnError(`internal: kernel ${k.name}: unknown expression`);
  };

  /** Writes an assignment's value (applying a compound operator) to its variable or memory. */
  const assigner = (s: Stmt & { k: "assign" }, value: Ev): Run => {
    const t = s.target;
    const op = s.op === "=" ? null : (s.op.slice(0, -1) as BinOp);
    if (t.k === "var") {
      const sl = slot(t.name);
      if (!op) return (i) => void (i.vals[sl] = value(i));
      const type = t.type;
      const combine = binFn(op, type, (i) => i.vals[sl]!, value);
      return (i) => void (i.vals[sl] = combine(i));
    }
    const m = memOf(t.buffer);
    const idx = ev(t.index);
    const name = t.buffer;
    const type = t.type;
    return (i) => {
      const arr = i.ctx.mem[m]!;
      const x = idx(i) as number;
      if (x >= arr.length) oob(name, x, arr.length);
      arr[x] = (op ? binary(op, type, arr[x]!, value(i)) : value(i)) as number;
      return undefined;
    };
  };

  const run = (list: readonly Stmt[]): Run => {
    const fns = list.map(runOne);
    if (fns.length === 1) return fns[0]!;
    return (i) => {
      for (const f of fns) {
        const sig = f(i);
        if (sig) return sig;
      }
      return undefined;
    };
  };

  function runOne(s: Stmt): Run {
    switch (s.k) {
      case "decl": {
        const sl = slot(s.name);
        if (!s.init) return (i) => void (i.vals[sl] = undefined);
        const init = ev(s.init);
        return (i) => void (i.vals[sl] = init(i));
      }
      case "assign":
        return assigner(s, ev(s.value));
      case "if": {
        const c = ev(s.cond);
        const t = run(s.then);
        const e = s.else ? run(s.else) : null;
        return (i) => (c(i) ? t(i) : e ? e(i) : undefined);
      }
      case "for": {
        const init = runOne(s.init);
        const c = ev(s.cond);
        const body = run(s.body);
        const update = runOne(s.update);
        return (i) => {
          init(i);
          while (c(i)) {
            const sig = body(i);
            if (sig === "break") break;
            if (sig === "return") return sig;
            update(i);
          }
          return undefined;
        };
      }
      case "block":
        return run(s.body);
      case "break": case "continue": case "return": {
        const sig = s.k;
        return () => sig;
      }
      case "barrier":
        throw new KilnError(`internal: kernel ${k.name}: barrier inside a phase`);
    }
  }

  // ---- workgroup level -----------------------------------------------------------------------------

  const syncs = (s: Stmt): boolean => {
    let found = false;
    forEachStmt([s], (x) => {
      if (x.k === "barrier") found = true;
    });
    forEachExpr([s], (e) => {
      if (e.k === "collective") found = true;
    });
    return found;
  };
  const where = (invs: readonly Inv[]): string => `workgroup (${invs[0]!.wid.join(", ")})`;

  /** Every invocation still running must reach this point; finished ones cannot be waited for. */
  const arrive = (invs: readonly Inv[], done: boolean[], what: string, loc: Loc): void => {
    const finished = done.filter(Boolean).length;
    if (finished > 0 && finished < done.length) {
      throw new KilnError(`kernel ${k.name}: ${where(invs)}: ${done.length - finished} invocations wait at the ${what} at ${at(loc)} while ${finished} have finished (a barrier in non-uniform control flow)`);
    }
  };

  /** The condition of synchronising control flow, which every invocation must agree on. */
  const agree = (c: Ev, what: string, loc: Loc): ((invs: readonly Inv[], done: boolean[]) => boolean) => (invs, done) => {
    let value: boolean | null = null;
    let yes = 0;
    let active = 0;
    invs.forEach((inv, j) => {
      if (done[j]) return;
      const v = c(inv) as boolean;
      active++;
      if (v) yes++;
      value ??= v;
    });
    if (yes > 0 && yes < active) {
      throw new KilnError(`kernel ${k.name}: ${where(invs)}: invocations disagree on the ${what} at ${at(loc)}, which contains a barrier (${yes} take it, ${active - yes} do not)`);
    }
    return value ?? false;
  };

  const level = (list: readonly Stmt[]): Step => {
    const steps: Step[] = [];
    let phase: Stmt[] = [];
    const flush = (): void => {
      if (phase.length === 0) return;
      const f = run(phase);
      phase = [];
      steps.push((invs, done) => {
        invs.forEach((inv, j) => {
          if (!done[j] && f(inv) === "return") done[j] = true;
        });
      });
    };
    for (const s of list) {
      if (!syncs(s)) {
        phase.push(s);
        continue;
      }
      flush();
      steps.push(syncStep(s));
    }
    flush();
    return (invs, done) => {
      for (const st of steps) st(invs, done);
    };
  };

  function syncStep(s: Stmt): Step {
    switch (s.k) {
      case "barrier":
        return (invs, done) => arrive(invs, done, "barrier", s.loc);
      case "decl":
      case "assign": {
        const value = s.k === "decl" ? s.init : s.value;
        if (value?.k !== "collective") throw new KilnError(`internal: kernel ${k.name}: collective nested in an expression at ${at(s.loc)}`);
        const arg = ev(value.arg);
        const fn: Collective = value.fn;
        let result: Value = 0;
        const sl = s.k === "decl" ? slot(s.name) : -1;
        const write: Run = s.k === "decl" ? (i) => void (i.vals[sl] = result) : assigner(s, () => result);
        return (invs, done) => {
          arrive(invs, done, fn, s.loc);
          if (done.every(Boolean)) return;
          result = reduce(fn, invs.map((inv) => arg(inv) as number));
          for (const inv of invs) write(inv);
        };
      }
      case "if": {
        const c = agree(ev(s.cond), "if", s.loc);
        const t = level(s.then);
        const e = s.else ? level(s.else) : null;
        return (invs, done) => {
          if (c(invs, done)) t(invs, done);
          else if (e) e(invs, done);
        };
      }
      case "for": {
        const init = runOne(s.init);
        const c = agree(ev(s.cond), "for loop", s.loc);
        const body = level(s.body);
        const update = runOne(s.update);
        return (invs, done) => {
          invs.forEach((inv, j) => void (done[j] || init(inv)));
          while (c(invs, done)) {
            body(invs, done);
            invs.forEach((inv, j) => void (done[j] || update(inv)));
          }
        };
      }
      case "block":
        return level(s.body);
      default:
        throw new KilnError(`internal: kernel ${k.name}: unexpected ${s.k} around a barrier at ${at(s.loc)}`);
    }
  }

  return { steps: level(k.body), slots: slotOf.size, memSlot };
}

/** A workgroup collective, in the same tree order as the lowered reduction, so both give identical bits. */
function reduce(fn: Collective, values: number[]): number {
  if (fn === "workgroupSum") {
    const t = Float32Array.from(values);
    for (let stride = t.length >> 1; stride > 0; stride >>= 1) for (let i = 0; i < stride; i++) t[i] = t[i]! + t[i + stride]!;
    return t[0]!;
  }
  return values.reduce((m, v) => (Number.isNaN(m) ? v : Number.isNaN(v) ? m : Math.max(m, v)));
}
