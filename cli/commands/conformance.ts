// kiln conformance [--target T ...] [--op OP] [--json]: runs the conformance suite (conformance/) and
// prints the kernel x target matrix: each case's result on each target (pass / FAIL / n/a and why).
// --json prints one stable, machine-readable object instead. Exit status 1 when any case fails.
import type { Command } from "commander";
import { runConformance, type ConformanceReport } from "../../conformance/run.js";

interface ConformanceFlags {
  target?: string[];
  op?: string;
  json?: boolean;
}

const MARK = { pass: "pass", fail: "FAIL", unavailable: "n/a" } as const;

/** The matrix as text: one line per case, one column per target, then the failures and the reasons. */
export function formatMatrix(report: ConformanceReport): string {
  const cases = [...new Set(report.results.map((r) => r.case))];
  const names = report.targets.map((t) => t.name);
  const width = Math.max(4, ...cases.map((c) => c.length));
  const colW = names.map((n) => Math.max(n.length, 4));
  const lines: string[] = [];
  lines.push(["case".padEnd(width), ...names.map((n, i) => n.padEnd(colW[i]!))].join("  ").trimEnd());
  const byKey = new Map(report.results.map((r) => [`${r.case}\u0000${r.target}`, r]));
  for (const c of cases) {
    const cells = names.map((t, i) => {
      const r = byKey.get(`${c}\u0000${t}`);
      return (r ? MARK[r.status] : "-").padEnd(colW[i]!);
    });
    lines.push([c.padEnd(width), ...cells].join("  ").trimEnd());
  }
  const failed = report.results.filter((r) => r.status === "fail");
  if (failed.length > 0) {
    lines.push("", "failures:");
    for (const r of failed) lines.push(`  ${r.detail}`);
  }
  const missing = report.targets.filter((t) => !t.available);
  if (missing.length > 0) {
    lines.push("", "not available here:");
    for (const t of missing) lines.push(`  ${t.name}: ${t.why}`);
  }
  const skipped = report.results.filter((r) => r.status === "unavailable" && report.targets.find((t) => t.name === r.target)?.available);
  if (skipped.length > 0) {
    lines.push("", "skipped kernels:");
    for (const r of skipped) lines.push(`  ${r.case} on ${r.target}: ${r.detail}`);
  }
  const count = (s: string): number => report.results.filter((r) => r.status === s).length;
  lines.push("", `${count("pass")} passed, ${count("fail")} failed, ${count("unavailable")} not available`);
  return lines.join("\n") + "\n";
}

/** The --json object: targets, then every result in run order, then the counts. */
export function reportJson(report: ConformanceReport): object {
  const count = (s: string): number => report.results.filter((r) => r.status === s).length;
  return {
    targets: report.targets,
    results: report.results.map((r) => ({ case: r.case, op: r.op, kernel: r.kernel, target: r.target, status: r.status, detail: r.detail })),
    summary: { pass: count("pass"), fail: count("fail"), unavailable: count("unavailable") },
  };
}

export function registerConformance(program: Command): void {
  program
    .command("conformance")
    .description("run every kernel on every target against the reference and print the kernel x target matrix")
    .option("-t, --target <name...>", "only these targets (interp, wasm-simd, ...)")
    .option("--op <op>", "only cases of this op family or kernel name (matvec, rope, softmax, ...)")
    .option("--json", "print the results as one JSON object")
    .action(async (flags: ConformanceFlags) => {
      const report = await runConformance({
        targets: flags.target,
        op: flags.op,
        onResult: flags.json ? undefined : (r) => process.stderr.write(`${MARK[r.status]} ${r.case} [${r.target}]\n`),
      });
      process.stdout.write(flags.json ? JSON.stringify(reportJson(report), null, 2) + "\n" : formatMatrix(report));
      if (report.results.some((r) => r.status === "fail")) process.exitCode = 1;
    });
}
