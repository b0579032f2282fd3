// The cuda backend's host path on the targets engineer's stand-in libcuda (targets/cuda/testing,
// through KILN_LIBCUDA: device memory on the host, only the `add` kernel runs). Loading stories260k
// puts every weight into device memory and the PTX (from nvcc) through cuModuleLoadData; the first
// forward hands its whole launch list to the driver in one call, which stops at the first kernel the
// stand-in cannot run: the error must name it, as a KilnError. Its own file: the driver library is
// chosen once per process.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KilnError } from "../engine/errors.js";
import { GGUFFile } from "../engine/gguf/reader.js";
import { modelConfigFromGGUF } from "../engine/model/config.js";
import { packageRoot } from "../engine/paths.js";
import { nodeIncludeDir } from "../targets/cuda/addon.js";
import { createCudaBackend } from "../targets/cuda/backend/cuda-backend.js";
import { findNvcc } from "../targets/cuda/backend/ptx.js";
import { cacheDir, contentHash } from "../targets/generated.js";
import { golden } from "./golden.js";

const gxx = spawnSync(process.env.CXX || "g++", ["--version"]).status === 0;
const ready = gxx && !!nodeIncludeDir() && "path" in findNvcc();
if (!ready) process.stderr.write("cuda-backend-stand-in: skipped: needs g++, Node's headers and nvcc\n");

function buildStandIn(): string {
  const src = join(packageRoot(), "targets", "cuda", "testing", "stand_in_libcuda.cc");
  const out = join(cacheDir("cuda-stand-in"), `libcuda-stand-in-${contentHash(readFileSync(src))}.so`);
  if (!existsSync(out)) execFileSync(process.env.CXX || "g++", ["-std=c++17", "-O1", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", src, "-o", out]);
  return out;
}

describe.skipIf(!ready)("cuda backend on the stand-in driver", () => {
  it("loads stories260k into device memory and sends a forward's launches in one call, whose failure names the kernel", async () => {
    process.env.KILN_LIBCUDA = buildStandIn();
    const f = GGUFFile.open(golden("models", "stories260k-f32.gguf"));
    const backend = await createCudaBackend(f, modelConfigFromGGUF(f), { kvType: "f32" }).finally(() => f.close());
    const seq = backend.createSequence({ nCtx: 16 });
    const err = await seq.forward([1, 403, 407], 0, "last").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    // the first op of a batch is the embedding lookup, which the stand-in does not implement
    expect((err as KilnError).message).toMatch(/^cuda: the driver failed running \d+ ops for 3 token\(s\) at position 0 at op 0 \(kernel get_rows_f32\): .*NOT_SUPPORTED/);
    seq.free();
    backend.dispose();
  }, 300_000);
});
