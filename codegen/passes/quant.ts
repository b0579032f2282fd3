// Lowers quant block field reads (`W.block(i).qs[j]`) to little-endian byte loads at
// i * typeSize + field.offset + j * elementBytes, with every number taken from engine/quant/layouts.ts.
// A 4-byte field that packed blocks leave less than 4-byte aligned is read as two 16-bit halves, so no
// target issues a misaligned word load.
import { FIELD_BYTES, fieldAlignment, layoutOf } from "../../engine/quant/layouts.js";
import { typeInfoByName } from "../../engine/quant/types.js";
import type { ByteLoad, Expr, KernelIR } from "../ir/types.js";
import { mapStmtExprs } from "../ir/walk.js";

export function lowerQuant(k: KernelIR): KernelIR {
  const layouts = new Map<string, ReturnType<typeof layoutOf>>();
  for (const b of k.buffers) {
    if (typeof b.elem !== "string") layouts.set(b.name, layoutOf(typeInfoByName(b.elem.quant)!.id));
  }
  if (layouts.size === 0) return k;
  const u32 = (value: number): Expr => ({ k: "lit", type: "u32", value });
  const mul = (a: Expr, b: number): Expr => ({ k: "bin", type: "u32", op: "*", a, b: u32(b) });
  const add = (a: Expr, b: Expr): Expr => ({ k: "bin", type: "u32", op: "+", a, b });
  const f = (e: Expr): Expr => {
    if (e.k !== "quant") return e;
    const l = layouts.get(e.buffer)!;
    const field = l.field[e.field]!;
    let offset = add(mul(e.block, l.typeSize), u32(field.offset));
    if (e.index) offset = add(offset, mul(e.index, FIELD_BYTES[field.type]));
    const as = (field.type === "e8m0" ? "u8" : field.type) as ByteLoad;
    if (FIELD_BYTES[field.type] === 4 && fieldAlignment(l, field.name) < 4) {
      const half = (off: Expr): Expr => ({ k: "bytes", type: "u32", buffer: e.buffer, offset: off, as: "u16" });
      const word: Expr = { k: "bin", type: "u32", op: "|", a: half(offset), b: { k: "bin", type: "u32", op: "<<", a: half(add(offset, u32(2))), b: u32(16) } };
      if (as === "u32") return word;
      if (as === "i32") return { k: "conv", type: "i32", a: word };
      return { k: "call", type: "f32", fn: "bitcastf32", args: [word] };
    }
    return { k: "bytes", type: e.type, buffer: e.buffer, offset, as };
  };
  return { ...k, body: mapStmtExprs(k.body, f) };
}
