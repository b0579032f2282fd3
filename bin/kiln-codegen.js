#!/usr/bin/env node
// `npm run codegen`: regenerates generated/ from engine/kernels/*.kernel.ts. The generator is
// TypeScript (codegen/); rather than needing a prior build, it runs from source through a tiny module
// hook that strips types with the TypeScript compiler ts-morph already ships (transpile only, no
// typecheck: `npm run typecheck` does that).
import { register } from "node:module";
import { pathToFileURL } from "node:url";

const hooks = `
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
let ts;
let root;
export function initialize(data) { root = data.root; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    // sources import siblings as ./x.js (NodeNext); run the ./x.ts beside them
    if (/^(\\.|file:)/.test(specifier) && specifier.endsWith(".js")) return next(specifier.slice(0, -3) + ".ts", context);
    throw err;
  }
}
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  ts ??= createRequire(root)("@ts-morph/common").ts;
  const fileName = fileURLToPath(url);
  const out = ts.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  return { format: "module", source: out.outputText, shortCircuit: true };
}
`;

const root = new URL("../", import.meta.url);
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { parentURL: import.meta.url, data: { root: new URL("package.json", root).href } });
const { runCodegen } = await import(new URL("codegen/main.ts", root).href);
process.exitCode = await runCodegen(process.argv.slice(2), pathToFileURL(process.cwd()).href);
