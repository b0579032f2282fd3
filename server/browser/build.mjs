// Bundles the in-browser page's engine (server/browser/main.ts and the engine code it imports) with
// esbuild into dist/browser/kiln-browser.js, embedding every generated WGSL kernel (generated/manifest.json
// and generated/wgsl/). Node built-ins that the
// engine's file-reading paths import are replaced by stubs that throw (the page reads from memory),
// and Node's global Buffer by the small shim in buffer-shim.ts.
// Run by `npm run build`; `node server/browser/build.mjs` alone rebuilds the bundle.
import { build } from "esbuild";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const outfile = join(root, "dist/browser/kiln-browser.js");

const kernels = {};
const manifest = JSON.parse(readFileSync(join(root, "generated/manifest.json"), "utf8"));
for (const k of manifest.kernels) {
  if (!k.files?.wgsl) continue;
  kernels[k.name] = { kernel: k, code: readFileSync(join(root, "generated", k.files.wgsl), "utf8") };
}

const nodeStub = {
  name: "node-stub",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: "node-stub" }));
    b.onLoad({ filter: /.*/, namespace: "node-stub" }, (a) => ({
      // a Proxy module: any named import resolves to a function that says where it was called
      contents: `const f = () => { throw new Error(${JSON.stringify(a.path)} + " is not available in a browser"); };
export default new Proxy({}, { get: () => f });
export const existsSync = () => false, readFileSync = f, openSync = f, closeSync = f, readSync = f, fstatSync = f,
  writeSync = f, ftruncateSync = f, rmSync = f, statSync = f, basename = (p) => p.split("/").pop(), dirname = f, join = (...p) => p.join("/"),
  resolve = f, fileURLToPath = f, createHash = f, randomBytes = f;`,
      loader: "js",
    }));
  },
};

mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, "server/browser/main.ts")],
  outfile, bundle: true, format: "esm", platform: "browser", target: "es2022", minify: false, sourcemap: false,
  define: { KILN_KERNELS: JSON.stringify(kernels) },
  plugins: [nodeStub],
  inject: [join(root, "server/browser/buffer-shim.ts")],
  // engine code logs warnings through process.stderr (tokenizer metadata quirks): the console here
  banner: { js: "globalThis.process ??= { env: {}, stderr: { write: (s) => { console.warn(String(s).trimEnd()); return true; } } };" },
  logLevel: "warning",
});
console.log(`browser bundle: ${outfile} (${Object.keys(kernels).length} kernels)`);
