// Metal Shading Language: spellings for the C-family printer. Buffers at [[buffer(i)]] in the
// manifest's order, then one `constant` struct of uniforms; precise:: math so results match the
// other targets (Metal compiles with fast math by default).
import type { ByteLoad, KernelIR, Scalar } from "../ir/types.js";
import { printC, type CTarget } from "./cfamily.js";
import { floatText, tableLines } from "./print.js";

const TYPES: Readonly<Record<Scalar, string>> = { f32: "float", i32: "int", u32: "uint", bool: "bool" };
const F32_FN: Readonly<Record<string, string>> = {
  exp: "precise::exp", log: "precise::log", sqrt: "precise::sqrt", rsqrt: "precise::rsqrt", tanh: "precise::tanh",
  sin: "precise::sin", cos: "precise::cos", floor: "floor", fma: "fma", abs: "fabs", max: "fmax", min: "fmin", clamp: "clamp",
  pow: "precise::pow", exp2: "precise::exp2", log2: "precise::log2", ceil: "ceil", trunc: "trunc",
};
const BYTES: Readonly<Record<ByteLoad, (p: string) => string>> = {
  u8: (p) => `uint(*(${p}))`,
  i8: (p) => `int(*((device const char*)(${p})))`,
  u16: (p) => `uint(*((device const ushort*)(${p})))`,
  i16: (p) => `int(*((device const short*)(${p})))`,
  u32: (p) => `*((device const uint*)(${p}))`,
  i32: (p) => `*((device const int*)(${p}))`,
  f16: (p) => `float(*((device const half*)(${p})))`,
  f32: (p) => `*((device const float*)(${p}))`,
};

export const metal: CTarget = {
  label: "Metal",
  type: (t) => TYPES[t],
  lit: (t, v) => (t === "f32" ? `${floatText(v as number)}f` : t === "u32" ? `${v}u` : t === "i32" ? (v === -2147483648 ? "(-2147483647 - 1)" : String(v)) : String(v)),
  uniform: (name) => name,
  builtin: (name, axis) => `${name}.${axis}`,
  call: (fn, t, args) => {
    if (fn === "idiv") return `(${args[0]} / ${args[1]})`;
    if (fn === "f16tof32") return `float(as_type<half>(ushort(${args[0]})))`;
    if (fn === "bitcastf32") return `as_type<float>(${args[0]})`;
    if (fn === "bitcastu32") return `as_type<uint>(${args[0]})`;
    if (t !== "f32" && (fn === "max" || fn === "min" || fn === "clamp" || fn === "abs")) return t === "u32" && fn === "abs" ? args[0]! : `${fn}(${args.join(", ")})`;
    return `${F32_FN[fn]}(${args.join(", ")})`;
  },
  conv: (to, _from, a) => `${TYPES[to]}(${a})`,
  select: (_t, c, a, b) => `(${c} ? ${a} : ${b})`,
  load: (buffer, index) => `${buffer}[${index}]`,
  bytes: (buffer, offset, as) => BYTES[as](`${buffer} + ${offset}`),
  barrier: "threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);",
  sharedDecl: (s) => `threadgroup ${TYPES[s.type]} ${s.name}[${s.size}];`,
  preamble: (k) => [
    "#include <metal_stdlib>",
    "using namespace metal;",
    "",
    ...(k.uniforms.length ? [`struct ${k.name}_params {`, ...k.uniforms.map((u) => `  ${TYPES[u.type]} ${u.name};`), "};", ""] : []),
    ...k.tables.flatMap((t) => [
      `constant ${TYPES[t.type]} ${t.name}[${t.values.length}] = {`,
      ...tableLines(t.values.map((v) => metal.lit(t.type, v)), "    "),
      "};",
      "",
    ]),
  ],
  signature: (k) => {
    const params = [
      ...k.buffers.map((b, i) => {
        const elem = typeof b.elem === "string" ? TYPES[b.elem] : "uchar";
        return `device ${b.access === "read" ? "const " : ""}${elem}* ${b.name} [[buffer(${i})]]`;
      }),
      ...(k.uniforms.length ? [`constant ${k.name}_params& params [[buffer(${k.buffers.length})]]`] : []),
      "uint3 globalId [[thread_position_in_grid]]",
      "uint3 localId [[thread_position_in_threadgroup]]",
      "uint3 workgroupId [[threadgroup_position_in_grid]]",
      "uint3 workgroupSize [[threads_per_threadgroup]]",
      "uint3 numWorkgroups [[threadgroups_per_grid]]",
    ];
    return [`kernel void ${k.name}(`, ...params.map((p, i) => `    ${p}${i < params.length - 1 ? "," : ") {"}`)];
  },
  prologue: (k) => k.uniforms.map((u) => `const ${TYPES[u.type]} ${u.name} = params.${u.name};`),
};

export function emitMetal(k: KernelIR): string {
  return printC(k, metal);
}
