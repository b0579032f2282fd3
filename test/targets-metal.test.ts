// The metal-cpu target (MSL semantics checked on CPU): every generated Metal kernel compiles as C++
// through targets/metal/shim (every case on it runs in test/kernels-*.test.ts, through the harness); the shim keeps
// Metal's rules where a CPU would not: threadgroup memory shared by the group, barriers that must be
// reached by every thread, simd_sum over 32 lanes. Not Apple's compiler: see targets/metal/cpu-target.ts.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { ConformanceCase } from "../conformance/case.js";
import { runConformance } from "../conformance/run.js";
import { buildLauncher, buildLauncherFor, metalCpuAvailable, runLauncher } from "../targets/metal/cpu-target.js";
import { kernelSource, manifestKernels } from "../targets/generated.js";

const gxx = spawnSync(process.env.CXX || "g++", ["--version"]).status === 0;
const f32 = (b: Uint8Array): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const bytes = (a: Float32Array | Uint32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Compiles many launchers two at a time (the CI machine has two cores). */
async function buildAll(names: readonly string[]): Promise<void> {
  const queue = [...names];
  const worker = async (): Promise<void> => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) await buildLauncher(n);
  };
  await Promise.all([worker(), worker()]);
}

describe.skipIf(!gxx)("metal-cpu: generated MSL compiled as C++ and run on the CPU", () => {
  it("is available where g++ is", () => {
    expect(metalCpuAvailable()).toEqual({ ok: true, why: "" });
  });

  it("compiles every generated Metal kernel with the shim (warnings are errors)", async () => {
    await buildAll([...manifestKernels().keys()]);
  }, 900_000);

  // every case on every registered target runs in test/kernels-*.test.ts; here, that this target is
  // registered under its name and runs a family end to end through the suite's runner
  it("runs through kiln conformance's runner: the matvec cases pass for every weight type", async () => {
    const report = await runConformance({ targets: ["metal-cpu"], op: "matvec" });
    expect(report.targets).toEqual([{ name: "metal-cpu", available: true, why: "" }]);
    // a case whose kernel codegen has not emitted yet is "not available" with the fix (the codegen tests
    // catch a stale generated/); every case with generated source must pass
    const generated = manifestKernels();
    const notPassed = report.results.filter((r) => r.status !== "pass" && (generated.has(r.kernel) || r.status !== "unavailable")).map((r) => `${r.case}: ${r.status}: ${r.detail}`);
    expect(notPassed).toEqual([]);
    expect(report.results.filter((r) => r.status === "pass").length).toBeGreaterThan(10);
  }, 300_000);

  it("hands the kernel the whole guarded output and copies it all back: a write one past the end is caught", async () => {
    // add's n one larger than the output the case expects: the kernel writes into the runner's guard
    const overrun: ConformanceCase = {
      name: "add(n=100,uniform n=101)", op: "add", file: "engine/kernels/elementwise.kernel.ts", kernel: "add", seed: 1,
      build(rng) {
        const a = rng.f32(101), b = rng.f32(101);
        return { buffers: { a, b }, uniforms: { n: 101 }, dispatch: [1, 1, 1], expected: { out: a.subarray(0, 100).map((v, i) => v + b[i]!) } };
      },
    };
    const report = await runConformance({ targets: ["metal-cpu"], cases: [overrun] });
    expect(report.results[0]!.status).toBe("fail");
    expect(report.results[0]!.detail).toMatch(/out-of-bounds write: guard element 0/);
  });

  it("gives a wrong softmax when its barriers are taken out (threads really interleave at barriers)", async () => {
    const { kernel, text } = kernelSource("softmax", "metal");
    const noBarriers = text.replace(/^\s*threadgroup_barrier\(.*\);\n/gm, "");
    expect(noBarriers).not.toBe(text);
    const n = 300;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 3);
    const params = new Uint32Array([n, 0, 0, 0]);
    // softmax by its definition, in double precision
    const m = Math.max(...x);
    const e = [...x].map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    const want = e.map((v) => v / sum);
    const maxErr = async (exe: string): Promise<number> => {
      const outs = await runLauncher(exe, kernel, [bytes(x), new Uint8Array(n * 4), bytes(params)], [1, 1, 1], 1);
      return Math.max(...f32(outs[1]!).map((v, i) => Math.abs(v - want[i]!)));
    };
    expect(await maxErr(await buildLauncher("softmax"))).toBeLessThan(1e-6);
    expect(await maxErr(await buildLauncherFor("softmax", noBarriers, "softmax without barriers"))).toBeGreaterThan(1e-3);
  });

  const probe = (body: string): string => `#include <metal_stdlib>
using namespace metal;
kernel void probe(device float* out [[buffer(0)]],
    uint3 localId [[thread_position_in_threadgroup]],
    uint3 globalId [[thread_position_in_grid]]) {
${body}
}
`;

  it("reports a barrier that only some threads of the threadgroup reach", async () => {
    const exe = await buildLauncherFor("probe", probe("  if (localId.x < 16u) {\n    threadgroup_barrier(mem_flags::mem_threadgroup);\n  }\n  out[globalId.x] = 1.0f;"), "divergent barrier probe");
    await expect(runLauncher(exe, { name: "probe", workgroupSize: [64, 1, 1] }, [new Uint8Array(64 * 4)], [1, 1, 1], 1)).rejects.toThrow(
      /threadgroup_barrier at line \d+ reached by 16 of 64 threads/,
    );
  });

  it("sums over each 32-lane simdgroup with simd_sum, as Metal does", async () => {
    const exe = await buildLauncherFor("probe", probe("  out[globalId.x] = simd_sum(float(localId.x));"), "simd_sum probe");
    const outs = await runLauncher(exe, { name: "probe", workgroupSize: [96, 1, 1] }, [new Uint8Array(192 * 4)], [2, 1, 1], 3);
    // lanes 0..31 of a group sum to 496, 32..63 to 1520, 64..95 to 2544 (arithmetic series)
    const want = Array.from({ length: 192 }, (_, g) => {
      const first = Math.floor((g % 96) / 32) * 32;
      return 32 * first + 496;
    });
    expect([...f32(outs[0]!)]).toEqual(want);
  });

  it("shares threadgroup memory within a group and not across groups", async () => {
    const body = [
      "  threadgroup float tile[64];",
      "  tile[localId.x] = float(globalId.x);",
      "  threadgroup_barrier(mem_flags::mem_threadgroup);",
      "  out[globalId.x] = tile[63u - localId.x];",
    ].join("\n");
    const exe = await buildLauncherFor("probe", probe(body), "threadgroup memory probe");
    const outs = await runLauncher(exe, { name: "probe", workgroupSize: [64, 1, 1] }, [new Uint8Array(128 * 4)], [2, 1, 1], 5);
    // each thread reads what its mirror thread in the same group wrote
    expect([...f32(outs[0]!)]).toEqual(Array.from({ length: 128 }, (_, g) => Math.floor(g / 64) * 64 + 63 - (g % 64)));
  });

  it("names the file and line when MSL does not compile", async () => {
    await expect(buildLauncherFor("probe", probe("  out[globalId.x] = undeclared;"), "broken probe")).rejects.toThrow(/broken probe does not compile as C\+\+ with the Metal shim:[^]*probe\.metal:\d+:\d+: error: 'undeclared' was not declared/);
  });
});
