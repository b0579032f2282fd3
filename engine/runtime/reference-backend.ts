// The `reference` backend: engine/reference's plain-TypeScript forward pass behind the Backend
// interface. Slow and exact; it is what every other backend is compared against.

import type { GGUFFile } from "../gguf/reader.js";
import type { ModelConfig } from "../model/config.js";
import { loadWeights, type ModelWeights } from "../model/weights.js";
import { ReferenceTransformer } from "../reference/forward.js";
import {
  checkForwardArgs, registerBackend,
  type Backend, type BackendOptions, type BackendSequence, type LogitsOutput, type SequenceOptions,
} from "./backend.js";

class ReferenceSequence implements BackendSequence {
  private transformer: ReferenceTransformer;
  nPast = 0;

  constructor(config: ModelConfig, weights: ModelWeights, backendOpts: BackendOptions, opts: SequenceOptions) {
    this.transformer = new ReferenceTransformer(config, weights, {
      kvF16: backendOpts.kvType === "f16",
      activations: backendOpts.activations,
      nCtx: opts.nCtx,
    });
  }

  get nCtx(): number {
    return this.transformer.nCtx;
  }

  async forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array> {
    const nVocab = this.transformer.config.nVocab;
    checkForwardArgs(this, tokens, startPos, nVocab);
    const out = new Float32Array(output === "all" ? tokens.length * nVocab : nVocab);
    for (let i = 0; i < tokens.length; i++) {
      const pos = startPos + i;
      const last = i === tokens.length - 1;
      const row = output === "all" ? out.subarray(i * nVocab, (i + 1) * nVocab) : last ? out : undefined;
      this.transformer.forward(tokens[i]!, pos, row);
      this.nPast = pos + 1;
    }
    return out;
  }

  free(): void {
    this.nPast = 0;
  }
}

export class ReferenceBackend implements Backend {
  readonly name = "reference";

  constructor(readonly config: ModelConfig, private readonly weights: ModelWeights, private readonly opts: BackendOptions) {}

  createSequence(opts: SequenceOptions = {}): BackendSequence {
    return new ReferenceSequence(this.config, this.weights, this.opts, opts);
  }

  dispose(): void {}
}

export async function createReferenceBackend(gguf: GGUFFile, config: ModelConfig, opts: BackendOptions): Promise<Backend> {
  return new ReferenceBackend(config, loadWeights(gguf, config), opts);
}

registerBackend("reference", createReferenceBackend);
