// The Python SDK (sdks/python, package kiln-client): runs its own unittest suite with Debian's
// /usr/bin/python3 and python3-websockets against a real `kiln serve`. Skipped, saying why, where
// that interpreter or websockets is missing.

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./golden.js";
import { ensureBuilt, missingTool, runSuite } from "./sdk-harness.js";

const SDK = join(REPO_ROOT, "sdks", "python");
const PYTHON = "/usr/bin/python3";
const missing = missingTool(PYTHON, ["-c", "import websockets"], "python3 with websockets (Debian: python3-websockets)");
if (missing) process.stderr.write(`sdk-python: skipped: ${missing}\n`);

describe("kiln-client (Python SDK)", () => {
  beforeAll(() => ensureBuilt());

  it.skipIf(missing)(`passes its own unittest suite against a real server${missing ? ` (skipped: ${missing})` : ""}`, async () => {
    const r = await runSuite(PYTHON, ["-m", "unittest", "discover", "-v", "-s", "tests", "-t", "."], SDK, { KILN_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: "1" });
    expect(r.code, r.output).toBe(0);
    // The suite really ran its cases (unittest exits 0 when it finds none).
    const ran = /^Ran (\d+) tests?/m.exec(r.output);
    expect(ran, r.output).not.toBeNull();
    expect(Number(ran![1])).toBeGreaterThanOrEqual(10);
  });
});
