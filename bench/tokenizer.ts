// Tokenizer throughput: encode MB/s on 1 MB of English and 1 MB of mixed-script text for a
// SentencePiece (llama-spm) and a byte-level BPE (gpt-2) vocabulary, and encode time against input
// size from 10 kB to 1 MB, which should grow linearly (also for one long word without spaces, the
// worst case for merging). Not a test: numbers depend on the machine.
//
//   npx vite-node bench/tokenizer.ts          (or after `npm run build`: node dist/bench/tokenizer.js)
//
// Side by side with llama.cpp through node-llama-cpp, when it is installed:
//   npm i --no-save -E node-llama-cpp@3.21.1

import { performance } from "node:perf_hooks";
import { GGUFFile } from "../engine/gguf/reader.js";
import { loadTokenizer, type KilnTokenizer } from "../engine/tokenizer/index.js";
import { GOLDEN_DIR_HINT, goldenTokenizerPath } from "./tokenizer-data.js";

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
  return out.join(" ").slice(0, bytes);
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

function time(fn: () => void, repeat: number): { first: number; best: number } {
  let first = 0, best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    if (i === 0) first = dt;
    best = Math.min(best, dt);
  }
  return { first, best };
}

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

/** llama.cpp's tokenizer through node-llama-cpp, if installed; undefined (with a note) otherwise. */
async function loadPeer(path: string): Promise<PeerModel | undefined> {
  const name = "node-llama-cpp";
  let mod: { getLlama(o: { gpu: boolean; build: string }): Promise<{ loadModel(o: { modelPath: string; vocabOnly: boolean }): Promise<PeerModel> }> };
  try {
    mod = (await import(name)) as typeof mod;
  } catch {
    return undefined;
  }
  const llama = await mod.getLlama({ gpu: false, build: "never" });
  return llama.loadModel({ modelPath: path, vocabOnly: true });
}

async function main(): Promise<void> {
  const vocabs = [
    { name: "llama-spm", path: goldenTokenizerPath("ggml-vocab-llama-spm.gguf") },
    { name: "gpt-2", path: goldenTokenizerPath("ggml-vocab-gpt-2.gguf") },
  ];
  const corpora = [
    { name: "english 1 MB", text: textFrom(ENGLISH, MB, 1) },
    { name: "mixed-script 1 MB", text: textFrom(MIXED, MB, 2) },
  ];

  console.log("# encode throughput (first run with cold word caches, then best of 5)");
  console.log("vocab      corpus               tokens     cold MB/s   warm MB/s   node-llama-cpp MB/s");
  let peerMissing = false;
  for (const v of vocabs) {
    const peer = await loadPeer(v.path).catch((e: unknown) => {
      console.log(`  (node-llama-cpp failed to load ${v.name}: ${(e as Error).message})`);
      return undefined;
    });
    if (!peer) peerMissing = true;
    for (const c of corpora) {
      const tok = fresh(v.path);
      const bytes = Buffer.byteLength(c.text);
      let n = 0;
      const t = time(() => { n = tok.encode(c.text, { addSpecial: false }).length; }, 5);
      let peerCol = "-";
      if (peer) {
        const tp = time(() => { peer.tokenize(c.text); }, 3);
        peerCol = (bytes / MB / (tp.best / 1000)).toFixed(1);
      }
      console.log(`${v.name.padEnd(10)} ${c.name.padEnd(20)} ${String(n).padStart(8)}   ${(bytes / MB / (t.first / 1000)).toFixed(1).padStart(9)}   ${(bytes / MB / (t.best / 1000)).toFixed(1).padStart(9)}   ${peerCol.padStart(10)}`);
    }
  }
  if (peerMissing) console.log("\nnode-llama-cpp is not installed; for the llama.cpp column run: npm i --no-save -E node-llama-cpp@3.21.1");

  console.log("\n# encode time against input size (fresh tokenizer per size, so no cached words; best of 3)");
  console.log("vocab      input             size      ms      µs per kB");
  for (const v of vocabs) {
    for (const kind of ["english", "one word, no spaces"] as const) {
      const big = kind === "english" ? textFrom(ENGLISH, MB, 3) : textFrom(["abcdefghij", "klmnopqrst", "uvwxyzéüñ"], MB, 4).replaceAll(" ", "");
      for (const kb of [10, 30, 100, 300, 1000]) {
        const text = big.slice(0, kb * 1024);
        let best = Infinity;
        for (let r = 0; r < 3; r++) {
          const tok = fresh(v.path);
          const t0 = performance.now();
          tok.encode(text, { addSpecial: false });
          best = Math.min(best, performance.now() - t0);
        }
        console.log(`${v.name.padEnd(10)} ${kind.padEnd(17)} ${String(kb).padStart(5)} kB ${best.toFixed(1).padStart(8)} ${(best * 1000 / kb).toFixed(1).padStart(10)}`);
      }
    }
  }
  console.log(`\n(vocabularies from ${GOLDEN_DIR_HINT})`);
}

await main();
