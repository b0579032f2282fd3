// --backend webgpu / auto through the user-facing entry points, against llama.cpp's goldens:
// `kiln logits` writes logits within the limits, `kiln run --backend auto` says on stderr what
// it picked and prints llama.cpp's greedy text, `kiln serve --backend webgpu` (the server's model
// loader) completes with llama.cpp's text; and a GPU process that dies takes only its requests down.
// Skipped where Dawn finds no adapter (see test/webgpu-backend.test.ts).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { loadServedModel } from "../server/engine.js";
import { KeyStore } from "../server/auth.js";
import { KilnServer } from "../server/server.js";
import { createWebGPUBackend, type WebGPUBackend } from "../targets/wgsl/backend/webgpu-backend.js";
import { golden, nmse, REPO_ROOT } from "./golden.js";
import { freshHome, greedyGolden } from "./server-harness.js";

let probe: WebGPUBackend | undefined;
let skipWhy = "";
{
  const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
  try {
    probe = await createWebGPUBackend(f, modelConfigFromGGUF(f), { kvType: "f32" });
  } catch (e) {
    if (!(e instanceof KilnError)) throw e;
    skipWhy = e.message;
    process.stderr.write(`webgpu CLI tests skipped: ${skipWhy}\n`);
  } finally {
    f.close();
  }
}

const g = greedyGolden();
const kiln = (...args: string[]) =>
  spawnSync(process.execPath, [resolve(REPO_ROOT, "node_modules/vite-node/vite-node.mjs"), resolve(REPO_ROOT, "test/server-kiln-entry.ts"), ...args], {
    cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000,
  });

const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe.skipIf(skipWhy !== "")("--backend webgpu and auto from the CLI and the server", () => {
  it("kiln logits --backend webgpu writes synthetic-k256-q6_k's logits within 1e-3 NMSE of llama.cpp's", () => {
    const meta = JSON.parse(readFileSync(golden("logits", "synthetic-k256-q6_k-logits.json"), "utf8")) as { token_ids: number[] };
    const dir = mkdtempSync(join(tmpdir(), "kiln-logits-"));
    try {
      const out = join(dir, "l.f32");
      const r = kiln("logits", "-m", golden("models", "synthetic-k256-q6_k.gguf"), "--tokens", meta.token_ids.join(","), "-o", out, "--backend", "webgpu");
      expect(r.status, r.stderr).toBe(0);
      const e = nmse(f32(out), f32(golden("logits", "synthetic-k256-q6_k-logits.f32")));
      expect(e, `NMSE ${e.toExponential(2)}`).toBeLessThanOrEqual(1e-3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kiln run --backend auto says on stderr what it picked and why, and prints llama.cpp's text", () => {
    const r = kiln("run", "-m", golden("models", "stories260k-f32.gguf"), "-p", "Once upon a time", "-n", "24", "--temp", "0", "--backend", "auto");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^kiln: --backend auto picked (cuda|webgpu|wasm|reference)\b.*/m);
    // cuda is tried first; where it is passed over, the line says why
    if (!/picked cuda/.test(r.stderr)) expect(r.stderr).toMatch(/cuda: /);
    expect(r.stdout).toBe(g.generated_pieces.slice(0, 24).join(""));
  });

  it("kiln serve --backend webgpu completes with llama.cpp's greedy text", async () => {
    const home = freshHome();
    const model = await loadServedModel(golden("models", "stories260k-f32.gguf"), { name: "stories260k", backend: "webgpu" });
    const server = new KilnServer({ models: [model], host: "127.0.0.1", port: 0, keys: new KeyStore(join(home, "api-keys.json")) });
    const { url } = await server.start();
    try {
      const res = await fetch(`${url}/v1/completions`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "stories260k", prompt: "Once upon a time", max_tokens: 24, temperature: 0 }),
      });
      const body = (await res.json()) as { choices: { text: string }[] };
      expect(res.status).toBe(200);
      expect(body.choices[0]!.text).toBe(g.generated_pieces.slice(0, 24).join(""));
      const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { backend?: string }[] };
      expect(models.data[0]!.backend).toBe("webgpu");
    } finally {
      await server.shutdown(0);
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("when the GPU process dies, its requests fail with a KilnError and this process carries on", async () => {
    const seq = probe!.createSequence({ nCtx: 32 });
    await seq.forward(g.prompt_token_ids, 0, "last");
    process.kill(probe!.proc.pid!, "SIGKILL");
    const err = await seq.forward([g.generated_token_ids[0]!], g.prompt_token_ids.length, "last").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    expect((err as KilnError).code).toBe("GPU_PROCESS_EXITED");
    expect((err as KilnError).message).toMatch(/GPU process exited \(SIGKILL\)/);
    // a new backend (a new GPU process) serves again
    const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    const again = await createWebGPUBackend(f, modelConfigFromGGUF(f), { kvType: "f32" }).finally(() => f.close());
    const s2 = again.createSequence({ nCtx: 32 });
    const logits = await s2.forward(g.prompt_token_ids, 0, "last");
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    expect(best).toBe(g.generated_token_ids[0]);
    again.dispose();
  });
});
