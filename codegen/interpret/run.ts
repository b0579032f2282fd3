// The IR interpreter: the living definition of what a kernel means, and a target that runs anywhere.
// Workgroups run one after another; inside a workgroup every invocation is a generator that runs
// until it reaches a barrier or a collective, and all of them advance together (lock-step), so a
// barrier reached by only some invocations is caught and reported. Every buffer and shared access is
// bounds-checked and a miss names the kernel, the buffer and the index. Arithmetic follows ir/scalar.ts.
import { KilnError } from "../../engine/errors.js";
import { FIELD_BYTES, layoutOf } from "../../engine/quant/layouts.js";
import { typeInfoByName } from "../../engine/quant/types.js";
import { binary, convert, intrinsic, unary, type Value } from "../ir/scalar.js";
import type { ByteLoad, Expr, KernelIR, Loc, Scalar, Stmt } from "../ir/types.js";

export type BufferData = Float32Array | Int32Array | Uint32Array | Uint8Array;

export interface Dispatch {
  /** Workgroups in the dispatch: n or [x, y, z]. */
  readonly workgroups: number | readonly [number, number?, number?];
  readonly uniforms?: Readonly<Record<string, number>>;
  /** One array per buffer: Float32Array for f32, Int32Array for i32, Uint32Array for u32, Uint8Array for quant blocks. */
  readonly buffers: Readonly<Record<string, BufferData>>;
}

type Sync = { kind: "barrier"; loc: Loc } | { kind: "collective"; fn: "workgroupSum" | "workgroupMax"; value: number; loc: Loc };
type Signal = "break" | "continue" | "return" | undefined;

interface Invocation {
  readonly env: Map<string, Value>;
  readonly lid: readonly [number, number, number];
  readonly wid: readonly [number, number, number];
}

const BYTE_LOAD_SIZE: Readonly<Record<ByteLoad, number>> = { u8: 1, i8: 1, u16: 2, i16: 2, f16: 2, u32: 4, i32: 4, f32: 4 };
const ARRAY_FOR: Readonly<Record<Scalar, string>> = { f32: "Float32Array", i32: "Int32Array", u32: "Uint32Array", bool: "Uint32Array" };

export function interpret(k: KernelIR, d: Dispatch): void {
  const wgs = typeof d.workgroups === "number" ? [d.workgroups, 1, 1] : [d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1];
  const uniforms = new Map<string, Value>();
  for (const u of k.uniforms) {
    const v = d.uniforms?.[u.name];
    if (v === undefined) throw new KilnError(`kernel ${k.name}: uniform ${u.name} (${u.type}) was not given; pass it in uniforms`);
    uniforms.set(u.name, u.type === "f32" ? Math.fround(v) : checkInt(k, u.name, u.type, v));
  }
  const memory = new Map<string, BufferData>();
  const views = new Map<string, DataView>();
  for (const b of k.buffers) {
    const arr = d.buffers[b.name];
    const want = typeof b.elem === "string" ? ARRAY_FOR[b.elem] : "Uint8Array";
    if (!arr) throw new KilnError(`kernel ${k.name}: buffer ${b.name} was not given; pass a ${want}`);
    if (arr.constructor.name !== want) throw new KilnError(`kernel ${k.name}: buffer ${b.name} is a ${arr.constructor.name}; pass a ${want}`);
    memory.set(b.name, arr);
    if (typeof b.elem !== "string") views.set(b.name, new DataView(arr.buffer, arr.byteOffset, arr.byteLength));
  }
  for (const t of k.tables) memory.set(t.name, t.type === "f32" ? Float32Array.from(t.values) : t.type === "i32" ? Int32Array.from(t.values) : Uint32Array.from(t.values));
  const quantLayouts = new Map(k.buffers.filter((b) => typeof b.elem !== "string").map((b) => [b.name, layoutOf(typeInfoByName((b.elem as { quant: string }).quant)!.id)]));
  const [sx, sy, sz] = k.workgroupSize;

  const oob = (buffer: string, index: number, length: number): never => {
    throw new KilnError(`kernel ${k.name}: ${buffer}[${index}] is out of bounds (length ${length}); check the dispatch size and the kernel's bounds test`);
  };

  const readBytes = (buffer: string, offset: number, as: ByteLoad): number => {
    const v = views.get(buffer)!;
    const size = BYTE_LOAD_SIZE[as];
    if (offset < 0 || offset + size > v.byteLength) oob(`${buffer} (bytes)`, offset, v.byteLength);
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

  const ev = (e: Expr, inv: Invocation): Value => {
    switch (e.k) {
      case "lit": return e.value;
      case "var": {
        const v = inv.env.get(e.name);
        if (v === undefined) throw new KilnError(`kernel ${k.name}: variable ${e.name} is read before it is assigned`);
        return v;
      }
      case "uniform": return uniforms.get(e.name)!;
      case "const": return e.value;
      case "builtin": {
        const a = e.axis === "x" ? 0 : e.axis === "y" ? 1 : 2;
        switch (e.name) {
          case "localId": return inv.lid[a];
          case "workgroupId": return inv.wid[a];
          case "workgroupSize": return k.workgroupSize[a];
          case "numWorkgroups": return wgs[a]!;
          case "globalId": return (inv.wid[a] * k.workgroupSize[a] + inv.lid[a]) >>> 0;
        }
        break;
      }
      case "bin": {
        // && and || short-circuit, as in TypeScript
        if (e.op === "&&") return ev(e.a, inv) ? ev(e.b, inv) : false;
        if (e.op === "||") return ev(e.a, inv) ? true : ev(e.b, inv);
        return binary(e.op, e.a.type, ev(e.a, inv), ev(e.b, inv));
      }
      case "un": return unary(e.op, e.type, ev(e.a, inv));
      case "call": return intrinsic(e.fn, e.type, e.args.map((a) => ev(a, inv)));
      case "conv": return convert(e.type, e.a.type, ev(e.a, inv));
      case "select": return ev(e.cond, inv) ? ev(e.a, inv) : ev(e.b, inv);
      case "load": {
        const mem = memory.get(e.buffer) ?? sharedOf(e.buffer);
        const i = ev(e.index, inv) as number;
        if (i >= mem.length) oob(e.buffer, i, mem.length);
        return mem[i]!;
      }
      case "quant": {
        const l = quantLayouts.get(e.buffer)!;
        const f = l.field[e.field]!;
        const offset = (ev(e.block, inv) as number) * l.typeSize + f.offset + (e.index ? (ev(e.index, inv) as number) * FIELD_BYTES[f.type] : 0);
        if (e.index && (ev(e.index, inv) as number) >= f.count) oob(`${e.buffer}.${e.field}`, ev(e.index, inv) as number, f.count);
        return readBytes(e.buffer, offset, f.type as ByteLoad);
      }
      case "bytes": return readBytes(e.buffer, ev(e.offset, inv) as number, e.as);
      case "collective":
        throw new KilnError(`internal: kernel ${k.name}: collective outside a declaration or assignment`);
    }
    throw new KilnError(`internal: kernel ${k.name}: unknown expression`);
  };

  let shared = new Map<string, BufferData>();
  const sharedOf = (name: string): BufferData => {
    const s = shared.get(name);
    if (!s) throw new KilnError(`internal: kernel ${k.name}: no buffer or shared array ${name}`);
    return s;
  };

  const store = (target: Stmt & { k: "assign" }, inv: Invocation, value: Value): void => {
    const t = target.target;
    if (t.k === "var") {
      inv.env.set(t.name, value);
      return;
    }
    const mem = memory.get(t.buffer) ?? shared.get(t.buffer)!;
    const i = ev(t.index, inv) as number;
    if (i >= mem.length) oob(t.buffer, i, mem.length);
    mem[i] = value as number;
  };

  const assignValue = (s: Stmt & { k: "assign" }, inv: Invocation, rhs: Value): Value => {
    if (s.op === "=") return rhs;
    const t = s.target;
    const current = t.k === "var" ? inv.env.get(t.name)! : (memory.get(t.buffer) ?? shared.get(t.buffer)!)[ev(t.index, inv) as number]!;
    return binary(s.op.slice(0, -1) as Parameters<typeof binary>[0], t.type, current, rhs);
  };

  function* exec(list: readonly Stmt[], inv: Invocation): Generator<Sync, Signal, number | undefined> {
    for (const s of list) {
      switch (s.k) {
        case "decl": {
          if (s.init?.k === "collective") {
            const r = yield { kind: "collective", fn: s.init.fn, value: ev(s.init.arg, inv) as number, loc: s.loc };
            inv.env.set(s.name, r!);
          } else if (s.init) inv.env.set(s.name, ev(s.init, inv));
          else inv.env.delete(s.name);
          break;
        }
        case "assign": {
          if (s.value.k === "collective") {
            const r = yield { kind: "collective", fn: s.value.fn, value: ev(s.value.arg, inv) as number, loc: s.loc };
            store(s, inv, r!);
          } else store(s, inv, assignValue(s, inv, ev(s.value, inv)));
          break;
        }
        case "if": {
          const sig = ev(s.cond, inv) ? yield* exec(s.then, inv) : s.else ? yield* exec(s.else, inv) : undefined;
          if (sig) return sig;
          break;
        }
        case "for": {
          yield* exec([s.init], inv);
          while (ev(s.cond, inv)) {
            const sig = yield* exec(s.body, inv);
            if (sig === "break") break;
            if (sig === "return") return sig;
            yield* exec([s.update], inv);
          }
          break;
        }
        case "block": {
          const sig = yield* exec(s.body, inv);
          if (sig) return sig;
          break;
        }
        case "break": case "continue": case "return":
          return s.k;
        case "barrier":
          yield { kind: "barrier", loc: s.loc };
          break;
      }
    }
    return undefined;
  }

  const at = (l: Loc): string => `${l.file}:${l.line}`;
  for (let wz = 0; wz < wgs[2]!; wz++) {
    for (let wy = 0; wy < wgs[1]!; wy++) {
      for (let wx = 0; wx < wgs[0]!; wx++) {
        // shared memory starts as garbage on a GPU: NaN makes a read before a write visible
        shared = new Map(k.shared.map((s) => [s.name, s.type === "f32" ? new Float32Array(s.size).fill(NaN) : s.type === "i32" ? new Int32Array(s.size) : new Uint32Array(s.size)]));
        const invs: Invocation[] = [];
        for (let lz = 0; lz < sz; lz++) for (let ly = 0; ly < sy; ly++) for (let lx = 0; lx < sx; lx++) invs.push({ env: new Map(), lid: [lx, ly, lz], wid: [wx, wy, wz] });
        const gens = invs.map((inv) => exec(k.body, inv));
        let states = gens.map((g) => g.next());
        for (;;) {
          const done = states.filter((s) => s.done).length;
          if (done === states.length) break;
          const waiting = states.find((s) => !s.done)!.value as Sync;
          if (done > 0) {
            throw new KilnError(`kernel ${k.name}: workgroup (${wx}, ${wy}, ${wz}): ${states.length - done} invocations wait at the ${waiting.kind} at ${at(waiting.loc)} while ${done} have finished (a barrier in non-uniform control flow)`);
          }
          const syncs = states.map((s) => s.value as Sync);
          const other = syncs.find((s) => s.kind !== waiting.kind || s.loc.line !== waiting.loc.line || s.loc.col !== waiting.loc.col);
          if (other) {
            throw new KilnError(`kernel ${k.name}: workgroup (${wx}, ${wy}, ${wz}): invocations wait at different barriers (${at(waiting.loc)} and ${at(other.loc)})`);
          }
          if (waiting.kind === "barrier") states = gens.map((g) => g.next());
          else {
            const values = syncs.map((s) => (s as { value: number }).value);
            let r: number;
            if (waiting.fn === "workgroupSum") {
              // the same tree order as the lowered reduction, so both give identical bits
              const t = Float32Array.from(values);
              for (let stride = t.length >> 1; stride > 0; stride >>= 1) for (let i = 0; i < stride; i++) t[i] = t[i]! + t[i + stride]!;
              r = t[0]!;
            } else r = values.reduce((m, v) => (Number.isNaN(m) ? v : Number.isNaN(v) ? m : Math.max(m, v)));
            states = gens.map((g) => g.next(r));
          }
        }
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
