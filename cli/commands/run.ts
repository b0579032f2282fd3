// kiln run -m MODEL -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P]
//          [--repeat-penalty R] [--seed S] [--backend B] ...
// Generates a continuation of PROMPT. stdout is the continuation only, streamed as it is generated
// (no prompt echo, no logs), so tools can compare it byte for byte; everything else goes to stderr.
// The sampling flags and their defaults are llama.cpp's (llama-cli), except that --temp 0 is greedy.

import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { defaultModelPath } from "../../engine/paths.js";
import type { KVCacheType } from "../../engine/runtime/backend.js";
import { DEFAULT_BACKEND } from "../../engine/runtime/cpu-backend.js";
import { loadModel } from "../../engine/runtime/model.js";
import type { GenerateOptions, GenerationResult } from "../../engine/runtime/types.js";
import { DEFAULT_SAMPLING } from "../../engine/sampling/sampler.js";

/** A flag's value as a finite number, or a KilnError naming the flag. */
export function numberFlag(flag: string, integer = false) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new KilnError(`${flag} ${JSON.stringify(v)} is not ${integer ? "an integer" : "a number"}`, "BAD_ARGUMENT");
    }
    return n;
  };
}

export function kvTypeFlag(v: string): KVCacheType {
  if (v !== "f32" && v !== "f16") throw new KilnError(`--kv-type ${JSON.stringify(v)} is not supported (use f32 or f16)`, "BAD_ARGUMENT");
  return v;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Flags shared by run and chat. */
export interface SamplingFlags {
  model?: string;
  nPredict: number;
  temp: number;
  topK: number;
  topP: number;
  minP: number;
  repeatPenalty: number;
  repeatLastN: number;
  presencePenalty: number;
  frequencyPenalty: number;
  seed?: number;
  backend: string;
  threads?: number;
  kvType: KVCacheType;
  ctxSize?: number;
  stop: string[];
}

export function addSamplingFlags(cmd: Command): Command {
  return cmd
    .option("-m, --model <file>", "GGUF model (default: the embedded stories260K model)")
    .option("-n, --n-predict <n>", "tokens to generate (-1: until end of text or a full context)", numberFlag("-n", true), -1)
    .option("--temp <t>", "temperature (0: greedy)", numberFlag("--temp"), DEFAULT_SAMPLING.temperature)
    .option("--top-k <k>", "keep the k most likely tokens (0: all)", numberFlag("--top-k", true), DEFAULT_SAMPLING.topK)
    .option("--top-p <p>", "nucleus sampling threshold (1: off)", numberFlag("--top-p"), DEFAULT_SAMPLING.topP)
    .option("--min-p <p>", "drop tokens below p times the top probability (0: off)", numberFlag("--min-p"), DEFAULT_SAMPLING.minP)
    .option("--repeat-penalty <r>", "penalize repeated tokens (1: off)", numberFlag("--repeat-penalty"), DEFAULT_SAMPLING.repeatPenalty)
    .option("--repeat-last-n <n>", "tokens the penalties look back over (-1: the whole context)", numberFlag("--repeat-last-n", true), DEFAULT_SAMPLING.repeatLastN)
    .option("--presence-penalty <p>", "subtracted once from each seen token's logit", numberFlag("--presence-penalty"), DEFAULT_SAMPLING.presencePenalty)
    .option("--frequency-penalty <p>", "subtracted per occurrence from a seen token's logit", numberFlag("--frequency-penalty"), DEFAULT_SAMPLING.frequencyPenalty)
    .option("--seed <s>", "random seed (default: random); the same seed gives the same text", numberFlag("--seed", true))
    .option("--stop <text>", "stop before this text (repeatable)", collect, [])
    .option("--backend <name>", "backend that runs the model: cpu (wasm, or reference where wasm cannot run it), wasm, reference, webgpu, cuda or auto", DEFAULT_BACKEND)
    .option("--threads <n>", "threads for the wasm backend (default: all available)", numberFlag("--threads", true))
    .option("--kv-type <type>", "KV cache storage: f32 or f16", kvTypeFlag, "f32")
    .option("-c, --ctx-size <n>", "context size in tokens (default: the model's)", numberFlag("--ctx-size", true));
}

export function generateOptions(o: SamplingFlags, signal?: AbortSignal): GenerateOptions {
  return {
    maxTokens: o.nPredict < 0 ? undefined : o.nPredict,
    temperature: o.temp,
    topK: o.topK,
    topP: o.topP,
    minP: o.minP,
    repeatPenalty: o.repeatPenalty,
    repeatLastN: o.repeatLastN,
    presencePenalty: o.presencePenalty,
    frequencyPenalty: o.frequencyPenalty,
    seed: o.seed,
    stop: o.stop,
    signal,
  };
}

export function timingLine(r: GenerationResult): string {
  const t = r.timings;
  return (
    `kiln: prompt ${r.usage.promptTokens} tokens in ${t.promptMs.toFixed(0)} ms (${t.promptTokensPerSecond.toFixed(1)} tok/s), ` +
    `generated ${r.usage.completionTokens} tokens in ${t.generateMs.toFixed(0)} ms (${t.generateTokensPerSecond.toFixed(1)} tok/s), ` +
    `finish: ${r.finishReason}\n`
  );
}

/** Writes to stdout, waiting when the pipe is full so a long generation never buffers unboundedly. */
export async function writeOut(text: string): Promise<void> {
  if (text === "") return;
  if (!process.stdout.write(text)) await new Promise<void>((res) => process.stdout.once("drain", () => res()));
}

export function registerRun(program: Command): void {
  addSamplingFlags(
    program
      .command("run")
      .description("generate a continuation of a prompt; stdout is the continuation only")
      .option("-p, --prompt <text>", "the prompt"),
  ).action(async (o: SamplingFlags & { prompt?: string }) => {
    if (o.prompt === undefined) throw new KilnError("kiln run needs a prompt: add -p \"your text\"", "BAD_ARGUMENT");
    const path = o.model ?? defaultModelPath();
    const model = await loadModel(path, { backend: o.backend, kvType: o.kvType, threads: o.threads });
    try {
      const session = model.createSession({ nCtx: o.ctxSize });
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once("SIGINT", onSigint);
      try {
        const gen = session.generate(o.prompt, generateOptions(o, ac.signal));
        for await (const t of gen) await writeOut(t.text);
        const result = await gen.result;
        process.stderr.write(timingLine(result));
      } finally {
        process.off("SIGINT", onSigint);
      }
    } finally {
      model.close();
    }
  });
}
