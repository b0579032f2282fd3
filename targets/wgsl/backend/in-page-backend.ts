// The webgpu Backend without a GPU process: WebGPUModel behind the Backend interface in the same JS
// context. This is what a browser page uses (navigator.gpu's device, no child processes there); Node
// uses webgpu-backend.ts instead, which keeps Dawn in its own process.

import { KilnError } from "../../../engine/errors.js";
import type { ModelConfig } from "../../../engine/model/config.js";
import { checkForwardArgs, type Backend, type BackendSequence, type LogitsOutput, type SequenceOptions } from "../../../engine/runtime/backend.js";
import type { WebGPUModel, WebGPUSequence } from "./webgpu-model.js";

class InPageSequence implements BackendSequence {
  constructor(private readonly seq: WebGPUSequence, private readonly nVocab: number) {}

  get nCtx(): number {
    return this.seq.nCtx;
  }

  get nPast(): number {
    return this.seq.nPast;
  }

  async forward(tokens: readonly number[], startPos: number, output: LogitsOutput): Promise<Float32Array> {
    checkForwardArgs(this, tokens, startPos, this.nVocab);
    return this.seq.forward(tokens, startPos, output);
  }

  free(): void {
    this.seq.free();
  }
}

export class InPageWebGPUBackend implements Backend {
  readonly name = "webgpu";
  readonly config: ModelConfig;

  constructor(private readonly model: WebGPUModel) {
    this.config = model.config;
  }

  createSequence(opts: SequenceOptions = {}): BackendSequence {
    if (opts.nCtx !== undefined && !(Number.isInteger(opts.nCtx) && opts.nCtx > 0)) throw new KilnError(`context size ${opts.nCtx} is not a positive integer`);
    return new InPageSequence(this.model.createSequence(opts.nCtx), this.config.nVocab);
  }

  dispose(): void {
    this.model.dispose();
  }
}
