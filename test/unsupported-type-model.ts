// A copy of synthetic-k256-f32 whose blk.0.attn_q.weight is declared iq2_xxs (a type the wasm backend has no
// kernel for), for the tests of what a backend does with such a model. The tensor's data is left out (a
// hole of zeros): only its type matters.
import { join } from "node:path";
import { GGUFFile } from "../engine/gguf/reader.js";
import { specFromFile, writeGGUF } from "../engine/gguf/writer.js";
import { GGMLType } from "../engine/quant/index.js";
import { golden } from "./golden.js";

/** Writes the model into `dir` and returns its path. */
export async function writeIQ2XXSAttnQModel(dir: string): Promise<string> {
  const src = GGUFFile.open(golden("models", "synthetic-k256-f32.gguf"));
  try {
    const spec = specFromFile(src);
    const path = join(dir, "iq2_xxs-attn-q.gguf");
    await writeGGUF(path, {
      ...spec,
      tensors: spec.tensors.map((t) => (t.name === "blk.0.attn_q.weight" ? { name: t.name, type: GGMLType.IQ2_XXS, ne: t.ne } : t)),
    });
    return path;
  } finally {
    src.close();
  }
}
