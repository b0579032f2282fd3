// `cpu`, the default backend: the wasm backend (WASM SIMD kernels on a worker pool; see
// targets/wasm-simd/backend), or the reference backend where the wasm backend cannot run a model (a
// weight type it has no kernel for, say), with one line on stderr saying why. The reference backend's
// own modes (activations "ggml") ask for it directly.

import { KilnError } from "../errors.js";
import { backendFactory, registerBackend } from "./backend.js";
import "./reference-backend.js";
import "../../targets/wasm-simd/backend/backend.js";

/** The backend loadModel, `kiln run`, `kiln logits`, `kiln serve` and `kiln pipeline` use when none is named. */
export const DEFAULT_BACKEND = "cpu";

registerBackend("cpu", async (gguf, config, opts) => {
  if (opts.activations === "ggml") return backendFactory("reference")(gguf, config, opts);
  try {
    return await backendFactory("wasm")(gguf, config, opts);
  } catch (e) {
    if (!(e instanceof KilnError)) throw e;
    process.stderr.write(`kiln: the wasm backend cannot run ${gguf.path} (${e.message}); running it on the reference backend\n`);
    return backendFactory("reference")(gguf, config, opts);
  }
});
