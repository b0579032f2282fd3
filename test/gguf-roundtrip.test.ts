// Reading a golden GGUF and writing it back gives the same bytes, for every model and vocabulary file
// in ../shared/golden (made by llama.cpp's gguf.cpp and gguf-py's GGUFWriter, not by kiln).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GGUFFile } from "../engine/gguf/reader.js";
import { specFromFile, writeGGUF } from "../engine/gguf/writer.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-gguf-rt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const models = readdirSync(golden("models")).filter((f) => f.endsWith(".gguf")).sort();
const vocabs = readdirSync(golden("tokenizer")).filter((f) => f.endsWith(".gguf")).sort();

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

describe("GGUF writer round trip", () => {
  it("finds all 12 golden models", () => {
    expect(models).toHaveLength(12);
  });

  it.each([...models.map((m) => ["models", m]), ...vocabs.map((v) => ["tokenizer", v])])(
    "rewrites %s/%s byte for byte",
    async (folder, name) => {
      const src = golden(folder!, name!);
      const f = GGUFFile.open(src);
      const out = join(dir, name!);
      try {
        await writeGGUF(out, specFromFile(f));
      } finally {
        f.close();
      }
      expect(statSync(out).size).toBe(statSync(src).size);
      expect(sha256(out)).toBe(sha256(src));
      rmSync(out);
    },
  );
});
