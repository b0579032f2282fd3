// Kernel diagnostics: a rejected kernel is reported at its file and line with a way to fix it, as a
// KilnError (user input, never a stack trace).
import { KilnError } from "../../engine/errors.js";
import type { Loc } from "./types.js";

export class KernelError extends KilnError {
  constructor(
    readonly loc: Loc,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${problem} — ${fix}`, "KERNEL_INVALID");
  }
}
