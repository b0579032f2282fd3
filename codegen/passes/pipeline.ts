// The shared pass pipeline every target runs before its own legalize step: specialize, lower
// collectives and quant fields, fold, unroll, fold again. The interpreter can run the IR before or after.
import type { KernelIR } from "../ir/types.js";
import { lowerCollectives } from "./collectives.js";
import { fold } from "./fold.js";
import { lowerQuant } from "./quant.js";
import { specialize } from "./specialize.js";
import { unroll } from "./unroll.js";

export function lower(k: KernelIR): KernelIR {
  return fold(unroll(fold(lowerQuant(lowerCollectives(specialize(k))))));
}
