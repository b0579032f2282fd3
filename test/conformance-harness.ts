// Runs conformance cases as vitest tests: one test per case and target. A target that is not available
// on this machine is skipped with its reason in the test name, so the gap is visible, never silent.
import { expect, it } from "vitest";
import type { ConformanceCase } from "../conformance/case.js";
import { runCase } from "../conformance/run.js";
import { createTarget, targetNames } from "../conformance/target.js";
import "../conformance/targets.js";

export function conformanceSuite(cases: readonly ConformanceCase[]): void {
  for (const name of targetNames()) {
    const target = createTarget(name)!;
    const a = target.available();
    if (a instanceof Promise) throw new Error(`internal: target ${name}'s available() is async; the test harness needs it synchronous`);
    if (!a.ok) {
      it.skip(`${name}: not available here (${a.why})`, () => {});
      continue;
    }
    for (const c of cases) {
      it(`${c.name} on ${name}`, async () => {
        const r = await runCase(c, target);
        expect(r.status, r.detail).toBe("pass");
      });
    }
  }
}
