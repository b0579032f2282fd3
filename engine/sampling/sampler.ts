// The sampler chain, in llama.cpp's order (common/sampling.cpp with its default sampler list, and the
// samplers of src/llama-sampling.cpp): logit bias -> repetition/presence/frequency penalties -> top-k
// -> top-p -> min-p -> temperature -> a seeded draw. Temperature 0 is greedy: the argmax after bias and
// penalties, the lowest id winning ties. Each step's definition is written next to it; the draw uses
// rng.ts (not llama.cpp's mt19937), so seeded runs reproduce kiln runs, not llama.cpp's.

import { KilnError } from "../errors.js";
import type { SamplingOptions } from "../runtime/types.js";
import { randomSeed, Rng } from "./rng.js";

/** A candidate token: its id and current logit. */
export interface Candidate {
  id: number;
  logit: number;
}

/** llama.cpp's defaults (common_params_sampling). */
export const DEFAULT_SAMPLING = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1.0,
  presencePenalty: 0.0,
  frequencyPenalty: 0.0,
  repeatLastN: 64,
} as const;

/** Adds logitBias[id] to each logit (-Infinity bans the token). */
export function applyLogitBias(logits: Float32Array, bias: ReadonlyMap<number, number>): void {
  for (const [id, b] of bias) if (id >= 0 && id < logits.length) logits[id] = logits[id]! + b;
}

/**
 * llama.cpp's penalties sampler. For each token seen c > 0 times among the last tokens:
 *   logit = logit <= 0 ? logit · repeat : logit / repeat   (repetition penalty, CTRL paper)
 *   logit -= c · frequency + presence                        (OpenAI's presence/frequency penalties)
 */
export function applyPenalties(
  logits: Float32Array,
  lastTokens: readonly number[],
  repeat: number,
  frequency: number,
  presence: number,
): void {
  if (lastTokens.length === 0 || (repeat === 1 && frequency === 0 && presence === 0)) return;
  const counts = new Map<number, number>();
  for (const t of lastTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [id, count] of counts) {
    if (id < 0 || id >= logits.length) continue;
    let l = logits[id]!;
    l = l <= 0 ? l * repeat : l / repeat;
    l -= count * frequency + presence;
    logits[id] = l;
  }
}

/** Candidates sorted by logit, highest first; equal logits keep the lower id first. */
export function sortedCandidates(logits: Float32Array): Candidate[] {
  const c: Candidate[] = [];
  for (let i = 0; i < logits.length; i++) c.push({ id: i, logit: logits[i]! });
  c.sort((a, b) => b.logit - a.logit || a.id - b.id);
  return c;
}

/** Probabilities of sorted candidates (softmax over their logits, in f64). */
export function softmaxOf(cands: readonly Candidate[]): number[] {
  if (cands.length === 0) return [];
  const max = cands[0]!.logit;
  const e = cands.map((c) => Math.exp(c.logit - max));
  const sum = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / sum);
}

/** Top-k: keep the k highest (k <= 0 keeps all). */
export function topK(cands: Candidate[], k: number): Candidate[] {
  if (k <= 0 || k >= cands.length) return cands;
  return cands.slice(0, k);
}

/** Top-p (nucleus): keep the smallest prefix whose probability sum reaches p (at least one). */
export function topP(cands: Candidate[], p: number): Candidate[] {
  if (p >= 1 || cands.length === 0) return cands;
  const probs = softmaxOf(cands);
  let cum = 0;
  for (let i = 0; i < cands.length; i++) {
    cum += probs[i]!;
    if (cum >= p) return cands.slice(0, i + 1);
  }
  return cands;
}

/** Min-p: keep tokens whose probability is at least p times the top token's (logit >= max + ln p). */
export function minP(cands: Candidate[], p: number): Candidate[] {
  if (p <= 0 || cands.length === 0) return cands;
  const minLogit = cands[0]!.logit + Math.log(p);
  let n = 0;
  while (n < cands.length && cands[n]!.logit >= minLogit) n++;
  return cands.slice(0, Math.max(1, n));
}

/** Temperature: logits divided by t (t > 0). */
export function temperature(cands: Candidate[], t: number): Candidate[] {
  return cands.map((c) => ({ id: c.id, logit: c.logit / t }));
}

/** The draw: token i with probability softmax(logits)[i], using one uniform double from rng. */
export function draw(cands: readonly Candidate[], rng: Rng): number {
  const probs = softmaxOf(cands);
  const u = rng.nextFloat();
  let cum = 0;
  for (let i = 0; i < cands.length; i++) {
    cum += probs[i]!;
    if (u < cum) return cands[i]!.id;
  }
  return cands[cands.length - 1]!.id; // u within rounding of 1
}

/** Index of the largest value; the lowest index wins ties (llama.cpp's greedy sampler). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

function checkOptions(o: SamplingOptions): void {
  const bad = (name: string, v: number, want: string): never => {
    throw new KilnError(`sampling option ${name} is ${v}; ${want}`, "BAD_SAMPLING_OPTION");
  };
  if (o.temperature !== undefined && !(o.temperature >= 0)) bad("temperature", o.temperature, "use 0 (greedy) or a positive number");
  if (o.topK !== undefined && !Number.isInteger(o.topK)) bad("topK", o.topK, "use an integer (0 turns it off)");
  if (o.topP !== undefined && !(o.topP >= 0 && o.topP <= 1)) bad("topP", o.topP, "use a number in 0..1 (1 turns it off)");
  if (o.minP !== undefined && !(o.minP >= 0 && o.minP <= 1)) bad("minP", o.minP, "use a number in 0..1 (0 turns it off)");
  if (o.repeatPenalty !== undefined && !(o.repeatPenalty > 0)) bad("repeatPenalty", o.repeatPenalty, "use a positive number (1 turns it off)");
  if (o.repeatLastN !== undefined && !(Number.isInteger(o.repeatLastN) && o.repeatLastN >= -1)) {
    bad("repeatLastN", o.repeatLastN, "use a count of tokens, 0 to turn penalties off, or -1 for the whole context");
  }
  if (o.seed !== undefined && !Number.isFinite(o.seed)) bad("seed", o.seed, "use an integer");
}

/** A configured chain with its own PRNG; sample() is one step. */
export class Sampler {
  readonly seed: number;
  private readonly rng: Rng;
  private readonly o: Required<Omit<SamplingOptions, "logitBias" | "seed">> & { logitBias?: ReadonlyMap<number, number> };

  constructor(opts: SamplingOptions = {}) {
    checkOptions(opts);
    this.seed = opts.seed ?? randomSeed();
    this.rng = new Rng(this.seed);
    this.o = {
      temperature: opts.temperature ?? DEFAULT_SAMPLING.temperature,
      topK: opts.topK ?? DEFAULT_SAMPLING.topK,
      topP: opts.topP ?? DEFAULT_SAMPLING.topP,
      minP: opts.minP ?? DEFAULT_SAMPLING.minP,
      repeatPenalty: opts.repeatPenalty ?? DEFAULT_SAMPLING.repeatPenalty,
      presencePenalty: opts.presencePenalty ?? DEFAULT_SAMPLING.presencePenalty,
      frequencyPenalty: opts.frequencyPenalty ?? DEFAULT_SAMPLING.frequencyPenalty,
      repeatLastN: opts.repeatLastN ?? DEFAULT_SAMPLING.repeatLastN,
      logitBias: opts.logitBias,
    };
  }

  /**
   * Picks the next token from `logits` (n_vocab,), which is not modified. `history` is every token of
   * the sequence so far (prompt included, as llama.cpp accepts prompt tokens into its sampler); the
   * penalties look at its last repeatLastN (-1: all of it).
   */
  sample(logits: Float32Array, history: readonly number[] = []): number {
    const o = this.o;
    const l = new Float32Array(logits);
    if (o.logitBias) applyLogitBias(l, o.logitBias);
    const lastN = o.repeatLastN < 0 ? history.length : Math.min(o.repeatLastN, history.length);
    if (lastN > 0) applyPenalties(l, history.slice(history.length - lastN), o.repeatPenalty, o.frequencyPenalty, o.presencePenalty);
    // Greedy: top-k, top-p and min-p always keep the argmax, so it is the argmax here.
    if (o.temperature === 0) return argmax(l);
    let cands = sortedCandidates(l).filter((c) => c.logit !== -Infinity);
    if (cands.length === 0) throw new KilnError("sampling: every token is banned by the logit bias (remove some -Infinity biases)");
    cands = topK(cands, o.topK);
    cands = topP(cands, o.topP);
    cands = minP(cands, o.minP);
    cands = temperature(cands, o.temperature);
    return draw(cands, this.rng);
  }
}

/** log-softmax of raw logits: the log-probabilities reported with generated tokens. (n,) -> (n,) */
export function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}
