// The cuda target's host path on a machine without a GPU: the addon opens a stand-in libcuda
// (targets/cuda/testing/stand_in_libcuda.cc, via KILN_LIBCUDA) that keeps device memory on the host and
// runs only the `add` kernel's body. So nvcc's fatbin, cuModuleLoadData/cuModuleGetFunction by the
// generated entry name, buffer upload, kernelParams packing (pointers, then uniforms by value) and the
// readback with its guard region all run for real, and the add cases are checked against the reference.
// Its own file: the driver library is chosen once per process.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConformanceCase } from "../conformance/case.js";
import { packageRoot } from "../engine/paths.js";
import { cacheDir, contentHash } from "../targets/generated.js";
import { nodeIncludeDir } from "../targets/cuda/addon.js";
import { findNvcc } from "../targets/cuda/compile.js";

const gxx = spawnSync(process.env.CXX || "g++", ["--version"]).status === 0;
const ready = gxx && !!nodeIncludeDir() && !!findNvcc();
if (!ready) console.warn("targets-cuda-stand-in: skipped: needs g++, Node's headers and nvcc");

function buildStandIn(): string {
  const src = join(packageRoot(), "targets", "cuda", "testing", "stand_in_libcuda.cc");
  const out = join(cacheDir("cuda-stand-in"), `libcuda-stand-in-${contentHash(readFileSync(src))}.so`);
  if (!existsSync(out)) execFileSync(process.env.CXX || "g++", ["-std=c++17", "-O1", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", src, "-o", out]);
  return out;
}

describe.skipIf(!ready)("cuda target against a stand-in driver", () => {
  it("runs the add cases end to end and matches the reference", async () => {
    process.env.KILN_LIBCUDA = buildStandIn();
    const { runConformance } = await import("../conformance/run.js");
    const report = await runConformance({ targets: ["cuda"], op: "add" });
    expect(report.targets).toEqual([{ name: "cuda", available: true, why: "" }]);
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.map((r) => `${r.case}: ${r.status}: ${r.detail}`).filter((r) => !/: pass: /.test(r))).toEqual([]);
  }, 300_000);

  it("runs a launch list for the cuda backend: a device copy, then add with its arguments in 8-byte slots", async () => {
    const { openCudaDriver } = await import("../targets/cuda/driver.js");
    const d = openCudaDriver();
    expect(d.deviceName()).toBe("kiln stand-in (no GPU)");
    const dir = cacheDir("cuda-stand-in");
    execFileSync(findNvcc()!, ["-ptx", "-arch=compute_80", "-o", join(dir, "add.ptx"), join(packageRoot(), "generated", "cuda", "add.cu")]);
    const fn = d.getFunction(d.loadModule(readFileSync(join(dir, "add.ptx"), "utf8")), "add");
    const n = 300;
    const a = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);
    const [pa, pb, pout] = [d.memAlloc(n * 4), d.memAlloc(n * 4), d.memAlloc(n * 4)];
    d.memcpyHtoD(pa, new Uint8Array(a.buffer));
    // cuLaunchKernel's kernelParams: one 8-byte slot per argument, three pointers and n (u32)
    const params = new Uint8Array(32);
    const view = new DataView(params.buffer);
    [pa, pb, pout].forEach((p, i) => view.setBigUint64(8 * i, p, true));
    view.setUint32(24, n, true);
    const lo = (p: bigint): number => Number(p & 0xffffffffn);
    const hi = (p: bigint): number => Number(p >> 32n);
    const records = Uint32Array.from([1, 0, lo(pb), hi(pb), lo(pa), hi(pa), n * 4, 0, 0, 0, 0, 2, 1, 1, 256, 1, 1, 0]);
    d.run([fn], records, params);
    const out = new Float32Array(d.memcpyDtoH(pout, n * 4).buffer);
    expect([...out]).toEqual([...a].map((v) => v + v));
    for (const p of [pa, pb, pout]) d.memFree(p);
  });

  it("uploads the whole guarded output and reads it all back: a write one past the end is caught", async () => {
    const { runConformance } = await import("../conformance/run.js");
    const overrun: ConformanceCase = {
      name: "add(n=100,uniform n=101)", op: "add", file: "engine/kernels/elementwise.kernel.ts", kernel: "add", seed: 1,
      build(rng) {
        const a = rng.f32(101), b = rng.f32(101);
        return { buffers: { a, b }, uniforms: { n: 101 }, dispatch: [1, 1, 1], expected: { out: a.subarray(0, 100).map((v, i) => v + b[i]!) } };
      },
    };
    const report = await runConformance({ targets: ["cuda"], cases: [overrun] });
    expect(report.results[0]!.detail).toMatch(/out-of-bounds write: guard element 0/);
  });

  it("reports a driver error with its CUDA name as a failed case, not a crash", async () => {
    const { runConformance } = await import("../conformance/run.js");
    const report = await runConformance({ targets: ["cuda"], op: "scale" });
    expect(report.results.length).toBeGreaterThan(0);
    for (const r of report.results) {
      expect(r.status).toBe("fail");
      expect(r.detail).toMatch(/the target failed: cuda: kernel scale: cuLaunchKernel: CUDA_ERROR_NOT_SUPPORTED \(801\)/);
    }
  }, 300_000);
});
