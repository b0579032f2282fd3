// The in-browser page (/browser) in a real headless Chromium (Debian's `chromium`, playwright-core):
// the page downloads stories260k from the server's model route (or opens a GGUF picked from disk), reads and runs it in the page on
// WebGPU (SwiftShader, Chromium's CPU Vulkan, in headless mode) through the bundled engine, and shows
// llama.cpp's greedy continuation. Needs the bundle: built here with server/browser/build.mjs, as
// `npm run build` does. If Chromium gives the page no WebGPU adapter, the test fails with what it said.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL_ID, greedyGolden, startTestServer, type TestServer } from "./server-harness.js";
import { golden, REPO_ROOT } from "./golden.js";

const CHROMIUM = "/usr/bin/chromium";
// Debian's chromium, which .ci/run installs; elsewhere the suite skips and says why
const missing = existsSync(CHROMIUM) ? "" : `${CHROMIUM} is missing: apt-get install -y chromium`;
if (missing) process.stderr.write(`browser: skipped: ${missing}\n`);
let srv: TestServer;
let browser: BrowserContext;
let profile: string;
const g = greedyGolden();

beforeAll(async () => {
  if (missing) return;
  execFileSync(process.execPath, [resolve(REPO_ROOT, "server/browser/build.mjs")], { cwd: REPO_ROOT, stdio: "pipe" });
  srv = await startTestServer();
  profile = mkdtempSync(join(tmpdir(), "kiln-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // --enable-unsafe-webgpu: WebGPU on Linux is behind it; headless, the adapter is SwiftShader
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-quic", "--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-angle=swiftshader"],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await srv?.close();
});

describe.skipIf(missing)(`in-browser page${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("is linked from the dashboard", async () => {
    const page = await browser.newPage();
    await page.goto(srv.url + "/");
    expect(await page.getAttribute("#browser-link", "href")).toBe("/browser");
  });

  it("runs stories260k on WebGPU in the page and shows llama.cpp's greedy continuation", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(srv.url + "/browser");
    await expect.poll(() => page.locator("#server-model option").first().textContent(), { timeout: 15_000 }).toBe(MODEL_ID);
    await page.click("#load-server");
    await page.waitForSelector("#status[data-state=ready], #status[data-state=error]", { timeout: 60_000 });
    expect(await page.getAttribute("#status", "data-state"), (await page.textContent("#status")) ?? "").toBe("ready");
    expect(await page.textContent("#adapter")).not.toBe("–");
    // 32 tokens (SwiftShader is slow): well before stories260k's first near-tie (step 181, golden README)
    await page.fill("#n", "32");
    await page.fill("#temp", "0");
    await page.click("#run");
    await expect.poll(() => page.textContent("#status"), { timeout: 120_000 }).toMatch(/^done: 32 tokens|error/);
    expect(await page.textContent("#output")).toBe(g.generated_pieces.slice(0, 32).join(""));
    expect(errors).toEqual([]);
  });

  it("runs a GGUF the user picks from disk (stories260k-q8_0) and shows llama.cpp's greedy continuation", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(srv.url + "/browser");
    await page.setInputFiles("#load-file", golden("models", "stories260k-q8_0.gguf"));
    await page.waitForSelector("#status[data-state=ready], #status[data-state=error]", { timeout: 60_000 });
    expect(await page.getAttribute("#status", "data-state"), (await page.textContent("#status")) ?? "").toBe("ready");
    expect(await page.textContent("#status")).toMatch(/^stories260k-q8_0\.gguf: llama, 5 layers/);
    // 16 tokens: before the q8_0 run's first margin under 0.1 (step 67), where exact f32 math and
    // llama.cpp's q8_0-rounded activations may part (see test/webgpu-backend.test.ts)
    const q8 = JSON.parse(readFileSync(golden("greedy", "stories260k-q8_0.json"), "utf8")) as { generated_pieces: string[] };
    await page.fill("#n", "16");
    await page.fill("#temp", "0");
    await page.click("#run");
    await expect.poll(() => page.textContent("#status"), { timeout: 120_000 }).toMatch(/^done: 16 tokens|error/);
    expect(await page.textContent("#output")).toBe(q8.generated_pieces.slice(0, 16).join(""));
    expect(errors).toEqual([]);
  });

  it("serves a model's GGUF bytes unchanged, and names the models when asked for one it does not serve", async () => {
    const res = await fetch(`${srv.url}/browser/models/${MODEL_ID}`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes).equals(readFileSync(golden("models", "stories260k-f32.gguf")))).toBe(true);
    const missing = await fetch(`${srv.url}/browser/models/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(`model "nope" is not served here; available: ${MODEL_ID}`);
  });
});
