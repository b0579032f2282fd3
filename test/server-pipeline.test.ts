// kiln pipeline: a YAML pipeline over JSONL on stories260K (greedy text checked against llama.cpp's
// golden continuation), resumption after a torn write, and after a SIGKILL mid-run: every input line
// ends up in the output exactly once.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultModelPath } from "../engine/paths.js";
import { loadModel } from "../engine/runtime/model.js";
import { loadServedModel, type ServedModel } from "../server/engine.js";
import { loadPipeline, runPipeline } from "../server/pipeline.js";
import { REPO_ROOT } from "./golden.js";
import { greedyGolden } from "./server-harness.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-pipeline-"));
const g = greedyGolden();
const goldenText = (n: number): string => g.generated_pieces.slice(0, n).join("");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface OutLine { index: number; input: Record<string, unknown>; output: Record<string, string> }
const readOut = (p: string): OutLine[] => readFileSync(p, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as OutLine);

let model: ServedModel | undefined;
const loadDefault = async (): Promise<ServedModel> => (model ??= await loadServedModel(defaultModelPath(), { name: "stories260k" }));

function writePipeline(name: string, yaml: string): string {
  const p = join(dir, name);
  writeFileSync(p, yaml);
  return p;
}

describe("kiln pipeline", () => {
  it("renders templates per line, chains steps, and generates llama.cpp's greedy text", async () => {
    const file = writePipeline("two-steps.yaml", [
      "steps:",
      "  - name: story",
      '    prompt: "{{start}}"',
      "    max_tokens: 24",
      "    temperature: 0",
      "  - name: again",
      '    prompt: "{{start}}{{story}}"',
      "    max_tokens: 8",
      "    temperature: 0",
      "    output: more",
    ].join("\n"));
    const input = join(dir, "in.jsonl");
    writeFileSync(input, ['{"start": "Once upon a time", "id": "a"}', "", '{"start": "Once upon a time", "id": "b"}'].join("\n") + "\n");
    const out = join(dir, "out.jsonl");
    const ran = await runPipeline(loadPipeline(file), input, out, { model: loadDefault });
    expect(ran).toBe(2);
    const lines = readOut(out);
    expect(lines.map((l) => l.index)).toEqual([0, 2]);
    expect(lines[1]!.input).toEqual({ start: "Once upon a time", id: "b" });
    for (const l of lines) {
      expect(l.output.story).toBe(goldenText(24));
      // The prompt plus its 24 tokens re-tokenizes to the same ids, so the second step's greedy
      // continuation is llama.cpp's tokens 24..31.
      const m = await loadDefault();
      expect(m.tokenizer.encode(g.prompt + goldenText(24))).toEqual([...g.prompt_token_ids, ...g.generated_token_ids.slice(0, 24)]);
      expect(l.output.more).toBe(g.generated_pieces.slice(24, 32).join(""));
    }
  });

  it("resumes after a torn write: keeps complete lines, redoes the torn one, skips nothing", async () => {
    const file = writePipeline("one-step.json", JSON.stringify({ steps: [{ name: "story", prompt: "{{start}}", max_tokens: 6, temperature: 0 }] }));
    const input = join(dir, "in5.jsonl");
    writeFileSync(input, Array.from({ length: 5 }, (_, i) => JSON.stringify({ start: "Once upon a time", n: i })).join("\n") + "\n");
    const out = join(dir, "out5.jsonl");
    const kept = [
      JSON.stringify({ index: 0, input: { start: "Once upon a time", n: 0 }, output: { story: "KEPT" } }),
      JSON.stringify({ index: 2, input: { start: "Once upon a time", n: 2 }, output: { story: "KEPT" } }),
    ];
    writeFileSync(out, kept.join("\n") + "\n" + '{"index": 3, "input": {"start": "Once up');
    const ran = await runPipeline(loadPipeline(file), input, out, { model: loadDefault });
    expect(ran).toBe(3);
    const lines = readOut(out);
    expect(lines.map((l) => l.index).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(readFileSync(out, "utf8").startsWith(kept.join("\n") + "\n")).toBe(true);
    for (const l of lines) expect(l.output.story).toBe(l.index === 0 || l.index === 2 ? "KEPT" : goldenText(6));
    expect(await runPipeline(loadPipeline(file), input, out, { model: loadDefault })).toBe(0);
  });

  it("runs a chat step through the model's chat template, as the runtime's Session.chat does", async () => {
    const file = writePipeline("chat.yaml", [
      "steps:",
      "  - name: reply",
      "    messages:",
      '      - { role: user, content: "Tell me about {{animal}}." }',
      "    max_tokens: 16",
      "    temperature: 0",
    ].join("\n"));
    const input = join(dir, "chat-in.jsonl");
    writeFileSync(input, '{"animal": "a cat"}\n');
    const out = join(dir, "chat-out.jsonl");
    await runPipeline(loadPipeline(file), input, out, { model: loadDefault });
    const runtime = await loadModel(defaultModelPath());
    const expected = await runtime.createSession().chat([{ role: "user", content: "Tell me about a cat." }], { temperature: 0, maxTokens: 16 }).result;
    runtime.close();
    expect(readOut(out)[0]!.output.reply).toBe(expected.text);
  });

  it("names the line and field when a template field is missing", async () => {
    const file = writePipeline("missing.yaml", "steps:\n  - name: s\n    prompt: '{{nope}}'\n    max_tokens: 2\n");
    const input = join(dir, "in1.jsonl");
    writeFileSync(input, '{"start": "x"}\n');
    await expect(runPipeline(loadPipeline(file), input, join(dir, "o1.jsonl"), { model: loadDefault })).rejects.toThrow(/line 1, step s: the template uses \{\{nope\}\}/);
  });

  it("loses and duplicates no line when the process is killed mid-run and run again", async () => {
    const file = writePipeline("kill.yaml", ["input: kill-in.jsonl", "output: kill-out.jsonl", "steps:", "  - name: story", '    prompt: "{{start}}"', "    max_tokens: 48", "    temperature: 0"].join("\n"));
    const n = 30;
    writeFileSync(join(dir, "kill-in.jsonl"), Array.from({ length: n }, (_, i) => JSON.stringify({ start: "Once upon a time", i })).join("\n") + "\n");
    const out = join(dir, "kill-out.jsonl");
    const args = [resolve(REPO_ROOT, "node_modules/vite-node/vite-node.mjs"), resolve(REPO_ROOT, "test/server-kiln-entry.ts"), "pipeline", "run", file, "--no-progress"];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    const lineCount = (): number => (existsSync(out) ? readFileSync(out, "utf8").split("\n").length - 1 : 0);
    for (let i = 0; i < 1500 && lineCount() < 2; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await exited;
    const before = lineCount();
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(n);
    const rerun = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/resuming: \d+ of 30 lines/);
    const lines = readOut(out);
    expect(lines.map((l) => l.index).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const l of lines) expect(l.output.story).toBe(goldenText(48));
  });
});
