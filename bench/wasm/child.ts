// One measurement of the wasm benchmark, in its own process so that its peak RSS is its own:
// `node child.js IMPL MODEL THREADS PROMPT_TOKENS DECODE_TOKENS` with IMPL "kiln" (the wasm backend) or
// "llama.cpp" (node-llama-cpp, CPU build, no GPU layers). Prints one JSON line:
// { prefill, decode (tokens/s of wall time), prefillCpu, decodeCpu (tokens per CPU-second of the whole
// process, all threads: on a machine shared with other work this is steadier than wall time),
// maxRssBytes, modelBytes, kvBytes }.
// The prompt is the same token ids for both; decode is greedy, one token per evaluation.

import { statSync } from "node:fs";
import { GGUFFile } from "../../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../../engine/model/config.js";
import { argmax } from "../../engine/sampling/sampler.js";
import { createWasmBackend } from "../../targets/wasm-simd/backend/backend.js";

const [impl, model, threadsArg, promptArg, decodeArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const nPrompt = Number(promptArg);
const nDecode = Number(decodeArg);
const nCtx = nPrompt + nDecode;
const prompt = Array.from({ length: nPrompt }, (_, i) => (i === 0 ? 1 : 100 + ((i * 7919) % 31000)));

const now = (): number => Number(process.hrtime.bigint()) / 1e9;
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
interface Run {
  prefill: number;
  decode: number;
  prefillCpu: number;
  decodeCpu: number;
}

async function kiln(): Promise<Run & { kvBytes: number }> {
  const f = GGUFFile.open(model!);
  const config = modelConfigFromGGUF(f);
  const backend = await createWasmBackend(f, config, { threads, kvType: "f16" });
  f.close();
  const run = async (p: number[], d: number): Promise<Run> => {
    const seq = backend.createSequence({ nCtx });
    let t = now();
    let c = cpu();
    let logits = await seq.forward(p, 0, "last");
    const prefill = p.length / (now() - t);
    const prefillCpu = p.length / (cpu() - c);
    t = now();
    c = cpu();
    for (let i = 0; i < d; i++) logits = await seq.forward([argmax(logits)], p.length + i, "last");
    const decode = d / (now() - t);
    const decodeCpu = d / (cpu() - c);
    seq.free();
    return { prefill, decode, prefillCpu, decodeCpu };
  };
  await run(prompt.slice(0, 8), 2); // warm-up: JIT, and every weight page touched once
  const r = await run(prompt, nDecode);
  backend.dispose();
  const kvBytes = config.nLayer * nCtx * 2 * config.nHeadKv * config.headDimK * 2;
  return { ...r, kvBytes };
}

interface LlamaSequence {
  evaluateWithoutGeneratingNewTokens(tokens: number[]): Promise<void>;
  evaluate(tokens: number[], opts: { temperature: number }): AsyncGenerator<number>;
  clearHistory(): Promise<void>;
}

async function llamaCpp(): Promise<Run & { kvBytes: number }> {
  const where = process.env.KILN_NODE_LLAMA_CPP_URL ?? "node-llama-cpp";
  const { getLlama } = (await import(where)) as {
    getLlama(o: object): Promise<{ loadModel(o: object): Promise<{ createContext(o: object): Promise<{ getSequence(): LlamaSequence }> }> }>;
  };
  const llama = await getLlama({ gpu: false, build: "never" });
  const m = await llama.loadModel({ modelPath: model, gpuLayers: 0 });
  const ctx = await m.createContext({ contextSize: nCtx + 16, threads, batchSize: nPrompt, sequences: 1 });
  const seq = ctx.getSequence();
  const run = async (p: number[], d: number): Promise<Run> => {
    await seq.clearHistory();
    let t = now();
    let c = cpu();
    await seq.evaluateWithoutGeneratingNewTokens(p);
    const prefill = p.length / (now() - t);
    const prefillCpu = p.length / (cpu() - c);
    t = now();
    c = cpu();
    let n = 0;
    // each step of evaluate() is one single-token evaluation (it starts from the token given here)
    for await (const _ of seq.evaluate([p[p.length - 1]!], { temperature: 0 })) {
      if (++n >= d) break;
    }
    const decode = n / (now() - t);
    const decodeCpu = n / (cpu() - c);
    return { prefill, decode, prefillCpu, decodeCpu };
  };
  await run(prompt.slice(0, 8), 2);
  const r = await run(prompt, nDecode);
  const kvBytes = 22 * nCtx * 2 * 256 * 2;
  return { ...r, kvBytes };
}

const r = impl === "kiln" ? await kiln() : await llamaCpp();
process.stdout.write(
  JSON.stringify({ ...r, maxRssBytes: process.resourceUsage().maxRSS * 1024, modelBytes: statSync(model!).size }) + "\n",
);
process.exit(0);
