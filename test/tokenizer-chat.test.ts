// Chat templates against llama.cpp's reference outputs (tests/test-chat-template.cpp): the vendored
// Jinja templates in test/fixtures/templates must render llama.cpp's fixed conversation exactly as
// llama.cpp's Jinja path does, and each named built-in must match llama.cpp's own formatter.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { renderChat } from "../engine/tokenizer/chat.js";
import { CHAT_TEMPLATE_NAMES, loadTokenizer } from "../engine/tokenizer/index.js";
import type { ChatMessage } from "../engine/tokenizer/types.js";
import { golden, REPO_ROOT } from "./golden.js";

const DIR = join(REPO_ROOT, "test", "fixtures", "templates");
interface Expected {
  conversation: ChatMessage[];
  add_generation_prompt: boolean;
  cases: { template: string; bos_token: string; eos_token: string; expected: string }[];
  named: Record<string, string>;
}
const ref = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as Expected;

describe("chat templates (llama.cpp's test-chat-template cases)", () => {
  for (const c of ref.cases) {
    it(`renders ${c.template} as llama.cpp does`, () => {
      const source = readFileSync(join(DIR, c.template), "utf8");
      const out = renderChat(source, ref.conversation, { bosToken: c.bos_token, eosToken: c.eos_token }, { addGenerationPrompt: ref.add_generation_prompt });
      expect(out).toBe(c.expected);
    });
  }

  it("has a reference output for every named built-in", () => {
    expect(Object.keys(ref.named).sort()).toEqual([...CHAT_TEMPLATE_NAMES].sort());
    expect(CHAT_TEMPLATE_NAMES).toEqual(expect.arrayContaining(["llama2", "llama3", "chatml", "phi3", "gemma", "mistral"]));
  });

  for (const [name, expected] of Object.entries(ref.named)) {
    it(`built-in "${name}" matches llama.cpp's formatter`, () => {
      expect(renderChat(name, ref.conversation, { bosToken: "<s>", eosToken: "</s>" }, { addGenerationPrompt: true })).toBe(expected);
    });
  }

  it("passes tools to templates that use them", () => {
    const tmpl = "{% for t in tools %}[{{ t.function.name }}]{% endfor %}{{ messages[0].content }}";
    const tools = [{ type: "function", function: { name: "get_weather" } }];
    expect(renderChat(tmpl, [{ role: "user", content: "hi" }], { bosToken: "", eosToken: "" }, { tools })).toBe("[get_weather]hi");
  });

  it("reports a broken template as a KilnError naming the built-ins", () => {
    expect(() => renderChat("{% for m in messages %}", ref.conversation, { bosToken: "", eosToken: "" })).toThrow(KilnError);
    expect(() => renderChat("{% for m in messages %}", ref.conversation, { bosToken: "", eosToken: "" })).toThrow(/chatml/);
  });

  it("reports raise_exception from a template as a KilnError", () => {
    const src = readFileSync(join(DIR, "bofenghuang-vigogne-2-70b-chat.jinja"), "utf8");
    const bad: ChatMessage[] = [{ role: "user", content: "a" }, { role: "user", content: "b" }];
    expect(() => renderChat(src, bad, { bosToken: "", eosToken: "" })).toThrow(/alternate/);
  });
});

describe("a model's tokenizer renders chat", () => {
  const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
  afterAll(() => f.close());

  it("falls back to chatml when the file has no template, and takes a named one on request", () => {
    const tok = loadTokenizer(f);
    const msgs: ChatMessage[] = [{ role: "user", content: "Hi" }];
    expect(tok.applyChatTemplate(msgs)).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    expect(tok.applyChatTemplate(msgs, { template: "llama2" })).toBe("[INST] Hi [/INST]");
    expect(loadTokenizer(f, { chatTemplate: "gemma" }).applyChatTemplate(msgs, { addGenerationPrompt: false })).toBe("<start_of_turn>user\nHi<end_of_turn>\n");
  });

  it("fills bos_token and eos_token from the vocabulary", () => {
    const tok = loadTokenizer(f, { chatTemplate: "{{ bos_token }}|{{ eos_token }}" });
    expect(tok.applyChatTemplate([])).toBe("<s>|</s>");
  });
});
