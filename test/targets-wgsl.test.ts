// The wgsl target: every generated WGSL kernel passes Tint's validation (Dawn's shader compiler, the one
// Chrome uses); every case runs on it in test/kernels-*.test.ts, through the harness, by Dawn on a Vulkan driver; on a machine without a
// GPU that is Mesa's lavapipe from targets/wgsl/setup-lavapipe.sh (CI runs it). Skipped, saying so,
// where neither lavapipe nor a Vulkan driver was set up.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatMatrix } from "../cli/commands/conformance.js";
import type { ConformanceCase } from "../conformance/case.js";
import { runConformance } from "../conformance/run.js";
import { generatedDir, manifestKernels } from "../targets/generated.js";
import { DawnProcess, dawnEnv, formatMessages, lavapipeDir, validateWgsl, wgslTarget } from "../targets/wgsl/target.js";

const lavapipe = existsSync(join(lavapipeDir(), "lvp_icd.json"));
const vulkan = lavapipe || !!process.env.VK_DRIVER_FILES || !!process.env.VK_ICD_FILENAMES;
if (!vulkan) console.warn("targets-wgsl: skipped: no Vulkan driver set up; run targets/wgsl/setup-lavapipe.sh");

describe("the Dawn process environment", () => {
  it("points the Vulkan loader at the unpacked lavapipe unless a driver is already chosen", () => {
    const chosen = dawnEnv({ VK_DRIVER_FILES: "/opt/my_icd.json" });
    expect(chosen.VK_DRIVER_FILES).toBe("/opt/my_icd.json");
    expect(chosen.LD_LIBRARY_PATH).toBeUndefined();
    if (!lavapipe) return;
    const env = dawnEnv({ LD_LIBRARY_PATH: "/x" });
    expect(env.VK_DRIVER_FILES).toBe(join(lavapipeDir(), "lvp_icd.json"));
    expect(env.LD_LIBRARY_PATH).toMatch(/lavapipe\/usr\/lib\/x86_64-linux-gnu:\/x$/);
    // the manifest names the unpacked driver library, not the system path the package would install to
    const icd = JSON.parse(readFileSync(env.VK_DRIVER_FILES!, "utf8")) as { ICD: { library_path: string } };
    expect(existsSync(icd.ICD.library_path)).toBe(true);
  });
});

describe("the wgsl target without a Vulkan driver", () => {
  it("is not available, and says how to get lavapipe, in kiln conformance's matrix", async () => {
    const saved = process.env.VK_DRIVER_FILES;
    // a driver list naming nothing: the Vulkan loader finds no device, as on a machine without one
    process.env.VK_DRIVER_FILES = "/nonexistent/kiln_no_icd.json";
    try {
      const report = await runConformance({ targets: ["wgsl"], op: "add" });
      expect(report.targets).toEqual([{ name: "wgsl", available: false, why: expect.stringMatching(/^no WebGPU adapter .*: run targets\/wgsl\/setup-lavapipe\.sh/) }]);
      expect(report.results.every((r) => r.status === "unavailable")).toBe(true);
      expect(formatMatrix(report)).toMatch(/not available here:\n {2}wgsl: no WebGPU adapter/);
    } finally {
      if (saved === undefined) delete process.env.VK_DRIVER_FILES;
      else process.env.VK_DRIVER_FILES = saved;
    }
  });
});

describe.skipIf(!vulkan)("wgsl: generated WGSL on Dawn", () => {
  const dawn = new DawnProcess();
  afterAll(() => dawn.close());

  it("finds a WebGPU adapter", async () => {
    expect(await wgslTarget().available()).toEqual({ ok: true, why: "" });
  });

  it("validates every generated WGSL kernel with Tint, without errors or warnings", async () => {
    const problems: string[] = [];
    for (const k of manifestKernels().values()) {
      const file = k.files.wgsl!;
      const messages = await validateWgsl(dawn, readFileSync(join(generatedDir(), file), "utf8"));
      if (messages.length) problems.push(formatMessages(`generated/${file}`, messages));
    }
    expect(problems).toEqual([]);
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
    const report = await runConformance({ targets: ["wgsl"], cases: [overrun] });
    expect(report.results[0]!.status).toBe("fail");
    expect(report.results[0]!.detail).toMatch(/out-of-bounds write: guard element 0/);
  });

  it("reports a broken kernel with its line and column (the check can fail)", async () => {
    const text = readFileSync(join(generatedDir(), "wgsl", "add.wgsl"), "utf8");
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.trim() === "out[i] = a[i] + b[i];");
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at]!.replace("a[i] + b[i]", "a[i] + 1u");
    const messages = await validateWgsl(dawn, lines.join("\n"));
    expect(messages.filter((m) => m.type === "error").map((m) => [m.line, m.message])).toEqual([[at + 1, expect.stringMatching(/no matching overload for 'operator \+ \(f32, u32\)'|f32.*u32/)]]);
    expect(formatMessages("add.wgsl", messages)).toMatch(new RegExp(`^add\\.wgsl:${at + 1}:\\d+: error: `));
  });

  // every case on every registered target runs in test/kernels-*.test.ts; here, that this target is
  // registered under its name and runs a family end to end through the suite's runner
  it("runs through kiln conformance's runner: the matvec cases pass for every weight type", async () => {
    const report = await runConformance({ targets: ["wgsl"], op: "matvec" });
    expect(report.targets).toEqual([{ name: "wgsl", available: true, why: "" }]);
    // a case whose kernel codegen has not emitted yet is "not available" with the fix (the codegen tests
    // catch a stale generated/); every case with generated source must pass
    const generated = manifestKernels();
    const notPassed = report.results.filter((r) => r.status !== "pass" && (generated.has(r.kernel) || r.status !== "unavailable")).map((r) => `${r.case}: ${r.status}: ${r.detail}`);
    expect(notPassed).toEqual([]);
    expect(report.results.filter((r) => r.status === "pass").length).toBeGreaterThan(10);
  }, 300_000);
});
