// The non-matmul kernels — add, mul, scale, rmsnorm, softmax (plain and masked), rope (norm and NeoX),
// swiglu, gelu, geglu, argmax — against engine/reference (and the sampler's argmax), on every conformance
// target this machine has.
import { describe } from "vitest";
import { activationCases } from "../conformance/cases/activation.js";
import { argmaxCases } from "../conformance/cases/argmax.js";
import { elementwiseCases } from "../conformance/cases/elementwise.js";
import { normCases } from "../conformance/cases/norm.js";
import { ropeCases } from "../conformance/cases/rope.js";
import { softmaxCases, softmaxMaskedCases } from "../conformance/cases/softmax.js";
import { conformanceSuite } from "./conformance-harness.js";

describe("elementwise", () => conformanceSuite(elementwiseCases));
describe("rmsnorm", () => conformanceSuite(normCases));
describe("softmax", () => conformanceSuite([...softmaxCases, ...softmaxMaskedCases]));
describe("rope", () => conformanceSuite(ropeCases));
describe("activations", () => conformanceSuite(activationCases));
describe("argmax", () => conformanceSuite(argmaxCases));
