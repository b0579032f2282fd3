// Greedy decoding for tests: the prompt in one forward, then each argmax fed back one token at a time.
import type { BackendSequence } from "../engine/runtime/backend.js";
import { argmax } from "../engine/sampling/sampler.js";

/** The first `n` greedy ids after `prompt`, from position 0 of `seq`. */
export async function greedyIds(seq: BackendSequence, prompt: readonly number[], n: number): Promise<number[]> {
  let logits = await seq.forward(prompt, 0, "last");
  const ids: number[] = [];
  for (let step = 0; step < n; step++) {
    ids.push(argmax(logits));
    if (step + 1 < n) logits = await seq.forward([ids[step]!], prompt.length + step, "last");
  }
  return ids;
}

/** The parts of a golden greedy file (golden/greedy/*.json) the checks read. */
export interface GreedyRecord {
  prompt_token_ids: number[];
  generated_token_ids: number[];
  top1_top2_margin: number[];
}

/**
 * Teacher forcing: `logits` holds every position of prompt + generated ids (one forward, "all"); at
 * each step whose recorded top-1/top-2 margin is at least `clear`, the argmax must be llama.cpp's id.
 */
export function teacherForcedMismatches(logits: Float32Array, g: GreedyRecord, clear: number): { checked: number; mismatches: string[] } {
  const nVocab = logits.length / (g.prompt_token_ids.length + g.generated_token_ids.length);
  const p = g.prompt_token_ids.length;
  const mismatches: string[] = [];
  let checked = 0;
  for (let s = 0; s < g.generated_token_ids.length; s++) {
    if (g.top1_top2_margin[s]! < clear) continue;
    checked++;
    const got = argmax(logits.subarray((p - 1 + s) * nVocab, (p + s) * nVocab));
    if (got !== g.generated_token_ids[s]) mismatches.push(`step ${s}: ${got} instead of ${g.generated_token_ids[s]}`);
  }
  return { checked, mismatches };
}
