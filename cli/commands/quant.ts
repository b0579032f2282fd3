// kiln quant dequantize|quantize --type T IN OUT: one row through the reference (de)quantizer of a
// ggml type. IN/OUT are raw files: blocks of type T (.bin) or little-endian float32 values (.f32),
// the format of ../shared/golden/quants. The math lives in engine/quant; this file only does I/O.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { canDequantize, canQuantize, dequantizeRow, needsImportance, quantizeRow } from "../../engine/quant/index.js";
import { ALL_TYPES, typeInfoByName, type TypeInfo } from "../../engine/quant/types.js";

function typeFromFlag(name: string | undefined, can: (t: TypeInfo) => boolean, verb: string): TypeInfo {
  const usable = ALL_TYPES.filter(can).map((t) => t.name).join(", ");
  if (!name) throw new KilnError(`quant ${verb}: --type is required (one of: ${usable})`);
  const t = typeInfoByName(name);
  if (!t) throw new KilnError(`quant ${verb}: --type ${name} is not a ggml type name (use one of: ${usable})`);
  return t;
}

function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new KilnError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (check the path)`);
  }
}

function writeOutput(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new KilnError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (check the folder exists and is writable)`);
  }
}

/** IN.bin (whole blocks of `type`) -> OUT.f32. Returns the number of values written. */
export function dequantizeFile(typeName: string | undefined, input: string, output: string): number {
  const t = typeFromFlag(typeName, (x) => canDequantize(x.id), "dequantize");
  if (!canDequantize(t.id)) throw new KilnError(`quant dequantize: kiln has no dequantizer for ${t.name}`);
  const bytes = readInput(input);
  if (bytes.length % t.typeSize !== 0) {
    throw new KilnError(
      `${input}: ${bytes.length} bytes is not a whole number of ${t.name} blocks (${t.typeSize} bytes per ${t.blockSize} values; truncated file or wrong --type?)`,
    );
  }
  const n = (bytes.length / t.typeSize) * t.blockSize;
  const values = dequantizeRow(t.id, bytes, n);
  writeOutput(output, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return n;
}

function readF32(path: string, what: string): Float32Array {
  const bytes = readInput(path);
  if (bytes.length % 4 !== 0) {
    throw new KilnError(`${path}: ${bytes.length} bytes is not a whole number of float32 ${what} (expected raw little-endian float32)`);
  }
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * IN.f32 (float32 values, a whole number of blocks) -> OUT.bin, with optional importance weights
 * (raw float32, one per value) for the types ggml quantizes only with an imatrix. Returns the number
 * of bytes written.
 */
export function quantizeFile(typeName: string | undefined, input: string, output: string, importance?: string): number {
  const t = typeFromFlag(typeName, (x) => canQuantize(x.id) || needsImportance(x.id), "quantize");
  if (needsImportance(t.id) && !importance) {
    throw new KilnError(`quant quantize: ${t.name} needs --importance FILE (float32 weights, one per value): ggml quantizes it only with an importance matrix`);
  }
  const values = readF32(input, "values");
  const n = values.length;
  if (n % t.blockSize !== 0) {
    throw new KilnError(
      `${input}: ${n} values is not a whole number of ${t.name} blocks (${t.blockSize} values each; pad the row to a multiple of ${t.blockSize})`,
    );
  }
  const weights = importance ? readF32(importance, "weights") : undefined;
  const out = quantizeRow(t.id, values, weights);
  writeOutput(output, out);
  return out.length;
}

export function registerQuant(program: Command): void {
  const quant = program
    .command("quant")
    .description("run one row through ggml's reference quantizer or dequantizer for a type");
  quant
    .command("dequantize")
    .description("decode blocks of type T (IN.bin) to little-endian float32 (OUT.f32)")
    .requiredOption("--type <T>", "ggml type name, case-insensitive (q4_0, q4_k, iq4_nl, ...)")
    .argument("<in>", "quantized blocks")
    .argument("<out>", "float32 output")
    .action((input: string, output: string, opts: { type?: string }) => {
      const n = dequantizeFile(opts.type, input, output);
      process.stderr.write(`${input} -> ${output}: ${n} values\n`);
    });
  quant
    .command("quantize")
    .description("encode little-endian float32 values (IN.f32) as blocks of type T (OUT.bin)")
    .requiredOption("--type <T>", "ggml type name, case-insensitive (q4_0, q4_k, iq4_nl, ...)")
    .option("--importance <file>", "float32 importance weights, one per value (needed by iq2_xxs, iq2_xs, iq1_s)")
    .argument("<in>", "float32 input, one row")
    .argument("<out>", "quantized output")
    .action((input: string, output: string, opts: { type?: string; importance?: string }) => {
      const bytes = quantizeFile(opts.type, input, output, opts.importance);
      process.stderr.write(`${input} -> ${output}: ${bytes} bytes\n`);
    });
}
