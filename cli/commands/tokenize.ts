// kiln tokenize / kiln detokenize: text to token ids and back with a model's own tokenizer.
//   kiln tokenize -m MODEL [--no-bos] [--special] [--batch] [TEXT]   -> a JSON array of ids
//   kiln detokenize -m MODEL IDS                                     -> the text
// --batch reads one JSON string per stdin line and writes one JSON array per line, so a test harness
// can tokenize many strings with one model load.

import { createInterface } from "node:readline";
import type { Command } from "commander";
import { KilnError } from "../../engine/errors.js";
import { GGUFFile } from "../../engine/gguf/reader.js";
import { defaultModelPath } from "../../engine/paths.js";
import { loadTokenizer, type KilnTokenizer } from "../../engine/tokenizer/index.js";

function withTokenizer<T>(model: string | undefined, fn: (tok: KilnTokenizer) => T): T {
  const f = GGUFFile.open(model ?? defaultModelPath());
  try {
    return fn(loadTokenizer(f));
  } finally {
    f.close();
  }
}

/** Parses "1,2,3", "1 2 3" or a JSON array of ids. */
export function parseIds(s: string, vocabSize: number): number[] {
  const t = s.trim();
  let items: unknown[];
  if (t.startsWith("[")) {
    try {
      items = JSON.parse(t) as unknown[];
    } catch {
      throw new KilnError(`token ids ${JSON.stringify(s)} are not a valid JSON array (write them as 1,2,3 or [1,2,3])`, "BAD_ARGUMENT");
    }
    if (!Array.isArray(items)) throw new KilnError(`token ids ${JSON.stringify(s)}: expected an array like [1,2,3]`, "BAD_ARGUMENT");
  } else items = t === "" ? [] : t.split(/[\s,]+/).filter((x) => x !== "").map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  return items.map((x) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x >= vocabSize) {
      throw new KilnError(`token id ${JSON.stringify(x)} is not in the vocabulary (ids run from 0 to ${vocabSize - 1})`, "BAD_ARGUMENT");
    }
    return x;
  });
}

interface TokenizeFlags {
  model?: string;
  bos: boolean;
  special?: boolean;
  batch?: boolean;
}

/** --batch: one JSON string per input line in, one JSON array of ids per line out. */
export async function tokenizeBatch(
  tok: KilnTokenizer, opts: { addSpecial: boolean; parseSpecial: boolean },
  input: NodeJS.ReadableStream, write: (line: string) => void,
): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === "") continue;
    let text: unknown;
    try {
      text = JSON.parse(line);
    } catch {
      throw new KilnError(`stdin line ${lineNo} is not a JSON string (--batch wants one JSON string per line, e.g. "Hello world")`, "BAD_INPUT");
    }
    if (typeof text !== "string") throw new KilnError(`stdin line ${lineNo} is a JSON ${typeof text}, not a string (--batch wants one JSON string per line)`, "BAD_INPUT");
    write(JSON.stringify(tok.encode(text, opts)) + "\n");
  }
}

export function registerTokenize(program: Command): void {
  program
    .command("tokenize")
    .description("print the token ids of TEXT as a JSON array (BOS added as the model says)")
    .argument("[text]", "text to tokenize (with --batch: none; lines of JSON strings come on stdin)")
    .option("-m, --model <path>", "GGUF model (default: the embedded stories260K model)")
    .option("--no-bos", "do not add BOS/EOS even where the model asks for them")
    .option("--special", "match control tokens' text (e.g. <|im_start|>) as those tokens")
    .option("--batch", "read one JSON string per stdin line, write one JSON array per line")
    .action(async (text: string | undefined, flags: TokenizeFlags) => {
      const opts = { addSpecial: flags.bos, parseSpecial: flags.special ?? false };
      const f = GGUFFile.open(flags.model ?? defaultModelPath());
      try {
        const tok = loadTokenizer(f);
        if (flags.batch) {
          if (text !== undefined) throw new KilnError("tokenize --batch takes its strings from stdin; drop the TEXT argument", "BAD_ARGUMENT");
          await tokenizeBatch(tok, opts, process.stdin, (l) => process.stdout.write(l));
          return;
        }
        if (text === undefined) throw new KilnError("tokenize needs TEXT (or --batch with JSON strings on stdin)", "BAD_ARGUMENT");
        process.stdout.write(JSON.stringify(tok.encode(text, opts)) + "\n");
      } finally {
        f.close();
      }
    });

  program
    .command("detokenize")
    .description("print the text of token ids (IDS like 1,2,3 or [1,2,3])")
    .argument("<ids>", "token ids")
    .option("-m, --model <path>", "GGUF model (default: the embedded stories260K model)")
    .option("--special", "render control tokens such as <s> instead of skipping them")
    .action((ids: string, flags: { model?: string; special?: boolean }) => {
      withTokenizer(flags.model, (tok) => {
        process.stdout.write(tok.decode(parseIds(ids, tok.vocabSize), { special: flags.special ?? false }));
        if (process.stdout.isTTY) process.stdout.write("\n");
      });
    });
}
