// The generated targets: byte-stable regeneration, CUDA that nvcc compiles for sm_80 and sm_90 with
// warnings as errors, AssemblyScript that asc compiles with SIMD enabled and that computes what the
// interpreter computes when run, and WGSL that a real WGSL parser reads with the manifest's bindings.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as WgslReflectModule from "wgsl_reflect";
import { interpret, type BufferData } from "../codegen/interpret/run.js";
import type { KernelIR } from "../codegen/ir/types.js";
import { parseKernelSource } from "../codegen/frontend/parse.js";
import { generate, kernelHash, loadKernels } from "../codegen/main.js";
import { buildWasm, NVCC, nvccPtx, nvccPtxAll, run, runWasm as runWasmIn, type ManifestKernel, type WasmInstance } from "./codegen-helpers.js";
import { golden, REPO_ROOT } from "./golden.js";

// wgsl_reflect's package entry is CommonJS under "type": "module"; its ES build is the file to load
const wgslReflectPath = "wgsl_reflect/wgsl_reflect.module.js";
const { WgslReflect } = (await import(wgslReflectPath)) as typeof WgslReflectModule;

let kernels: KernelIR[];
let files: Map<string, string>;
let manifest: { kernels: ManifestKernel[] };
let work: string;
beforeAll(() => {
  kernels = loadKernels(REPO_ROOT);
  files = generate(kernels);
  manifest = JSON.parse(files.get("manifest.json")!);
  work = mkdtempSync(join(tmpdir(), "kiln-codegen-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("generated/ is byte-stable", () => {
  it("regenerates identically and matches the committed files", () => {
    expect(generate(loadKernels(REPO_ROOT))).toEqual(files);
    for (const [rel, text] of files) expect(readFileSync(join(REPO_ROOT, "generated", rel), "utf8"), `generated/${rel} is stale: run npm run codegen`).toBe(text);
  });

  it("npm run codegen -- --check agrees, and finds a hand edit", async () => {
    const ok = await run(process.execPath, [join(REPO_ROOT, "bin", "kiln-codegen.js"), "--check"]);
    expect(ok.out).toContain("up to date");
    expect(ok.status).toBe(0);
    // a copy of generated/ with one edited file must fail the check
    const copy = join(work, "generated");
    for (const [rel, text] of files) {
      mkdirSync(dirname(join(copy, rel)), { recursive: true });
      writeFileSync(join(copy, rel), rel === "wgsl/add.wgsl" ? `${text}// edited\n` : text);
    }
    const bad = await run(process.execPath, [join(REPO_ROOT, "bin", "kiln-codegen.js"), "--check", "--out", copy]);
    expect(bad.status).toBe(1);
    expect(bad.out).toContain("wgsl/add.wgsl");
  });

  it("stops on a bad kernel with one line naming its file and line, and no stack trace", async () => {
    const dir = join(work, "bad-kernels");
    mkdirSync(dir, { recursive: true });
    const fixture = readFileSync(join(REPO_ROOT, "test", "fixtures", "bad-kernels", "int-div.kernel.ts"), "utf8");
    writeFileSync(join(dir, "int-div.kernel.ts"), fixture.replaceAll("../../../codegen/", "../../codegen/"));
    const line = fixture.split("\n").findIndex((l) => l.includes("// expect:")) + 1;
    const r = await run(process.execPath, [join(REPO_ROOT, "bin", "kiln-codegen.js"), "--kernels", dir, "--out", join(work, "bad-out")]);
    expect(r.status).toBe(1);
    expect(r.out.trim().split("\n")).toHaveLength(1);
    expect(r.out).toMatch(new RegExp(`^kiln codegen: .*bad-kernels/int-div\\.kernel\\.ts:${line}:\\d+: integer division .* — use idiv`));
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it("records each kernel's fingerprint, which changes when the kernel's text does", () => {
    const add = kernels.find((k) => k.name === "add")!;
    expect(manifest.kernels.find((k) => k.name === "add")!.hash).toBe(kernelHash(add));
    const text = readFileSync(join(REPO_ROOT, "engine", "kernels", "elementwise.kernel.ts"), "utf8");
    const edited = parseKernelSource(text.replace("out[i] = a[i] + b[i];", "out[i] = b[i] + a[i];"), add.source).find((k) => k.name === "add")!;
    expect(kernelHash(edited)).not.toBe(kernelHash(add));
    expect(kernelHash(parseKernelSource(text, add.source).find((k) => k.name === "add")!)).toBe(kernelHash(add));
  });

  it("heads every kernel file with its source and no timestamp", () => {
    for (const k of manifest.kernels) {
      for (const f of Object.values(k.files)) {
        const text = files.get(f)!;
        expect(text.split("\n")[0]).toBe(`// GENERATED — do not edit; source: ${k.source}`);
        expect(text).not.toMatch(/\b20\d\d-\d\d-\d\d\b|\d\d:\d\d:\d\d/);
      }
    }
  });
});

describe.skipIf(!NVCC)("generated CUDA compiles with nvcc (warnings are errors)", () => {
  it("treats a warning as an error with these flags (the check can fail)", async () => {
    expect((await nvccPtx('extern "C" __global__ void k(float* o) { int unused; o[0] = 1.0f; }\n', "sm_80", work)).status).not.toBe(0);
  });

  for (const arch of ["sm_80", "sm_90"]) {
    it(`compiles every kernel for ${arch}`, async () => {
      const r = await nvccPtxAll(manifest.kernels.map((k) => [k.files.cuda!, files.get(k.files.cuda!)!] as const), arch, work);
      expect(r.out, arch).toBe("");
      expect(r.status).toBe(0);
      for (const k of manifest.kernels) expect(r.ptx).toContain(`.entry ${k.entry}(`);
    });
  }

  it("names the generated file and line of a kernel that fails to compile", async () => {
    const broken = files.get("cuda/add.cu")!.replace("    out[i] = a[i] + b[i];", "    out[i] = a[i] + b[i] int;");
    const line = broken.split("\n").findIndex((l) => l.includes("b[i] int")) + 1;
    const r = await nvccPtxAll([["cuda/mul.cu", files.get("cuda/mul.cu")!], ["cuda/add.cu", broken]], "sm_80", work);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`cuda/add.cu(${line})`);
  });
});

describe("generated WGSL parses", () => {
  it("declares each kernel's entry point, workgroup size and bindings as the manifest says", () => {
    for (const k of manifest.kernels) {
      const r = new WgslReflect(files.get(k.files.wgsl!)!);
      const entry = r.entry.compute.find((e) => e.name === k.entry);
      expect(entry, k.files.wgsl).toBeDefined();
      expect(entry!.workgroupSize?.slice(0, k.workgroupSize.length)).toEqual(k.workgroupSize);
      const storage = r.storage.map((s) => [s.name, s.binding]);
      // names may carry a trailing _ where they are reserved words in some target
      expect(storage.map(([, b]) => b)).toEqual(k.buffers.map((b) => b.binding));
      expect(storage.map(([n]) => String(n).replace(/_$/, ""))).toEqual(k.buffers.map((b) => b.name));
      if (k.uniformBinding !== null) expect(r.uniforms.map((u) => u.binding)).toEqual([k.uniformBinding]);
    }
  });

  it("the parser rejects broken WGSL (the check can fail)", () => {
    const text = files.get("wgsl/add.wgsl")!.replace("fn add(", "fn add((");
    expect(() => new WgslReflect(text)).toThrow();
  });
});

describe("generated AssemblyScript", () => {
  let wasm: WasmInstance;
  beforeAll(async () => {
    wasm = await buildWasm(files, work);
  }, 120_000);
  const runWasm = (name: string, workgroups: number, uniforms: Record<string, number>, buffers: Record<string, BufferData>): Record<string, BufferData> =>
    runWasmIn(wasm, manifest.kernels.find((k) => k.name === name)!, workgroups, uniforms, buffers);

  const rnd = (n: number, seed: number, scale: number): Float32Array => {
    let s = seed;
    return Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s / 4294967296 - 0.5) * 2 * scale;
    });
  };
  const ir = (name: string): KernelIR => kernels.find((k) => k.name === name)!;
  const interpreted = (name: string, workgroups: number, uniforms: Record<string, number>, buffers: Record<string, BufferData>): Record<string, BufferData> => {
    const copy = Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, v.slice()]));
    interpret(ir(name), { workgroups, uniforms, buffers: copy });
    return copy;
  };

  it("computes the elementwise kernels and rmsnorm bit for bit as the interpreter does", () => {
    const n = 1000;
    const a = rnd(n, 1, 10);
    const b = rnd(n, 2, 10);
    const cases: [string, number, Record<string, number>, Record<string, BufferData>][] = [
      ["add", 4, { n }, { a, b, out: new Float32Array(n) }],
      ["mul", 4, { n }, { a, b, out: new Float32Array(n) }],
      ["scale", 4, { n, scale: -0.75 }, { x: a, out: new Float32Array(n) }],
      ["rmsnorm", 3, { n: 600, eps: 1e-5 }, { x: rnd(1800, 3, 4), w: rnd(600, 4, 1), out: new Float32Array(1800) }],
    ];
    for (const [name, wg, u, bufs] of cases) {
      const want = interpreted(name, wg, u, bufs);
      const got = runWasm(name, wg, u, bufs);
      expect(got.out, name).toEqual(want.out);
      expect([...(got.out as Float32Array)].some((v) => v !== 0), `${name} wrote its output`).toBe(true);
    }
  });

  it("computes softmax within a few ulps of the interpreter (exp is a library function in each)", () => {
    const rows = 2;
    const n = 500;
    const bufs = { x: rnd(rows * n, 6, 30), out: new Float32Array(rows * n) };
    const want = interpreted("softmax", rows, { n }, bufs).out as Float32Array;
    const got = runWasm("softmax", rows, { n }, bufs).out as Float32Array;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `out[${i}]`).toBeLessThanOrEqual(4 * 1.2e-7 * Math.abs(want[i]!) + 1e-30);
  });
});
