// The kernel DSL's frontend rejects what would mean different things on different targets, at the
// kernel's line, with a fix. Each fixture in test/fixtures/bad-kernels marks the offending line with
// `// expect: <words of the problem>`; the diagnostic must point at exactly that line.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseKernelFile, parseKernelSource } from "../codegen/frontend/parse.js";
import { KernelError } from "../codegen/ir/diagnostic.js";
import type { KernelIR } from "../codegen/ir/types.js";
import { checkTypes } from "../codegen/ir/verify.js";
import { lower } from "../codegen/passes/pipeline.js";
import { KilnError } from "../engine/errors.js";
import { REPO_ROOT } from "./golden.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "bad-kernels");
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".kernel.ts")).sort();

function expectation(file: string): { line: number; words: string } {
  const lines = readFileSync(join(FIXTURES, file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes("// expect: "));
  if (i < 0) throw new Error(`fixture ${file} has no "// expect:" marker`);
  return { line: i + 1, words: lines[i]!.split("// expect: ")[1]!.trim() };
}

function diagnosticOf(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KernelError) return err;
    throw err;
  }
  throw new Error("the kernel was accepted");
}

describe("the DSL frontend rejects bad kernels at their line, with a fix", () => {
  it("has a fixture for each rule the DSL promises to check", () => {
    for (const rule of ["int-div", "mixed-int-float", "barrier-divergent", "unknown-intrinsic", "shared-over-budget"]) {
      expect(fixtures).toContain(`${rule}.kernel.ts`);
    }
  });

  for (const file of fixtures) {
    it(`rejects ${file}`, () => {
      const want = expectation(file);
      const err = diagnosticOf(() => parseKernelFile(join(FIXTURES, file), REPO_ROOT));
      expect(err).toBeInstanceOf(KilnError);
      expect(err.loc.file).toBe(`test/fixtures/bad-kernels/${file}`);
      expect(err.loc.line).toBe(want.line);
      expect(err.message).toContain(`test/fixtures/bad-kernels/${file}:${want.line}:`);
      expect(err.problem).toContain(want.words);
      // the message says how to fix it, not only what is wrong
      expect(err.fix.length).toBeGreaterThan(10);
      expect(err.message).toContain(err.fix);
    });
  }
});

const wrap = (body: string, spec = `{ name: "t", workgroupSize: 64, uniforms: { n: u32, s: f32 }, buffers: { x: read(f32), out: write(f32) } }`): string =>
  [
    'import { barrier, exp, f32, globalId, i32, idiv, kernel, localId, read, select, u32, workgroupMax, write } from "../../codegen/dsl/index.js";',
    `export const t = kernel(${spec}, ({ n, s, x, out }) => {`,
    body,
    "});",
  ].join("\n");

describe("the DSL's typing rules", () => {
  it("gives integer literals the type of the other operand and keeps float literals f32", () => {
    const [k] = parseKernelSource(wrap("  const i = globalId.x;\n  if (i < n) {\n    out[i] = x[i] * 2 + 0.5;\n  }"), "inline.kernel.ts");
    const json = JSON.stringify(k!.body);
    expect(json).toContain('{"k":"lit","type":"f32","value":2}');
    expect(json).toContain('{"k":"lit","type":"f32","value":0.5}');
  });

  it("accepts explicit conversions, idiv and shifts where `/` on integers is rejected", () => {
    expect(() => parseKernelSource(wrap("  const i = globalId.x;\n  const h = idiv(n, 3) + (n >> 1);\n  if (i < h) {\n    out[i] = x[i] * f32(i);\n  }"), "ok.kernel.ts")).not.toThrow();
    const err = diagnosticOf(() => parseKernelSource(wrap("  const h = idiv(s, 2.0);\n  out[0] = h;"), "bad.kernel.ts"));
    expect(err.problem).toContain("idiv() on f32");
    expect(err.loc.line).toBe(3);
  });

  it("asks for a type where an integer literal alone leaves it open", () => {
    const err = diagnosticOf(() => parseKernelSource(wrap("  let count = 0;\n  count += 1;\n  out[0] = f32(count);"), "ambiguous.kernel.ts"));
    expect(err.problem).toContain("ambiguous");
    expect(err.fix).toContain("let count: u32 = 0");
  });

  it("allows a barrier inside a loop whose bound is uniform, and rejects one in a loop over localId", () => {
    const uniformLoop = "  for (let r = 0; r < n; r++) {\n    barrier();\n  }\n  out[globalId.x] = 1.0;";
    expect(() => parseKernelSource(wrap(uniformLoop), "ok.kernel.ts")).not.toThrow();
    const divergentLoop = "  for (let r = localId.x; r < n; r++) {\n    barrier();\n  }";
    const err = diagnosticOf(() => parseKernelSource(wrap(divergentLoop), "loop.kernel.ts"));
    expect(err.loc.line).toBe(4);
    expect(err.problem).toContain("for loop at line 3");
  });

  it("rejects a return in a kernel that synchronizes, and a collective nested in an expression", () => {
    const ret = diagnosticOf(() => parseKernelSource(wrap("  if (globalId.x >= n) {\n    return;\n  }\n  barrier();"), "ret.kernel.ts"));
    expect(ret.loc.line).toBe(4);
    expect(ret.fix).toContain("wrap the rest");
    const nested = diagnosticOf(() => parseKernelSource(wrap("  out[0] = workgroupMax(x[0]) + 1.0;"), "nested.kernel.ts"));
    expect(nested.fix).toContain("const s = workgroupMax(...)");
  });

  it("rejects collectives on a workgroup that is not a power of two", () => {
    const spec = `{ name: "t", workgroupSize: 48, uniforms: { n: u32, s: f32 }, buffers: { x: read(f32), out: write(f32) } }`;
    const err = diagnosticOf(() => parseKernelSource(wrap("  const m = workgroupMax(x[localId.x]);\n  out[0] = m;", spec), "wg.kernel.ts"));
    expect(err.problem).toContain("power-of-two");
  });
});

describe("the IR type check that guards every pass", () => {
  it("accepts every fixture kernel after each shared pass", () => {
    const ks = parseKernelFile(join(REPO_ROOT, "test", "fixtures", "kernels", "features.kernel.ts"), REPO_ROOT);
    for (const k of ks) expect(() => checkTypes(lower(k))).not.toThrow();
  });

  it("names the kernel and the pass when a pass mixes types", () => {
    const [k] = parseKernelSource(wrap("  const i = globalId.x;\n  if (i < n) {\n    out[i] = x[i] * s;\n  }"), "ok.kernel.ts");
    // what a buggy pass might produce: the f32 product with a u32 operand
    const broken: KernelIR = JSON.parse(JSON.stringify(k!).replace('{"k":"uniform","type":"f32","name":"s"}', '{"k":"var","type":"u32","name":"i"}'));
    expect(() => checkTypes(broken, "passes/example")).toThrow(/kernel t after passes\/example: right operand of \* is u32, expected f32/);
  });
});
