// The list of subcommands. Add a module here when adding a command.
import type { Command } from "commander";
import { registerInspect } from "./inspect.js";

export const commands: ((program: Command) => void)[] = [registerInspect];
