// Batch inference (`kiln pipeline run FILE`): a pipeline file (YAML or JSON) names a model and a list
// of steps; each step renders a prompt template over the input record's fields (and earlier steps'
// outputs), generates, and stores the text under its output field. Every JSONL input line gives one
// output line {"index", "input", "output"}. Output lines are appended and fsync'ed one at a time; on
// restart the complete lines already there are kept, a torn last line is cut off, and only the
// missing indices run — so an interrupted run resumes with no line lost or duplicated.

import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { KilnError } from "../engine/errors.js";
import type { GenerationResult } from "../engine/runtime/types.js";
import type { ChatMessage } from "../engine/tokenizer/types.js";
import type { ServedModel } from "./engine.js";
import { ApiError } from "./errors.js";
import { isObject, samplingParams, type Json, type JsonObject } from "./params.js";

export interface PipelineStep {
  readonly name: string;
  /** A model path or store name; default: the pipeline's model. */
  readonly model?: string;
  /** A template such as "Summarize: {{text}}"; or `messages` for a chat step. */
  readonly prompt?: string;
  readonly messages?: readonly { role: string; content: string }[];
  /** The output field the text is stored under (default: the step's name). */
  readonly output: string;
  /** Sampling parameters with the HTTP API's names (max_tokens, temperature, top_p, stop, seed, ...). */
  readonly sampling: JsonObject;
}

export interface Pipeline {
  readonly model?: string;
  readonly input?: string;
  readonly output?: string;
  /** Input lines processed at once (default 1). */
  readonly concurrency: number;
  readonly steps: readonly PipelineStep[];
}

const STEP_KEYS = new Set(["name", "model", "prompt", "messages", "output"]);

/** Reads and checks a pipeline file; relative input/output paths are relative to the file. */
export function loadPipeline(path: string): Pipeline {
  if (!existsSync(path)) throw new KilnError(`pipeline file ${path} does not exist`);
  const text = readFileSync(path, "utf8");
  let doc: unknown;
  try {
    doc = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new KilnError(`pipeline file ${path} is not valid ${/\.json$/i.test(path) ? "JSON" : "YAML"}: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new KilnError(`pipeline file ${path} must hold a mapping with a "steps" list`);
  const where = (s: string): string => `pipeline ${path}: ${s}`;
  const str = (v: Json | undefined, what: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new KilnError(where(`${what} must be a string, got ${JSON.stringify(v)}`));
    return v;
  };
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) throw new KilnError(where('"steps" must be a non-empty list of {name, prompt, output, ...}'));
  const base = dirname(resolve(path));
  const steps = doc.steps.map((s, i): PipelineStep => {
    if (!isObject(s)) throw new KilnError(where(`steps[${i}] must be a mapping`));
    const name = str(s.name, `steps[${i}].name`) ?? `step${i + 1}`;
    const prompt = str(s.prompt, `steps[${i}].prompt`);
    let messages: { role: string; content: string }[] | undefined;
    if (s.messages !== undefined) {
      if (!Array.isArray(s.messages) || !s.messages.every((m) => isObject(m) && typeof m.role === "string" && typeof m.content === "string")) {
        throw new KilnError(where(`steps[${i}].messages must be a list of {role, content} strings`));
      }
      messages = s.messages as { role: string; content: string }[];
    }
    if ((prompt === undefined) === (messages === undefined)) throw new KilnError(where(`steps[${i}] (${name}) needs exactly one of "prompt" or "messages"`));
    const sampling: JsonObject = {};
    for (const [k, v] of Object.entries(s)) if (!STEP_KEYS.has(k)) sampling[k] = v;
    return { name, model: str(s.model, `steps[${i}].model`), prompt, messages, output: str(s.output, `steps[${i}].output`) ?? name, sampling };
  });
  const conc = doc.concurrency ?? 1;
  if (typeof conc !== "number" || !Number.isInteger(conc) || conc < 1 || conc > 256) throw new KilnError(where(`concurrency must be an integer in [1, 256], got ${JSON.stringify(conc)}`));
  const rel = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(base, p));
  return { model: str(doc.model, "model"), input: rel(str(doc.input, "input")), output: rel(str(doc.output, "output")), concurrency: conc, steps };
}

/** Fills {{field}} (or {{a.b}}) from the record; a missing field is an error naming the line. */
export function renderTemplate(template: string, record: JsonObject, where: string): string {
  return template.replace(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g, (_, path: string) => {
    let v: Json | undefined = record;
    for (const part of path.split(".")) v = isObject(v) ? v[part] : undefined;
    if (v === undefined) throw new KilnError(`${where}: the template uses {{${path}}} but the record has no field ${path}`);
    return typeof v === "string" ? v : JSON.stringify(v);
  });
}

/** Indices of the complete lines in an existing output file; cuts off a torn last line. */
export function completedIndices(outPath: string): Set<number> {
  const done = new Set<number>();
  if (!existsSync(outPath)) return done;
  const buf = readFileSync(outPath);
  const end = buf.lastIndexOf(0x0a) + 1;
  if (end < buf.length) {
    // An interrupted append: the line is redone from scratch.
    const fd = openSync(outPath, "r+");
    try {
      ftruncateSync(fd, end);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const lines = buf.subarray(0, end).toString("utf8").split("\n");
  lines.forEach((line, n) => {
    if (line.trim() === "") return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new KilnError(`${outPath}: line ${n + 1} is not JSON; this is not a pipeline output file (or it was edited); move it away`);
    }
    if (!isObject(rec) || typeof rec.index !== "number") throw new KilnError(`${outPath}: line ${n + 1} has no "index"; this is not a pipeline output file`);
    done.add(rec.index);
  });
  return done;
}

export interface PipelineIO {
  /** Models by the name or path the pipeline gives (undefined = the default model). */
  readonly model: (name: string | undefined) => Promise<ServedModel>;
  readonly onStart?: (total: number, alreadyDone: number) => void;
  readonly onLine?: () => void;
  readonly signal?: AbortSignal;
}

async function generateText(model: ServedModel, prompt: readonly number[], sampling: JsonObject, where: string, signal?: AbortSignal): Promise<string> {
  let sp;
  try {
    sp = samplingParams(sampling, { maxTokens: 256, temperature: 1 }, "completions", model.tokenizer.vocabSize);
  } catch (e) {
    throw new KilnError(`${where}: ${(e as ApiError).message}`);
  }
  const stream = model.generate(prompt, { ...sp.options, maxTokens: Math.min(sp.options.maxTokens ?? 256, model.contextLength - prompt.length), signal });
  let r: IteratorResult<unknown, GenerationResult>;
  do r = await stream.next();
  while (!r.done);
  return r.value.text;
}

/** Runs the pipeline over every input line not yet in the output; returns how many lines ran now. */
export async function runPipeline(p: Pipeline, inputPath: string, outputPath: string, io: PipelineIO): Promise<number> {
  if (!existsSync(inputPath)) throw new KilnError(`pipeline input ${inputPath} does not exist (give --input or "input:" in the pipeline)`);
  const done = completedIndices(outputPath);
  // Input lines, 0-based by line number; blank lines are skipped but keep their number.
  const todo: { index: number; record: JsonObject }[] = [];
  let total = 0;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(inputPath), crlfDelay: Infinity })) {
    const index = n++;
    if (line.trim() === "") continue;
    total++;
    if (done.has(index)) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new KilnError(`${inputPath}: line ${index + 1} is not JSON (${(e as Error).message})`);
    }
    if (!isObject(rec)) throw new KilnError(`${inputPath}: line ${index + 1} must be a JSON object`);
    todo.push({ index, record: rec });
  }
  const models = new Map<string | undefined, ServedModel>();
  for (const s of p.steps) if (!models.has(s.model ?? p.model)) models.set(s.model ?? p.model, await io.model(s.model ?? p.model));
  io.onStart?.(total, total - todo.length);
  const fd = openSync(outputPath, "a");
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length && !io.signal?.aborted) {
        const { index, record } = todo[next++]!;
        const fields: JsonObject = { ...record };
        const output: JsonObject = {};
        for (const step of p.steps) {
          const model = models.get(step.model ?? p.model)!;
          const where = `${inputPath} line ${index + 1}, step ${step.name}`;
          const prompt = step.prompt !== undefined
            ? model.tokenizer.encode(renderTemplate(step.prompt, fields, where))
            : model.chatPrompt(step.messages!.map((m): ChatMessage => ({ role: m.role, content: renderTemplate(m.content, fields, where) })));
          const text = await generateText(model, prompt, step.sampling, where, io.signal);
          fields[step.output] = text;
          output[step.output] = text;
        }
        if (io.signal?.aborted) return;
        // One write of one whole line, then fsync: a crash leaves at most a torn last line.
        writeSync(fd, JSON.stringify({ index, input: record, output }) + "\n");
        fsyncSync(fd);
        io.onLine?.();
      }
    };
    await Promise.all(Array.from({ length: Math.min(p.concurrency, Math.max(1, todo.length)) }, worker));
  } finally {
    closeSync(fd);
  }
  return todo.length;
}
