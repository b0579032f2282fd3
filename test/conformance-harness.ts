// Runs conformance cases as vitest tests: one test per case and target. A target that is not available
// on this machine, or a kernel a target cannot run yet (not generated for it), is skipped with the reason
// and the fix, so a gap is visible in the test report, never silent.
import { expect, it } from "vitest";
import type { ConformanceCase } from "../conformance/case.js";
import { runCase } from "../conformance/run.js";
import { createTarget, targetNames, type Availability } from "../conformance/target.js";
import "../conformance/targets.js";

export function conformanceSuite(cases: readonly ConformanceCase[]): void {
  for (const name of targetNames()) {
    const target = createTarget(name)!;
    let availability: Promise<Availability> | undefined;
    for (const c of cases) {
      it(`${c.name} on ${name}`, async (ctx) => {
        availability ??= Promise.resolve(target.available());
        const a = await availability;
        if (!a.ok) ctx.skip(`${name} is not available here: ${a.why}`);
        const r = await runCase(c, target);
        if (r.status === "unavailable") ctx.skip(r.detail);
        expect(r.status, r.detail).toBe("pass");
      });
    }
  }
}
