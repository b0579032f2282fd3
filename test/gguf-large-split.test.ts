// Files past 4 GB and split models. The 4.3 GB file is sparse: the writer leaves the data-less tensor
// as a hole, so the test writes a few KB yet reads a tensor whose offset needs more than 32 bits.
// Split parts follow gguf-split's names and keys; their tensors are compared with the golden model.
import { mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GGUFError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { openModel, parseSplitPath, splitPath, writeSplitGGUF } from "../engine/gguf/split.js";
import { kv, specFromFile, writeGGUF } from "../engine/gguf/writer.js";
import { GGMLType } from "../engine/quant/types.js";
import { golden } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-gguf-big-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GGUF files larger than 4 GB", () => {
  it("reads back the last tensor of a sparse 4.3 GB file, which lies past 4 GB", async () => {
    const path = join(dir, "big.gguf");
    const last = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    const layout = await writeGGUF(path, {
      kvs: [kv.str("general.architecture", "llama"), kv.u32("general.alignment", 64)],
      tensors: [
        { name: "first.weight", type: GGMLType.F32, ne: [4], data: new Uint8Array(16).fill(7) },
        // 65,536 x 65,600 int8 = 4,299,161,600 bytes, never written: a hole.
        { name: "huge.weight", type: GGMLType.I8, ne: [65536, 65600] },
        { name: "last.weight", type: GGMLType.F32, ne: [16], data: last },
      ],
    });
    const st = statSync(path);
    expect(st.size).toBe(layout.fileSize);
    expect(st.size).toBeGreaterThan(2 ** 32);

    const f = GGUFFile.open(path);
    try {
      expect(f.alignment).toBe(64);
      const t = f.tensor("last.weight");
      expect(t.offset).toBeGreaterThan(2 ** 32);
      expect(t.offset % 64).toBe(0);
      expect(f.tensor("huge.weight").nbytes).toBe(65536 * 65600);
      expect(t.relOffset).toBe(f.tensor("huge.weight").relOffset + 65536 * 65600);
      expect(Buffer.from(f.readTensor(t)).equals(Buffer.from(last))).toBe(true);
      // read straight into a shared buffer (a WebAssembly memory's, as the wasm backend loads weights)
      const into = new Uint8Array(new SharedArrayBuffer(t.nbytes + 8), 8, t.nbytes);
      f.readTensorInto(t, into);
      expect(Buffer.from(into).equals(Buffer.from(last))).toBe(true);
      expect([...f.readTensor("first.weight")]).toEqual(new Array(16).fill(7));
    } finally {
      f.close();
    }
  });
});

describe("split GGUF models", () => {
  it("names parts as gguf-split does", () => {
    expect(splitPath("/m/model", 0, 3)).toBe("/m/model-00001-of-00003.gguf");
    expect(parseSplitPath("/m/model-00002-of-00003.gguf")).toEqual({ prefix: "/m/model", no: 1, count: 3 });
    expect(parseSplitPath("/m/model.gguf")).toBeUndefined();
  });

  it("opens all parts from any part and presents the golden model's tensors and metadata", async () => {
    const src = GGUFFile.open(golden("models", "stories260k-q8_0.gguf"));
    try {
      const paths = await writeSplitGGUF(join(dir, "stories"), specFromFile(src), 20);
      expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
        "stories-00001-of-00003.gguf", "stories-00002-of-00003.gguf", "stories-00003-of-00003.gguf",
      ]);
      for (const p of paths) {
        const m = openModel(p);
        try {
          expect(m.partPaths).toEqual(paths);
          expect(m.getNumber("split.count")).toBe(3);
          expect(m.getString("general.architecture")).toBe("llama");
          expect(m.getArray("tokenizer.ggml.tokens")).toEqual(src.getArray("tokenizer.ggml.tokens"));
          expect(m.tensors.map((t) => t.name)).toEqual(src.tensors.map((t) => t.name));
          for (const t of src.tensors) {
            const got = m.tensor(t.name);
            expect([got.type, ...got.ne]).toEqual([t.type, ...t.ne]);
            expect(Buffer.from(m.readTensor(got)).equals(Buffer.from(src.readTensor(t)))).toBe(true);
            const into = new Uint8Array(got.nbytes);
            m.readTensorInto(got, into);
            expect(Buffer.from(into).equals(Buffer.from(src.readTensor(t)))).toBe(true);
          }
          expect(new Set(m.tensors.map((t) => t.part))).toEqual(new Set([0, 1, 2]));
          const t0 = m.tensors[0]!;
          expect(() => m.readTensorInto(t0, new Uint8Array(t0.nbytes + 1))).toThrow(`tensor "${t0.name}" is ${t0.nbytes} bytes; the destination holds ${t0.nbytes + 1}`);
        } finally {
          m.close();
        }
      }
      // A plain file opens as itself.
      const single = openModel(golden("models", "stories260k-q8_0.gguf"));
      expect(single.partPaths).toHaveLength(1);
      single.close();
    } finally {
      src.close();
    }
  });

  it("names the missing part, and a part from another split", async () => {
    const src = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    try {
      const paths = await writeSplitGGUF(join(dir, "gap"), specFromFile(src), 30);
      rmSync(paths[1]!);
      expect(() => openModel(paths[0]!)).toThrow(GGUFError);
      expect(() => openModel(paths[0]!)).toThrow(/split part 2 of 2 \(.*gap-00002-of-00002.gguf\) is missing/);
      const other = await writeSplitGGUF(join(dir, "other"), specFromFile(src), 16);
      renameSync(other[0]!, paths[1]!); // split.no 0 of 3 where part 2 of 2 belongs
      expect(() => openModel(paths[0]!)).toThrow(/split.no\/split.count are 0\/3, expected 1\/2/);
      const renamed = join(dir, "renamed.gguf");
      renameSync(paths[0]!, renamed);
      expect(() => openModel(renamed)).toThrow(/split.count is 2 but the name does not end in -0000N-of-00002.gguf/);
    } finally {
      src.close();
    }
  });
});
