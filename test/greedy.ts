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
