// The sampler chain against llama.cpp's definitions: the worked examples of llama.cpp's
// tests/test-sampling.cpp (probabilities after each sampler), chi-square tests of the seeded draw
// against exact probabilities, xoshiro128** against its reference output, and stop strings.

import { describe, expect, it } from "vitest";
import { Rng } from "../engine/sampling/rng.js";
import {
  applyPenalties, minP, Sampler, softmaxOf, sortedCandidates, temperature, topK, topP, type Candidate,
} from "../engine/sampling/sampler.js";
import { StopMatcher } from "../engine/sampling/stop.js";

/** llama.cpp's tester: logits are ln(p) in f32. */
function logitsOf(probs: number[]): Float32Array {
  return Float32Array.from(probs, (p) => Math.log(p));
}

/** Probabilities of the kept candidates, by id. */
function probsById(cands: Candidate[]): Map<number, number> {
  const p = softmaxOf(cands);
  return new Map(cands.map((c, i) => [c.id, p[i]!]));
}

function expectProbs(got: Map<number, number>, want: Record<number, number>, tol = 1e-5): void {
  expect([...got.keys()].sort()).toEqual(Object.keys(want).map(Number).sort());
  for (const [id, p] of Object.entries(want)) expect(Math.abs(got.get(Number(id))! - p)).toBeLessThan(tol);
}

const P4 = [0.1, 0.2, 0.3, 0.4];

describe("samplers match llama.cpp's test-sampling.cpp examples", () => {
  it("top-k", () => {
    expectProbs(probsById(topK(sortedCandidates(logitsOf(P4)), 1)), { 3: 1 });
    expectProbs(probsById(topK(sortedCandidates(logitsOf(P4)), 3)), { 3: 0.44444, 2: 0.33333, 1: 0.22222 });
    expectProbs(probsById(topK(sortedCandidates(logitsOf(P4)), 4)), { 3: 0.4, 2: 0.3, 1: 0.2, 0: 0.1 });
    expectProbs(probsById(topK(sortedCandidates(logitsOf(P4)), 0)), { 3: 0.4, 2: 0.3, 1: 0.2, 0: 0.1 });
  });

  it("top-p", () => {
    expectProbs(probsById(topP(sortedCandidates(logitsOf(P4)), 0)), { 3: 1 });
    expectProbs(probsById(topP(sortedCandidates(logitsOf(P4)), 0.7)), { 3: 0.571429, 2: 0.428571 });
    expectProbs(probsById(topP(sortedCandidates(logitsOf(P4)), 0.8)), { 3: 0.44444, 2: 0.33333, 1: 0.22222 });
    expectProbs(probsById(topP(sortedCandidates(logitsOf(P4)), 1)), { 3: 0.4, 2: 0.3, 1: 0.2, 0: 0.1 });
  });

  it("min-p", () => {
    const all = { 0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4 };
    const cases: [number, Record<number, number>][] = [
      [0.0, all], [0.24, all],
      [0.26, { 1: 0.2 / 0.9, 2: 0.3 / 0.9, 3: 0.4 / 0.9 }], [0.49, { 1: 0.2 / 0.9, 2: 0.3 / 0.9, 3: 0.4 / 0.9 }],
      [0.51, { 2: 0.3 / 0.7, 3: 0.4 / 0.7 }], [0.74, { 2: 0.3 / 0.7, 3: 0.4 / 0.7 }],
      [0.76, { 3: 1 }], [1.0, { 3: 1 }], [1.05, { 3: 1 }],
    ];
    for (const [p, want] of cases) expectProbs(probsById(minP(sortedCandidates(logitsOf(P4)), p)), want);
  });

  it("temperature", () => {
    expectProbs(probsById(temperature(sortedCandidates(logitsOf(P4)), 1)), { 0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4 });
    // temperature 0 is greedy: the whole mass on the top token
    expect(new Sampler({ temperature: 0 }).sample(logitsOf(P4))).toBe(3);
    // t = 0.5 squares the probabilities: p_i^2 / Σ p_j^2
    const sq = P4.map((p) => p * p);
    const z = sq.reduce((a, b) => a + b);
    expectProbs(probsById(temperature(sortedCandidates(logitsOf(P4)), 0.5)), Object.fromEntries(sq.map((s, i) => [i, s / z])));
  });

  it("repetition, frequency and presence penalties", () => {
    const P5 = [0.2, 0.2, 0.2, 0.2, 0.2];
    const cases: [number[], number[], number, number, number][] = [
      [[0], [0, 0.25, 0.25, 0.25, 0.25], 50, 0, 0],
      [[0, 1, 2], [0, 0, 0, 0.5, 0.5], 50, 0, 0],
      [[0, 1, 2, 0, 0], [0, 0, 0, 0.5, 0.5], 50, 0, 0],
      [[0], [0.000011, 0.249997, 0.249997, 0.249997, 0.249997], 1, 5, 5],
      [[0, 1, 2], [0.000023, 0.000023, 0.000023, 0.499966, 0.499966], 1, 5, 5],
      [[0, 1, 2, 0, 0], [0.0, 0.000023, 0.000023, 0.499977, 0.499977], 1, 5, 5],
    ];
    for (const [last, want, repeat, freq, presence] of cases) {
      const l = logitsOf(P5);
      applyPenalties(l, last, repeat, freq, presence);
      const probs = probsById(sortedCandidates(l));
      expectProbs(probs, Object.fromEntries(want.map((p, i) => [i, p])));
    }
  });

  it("divides a positive logit by the repetition penalty and multiplies a negative one", () => {
    const l = Float32Array.from([2, -2, 2]);
    applyPenalties(l, [0, 1], 2, 0, 0);
    expect([...l]).toEqual([1, -4, 2]);
  });

  it("lets the penalties see only the last repeatLastN tokens", () => {
    const logits = Float32Array.from([1, 1.05, 0]);
    // token 1 seen long ago (outside the window of 2) is not penalized; inside the window of 3, it is.
    expect(new Sampler({ temperature: 0, repeatPenalty: 2, repeatLastN: 2 }).sample(logits, [1, 2, 2])).toBe(1);
    expect(new Sampler({ temperature: 0, repeatPenalty: 2, repeatLastN: 3 }).sample(logits, [1, 2, 2])).toBe(0);
  });

  it("greedy picks the lowest id among equal logits", () => {
    expect(new Sampler({ temperature: 0 }).sample(Float32Array.from([0, 5, 1, 5, 5]))).toBe(1);
  });

  it("applies the logit bias first (-Infinity bans a token)", () => {
    const s = new Sampler({ temperature: 0, logitBias: new Map([[3, -Infinity], [0, 10]]) });
    expect(s.sample(logitsOf(P4))).toBe(0);
  });
});

/** Pearson's chi-square of observed counts against expected probabilities. */
function chiSquare(counts: Map<number, number>, probs: Map<number, number>, n: number): number {
  let x = 0;
  for (const [id, p] of probs) x += ((counts.get(id) ?? 0) - n * p) ** 2 / (n * p);
  return x;
}

/** Upper 0.1% points of the chi-square distribution, by degrees of freedom. */
const CHI2_999: Record<number, number> = { 1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 5: 20.52 };

function drawMany(opts: ConstructorParameters<typeof Sampler>[0], logits: Float32Array, n: number): Map<number, number> {
  const s = new Sampler(opts);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = s.sample(logits);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe("the seeded draw follows the exact distribution (chi-square, p = 0.001)", () => {
  const N = 20000;
  const logits = logitsOf([0.05, 0.1, 0.15, 0.3, 0.4]);
  const off = { topK: 0, topP: 1, minP: 0, seed: 1234 };
  const cases: [string, ConstructorParameters<typeof Sampler>[0], Record<number, number>][] = [
    ["plain softmax", { ...off, temperature: 1 }, { 0: 0.05, 1: 0.1, 2: 0.15, 3: 0.3, 4: 0.4 }],
    ["top-k 3", { ...off, temperature: 1, topK: 3 }, { 2: 0.15 / 0.85, 3: 0.3 / 0.85, 4: 0.4 / 0.85 }],
    ["top-p 0.6", { ...off, temperature: 1, topP: 0.6 }, { 3: 0.3 / 0.7, 4: 0.4 / 0.7 }],
    ["min-p 0.3", { ...off, temperature: 1, minP: 0.3 }, { 2: 0.15 / 0.85, 3: 0.3 / 0.85, 4: 0.4 / 0.85 }],
    ["temperature 2", { ...off, temperature: 2 }, (() => {
      const r = [0.05, 0.1, 0.15, 0.3, 0.4].map(Math.sqrt);
      const z = r.reduce((a, b) => a + b);
      return Object.fromEntries(r.map((x, i) => [i, x / z]));
    })()],
  ];
  for (const [name, opts, want] of cases) {
    it(name, () => {
      const probs = new Map(Object.entries(want).map(([k, v]) => [Number(k), v]));
      const counts = drawMany(opts, logits, N);
      for (const id of counts.keys()) expect(probs.has(id), `token ${id} should never be drawn`).toBe(true);
      expect(chiSquare(counts, probs, N)).toBeLessThan(CHI2_999[probs.size - 1]!);
    });
  }

  it("the test can tell a wrong distribution (negative control)", () => {
    const counts = drawMany({ ...off, temperature: 1, topK: 3 }, logits, N);
    const untruncated = new Map([[2, 0.15 / 0.85], [3, 0.3 / 0.85], [4, 0.4 / 0.85]].map(([k, v]) => [k!, v!]));
    untruncated.set(4, 0.4 / 0.85 + 0.02);
    untruncated.set(3, 0.3 / 0.85 - 0.02);
    expect(chiSquare(counts, untruncated, N)).toBeGreaterThan(CHI2_999[2]!);
  });

  it("the same seed draws the same tokens; another seed does not", () => {
    const a = new Sampler({ ...off, temperature: 1, seed: 99 });
    const b = new Sampler({ ...off, temperature: 1, seed: 99 });
    const c = new Sampler({ ...off, temperature: 1, seed: 100 });
    const da = Array.from({ length: 64 }, () => a.sample(logits));
    const db = Array.from({ length: 64 }, () => b.sample(logits));
    const dc = Array.from({ length: 64 }, () => c.sample(logits));
    expect(db).toEqual(da);
    expect(dc).not.toEqual(da);
  });
});

describe("xoshiro128**", () => {
  it("gives the reference algorithm's outputs from state (1, 2, 3, 4)", () => {
    // From the published algorithm (prng.di.unimi.it/xoshiro128starstar.c), stepped by hand.
    const r = Rng.fromState(1, 2, 3, 4);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([11520, 0, 5927040]);
  });

  it("draws uniform doubles in [0, 1)", () => {
    const r = new Rng(5);
    const bins = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 50000; i++) {
      const u = r.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      else bins[Math.floor(u * 10)]!++;
    }
    expect(outside).toBe(0);
    const chi = bins.reduce((s, c) => s + (c - 5000) ** 2 / 5000, 0);
    expect(chi).toBeLessThan(27.88); // df 9, p = 0.001
  });
});

describe("stop strings", () => {
  it("holds back a partial match and releases it when the text goes elsewhere", () => {
    const m = new StopMatcher(["</end>"]);
    expect(m.push("Hello </")).toEqual({ text: "Hello ", stopped: false });
    expect(m.push("b> world")).toEqual({ text: "</b> world", stopped: false });
    expect(m.push(" </en")).toEqual({ text: " ", stopped: false });
    expect(m.push("d> more")).toEqual({ text: "", stopped: true, match: "</end>" });
  });

  it("stops at the earliest of several stop strings", () => {
    const m = new StopMatcher(["cat", "a c"]);
    expect(m.push("a cat")).toEqual({ text: "", stopped: true, match: "a c" });
  });

  it("flushes held text at the end", () => {
    const m = new StopMatcher(["xyz"]);
    expect(m.push("abx").text).toBe("ab");
    expect(m.flush()).toBe("x");
  });
});
