#!/usr/bin/env node
// The kiln command. The CLI itself lives in cli/ and is compiled to dist/ by `npm run build`
// (run from `prepare`, so `npm ci` leaves a working command).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("kiln: dist/cli/main.js is missing; run `npm run build` (or `npm ci`, which builds) first\n");
  process.exit(1);
}
const { runCli } = await import(main);
await runCli(process.argv);
