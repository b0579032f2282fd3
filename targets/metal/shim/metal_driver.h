// metal_driver.h: the host side of the CPU check of generated MSL. A per-kernel launcher (written by
// targets/metal/cpu-target.ts) includes the shim, the kernel and this file, and names the kernel in
// KILN_METAL_MAIN. The program reads the bound buffers from stdin, runs every threadgroup of the grid as
// cooperative fibers (one threadgroup at a time, threadgroups and fibers in a seeded random order), and
// writes every buffer back to stdout. Wire format, little-endian: u32 count, then per buffer u32 byte
// length and the bytes; the same on the way out. Errors go to stderr with exit status 2.
// Usage: launcher SEED WG_X WG_Y WG_Z GRID_X GRID_Y GRID_Z < buffers > buffers
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace kiln_metal {

struct Ids {
  uint3 globalId, localId, workgroupId, workgroupSize, numWorkgroups;
};
using Invoke = void (*)(void* const* buffers, const Ids& ids);

struct Run {
  Invoke invoke = nullptr;
  std::vector<void*> buffers;
  uint3 wg{}, grid{}, group{};
  uint64_t rng = 0;
};
inline Run run;

// xorshift64*: only to vary the interleaving from run to run of the same seed-free code
inline uint32_t nextRandom() {
  run.rng ^= run.rng >> 12;
  run.rng ^= run.rng << 25;
  run.rng ^= run.rng >> 27;
  return uint32_t((run.rng * 0x2545F4914F6CDD1Dull) >> 32);
}
template <typename T>
inline void shuffle(std::vector<T>& v) {
  for (size_t i = v.size(); i > 1; i--) std::swap(v[i - 1], v[nextRandom() % i]);
}

inline void fiberMain() {
  Fiber& f = sched.fibers[sched.current];
  const uint lx = f.linear % run.wg.x, ly = (f.linear / run.wg.x) % run.wg.y, lz = f.linear / (run.wg.x * run.wg.y);
  Ids ids;
  ids.localId = {lx, ly, lz};
  ids.workgroupId = run.group;
  ids.workgroupSize = run.wg;
  ids.numWorkgroups = run.grid;
  ids.globalId = {run.group.x * run.wg.x + lx, run.group.y * run.wg.y + ly, run.group.z * run.wg.z + lz};
  run.invoke(run.buffers.data(), ids);
  sched.fibers[sched.current].wait = Wait::done;
}

// Releases the fibers parked at a completed barrier or simd collective; false when none could go on.
inline bool release(uint n) {
  bool progress = false;
  for (uint g = 0; g * kSimdWidth < n; g++) {
    uint active = 0, waiting = 0;
    int op = 0, line = 0;
    for (uint i = g * kSimdWidth; i < std::min(n, (g + 1) * kSimdWidth); i++) {
      const Fiber& f = sched.fibers[i];
      if (f.wait == Wait::done) continue;
      active++;
      if (f.wait != Wait::simd) continue;
      if (waiting++ == 0) op = f.simdOp, line = f.line;
      else if (f.simdOp != op || f.line != line) fail(("simdgroup " + std::to_string(g) + " lanes wait at different simd functions (lines " + std::to_string(line) + " and " + std::to_string(f.line) + "): simd functions must be reached by every active lane").c_str());
    }
    if (active == 0 || waiting != active) continue;
    float acc = op == simdSum ? 0.0f : -INFINITY;
    for (uint i = g * kSimdWidth; i < std::min(n, (g + 1) * kSimdWidth); i++) {
      const Fiber& f = sched.fibers[i];
      if (f.wait == Wait::simd) acc = op == simdSum ? acc + f.simdIn : std::fmax(acc, f.simdIn);
    }
    for (uint i = g * kSimdWidth; i < std::min(n, (g + 1) * kSimdWidth); i++) {
      Fiber& f = sched.fibers[i];
      if (f.wait == Wait::simd) f.simdOut = acc, f.wait = Wait::none;
    }
    progress = true;
  }
  if (progress) return true;
  uint done = 0, atBarrier = 0;
  int line = 0;
  for (uint i = 0; i < n; i++) {
    const Fiber& f = sched.fibers[i];
    if (f.wait == Wait::done) done++;
    if (f.wait != Wait::barrier) continue;
    if (atBarrier++ == 0) line = f.line;
    else if (f.line != line) fail(("threads of one threadgroup wait at different threadgroup_barrier calls (lines " + std::to_string(line) + " and " + std::to_string(f.line) + "): barriers must be in uniform control flow").c_str());
  }
  if (atBarrier == 0) return false;
  if (done > 0) fail(("threadgroup_barrier at line " + std::to_string(line) + " reached by " + std::to_string(atBarrier) + " of " + std::to_string(n) + " threads; the others returned: barriers must be in uniform control flow").c_str());
  if (atBarrier + done != n) return false;
  for (uint i = 0; i < n; i++) sched.fibers[i].wait = Wait::none;
  return true;
}

inline void runGroup(std::vector<char>& stacks, size_t stackBytes) {
  const uint n = run.wg.x * run.wg.y * run.wg.z;
  sched.fibers.assign(n, Fiber{});
  for (uint i = 0; i < n; i++) {
    Fiber& f = sched.fibers[i];
    f.linear = i;
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = stacks.data() + size_t(i) * stackBytes;
    f.ctx.uc_stack.ss_size = stackBytes;
    f.ctx.uc_link = &sched.home;
    makecontext(&f.ctx, fiberMain, 0);
  }
  std::vector<uint> order;
  for (;;) {
    order.clear();
    for (uint i = 0; i < n; i++)
      if (sched.fibers[i].wait == Wait::none) order.push_back(i);
    shuffle(order);
    for (uint i : order) {
      sched.current = int(i);
      swapcontext(&sched.home, &sched.fibers[i].ctx);
    }
    bool allDone = true;
    for (uint i = 0; i < n; i++) allDone = allDone && sched.fibers[i].wait == Wait::done;
    if (allDone) return;
    if (!release(n)) fail("deadlock: some threads wait at a barrier while others wait in a simd function");
  }
}

inline bool readAll(void* p, size_t n) { return std::fread(p, 1, n, stdin) == n; }
inline void writeAll(const void* p, size_t n) {
  if (std::fwrite(p, 1, n, stdout) != n) fail("could not write the buffers to stdout");
}

inline int main(int argc, char** argv, Invoke invoke) {
  if (argc != 8) fail("usage: launcher SEED WG_X WG_Y WG_Z GRID_X GRID_Y GRID_Z < buffers");
  run.invoke = invoke;
  run.rng = std::strtoull(argv[1], nullptr, 10) * 0x9E3779B97F4A7C15ull + 1;
  run.wg = {uint(std::atoi(argv[2])), uint(std::atoi(argv[3])), uint(std::atoi(argv[4]))};
  run.grid = {uint(std::atoi(argv[5])), uint(std::atoi(argv[6])), uint(std::atoi(argv[7]))};
  const uint n = run.wg.x * run.wg.y * run.wg.z;
  if (n == 0 || n > 1024) fail("threadgroup size must be 1..1024 threads");
  uint32_t count = 0;
  if (!readAll(&count, 4) || count > 64) fail("bad buffer count on stdin");
  std::vector<uint32_t> sizes(count);
  for (uint32_t b = 0; b < count; b++) {
    if (!readAll(&sizes[b], 4)) fail("stdin ended inside a buffer header");
    // 16-byte aligned like a Metal buffer; +16 so a zero-length buffer still has an address
    void* p = std::aligned_alloc(16, (size_t(sizes[b]) + 31) / 16 * 16);
    if (!p || !readAll(p, sizes[b])) fail("stdin ended inside a buffer");
    run.buffers.push_back(p);
  }
  constexpr size_t kStack = 64 * 1024;
  std::vector<char> stacks(size_t(n) * kStack);
  std::vector<uint3> groups;
  for (uint z = 0; z < run.grid.z; z++)
    for (uint y = 0; y < run.grid.y; y++)
      for (uint x = 0; x < run.grid.x; x++) groups.push_back({x, y, z});
  shuffle(groups);
  for (const uint3& g : groups) {
    run.group = g;
    runGroup(stacks, kStack);
  }
  writeAll(&count, 4);
  for (uint32_t b = 0; b < count; b++) {
    writeAll(&sizes[b], 4);
    writeAll(run.buffers[b], sizes[b]);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace kiln_metal

#define KILN_METAL_MAIN(invoke) \
  int main(int argc, char** argv) { return kiln_metal::main(argc, argv, invoke); }
