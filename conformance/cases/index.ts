// Every conformance case, by op family. Add a family's table here.
import type { ConformanceCase } from "../case.js";
import { elementwiseCases } from "./elementwise.js";
import { normCases } from "./norm.js";
import { quantCases } from "./quant.js";
import { softmaxCases, softmaxMaskedCases } from "./softmax.js";
import { ropeCases } from "./rope.js";
import { activationCases } from "./activation.js";
import { argmaxCases } from "./argmax.js";
import { attentionCases } from "./attention.js";
import { ropeTableCases } from "./rope_table.js";
import { kvCacheCases } from "./kv_cache.js";
import { softcapInplaceCases } from "./softcap_inplace.js";

export const ALL_CASES: readonly ConformanceCase[] = [...elementwiseCases, ...normCases, ...softmaxCases, ...softmaxMaskedCases, ...ropeCases, ...activationCases, ...argmaxCases, ...attentionCases, ...quantCases, ...ropeTableCases, ...kvCacheCases, ...softcapInplaceCases];
