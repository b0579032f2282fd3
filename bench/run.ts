// The benchmark runner: `npm run bench -- [--only NAME[,NAME]] [--case TEXT] [--compare] [--gpu]
// [--quick] [--json FILE] [--list]`. It loads every bench/*.bench.js module next to it (see
// harness.ts for the module shape), runs the selected ones in name order and prints one table row per
// result; --json also writes the rows for later comparison.

import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command } from "commander";
import type { Benchmark, BenchOptions, BenchResult } from "./harness.js";

interface Flags {
  only?: string[];
  case?: string[];
  compare?: boolean;
  gpu?: boolean;
  quick?: boolean;
  json?: string;
  list?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(",").filter(Boolean)];

async function loadBenchmarks(dir: string): Promise<Benchmark[]> {
  // .js in dist/bench; .ts when the runner itself runs from source (tests)
  const ext = fileURLToPath(import.meta.url).endsWith(".ts") ? ".bench.ts" : ".bench.js";
  const files = readdirSync(dir).filter((f) => f.endsWith(ext)).sort();
  const out: Benchmark[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { benchmark?: Benchmark };
    if (!mod.benchmark) throw new Error(`${f} does not export \`benchmark\` (see bench/harness.ts)`);
    out.push(mod.benchmark);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs the CLI; returns the exit code. Output goes to process.stdout / process.stderr. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("bench")
    .option("--only <names>", "run only these benchmarks (comma-separated or repeated)", collect)
    .option("--case <text>", "run only cases whose name contains TEXT (repeatable)", collect)
    .option("--compare", "also run peer implementations side by side")
    .option("--gpu", "include cases that need a GPU")
    .option("--quick", "short runs (checks that the benchmarks work, numbers are rough)")
    .option("--json <file>", "also write the results as JSON")
    .option("--list", "list the benchmarks and exit")
    .exitOverride()
    .parse(argv);
  const flags = program.opts<Flags>();
  const all = await loadBenchmarks(dirname(fileURLToPath(import.meta.url)));
  if (flags.list) {
    for (const b of all) process.stdout.write(`${b.name.padEnd(16)} ${b.description}\n`);
    return 0;
  }
  const unknown = (flags.only ?? []).filter((n) => !all.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: no benchmark named ${unknown.join(", ")} (have: ${all.map((b) => b.name).join(", ")})\n`);
    return 2;
  }
  const selected = flags.only?.length ? all.filter((b) => flags.only!.includes(b.name)) : all;
  const opts: BenchOptions = {
    compare: !!flags.compare, gpu: !!flags.gpu, quick: !!flags.quick, cases: flags.case ?? [],
  };
  const rows: (BenchResult & { bench: string })[] = [];
  for (const b of selected) {
    process.stdout.write(`\n== ${b.name}: ${b.description}\n`);
    await b.run(opts, (r) => {
      rows.push({ bench: b.name, ...r });
      const impl = r.impl ? ` [${r.impl}]` : "";
      process.stdout.write(`  ${(r.case + impl).padEnd(52)} ${r.value.toFixed(r.value < 10 ? 2 : 1).padStart(10)} ${r.unit}\n`);
    });
  }
  if (flags.json) writeFileSync(flags.json, JSON.stringify({ date: new Date().toISOString(), options: opts, results: rows }, null, 2) + "\n");
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
