// Attention kernels — naive and flash (tiled, online softmax), f32 and f16 KV cache, grouped-query
// heads, soft-capping and a sliding window — against the attention step of engine/reference, on every
// conformance target this machine has.
import { describe } from "vitest";
import { attentionCases } from "../conformance/cases/attention.js";
import { conformanceSuite } from "./conformance-harness.js";

describe("attention", () => conformanceSuite(attentionCases));
