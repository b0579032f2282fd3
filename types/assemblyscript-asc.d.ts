// The part of AssemblyScript's compiler API (assemblyscript/asc) that kiln calls. The package's own
// typings declare AssemblyScript's standard library globally (a `console` namespace with only `log`,
// among others), which would shadow Node's globals in every file; tsconfig maps the module here instead.

interface AscOutputStream {
  write(chunk: string | Uint8Array): boolean;
}

interface AscApiOptions {
  readFile?: (filename: string, baseDir: string) => string | null | Promise<string | null>;
  writeFile?: (filename: string, contents: Uint8Array | string, baseDir: string) => void | Promise<void>;
  listFiles?: (dirname: string, baseDir: string) => string[] | null | Promise<string[] | null>;
  stdout?: AscOutputStream;
  stderr?: AscOutputStream;
}

interface AscApiResult {
  error: Error | null;
  stdout: AscOutputStream;
  stderr: AscOutputStream;
}

declare const asc: {
  main(argv: string[], options?: AscApiOptions): Promise<AscApiResult>;
};
export default asc;
