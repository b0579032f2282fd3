// /v1/embeddings: the mean of the final hidden states (after the output norm), L2-normalized. The
// check uses outside truth through linearity: the output matrix (read from the GGUF) times the
// pooled vector must point the same way as the mean of the golden float64 reference logits over the
// same positions (for gemma2, of the logits with its final soft-cap undone: cap * atanh(logit / cap)).

import OpenAI from "openai";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { dequantizeRow } from "../engine/quant/index.js";
import { loadServedModel } from "../server/engine.js";
import { golden } from "./golden.js";
import { startTestServer, type TestServer } from "./server-harness.js";

let srv: TestServer;
let client: OpenAI;

const CASES = [
  { model: "synthetic-k256-f32", output: "output.weight", softcap: 0 },
  { model: "gemma2-synthetic-q8_0", output: "token_embd.weight", softcap: 0.5 },
];

beforeAll(async () => {
  const models = await Promise.all(CASES.map((c) => loadServedModel(golden("models", `${c.model}.gguf`), { name: c.model })));
  srv = await startTestServer({ models });
  client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => srv.close());

/** output matrix (n_vocab rows of n_embd) times v. */
function project(model: string, tensor: string, v: Float32Array): Float64Array {
  const f = GGUFFile.open(golden("models", `${model}.gguf`));
  try {
    const t = f.tensor(tensor);
    const [cols, rows] = [t.ne[0]!, t.ne[1]!];
    const w = dequantizeRow(t.typeInfo.id, f.readTensor(t), cols * rows);
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r] += w[r * cols + c]! * v[c]!;
    return out;
  } finally {
    f.close();
  }
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe("/v1/embeddings", () => {
  for (const c of CASES) {
    it(`pools ${c.model}'s final hidden states as the golden reference logits imply`, async () => {
      const meta = JSON.parse(readFileSync(golden("logits", `${c.model}-logits-f64ref.json`), "utf8")) as { token_ids: number[]; shape: [number, number] };
      const logits = new Float32Array(readFileSync(golden("logits", `${c.model}-logits-f64ref.f32`)).buffer.slice(0));
      const [nPos, nVocab] = meta.shape;
      for (const n of [1, nPos]) {
        const ids = meta.token_ids.slice(0, n);
        const r = await client.embeddings.create({ model: c.model, input: ids, encoding_format: "float" });
        const e = Float32Array.from(r.data[0]!.embedding);
        expect(Math.hypot(...e)).toBeCloseTo(1, 5);
        expect(r.usage.prompt_tokens).toBe(n);
        const meanLogit = new Float64Array(nVocab);
        for (let p = 0; p < n; p++) {
          for (let v = 0; v < nVocab; v++) {
            const l = logits[p * nVocab + v]!;
            meanLogit[v] += (c.softcap > 0 ? c.softcap * Math.atanh(l / c.softcap) : l) / n;
          }
        }
        expect(cosine(project(c.model, c.output, e), meanLogit)).toBeGreaterThan(1 - 1e-6);
      }
    });
  }

  it("answers several inputs, in float or base64 (the openai client's default), the same way", async () => {
    const input = ["Once upon a time", "The cat sat on the mat."];
    const f = await client.embeddings.create({ model: CASES[0]!.model, input, encoding_format: "float" });
    const b = await client.embeddings.create({ model: CASES[0]!.model, input });
    expect(f.data.map((d) => d.index)).toEqual([0, 1]);
    expect(f.data[0]!.embedding).toHaveLength(256);
    for (let i = 0; i < 2; i++) expect(b.data[i]!.embedding).toEqual(f.data[i]!.embedding);
    expect(cosine(f.data[0]!.embedding, f.data[1]!.embedding)).toBeLessThan(0.9999);
    await expect(client.embeddings.create({ model: CASES[0]!.model, input: [] })).rejects.toMatchObject({ status: 400, param: "input" });
  });
});
