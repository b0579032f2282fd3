// Request parameters shared by the OpenAI-compatible HTTP API and the JSON-RPC API: OpenAI's
// snake_case names (temperature, top_p, top_k, min_p, max_tokens, stop, seed, presence_penalty,
// frequency_penalty, repeat_penalty, logit_bias, logprobs) checked and turned into GenerateOptions.
// A wrong type or range is an invalid-params error naming the parameter, its value and the range.

import type { GenerateOptions } from "../engine/runtime/types.js";
import type { ChatMessage } from "../engine/tokenizer/types.js";
import { invalidParam } from "./errors.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

export function optNumber(p: JsonObject, name: string, min: number, max: number, integer = false): number | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw invalidParam(name, `${name} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${show(v)}`);
  }
  return v;
}

export function optString(p: JsonObject, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParam(name, `${name} must be a string, got ${show(v)}`);
  return v;
}

export function optBool(p: JsonObject, name: string): boolean | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidParam(name, `${name} must be true or false, got ${show(v)}`);
  return v;
}

/** A prompt: a string, or an array of token ids (OpenAI also allows a one-element array of strings). */
export function promptParam(p: JsonObject, name = "prompt"): string | number[] {
  const v = p[name];
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    if (v.length === 1 && typeof v[0] === "string") return v[0];
    if (v.length > 0 && v.every((x) => typeof x === "number" && Number.isInteger(x))) return v as number[];
    if (v.some((x) => typeof x === "string")) throw invalidParam(name, `${name}: only one prompt per request is supported, got ${v.length}`);
  }
  throw invalidParam(name, `${name} must be a string or an array of token ids, got ${show(v)}`);
}

export function idsParam(p: JsonObject, name: string): number[] {
  const v = p[name];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)) {
    throw invalidParam(name, `${name} must be an array of token ids (non-negative integers), got ${show(v)}`);
  }
  return v as number[];
}

export function messagesParam(p: JsonObject): ChatMessage[] {
  const v = p.messages;
  if (!Array.isArray(v) || v.length === 0) throw invalidParam("messages", `messages must be a non-empty array of {role, content}, got ${show(v)}`);
  return v.map((m, i) => {
    if (!isObject(m) || typeof m.role !== "string") throw invalidParam(`messages[${i}]`, `messages[${i}] must be {role: string, content: string}, got ${show(m)}`);
    let content = m.content;
    // OpenAI's content parts: keep the text parts.
    if (Array.isArray(content)) {
      content = content.map((part) => (isObject(part) && part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
    }
    if (content === null || content === undefined) content = "";
    if (typeof content !== "string") throw invalidParam(`messages[${i}].content`, `messages[${i}].content must be a string, got ${show(content)}`);
    return { role: m.role, content };
  });
}

export interface SamplingRequest {
  readonly options: Omit<GenerateOptions, "signal">;
  /** How many top alternatives to report per token; undefined = no logprobs at all. */
  readonly logprobs: number | undefined;
}

export interface SamplingDefaults {
  readonly maxTokens: number;
  readonly temperature: number;
}

/**
 * Sampling parameters. `logprobsMode` is "completions" (logprobs: integer 0..20) or "chat"
 * (logprobs: boolean, top_logprobs: integer 0..20).
 */
export function samplingParams(p: JsonObject, defaults: SamplingDefaults, logprobsMode: "completions" | "chat", vocabSize: number): SamplingRequest {
  if (p.n !== undefined && p.n !== null && p.n !== 1) throw invalidParam("n", `only one choice per request is supported (n: 1), got n: ${show(p.n)}`);
  const maxTokens = optNumber(p, "max_completion_tokens", 0, 1 << 30, true) ?? optNumber(p, "max_tokens", 0, 1 << 30, true) ?? defaults.maxTokens;
  let stop: string[] | undefined;
  const s = p.stop;
  if (typeof s === "string") stop = [s];
  else if (Array.isArray(s)) {
    if (!s.every((x) => typeof x === "string") || s.length > 16) throw invalidParam("stop", `stop must be a string or up to 16 strings, got ${show(s)}`);
    stop = (s as string[]).filter((x) => x.length > 0);
  } else if (s !== undefined && s !== null) throw invalidParam("stop", `stop must be a string or an array of strings, got ${show(s)}`);
  let logitBias: Map<number, number> | undefined;
  const lb = p.logit_bias;
  if (lb !== undefined && lb !== null) {
    if (!isObject(lb)) throw invalidParam("logit_bias", `logit_bias must be an object {token_id: bias}, got ${show(lb)}`);
    logitBias = new Map();
    for (const [k, v] of Object.entries(lb)) {
      const id = Number(k);
      if (!/^\d+$/.test(k) || id >= vocabSize) throw invalidParam("logit_bias", `logit_bias key ${JSON.stringify(k)} is not a token id (0..${vocabSize - 1})`);
      if (typeof v !== "number" || !(v >= -100 && v <= 100)) throw invalidParam("logit_bias", `logit_bias[${k}] must be a number in [-100, 100], got ${show(v)}`);
      // OpenAI: -100 bans the token.
      logitBias.set(id, v <= -100 ? -Infinity : v);
    }
  }
  let logprobs: number | undefined;
  if (logprobsMode === "completions") {
    logprobs = optNumber(p, "logprobs", 0, 20, true);
  } else {
    const want = optBool(p, "logprobs");
    const top = optNumber(p, "top_logprobs", 0, 20, true);
    if (top !== undefined && !want) throw invalidParam("top_logprobs", "top_logprobs needs logprobs: true");
    logprobs = want ? (top ?? 0) : undefined;
  }
  const options: Omit<GenerateOptions, "signal"> = {
    maxTokens,
    temperature: optNumber(p, "temperature", 0, 2) ?? defaults.temperature,
    topP: optNumber(p, "top_p", 0, 1),
    topK: optNumber(p, "top_k", 0, 1 << 20, true),
    minP: optNumber(p, "min_p", 0, 1),
    seed: optNumber(p, "seed", -(2 ** 53), 2 ** 53, true),
    presencePenalty: optNumber(p, "presence_penalty", -2, 2),
    frequencyPenalty: optNumber(p, "frequency_penalty", -2, 2),
    repeatPenalty: optNumber(p, "repeat_penalty", 0, 10),
    stop,
    logitBias,
    logprobs,
  };
  return { options: Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Omit<GenerateOptions, "signal">, logprobs };
}
