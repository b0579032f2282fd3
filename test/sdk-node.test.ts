// The Node SDK (sdks/node, npm package kiln-client): compiles it with tsc and runs its own node:test
// suite against a real `kiln serve`.

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./golden.js";
import { ensureBuilt, runSuite } from "./sdk-harness.js";

const SDK = join(REPO_ROOT, "sdks", "node");

describe("kiln-client (Node SDK)", () => {
  beforeAll(() => ensureBuilt());

  it("passes its own test suite against a real server", async () => {
    const tsc = await runSuite(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], SDK);
    expect(tsc.code, `tsc -p sdks/node:\n${tsc.output}`).toBe(0);
    const r = await runSuite(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", "build/test/client.test.js"], SDK);
    expect(r.code, r.output).toBe(0);
    // The suite really ran its cases (a suite that found no tests also exits 0).
    expect(r.output).toMatch(/ℹ pass (\d+)/);
    expect(Number(/ℹ pass (\d+)/.exec(r.output)![1])).toBeGreaterThanOrEqual(10);
  });
});
