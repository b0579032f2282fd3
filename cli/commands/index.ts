// The list of subcommands. Add a module here when adding a command.
import type { Command } from "commander";
import { registerInspect } from "./inspect.js";
import { registerServe } from "./serve.js";
import { registerApiKey } from "./api-key.js";
import { registerModels } from "./models.js";
import { registerPipeline } from "./pipeline.js";
import { registerQuantize } from "./quantize.js";
import { registerQuant } from "./quant.js";
import { registerTokenize } from "./tokenize.js";
import { registerConformance } from "./conformance.js";
// backends beyond the reference register themselves when imported (--backend interp)
import "../../targets/interp/backend.js";
import { registerRun } from "./run.js";
import { registerLogits } from "./logits.js";
import { registerChat } from "./chat.js";

export const commands: ((program: Command) => void)[] = [registerInspect, registerQuantize, registerQuant, registerTokenize, registerServe, registerApiKey, registerModels, registerPipeline, registerRun, registerLogits, registerChat, registerConformance];
