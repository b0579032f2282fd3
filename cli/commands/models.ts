// kiln models list | add PATH [--name N] [--link] | remove NAME | info NAME: the model store in
// KILN_HOME (server/store.ts); `kiln serve -m NAME` serves a stored model by name.

import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { addModel, findModel, listModels, removeModel, storePath } from "../../server/store.js";

function size(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

export function registerModels(program: Command): void {
  const cmd = program.command("models").description("the model store in KILN_HOME (default ~/.kiln): models served by name");
  cmd
    .command("list")
    .description("list stored models")
    .option("--json", "machine-readable JSON")
    .action((opts: { json?: boolean }) => {
      const models = listModels();
      if (opts.json) {
        process.stdout.write(JSON.stringify(models, null, 2) + "\n");
        return;
      }
      if (models.length === 0) process.stderr.write(`kiln: the store ${storePath()} is empty; \`kiln models add PATH\` adds one\n`);
      for (const m of models) {
        process.stdout.write(`${m.name.padEnd(24)}  ${m.architecture.padEnd(8)}  ${m.type.padEnd(7)}  ${size(m.size).padStart(10)}  ${m.linked ? "-> " : ""}${m.path}\n`);
      }
    });
  cmd
    .command("add")
    .description("validate a GGUF file and add it to the store (copied, or linked with --link)")
    .argument("<path>", "the .gguf file")
    .option("--name <name>", "the name to serve it under (default: the file name without .gguf)")
    .option("--link", "record the file where it is instead of copying it")
    .action(async (path: string, opts: { name?: string; link?: boolean }) => {
      const m = await addModel(path, opts);
      process.stdout.write(`${m.name}\n`);
      process.stderr.write(`kiln: added ${m.name}: ${m.architecture}, ${m.type}, ${size(m.size)}, sha256 ${m.sha256}\n`);
    });
  cmd
    .command("remove")
    .description("remove a model from the store (deletes the copy; a linked file is left alone)")
    .argument("<name>")
    .action((name: string) => {
      const m = removeModel(name);
      process.stderr.write(`kiln: removed ${m.name}\n`);
    });
  cmd
    .command("info")
    .description("a stored model's record as JSON")
    .argument("<name>")
    .action((name: string) => {
      const m = findModel(name);
      if (!m) throw new KilnError(`no model named ${JSON.stringify(name)} in ${storePath()}; \`kiln models list\` shows the names`);
      process.stdout.write(JSON.stringify(m, null, 2) + "\n");
    });
}
