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
