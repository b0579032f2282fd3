// The kiln command line. Each subcommand lives in cli/commands/NAME.ts and registers itself on the
// program; this file only wires them together and turns user-facing errors into one clear line.

import { Command, CommanderError } from "commander";
import { KilnError } from "../engine/errors.js";
import { commands } from "./commands/index.js";

export function buildProgram(): Command {
  const program = new Command("kiln")
    .description("kiln: an LLM inference engine for GGUF models")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof KilnError) {
      process.stderr.write(`kiln: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
