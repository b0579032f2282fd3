// kiln pipeline run FILE [--input IN.jsonl] [--output OUT.jsonl]: batch inference over JSONL
// (server/pipeline.ts), with a progress bar on stderr; rerunning after an interruption resumes.

import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { defaultModelPath } from "../../engine/paths.js";
import { loadServedModel } from "../../server/engine.js";
import { loadPipeline, runPipeline } from "../../server/pipeline.js";
import { nameFromPath, resolveModelArg } from "../../server/store.js";

export function registerPipeline(program: Command): void {
  const cmd = program.command("pipeline").description("batch inference over JSONL files");
  cmd
    .command("run")
    .description("run a pipeline file (YAML or JSON) over every input line; rerun to resume after an interruption")
    .argument("<file>", "the pipeline file")
    .option("--input <path>", "input JSONL (one object per line); default: the pipeline's input")
    .option("--output <path>", "output JSONL; default: the pipeline's output")
    .option("--backend <name>", "backend that runs the models (default cpu: wasm, or reference where wasm cannot run a model)")
    .option("--no-progress", "no progress bar")
    .action(async (file: string, opts: { input?: string; output?: string; backend?: string; progress: boolean }) => {
      const p = loadPipeline(file);
      const input = opts.input ?? p.input;
      const output = opts.output ?? p.output;
      if (!input) throw new KilnError(`pipeline ${file}: no input; give --input IN.jsonl or "input:" in the file`);
      if (!output) throw new KilnError(`pipeline ${file}: no output; give --output OUT.jsonl or "output:" in the file`);
      const bar = opts.progress ? new SingleBar({ stream: process.stderr, format: "kiln pipeline [{bar}] {value}/{total} lines | {eta_formatted} left", hideCursor: false }) : undefined;
      const abort = new AbortController();
      const onSig = (): void => abort.abort(new Error("interrupted"));
      process.once("SIGINT", onSig);
      process.once("SIGTERM", onSig);
      try {
        const ran = await runPipeline(p, input, output, {
          model: (name) => {
            const spec = name === undefined ? { name: nameFromPath(defaultModelPath()), path: defaultModelPath() } : resolveModelArg(name);
            return loadServedModel(spec.path, { name: spec.name, backend: opts.backend });
          },
          onStart: (total, already) => {
            if (already > 0) process.stderr.write(`kiln pipeline: resuming: ${already} of ${total} lines are already in ${output}\n`);
            bar?.start(total, already);
          },
          onLine: () => bar?.increment(),
          signal: abort.signal,
        });
        bar?.stop();
        if (abort.signal.aborted) {
          process.stderr.write(`kiln pipeline: interrupted; rerun the same command to resume\n`);
          process.exitCode = 130;
        } else process.stderr.write(`kiln pipeline: ${ran} lines written to ${output}\n`);
      } finally {
        bar?.stop();
        process.off("SIGINT", onSig);
        process.off("SIGTERM", onSig);
      }
    });
}
