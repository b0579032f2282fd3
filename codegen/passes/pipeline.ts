// The shared pass pipeline every target runs before its own legalize step: specialize, lower
// collectives and quant fields, fold, unroll, fold again. The interpreter can run the IR before or after.
import type { KernelIR } from "../ir/types.js";
import { checkTypes } from "../ir/verify.js";
import { lowerCollectives } from "./collectives.js";
import { fold } from "./fold.js";
import { lowerQuant } from "./quant.js";
import { specialize } from "./specialize.js";
import { unroll } from "./unroll.js";

const PASSES: readonly (readonly [string, (k: KernelIR) => KernelIR])[] = [
  ["specialize", specialize],
  ["collectives", lowerCollectives],
  ["quant", lowerQuant],
  ["fold", fold],
  ["unroll", unroll],
  ["fold", fold],
];

/** Runs the shared passes; each result is type-checked, so a pass that breaks the IR is named at once. */
export function lower(k: KernelIR): KernelIR {
  let ir = k;
  for (const [name, pass] of PASSES) {
    ir = pass(ir);
    checkTypes(ir, `passes/${name}`);
  }
  return ir;
}
