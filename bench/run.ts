// The benchmark runner: `npm run bench -- [--only NAME[,NAME]] [--case TEXT] [--compare] [--gpu]
// [--quick] [--json FILE] [--list]`. Each bench/NAME.bench.js next to it is the benchmark NAME (see
// harness.ts for the module shape); it imports the selected ones only, runs them in name order and
// prints one table row per result; --json also writes the rows for later comparison. A module that
// fails is reported and the others still run (exit code 1).

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

/** The benchmark files next to the runner, by name: NAME.bench.js (or .ts from source) is "NAME". */
function benchFiles(dir: string): Map<string, string> {
  // .js in dist/bench; .ts when the runner itself runs from source (tests)
  const ext = fileURLToPath(import.meta.url).endsWith(".ts") ? ".bench.ts" : ".bench.js";
  const files = readdirSync(dir).filter((f) => f.endsWith(ext)).sort();
  return new Map(files.map((f) => [f.slice(0, -ext.length), join(dir, f)]));
}

/** Imports one module; its `benchmark.name` must be its file's name so --only can pick files unloaded. */
async function loadBenchmark(name: string, path: string): Promise<Benchmark> {
  const mod = (await import(pathToFileURL(path).href)) as { benchmark?: Benchmark };
  if (!mod.benchmark) throw new Error(`${path} does not export \`benchmark\` (see bench/harness.ts)`);
  if (mod.benchmark.name !== name) throw new Error(`${path} exports benchmark "${mod.benchmark.name}"; name it "${name}" after its file`);
  return mod.benchmark;
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
  const files = benchFiles(dirname(fileURLToPath(import.meta.url)));
  const unknown = (flags.only ?? []).filter((n) => !files.has(n));
  if (unknown.length) {
    process.stderr.write(`bench: no benchmark named ${unknown.join(", ")} (have: ${[...files.keys()].join(", ")})\n`);
    return 2;
  }
  // Only the selected modules are imported, so one benchmark's setup never slows or breaks another.
  const names = flags.only?.length ? [...files.keys()].filter((n) => flags.only!.includes(n)) : [...files.keys()];
  let failed = 0;
  const selected: Benchmark[] = [];
  for (const name of names) {
    try {
      selected.push(await loadBenchmark(name, files.get(name)!));
    } catch (e) {
      failed++;
      process.stderr.write(`bench: ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (flags.list) {
    for (const b of selected) process.stdout.write(`${b.name.padEnd(16)} ${b.description}\n`);
    return failed ? 1 : 0;
  }
  const opts: BenchOptions = {
    compare: !!flags.compare, gpu: !!flags.gpu, quick: !!flags.quick, cases: flags.case ?? [],
  };
  const rows: (BenchResult & { bench: string })[] = [];
  for (const b of selected) {
    process.stdout.write(`\n== ${b.name}: ${b.description}\n`);
    try {
      await b.run(opts, (r) => {
        rows.push({ bench: b.name, ...r });
        const impl = r.impl ? ` [${r.impl}]` : "";
        process.stdout.write(`  ${(r.case + impl).padEnd(52)} ${r.value.toFixed(r.value < 10 ? 2 : 1).padStart(10)} ${r.unit}\n`);
      });
    } catch (e) {
      failed++;
      process.stderr.write(`bench: ${b.name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    }
  }
  if (flags.json) writeFileSync(flags.json, JSON.stringify({ date: new Date().toISOString(), options: opts, results: rows }, null, 2) + "\n");
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
