// Chat templates: tokenizer.chat_template (Jinja, as Hugging Face writes it) rendered with
// @huggingface/jinja, or one of a few named built-ins for files that carry no template. The built-ins
// produce what llama.cpp's llm_chat_apply_template (src/llama-chat.cpp) produces for the same names;
// tests/test-chat-template.cpp in llama.cpp holds the reference outputs the tests compare with.

import { Template } from "@huggingface/jinja";
import { KilnError } from "../errors.js";
import type { ChatMessage } from "./types.js";

/** Built-in templates by name, written in Jinja so every template takes the same path. */
export const NAMED_TEMPLATES: Readonly<Record<string, string>> = {
  // <|im_start|>role\ncontent<|im_end|>\n
  chatml:
    "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  // llama.cpp's "llama2": [INST] turns; a system message is folded into the first turn without <<SYS>>
  llama2:
    "{% set ns = namespace(open=true) %}{{ '[INST] ' }}{% for m in messages %}" +
    "{% if not ns.open %}{{ '[INST] ' }}{% set ns.open = true %}{% endif %}" +
    "{% if m.role == 'system' %}{{ m.content + '\\n' }}{% elif m.role == 'user' %}{{ m.content + ' [/INST]' }}" +
    "{% else %}{{ m.content + '</s>' }}{% set ns.open = false %}{% endif %}{% endfor %}",
  llama3:
    "{% for m in messages %}{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\\n\\n' + (m.content | trim) + '<|eot_id|>' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
  phi3:
    "{% for m in messages %}{{ '<|' + m.role + '|>\\n' + m.content + '<|end|>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}",
  // Gemma has no system role: the system text goes before the next user turn
  gemma:
    "{% set ns = namespace(sys='') %}{% for m in messages %}" +
    "{% if m.role == 'system' %}{% set ns.sys = m.content | trim %}{% else %}" +
    "{% set role = 'model' if m.role == 'assistant' else m.role %}{{ '<start_of_turn>' + role + '\\n' }}" +
    "{% if ns.sys and role != 'model' %}{{ ns.sys + '\\n\\n' }}{% set ns.sys = '' %}{% endif %}" +
    "{{ (m.content | trim) + '<end_of_turn>\\n' }}{% endif %}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}",
  // llama.cpp's "mistral-v1": " [INST] system\n\nuser [/INST] assistant</s>"
  mistral:
    "{% set ns = namespace(open=false) %}{% for m in messages %}" +
    "{% if not ns.open %}{{ ' [INST] ' }}{% set ns.open = true %}{% endif %}" +
    "{% if m.role == 'system' %}{{ m.content + '\\n\\n' }}{% elif m.role == 'user' %}{{ m.content + ' [/INST]' }}" +
    "{% else %}{{ ' ' + m.content + '</s>' }}{% set ns.open = false %}{% endif %}{% endfor %}",
};

export interface ChatTemplateContext {
  readonly bosToken: string;
  readonly eosToken: string;
}

export interface RenderOptions {
  readonly addGenerationPrompt?: boolean;
  /** Tool definitions (OpenAI shape), passed to templates that use `tools`. */
  readonly tools?: readonly unknown[];
}

const parsed = new Map<string, Template>();

function compile(source: string, label: string): Template {
  let t = parsed.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (e) {
      throw new KilnError(`chat template ${label} does not parse: ${(e as Error).message} (choose a built-in one by name: ${Object.keys(NAMED_TEMPLATES).join(", ")})`, "CHAT_TEMPLATE_INVALID");
    }
    parsed.set(source, t);
  }
  return t;
}

/** A name of a built-in template gives that template; anything else is taken as Jinja source. */
export function resolveTemplate(nameOrSource: string): { source: string; label: string } {
  const named = NAMED_TEMPLATES[nameOrSource];
  return named !== undefined ? { source: named, label: `"${nameOrSource}"` } : { source: nameOrSource, label: "(from the model or --chat-template)" };
}

export function renderChat(
  nameOrSource: string, messages: readonly ChatMessage[], ctx: ChatTemplateContext, opts: RenderOptions = {},
): string {
  const { source, label } = resolveTemplate(nameOrSource);
  const t = compile(source, label);
  const vars: Record<string, unknown> = {
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: opts.addGenerationPrompt ?? true,
    bos_token: ctx.bosToken,
    eos_token: ctx.eosToken,
  };
  if (opts.tools !== undefined) vars.tools = opts.tools;
  try {
    return t.render(vars);
  } catch (e) {
    throw new KilnError(`chat template ${label} failed on this conversation: ${(e as Error).message}`, "CHAT_TEMPLATE_FAILED");
  }
}
