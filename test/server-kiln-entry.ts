// Runs the kiln CLI from source (through vite-node) so the server's CLI tests need no build step.
import { runCli } from "../cli/main.js";

// vite-node's dev server exits the process with 143 on SIGTERM; kiln serve handles SIGTERM itself
// (drain, then exit 0), which is what the tests check.
process.removeAllListeners("SIGTERM");
await runCli(process.argv);
