// Tokenizer throughput: encode MB/s on 1 MB of English and 1 MB of mixed-script text for a
// SentencePiece (llama-spm) and a byte-level BPE (gpt-2) vocabulary, and encode time against input
// size from 10 kB to 1 MB, which should grow linearly (also for one long word without spaces, the
// worst case for merging; there the priority queue makes it n log n). The vocabularies are llama.cpp's
// vocab-only GGUFs from shared/golden/tokenizer.
//
// --compare runs llama.cpp's tokenizer through node-llama-cpp side by side, when it is installed:
//   npm i --no-save -E node-llama-cpp@3.21.1 (or KILN_NODE_LLAMA_CPP=path/to/its/dist/index.js)

import { GGUFFile } from "../engine/gguf/reader.js";
import { loadTokenizer, type KilnTokenizer } from "../engine/tokenizer/index.js";
import { type Benchmark, nodeLlamaCppEntry, timeIt, wanted } from "./harness.js";
import { goldenTokenizerPath } from "./tokenizer-data.js";

const MB = 1024 * 1024;

/** Deterministic text: words drawn by a linear congruential generator from a fixed list. */
function textFrom(words: readonly string[], bytes: number, seed: number): string {
  const out: string[] = [];
  let n = 0, x = seed >>> 0;
  while (n < bytes) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const w = words[(x >>> 8) % words.length]!;
    out.push(w);
    n += Buffer.byteLength(w) + 1;
  }
  return out.join(" ");
}

/** The first `bytes` UTF-8 bytes of s, cut at a character boundary. */
function utf8Prefix(s: string, bytes: number): string {
  return Buffer.from(s).subarray(0, bytes).toString("utf8").replace(/\uFFFD$/u, "");
}

const ENGLISH = ("Once upon a time there was a little girl named Lily who loved to play outside in the park . " +
  "She saw a big red ball and wanted to play with it , but it was too high ! Her mom said , \" let's go home \" . " +
  "The quick brown fox jumps over the lazy dog 1234 times ; isn't it strange ? It's 3:45pm on 2024-05-01 .").split(" ");
const MIXED = [
  ...ENGLISH.slice(0, 20),
  "Привет", "мир", "как", "дела", "日本語の", "テキスト", "です", "我想在", "苹果", "工作", "天气很好",
  "مرحبا", "بالعالم", "नमस्ते", "दुनिया", "Γειά", "σου", "κόσμε", "안녕하세요", "세계",
  "🦙", "🚀🚀", "😶‍🌫️", "✅", "café", "naïve", "Übergrößenträger", "fn main() { println!(\"{}\", x); }", "\t", "\n",
];

function fresh(path: string): KilnTokenizer {
  const f = GGUFFile.open(path);
  try {
    return loadTokenizer(f, { warn: () => {} });
  } finally {
    f.close();
  }
}

interface PeerModel {
  tokenize(text: string): readonly number[];
}
interface NodeLlamaCpp {
  getLlama(o: { gpu: boolean; build: string }): Promise<{ loadModel(o: { modelPath: string; vocabOnly: boolean }): Promise<PeerModel> }>;
}

let peerNoteShown = false;
/** llama.cpp's tokenizer through node-llama-cpp, or undefined (saying how to install it) when absent. */
async function loadPeer(path: string): Promise<PeerModel | undefined> {
  // not a dependency: a bench-only optional install (KILN_NODE_LLAMA_CPP may name its entry file)
  const entry = nodeLlamaCppEntry();
  let mod: NodeLlamaCpp;
  try {
    if (!entry) throw new Error("not installed");
    mod = (await import(entry)) as NodeLlamaCpp;
  } catch {
    if (!peerNoteShown) process.stderr.write("tokenizer bench: node-llama-cpp is not installed; for the llama.cpp rows run: npm i --no-save -E node-llama-cpp@3.21.1\n");
    peerNoteShown = true;
    return undefined;
  }
  const llama = await mod.getLlama({ gpu: false, build: "never" });
  return llama.loadModel({ modelPath: path, vocabOnly: true });
}

export const benchmark: Benchmark = {
  name: "tokenizer",
  description: "encode MB/s (llama-spm, gpt-2; English and mixed-script) and encode time against input size",
  async run(opts, report) {
    const minMs = opts.quick ? 50 : 1000;
    const vocabs = [
      { name: "llama-spm", path: goldenTokenizerPath("ggml-vocab-llama-spm.gguf") },
      { name: "gpt-2", path: goldenTokenizerPath("ggml-vocab-gpt-2.gguf") },
    ];
    const size = opts.quick ? 64 * 1024 : MB;
    const corpora = [
      { name: "english", text: utf8Prefix(textFrom(ENGLISH, size + 1024, 1), size) },
      { name: "mixed-script", text: utf8Prefix(textFrom(MIXED, size + 1024, 2), size) },
    ];

    for (const v of vocabs) {
      const peer = opts.compare ? await loadPeer(v.path) : undefined;
      for (const c of corpora) {
        const bytes = Buffer.byteLength(c.text);
        const name = `encode(vocab=${v.name},text=${c.name},bytes=${bytes})`;
        if (!wanted(opts, name)) continue;
        // cold: a fresh tokenizer, so no word is cached yet; warm: repeated calls reuse the word cache
        const tok = fresh(v.path);
        const t0 = process.hrtime.bigint();
        const ids = tok.encode(c.text, { addSpecial: false });
        const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
        report({ case: `${name},cold`, value: bytes / MB / (coldMs / 1000), unit: "MB/s", impl: "kiln" });
        const ms = timeIt(() => tok.encode(c.text, { addSpecial: false }), minMs);
        report({ case: `${name},warm`, value: bytes / MB / (ms / 1000), unit: "MB/s", impl: "kiln" });
        if (peer) {
          const same = JSON.stringify([...peer.tokenize(c.text)]) === JSON.stringify(ids);
          if (!same) process.stderr.write(`tokenizer bench: ${name}: node-llama-cpp's ids differ from kiln's\n`);
          const pms = timeIt(() => peer.tokenize(c.text), minMs);
          report({ case: `${name},warm`, value: bytes / MB / (pms / 1000), unit: "MB/s", impl: "llama.cpp" });
          // kiln's warm throughput over node-llama-cpp's on the same text and vocabulary (aim: >= 1.0)
          report({ case: `${name},ratio kiln/node-llama-cpp`, value: pms / ms, unit: "x", impl: "ratio" });
        }
      }
    }

    // Time against size, each size on a fresh tokenizer so nothing is cached: the µs per kB column
    // should stay flat (linear growth).
    const sizes = opts.quick ? [10, 30, 100] : [10, 30, 100, 300, 1000];
    for (const v of vocabs) {
      for (const kind of ["english", "one-word"] as const) {
        const big = kind === "english"
          ? textFrom(ENGLISH, 1024 * 1024 + 1024, 3)
          : textFrom(["abcdefghij", "klmnopqrst", "uvwxyzeun"], 1024 * 1024 + 1024, 4).replaceAll(" ", "");
        for (const kb of sizes) {
          const text = big.slice(0, kb * 1024);
          const name = `encode-scaling(vocab=${v.name},text=${kind},kB=${kb})`;
          if (!wanted(opts, name)) continue;
          let best = Infinity;
          for (let r = 0; r < (opts.quick ? 1 : 3); r++) {
            const tok = fresh(v.path);
            const t0 = process.hrtime.bigint();
            tok.encode(text, { addSpecial: false });
            best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
          }
          report({ case: name, value: (best * 1000) / kb, unit: "µs/kB", impl: "kiln" });
        }
      }
    }
  },
};
