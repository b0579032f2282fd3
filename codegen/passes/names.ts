// Name legalization shared by every target: a kernel name that is a keyword or a predeclared name in
// any target language (C++/CUDA, Metal, WGSL, AssemblyScript) gets a trailing underscore, everywhere,
// so the generated sources for all targets use the same names. Also reserves the names emitters use.
import type { Expr, KernelIR, Stmt } from "../ir/types.js";
import { mapStmtExprs } from "../ir/walk.js";

const RESERVED = new Set(
  [
    // C, C++, CUDA, Metal
    "auto break case char class const continue default delete do double else enum extern float for goto if int long new",
    "operator private protected public register return short signed sizeof static struct switch template this throw try",
    "typedef union unsigned virtual void volatile while bool true false half uint ushort uchar kernel device constant",
    "threadgroup thread inline namespace using friend mutable explicit export typename asm signed size_t ptrdiff_t",
    "threadIdx blockIdx blockDim gridDim warpSize",
    // WGSL
    "fn let var loop array vec2 vec3 vec4 mat2x2 mat3x3 mat4x4 f32 f16 i32 u32 override alias const_assert discard",
    "diagnostic enable requires fallthrough loop ptr sampler texture_2d atomic workgroup storage uniform private function",
    "select bitcast module self super target type unsafe",
    // AssemblyScript
    "i8 i16 i64 u8 u16 u64 f64 isize usize v128 load store declare function instanceof interface is let of package",
    "yield await async abstract implements readonly Mathf Math memory unchecked changetype",
    // intrinsics as the targets spell them: a variable of that name would hide the function
    "exp log sqrt rsqrt tanh sin cos floor fma abs max min clamp dot inverseSqrt unpack2x16float fmax fmin fabs",
    "expf logf sqrtf rsqrtf tanhf sinf cosf floorf fmaf fabsf fmaxf fminf precise reinterpret f16tof32",
    "pow exp2 log2 ceil trunc powf exp2f log2f ceilf truncf",
    // names the emitters declare themselves
    "params lid lx ly lz wx wy wz nwx nwy nwz scratch globalId localId workgroupId numWorkgroups",
  ].join(" ").split(" "),
);

export function legalizeNames(k: KernelIR): KernelIR {
  const map = new Map<string, string>();
  const legal = (n: string): string => {
    if (!RESERVED.has(n) && !n.startsWith("__")) return n;
    let r = `${n.replace(/^_+/, "")}_`;
    while (RESERVED.has(r)) r += "_";
    map.set(n, r);
    return r;
  };
  const allNames: string[] = [...k.uniforms.map((u) => u.name), ...k.buffers.map((b) => b.name), ...k.shared.map((s) => s.name), ...k.tables.map((t) => t.name)];
  const collect = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.k === "decl") allNames.push(s.name);
      else if (s.k === "if") {
        collect(s.then);
        if (s.else) collect(s.else);
      } else if (s.k === "for") {
        allNames.push(s.init.name);
        collect(s.body);
      } else if (s.k === "block") collect(s.body);
    }
  };
  collect(k.body);
  for (const n of allNames) legal(n);
  if (map.size === 0) return k;
  const r = (n: string): string => map.get(n) ?? n;
  const f = (e: Expr): Expr => {
    switch (e.k) {
      case "var": case "uniform": return { ...e, name: r(e.name) };
      case "load": case "quant": case "bytes": return { ...e, buffer: r(e.buffer) };
      default: return e;
    }
  };
  const walk = (list: readonly Stmt[]): Stmt[] =>
    mapStmtExprs(list, f).map((s): Stmt => {
      switch (s.k) {
        case "decl": return { ...s, name: r(s.name) };
        case "assign": return { ...s, target: s.target.k === "var" ? { ...s.target, name: r(s.target.name) } : { ...s.target, buffer: r(s.target.buffer) } };
        case "if": return { ...s, then: walk(s.then), else: s.else ? walk(s.else) : null };
        case "for": return { ...s, init: walk([s.init])[0] as typeof s.init, update: walk([s.update])[0] as typeof s.update, body: walk(s.body) };
        case "block": return { ...s, body: walk(s.body) };
        default: return s;
      }
    });
  return {
    ...k,
    uniforms: k.uniforms.map((u) => ({ ...u, name: r(u.name) })),
    buffers: k.buffers.map((b) => ({ ...b, name: r(b.name) })),
    shared: k.shared.map((s) => ({ ...s, name: r(s.name) })),
    tables: k.tables.map((t) => ({ ...t, name: r(t.name) })),
    body: walk(k.body),
  };
}
