// GGUF header speed: parsing (metadata, tokenizer arrays, tensor table) and encoding the same header
// with the writer, in MB of header per second, for the embedded stories260K model and, when
// ../shared/golden is there (KILN_GOLDEN overrides), the 102,400-token deepseek-llm vocabulary.
// Tensor data is not read: the reader reads it lazily. Peer: ggml's gguf_init_from_file (not run here).

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { GGUFFile } from "../engine/gguf/reader.js";
import { layoutGGUF } from "../engine/gguf/writer.js";
import { defaultModelPath, packageRoot } from "../engine/paths.js";
import { timeIt, wanted, type Benchmark } from "./harness.js";

function inputs(): [string, string][] {
  const out: [string, string][] = [["stories260k", defaultModelPath()]];
  const root = process.env.KILN_GOLDEN ?? resolve(packageRoot(), "../shared/golden");
  const vocab = join(root, "tokenizer", "ggml-vocab-deepseek-llm.gguf");
  if (existsSync(vocab)) out.push(["deepseek-llm-vocab", vocab]);
  return out;
}

export const benchmark: Benchmark = {
  name: "gguf",
  description: "GGUF header parse and encode, MB of header per second",
  run(opts, report) {
    const minMs = opts.quick ? 100 : 2000;
    for (const [name, path] of inputs()) {
      const f = GGUFFile.open(path);
      const spec = { kvs: f.kvs, tensors: f.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne })) };
      const headerBytes = f.tensors.length > 0 ? f.dataOffset : f.fileSize;
      f.close();
      const mb = headerBytes / 1e6;
      const parse = `parse(model=${name},header_bytes=${headerBytes})`;
      if (wanted(opts, parse)) report({ case: parse, value: mb / (timeIt(() => GGUFFile.open(path).close(), minMs) / 1000), unit: "MB/s" });
      const encode = `encode(model=${name},header_bytes=${headerBytes})`;
      if (wanted(opts, encode)) report({ case: encode, value: mb / (timeIt(() => layoutGGUF(spec), minMs) / 1000), unit: "MB/s" });
    }
  },
};
