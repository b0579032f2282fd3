// The dashboard in a real headless Chromium (Debian's `chromium` package, driven by playwright-core):
// the page loads from the server, lists the model, and the playground streams a completion over the
// WebSocket API — llama.cpp's greedy text — while the live panel follows /metrics; with API keys the
// page asks for one and sends it (Authorization on HTTP, a subprotocol on the WebSocket).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../server/auth.js";
import { MODEL_ID, freshHome, greedyGolden, startTestServer, type TestServer } from "./server-harness.js";

const CHROMIUM = "/usr/bin/chromium";
// Debian's chromium, which .ci/run installs; elsewhere the suite skips and says why
const missing = existsSync(CHROMIUM) ? "" : `${CHROMIUM} is missing: apt-get install -y chromium`;
if (missing) process.stderr.write(`dashboard: skipped: ${missing}\n`);
let srv: TestServer;
let browser: BrowserContext;
let profile: string;
const g = greedyGolden();

beforeAll(async () => {
  if (missing) return;
  srv = await startTestServer();
  profile = mkdtempSync(join(tmpdir(), "kiln-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await srv?.close();
});

describe.skipIf(missing)(`dashboard${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("loads, lists the model, and streams a playground completion", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(srv.url + "/");
    await expect.poll(() => page.locator("#models tr.model td").first().textContent(), { timeout: 15_000 }).toBe(MODEL_ID);
    await page.fill("#max-tokens", "64");
    await page.fill("#temperature", "0");
    await page.click("#generate");
    await page.waitForSelector("body[data-playground=idle]", { timeout: 30_000 });
    expect(await page.textContent("#output")).toBe(g.generated_pieces.slice(0, 64).join(""));
    expect(await page.textContent("#pg-status")).toMatch(/^done: length, 64 tokens/);
    await expect.poll(async () => Number(await page.textContent("#total-tokens")), { timeout: 10_000 }).toBeGreaterThanOrEqual(64);
    expect(errors).toEqual([]);
  });

  it("asks for an API key when the server needs one, then uses it for HTTP and the WebSocket", async () => {
    const home = freshHome();
    const { key } = createKey("browser");
    const locked = await startTestServer({}, home);
    try {
      const page = await browser.newPage();
      await page.goto(locked.url + "/");
      await page.waitForSelector("#auth:not([hidden])", { timeout: 15_000 });
      expect(await page.locator("#models tr").count()).toBe(0);
      await page.fill("#auth-key", key);
      await page.click("#auth-form button");
      await expect.poll(() => page.locator("#models tr.model td").first().textContent(), { timeout: 15_000 }).toBe(MODEL_ID);
      await page.fill("#max-tokens", "16");
      await page.click("#generate");
      await page.waitForSelector("body[data-playground=idle]", { timeout: 30_000 });
      expect(await page.textContent("#output")).toBe(g.generated_pieces.slice(0, 16).join(""));
    } finally {
      await locked.close();
    }
  });
});
