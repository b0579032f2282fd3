// The Go SDK (sdks/go, module github.com/kiln-llm/kiln/sdks/go): runs its own `go test` against a
// real `kiln serve`, offline (GOPROXY=off) with Debian's golang-go and gorilla/websocket. Skipped,
// saying why, where that toolchain or package is missing.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./golden.js";
import { ensureBuilt, missingTool, runSuite } from "./sdk-harness.js";

const SDK = join(REPO_ROOT, "sdks", "go");
const GORILLA = "/usr/share/gocode/src/github.com/gorilla/websocket";
const missing =
  missingTool("go", ["version"], "Go (Debian: golang-go)") ??
  (existsSync(GORILLA) ? undefined : `gorilla/websocket is not in ${GORILLA} (Debian: golang-github-gorilla-websocket-dev; CI installs it from .ci/run's apt_pkgs)`);
if (missing) process.stderr.write(`sdk-go: skipped: ${missing}\n`);

describe("kiln Go SDK", () => {
  beforeAll(() => ensureBuilt());

  it.skipIf(missing)(`passes its own go test suite against a real server${missing ? ` (skipped: ${missing})` : ""}`, async () => {
    const r = await runSuite("go", ["test", "-count=1", "-v", "./..."], SDK, { GOPROXY: "off", GOFLAGS: "-mod=mod", KILN_NODE: process.execPath });
    expect(r.code, r.output).toBe(0);
    // The suite really ran its cases (go test exits 0 when it finds none).
    const passed = r.output.match(/^--- PASS: /gm)?.length ?? 0;
    expect(passed, r.output).toBeGreaterThanOrEqual(10);
    expect(r.output).not.toMatch(/^--- FAIL: /m);
  });
});
