// kiln quantize IN.gguf OUT.gguf TYPE: re-quantizes a model the way llama-quantize does (the mix
// rules and fallbacks live in engine/gguf/quantize.ts). Progress goes to stderr as a bar; the summary
// line too, so stdout stays empty for scripts.
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { FILE_TYPES, ggmlTypeByName, quantizeModel } from "../../engine/gguf/quantize.js";
import { typeInfo } from "../../engine/quant/types.js";

interface QuantizeFlags {
  pure?: boolean;
  allowRequantize?: boolean;
  keepOrder?: boolean;
  outputTensorType?: string;
  tokenEmbeddingType?: string;
  progress?: boolean;
}

function mib(n: number): string {
  return (n / 1024 / 1024).toFixed(2);
}

export function registerQuantize(program: Command): void {
  program
    .command("quantize")
    .description("re-quantize a GGUF model with llama-quantize's per-tensor type rules")
    .argument("<in>", "input GGUF (f32/f16/bf16; any part of a split model)")
    .argument("<out>", "output GGUF")
    .argument("<type>", `file type: ${FILE_TYPES.map((f) => f.name.toLowerCase()).join(", ")}`)
    .option("--pure", "every quantizable tensor gets TYPE's base type (no mix rules); rows that do not fit still fall back")
    .option("--allow-requantize", "allow converting tensors that are already quantized")
    .option("--keep-order", "keep the input's tensor order (llama-quantize sorts by layer and name)")
    .option("--output-tensor-type <ggml-type>", "type for output.weight")
    .option("--token-embedding-type <ggml-type>", "type for token_embd.weight")
    .option("--no-progress", "no progress bar")
    .action(async (input: string, output: string, type: string, flags: QuantizeFlags) => {
      // Off a terminal cli-progress prints the bar as plain lines every few seconds instead of redrawing.
      const bar = flags.progress !== false
        ? new SingleBar({
          stream: process.stderr, format: "quantize [{bar}] {percentage}% | {tensor}", hideCursor: true, noTTYOutput: true,
        })
        : undefined;
      let started = false;
      try {
        const result = await quantizeModel(input, output, type, {
          pure: flags.pure,
          allowRequantize: flags.allowRequantize,
          keepOrder: flags.keepOrder,
          outputType: flags.outputTensorType ? ggmlTypeByName(flags.outputTensorType) : undefined,
          tokenEmbeddingType: flags.tokenEmbeddingType ? ggmlTypeByName(flags.tokenEmbeddingType) : undefined,
          onProgress: (done, total, tensor) => {
            if (!bar) return;
            if (!started) {
              bar.start(total, 0, { tensor });
              started = true;
            }
            bar.update(done, { tensor });
          },
        });
        if (started) bar?.stop();
        for (const e of result.plan) {
          if (e.fallback) process.stderr.write(`kiln: ${e.tensor.name}: ${e.fallback}\n`);
        }
        const counts = new Map<string, number>();
        for (const e of result.plan) counts.set(typeInfo(e.type).name, (counts.get(typeInfo(e.type).name) ?? 0) + 1);
        process.stderr.write(
          `kiln: wrote ${output}: ${mib(result.inputBytes)} MiB -> ${mib(result.outputBytes)} MiB of tensors (${[...counts].map(([k, v]) => `${v} ${k}`).join(", ")})\n`,
        );
      } finally {
        if (started) bar?.stop();
      }
    });
}
