// metal_driver.h: the host side of the CPU check of generated MSL. A per-kernel launcher (written by
// targets/metal/cpu-target.ts) includes the shim, the kernel and this file, and names the kernel in
// KILN_METAL_MAIN. The program reads the bound buffers from stdin, runs every threadgroup of the grid as
// cooperative fibers (one threadgroup at a time, threadgroups and fibers in a seeded random order), and
// writes every buffer back to stdout. Wire format, little-endian: u32 count, then per buffer u32 byte
// length and the bytes; the same on the way out. Errors go to stderr with exit status 2.
// Usage: launcher SEED WG_X WG_Y WG_Z GRID_X GRID_Y GRID_Z < buffers > buffers
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

namespace kiln_metal {

struct Ids {
  uint3 globalId, localId, workgroupId, workgroupSize, numWorkgroups;
};
using Invoke = void (*)(void* const* buffers, const Ids& ids);

constexpr uint32_t kMaxBuffers = 64;

struct Run {
  Invoke invoke = nullptr;
  void* buffers[kMaxBuffers] = {};
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
inline void shuffle(T* v, size_t n) {
  for (size_t i = n; i > 1; i--) {
    const size_t j = nextRandom() % i;
    const T t = v[i - 1];
    v[i - 1] = v[j];
    v[j] = t;
  }
}

// a formatted failure (the messages name lines and counts)
template <typename... A>
[[noreturn]] inline void failf(const char* fmt, A... a) {
  char msg[512];
  snprintf(msg, sizeof msg, fmt, a...);
  fail(msg);
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
  run.invoke(run.buffers, ids);
  sched.fibers[sched.current].wait = Wait::done;
}

// Releases the fibers parked at a completed barrier or simd collective; false when none could go on.
inline uint lastLane(uint g, uint n) { return (g + 1) * kSimdWidth < n ? (g + 1) * kSimdWidth : n; }

inline bool release(uint n) {
  bool progress = false;
  for (uint g = 0; g * kSimdWidth < n; g++) {
    uint active = 0, waiting = 0;
    int op = 0, line = 0;
    for (uint i = g * kSimdWidth; i < lastLane(g, n); i++) {
      const Fiber& f = sched.fibers[i];
      if (f.wait == Wait::done) continue;
      active++;
      if (f.wait != Wait::simd) continue;
      if (waiting++ == 0) op = f.simdOp, line = f.line;
      else if (f.simdOp != op || f.line != line) failf("simdgroup %u lanes wait at different simd functions (lines %d and %d): simd functions must be reached by every active lane", g, line, f.line);
    }
    if (active == 0 || waiting != active) continue;
    float acc = op == simdSum ? 0.0f : -__builtin_inff();
    for (uint i = g * kSimdWidth; i < lastLane(g, n); i++) {
      const Fiber& f = sched.fibers[i];
      if (f.wait == Wait::simd) acc = op == simdSum ? acc + f.simdIn : __builtin_fmaxf(acc, f.simdIn);
    }
    for (uint i = g * kSimdWidth; i < lastLane(g, n); i++) {
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
    else if (f.line != line) failf("threads of one threadgroup wait at different threadgroup_barrier calls (lines %d and %d): barriers must be in uniform control flow", line, f.line);
  }
  if (atBarrier == 0) return false;
  if (done > 0) failf("threadgroup_barrier at line %d reached by %u of %u threads; the others returned: barriers must be in uniform control flow", line, atBarrier, n);
  if (atBarrier + done != n) return false;
  for (uint i = 0; i < n; i++) sched.fibers[i].wait = Wait::none;
  return true;
}

inline void runGroup(char* stacks, size_t stackBytes) {
  const uint n = run.wg.x * run.wg.y * run.wg.z;
  for (uint i = 0; i < n; i++) {
    Fiber& f = sched.fibers[i];
    f = Fiber{};
    f.linear = i;
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = stacks + size_t(i) * stackBytes;
    f.ctx.uc_stack.ss_size = stackBytes;
    f.ctx.uc_link = &sched.home;
    makecontext(&f.ctx, fiberMain, 0);
  }
  static uint order[kMaxThreads];
  for (;;) {
    uint ready = 0;
    for (uint i = 0; i < n; i++)
      if (sched.fibers[i].wait == Wait::none) order[ready++] = i;
    shuffle(order, ready);
    for (uint r = 0; r < ready; r++) {
      const uint i = order[r];
      sched.current = int(i);
      swapcontext(&sched.home, &sched.fibers[i].ctx);
    }
    bool allDone = true;
    for (uint i = 0; i < n; i++) allDone = allDone && sched.fibers[i].wait == Wait::done;
    if (allDone) return;
    if (!release(n)) fail("deadlock: some threads wait at a barrier while others wait in a simd function");
  }
}

inline bool readAll(void* p, size_t n) { return fread(p, 1, n, stdin) == n; }
inline void writeAll(const void* p, size_t n) {
  if (fwrite(p, 1, n, stdout) != n) fail("could not write the buffers to stdout");
}

inline int main(int argc, char** argv, Invoke invoke) {
  if (argc != 8) fail("usage: launcher SEED WG_X WG_Y WG_Z GRID_X GRID_Y GRID_Z < buffers");
  run.invoke = invoke;
  run.rng = strtoull(argv[1], nullptr, 10) * 0x9E3779B97F4A7C15ull + 1;
  run.wg = {uint(atoi(argv[2])), uint(atoi(argv[3])), uint(atoi(argv[4]))};
  run.grid = {uint(atoi(argv[5])), uint(atoi(argv[6])), uint(atoi(argv[7]))};
  const uint n = run.wg.x * run.wg.y * run.wg.z;
  if (n == 0 || n > kMaxThreads) failf("threadgroup size must be 1..%u threads, not %u", kMaxThreads, n);
  uint32_t count = 0;
  if (!readAll(&count, 4) || count > kMaxBuffers) fail("bad buffer count on stdin");
  uint32_t sizes[kMaxBuffers];
  for (uint32_t b = 0; b < count; b++) {
    if (!readAll(&sizes[b], 4)) fail("stdin ended inside a buffer header");
    // 16-byte aligned like a Metal buffer; +16 so a zero-length buffer still has an address
    void* p = aligned_alloc(16, (size_t(sizes[b]) + 31) / 16 * 16);
    if (!p || !readAll(p, sizes[b])) fail("stdin ended inside a buffer");
    run.buffers[b] = p;
  }
  constexpr size_t kStack = 64 * 1024;
  char* stacks = static_cast<char*>(malloc(size_t(n) * kStack));
  const size_t nGroups = size_t(run.grid.x) * run.grid.y * run.grid.z;
  uint3* groups = static_cast<uint3*>(malloc(sizeof(uint3) * (nGroups ? nGroups : 1)));
  if (!stacks || !groups) fail("out of memory for fiber stacks");
  size_t at = 0;
  for (uint z = 0; z < run.grid.z; z++)
    for (uint y = 0; y < run.grid.y; y++)
      for (uint x = 0; x < run.grid.x; x++) groups[at++] = {x, y, z};
  shuffle(groups, nGroups);
  for (size_t g = 0; g < nGroups; g++) {
    run.group = groups[g];
    runGroup(stacks, kStack);
  }
  writeAll(&count, 4);
  for (uint32_t b = 0; b < count; b++) {
    writeAll(&sizes[b], 4);
    writeAll(run.buffers[b], sizes[b]);
  }
  fflush(stdout);
  return 0;
}

}  // namespace kiln_metal

#define KILN_METAL_MAIN(invoke) \
  int main(int argc, char** argv) { return kiln_metal::main(argc, argv, invoke); }
