// WGSL: a legalize step and a table of spellings. WGSL has no byte-addressed storage, so quant
// buffers are bound as array<u32> and byte loads become word loads plus shifts and masks (the host
// pads such buffers to a multiple of 4 bytes); f16 fields decode with unpack2x16float. Buffers at
// @group(0) @binding(i) in the manifest's order, then one uniform struct.
import type { Expr, KernelIR, Scalar, Stmt } from "../ir/types.js";
import { checkTypes } from "../ir/verify.js";
import { mapStmtExprs } from "../ir/walk.js";
import { floatText, header, indent, printExpr, stmtComments, tableLines, type Spelling } from "./print.js";

const F32_FN: Readonly<Record<string, string>> = {
  exp: "exp", log: "log", sqrt: "sqrt", rsqrt: "inverseSqrt", tanh: "tanh", sin: "sin", cos: "cos", floor: "floor", fma: "fma",
  abs: "abs", max: "max", min: "min", clamp: "clamp", pow: "pow", exp2: "exp2", log2: "log2", ceil: "ceil", trunc: "trunc",
};

const u32 = (value: number): Expr => ({ k: "lit", type: "u32", value });
const bin = (op: "&" | ">>" | "<<" | "|", type: Scalar, a: Expr, b: Expr): Expr => ({ k: "bin", type, op, a, b });

/** Byte loads from quant buffers, spelled with the 32-bit words WGSL can address. */
export function legalizeWgsl(k: KernelIR): KernelIR {
  const f = (e: Expr): Expr => {
    if (e.k !== "bytes") return e;
    const word = (off: Expr): Expr => ({ k: "load", type: "u32", buffer: e.buffer, index: bin(">>", "u32", off, u32(2)) });
    // the byte (or half-word) within its word, shifted down to bit 0
    const part = (off: Expr, mask: number, sel: number): Expr => bin("&", "u32", bin(">>", "u32", word(off), bin("<<", "u32", bin("&", "u32", off, u32(sel)), u32(3))), u32(mask));
    const signed = (x: Expr, bits: number): Expr => bin(">>", "i32", bin("<<", "i32", { k: "conv", type: "i32", a: x }, u32(32 - bits)), u32(32 - bits));
    switch (e.as) {
      case "u8": return part(e.offset, 0xff, 3);
      case "i8": return signed(part(e.offset, 0xff, 3), 8);
      // 2-byte fields sit at even offsets (the layout self-check guarantees natural alignment in a block)
      case "u16": return part(e.offset, 0xffff, 2);
      case "i16": return signed(part(e.offset, 0xffff, 2), 16);
      case "f16": return { k: "call", type: "f32", fn: "f16tof32", args: [part(e.offset, 0xffff, 2)] };
      // 4-byte fields reach here only when 4-byte aligned (passes/quant.ts splits the others)
      case "u32": return word(e.offset);
      case "i32": return { k: "conv", type: "i32", a: word(e.offset) };
      case "f32": return { k: "call", type: "f32", fn: "bitcastf32", args: [word(e.offset)] };
    }
  };
  return { ...k, body: mapStmtExprs(k.body, f) };
}

const wgsl: Spelling = {
  lit: (t, v) => (t === "f32" ? `${floatText(v as number)}f` : t === "u32" ? `${v}u` : t === "i32" ? `${v}i` : String(v)),
  uniform: (name) => name,
  builtin: (name, axis) => `${name}.${axis}`,
  call: (fn, _t, args) => {
    if (fn === "idiv") return `(${args[0]} / ${args[1]})`;
    if (fn === "f16tof32") return `unpack2x16float(${args[0]}).x`;
    if (fn === "bitcastf32") return `bitcast<f32>(${args[0]})`;
    if (fn === "bitcastu32") return `bitcast<u32>(${args[0]})`;
    return `${F32_FN[fn]}(${args.join(", ")})`;
  },
  conv: (to, _from, a) => `${to}(${a})`,
  select: (_t, c, a, b) => `select(${b}, ${a}, ${c})`,
  load: (buffer, index) => `${buffer}[${index}]`,
  bytes: () => {
    throw new Error("internal: byte load reached the WGSL printer (run legalizeWgsl)");
  },
};

function printStmts(list: readonly Stmt[], depth: number, out: string[]): void {
  const e = (x: Expr): string => printExpr(x, wgsl);
  for (const s of list) {
    const ind = indent(depth);
    for (const c of stmtComments(s)) out.push(`${ind}// ${c}`);
    switch (s.k) {
      case "decl":
        out.push(`${ind}${s.mutable ? "var" : "let"} ${s.name}: ${s.type}${s.init ? ` = ${e(s.init)}` : ""};`);
        break;
      case "assign": {
        const target = s.target.k === "var" ? s.target.name : `${s.target.buffer}[${e(s.target.index)}]`;
        out.push(`${ind}${target} ${s.op} ${e(s.value)};`);
        break;
      }
      case "if":
        out.push(`${ind}if (${e(s.cond)}) {`);
        printStmts(s.then, depth + 1, out);
        if (s.else) {
          out.push(`${ind}} else {`);
          printStmts(s.else, depth + 1, out);
        }
        out.push(`${ind}}`);
        break;
      case "for": {
        const u = s.update;
        const target = u.target.k === "var" ? u.target.name : "";
        out.push(`${ind}for (var ${s.init.name}: ${s.init.type} = ${e(s.init.init!)}; ${e(s.cond)}; ${target} ${u.op} ${e(u.value)}) {`);
        printStmts(s.body, depth + 1, out);
        out.push(`${ind}}`);
        break;
      }
      case "block":
        out.push(`${ind}{`);
        printStmts(s.body, depth + 1, out);
        out.push(`${ind}}`);
        break;
      case "break": case "continue": case "return":
        out.push(`${ind}${s.k};`);
        break;
      case "barrier":
        // the DSL's barrier orders storage and workgroup memory
        out.push(`${ind}storageBarrier();`, `${ind}workgroupBarrier();`);
        break;
    }
  }
}

export function emitWgsl(k0: KernelIR): string {
  const k = legalizeWgsl(k0);
  checkTypes(k, "the WGSL legalize step");
  const out: string[] = [...header(k, "WGSL").map((l) => (l ? `// ${l}` : "//")), ""];
  k.buffers.forEach((b, i) => {
    const elem = typeof b.elem === "string" ? b.elem : "u32";
    const note = typeof b.elem === "string" ? "" : ` // ${b.elem.quant} blocks of ${b.elem.blockBytes} bytes, read as words`;
    out.push(`@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${elem}>;${note}`);
  });
  if (k.uniforms.length) {
    out.push("", `struct ${k.name}_params {`, ...k.uniforms.map((u) => `  ${u.name}: ${u.type},`), "}");
    out.push(`@group(0) @binding(${k.buffers.length}) var<uniform> params: ${k.name}_params;`);
  }
  for (const s of k.shared) out.push(`var<workgroup> ${s.name}: array<${s.type}, ${s.size}>;`);
  for (const t of k.tables) {
    const ty = `array<${t.type}, ${t.values.length}>`;
    out.push(`var<private> ${t.name}: ${ty} = ${ty}(`, ...tableLines(t.values.map((v) => wgsl.lit(t.type, v)), "  "), ");");
  }
  out.push(
    "",
    `@compute @workgroup_size(${k.workgroupSize.join(", ")})`,
    `fn ${k.name}(`,
    "  @builtin(global_invocation_id) globalId: vec3<u32>,",
    "  @builtin(local_invocation_id) localId: vec3<u32>,",
    "  @builtin(workgroup_id) workgroupId: vec3<u32>,",
    "  @builtin(num_workgroups) numWorkgroups: vec3<u32>,",
    ") {",
  );
  for (const u of k.uniforms) out.push(`  let ${u.name}: ${u.type} = params.${u.name};`);
  printStmts(k.body, 1, out);
  out.push("}", "");
  return out.join("\n");
}
