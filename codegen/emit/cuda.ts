// CUDA: spellings for the C-family printer. Buffers are __restrict__ pointers (quant buffers as bytes),
// uniforms by-value parameters after them, in the manifest's order. Checked with nvcc -ptx (sm_80, sm_90).
import type { ByteLoad, KernelIR, Scalar } from "../ir/types.js";
import { printC, type CTarget } from "./cfamily.js";
import { floatText, tableLines } from "./print.js";

const TYPES: Readonly<Record<Scalar, string>> = { f32: "float", i32: "int", u32: "unsigned int", bool: "bool" };
const F32_FN: Readonly<Record<string, string>> = {
  exp: "expf", log: "logf", sqrt: "sqrtf", rsqrt: "rsqrtf", tanh: "tanhf", sin: "sinf", cos: "cosf", floor: "floorf", fma: "fmaf",
  abs: "fabsf", max: "fmaxf", min: "fminf", pow: "powf", exp2: "exp2f", log2: "log2f", ceil: "ceilf", trunc: "truncf",
};
const AXES = { x: "x", y: "y", z: "z" } as const;
const BYTES: Readonly<Record<ByteLoad, (p: string) => string>> = {
  u8: (p) => `(unsigned int)*(${p})`,
  i8: (p) => `(int)*(const signed char*)(${p})`,
  u16: (p) => `(unsigned int)*(const unsigned short*)(${p})`,
  i16: (p) => `(int)*(const short*)(${p})`,
  u32: (p) => `*(const unsigned int*)(${p})`,
  i32: (p) => `*(const int*)(${p})`,
  f16: (p) => `__half2float(*(const __half*)(${p}))`,
  f32: (p) => `*(const float*)(${p})`,
};

const usesF16 = (src: string): boolean => src.includes("__half");

export const cuda: CTarget = {
  label: "CUDA",
  type: (t) => TYPES[t],
  lit: (t, v) => (t === "f32" ? `${floatText(v as number)}f` : t === "u32" ? `${v}u` : t === "i32" ? (v === -2147483648 ? "(-2147483647 - 1)" : String(v)) : String(v)),
  uniform: (name) => name,
  builtin: (name, axis) => {
    const a = AXES[axis];
    switch (name) {
      case "localId": return `threadIdx.${a}`;
      case "workgroupId": return `blockIdx.${a}`;
      case "workgroupSize": return `blockDim.${a}`;
      case "numWorkgroups": return `gridDim.${a}`;
      case "globalId": return `(blockIdx.${a} * blockDim.${a} + threadIdx.${a})`;
    }
  },
  call: (fn, t, args) => {
    if (fn === "idiv") return `(${args[0]} / ${args[1]})`;
    if (fn === "f16tof32") return `__half2float(__ushort_as_half((unsigned short)(${args[0]})))`;
    if (fn === "bitcastf32") return `__uint_as_float(${args[0]})`;
    if (fn === "bitcastu32") return `__float_as_uint(${args[0]})`;
    if (fn === "clamp") return t === "f32" ? `fminf(fmaxf(${args[0]}, ${args[1]}), ${args[2]})` : `min(max(${args[0]}, ${args[1]}), ${args[2]})`;
    if (t !== "f32" && (fn === "max" || fn === "min")) return `${fn}(${args.join(", ")})`;
    if (t === "u32" && fn === "abs") return args[0]!;
    if (t === "i32" && fn === "abs") return `abs(${args[0]})`;
    return `${F32_FN[fn]}(${args.join(", ")})`;
  },
  conv: (to, _from, a) => `(${TYPES[to]})(${a})`,
  select: (_t, c, a, b) => `(${c} ? ${a} : ${b})`,
  load: (buffer, index) => `${buffer}[${index}]`,
  bytes: (buffer, offset, as) => BYTES[as](`${buffer} + ${offset}`),
  barrier: "__syncthreads();",
  sharedDecl: (s) => `__shared__ ${TYPES[s.type]} ${s.name}[${s.size}];`,
  preamble: (k) =>
    k.tables.flatMap((t) => [
      `__constant__ ${TYPES[t.type]} ${t.name}[${t.values.length}] = {`,
      ...tableLines(t.values.map((v) => cuda.lit(t.type, v)), "    "),
      "};",
      "",
    ]),
  signature: (k) => {
    const params = [
      ...k.buffers.map((b) => {
        const elem = typeof b.elem === "string" ? TYPES[b.elem] : "unsigned char";
        return `${b.access === "read" ? "const " : ""}${elem}* __restrict__ ${b.name}`;
      }),
      ...k.uniforms.map((u) => `${TYPES[u.type]} ${u.name}`),
    ];
    const n = k.workgroupSize[0] * k.workgroupSize[1] * k.workgroupSize[2];
    return [`extern "C" __global__ void __launch_bounds__(${n}) ${k.name}(`, ...params.map((p, i) => `    ${p}${i < params.length - 1 ? "," : ") {"}`)];
  },
  prologue: () => [],
};

export function emitCuda(k: KernelIR): string {
  const body = printC(k, cuda);
  // cuda_fp16.h only where a kernel reads f16 fields: it is a large header
  return usesF16(body) ? body.replace(/^((?:\/\/.*\n)+)\n/, "$1\n#include <cuda_fp16.h>\n\n") : body;
}
