// metal_shim.h: enough of the Metal Shading Language, as C++20 for g++, to compile kiln's generated
// MSL (generated/metal/*.metal) and run it on the CPU. MSL semantics checked on CPU: threadgroup memory,
// barriers (cooperative fibers that switch at each barrier in a seeded random order, so a missing
// barrier shows up as a wrong result), a simulated 32-wide simdgroup and precise:: math. It cannot catch
// what only Apple's compiler would (its own type rules, fast-math contraction, register limits).
// Reference: Apple's "Metal Shading Language Specification" (address spaces 4.x, attributes 5.2,
// synchronization 6.9, SIMD-group functions 6.9.2). The driver (metal_driver.h) runs a kernel with it.
// Only C headers and compiler builtins: the C++ library's headers would triple the compile time of
// every kernel, and <cmath>'s float overloads in the global namespace would clash with metal::'s.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

// Address spaces are plain memory on the CPU. Threadgroup arrays are declared inside the kernel body;
// `static` makes one copy shared by every fiber of the (single, running) workgroup, which is exactly
// threadgroup memory as long as workgroups run one at a time, as the driver does.
#define kernel
#define device
#define constant
#define thread
#define threadgroup static

typedef unsigned int uint;
typedef unsigned char uchar;
typedef unsigned short ushort;
typedef _Float16 half;

struct uint3 {
  uint x, y, z;
};

namespace kiln_metal {

enum class Wait { none, barrier, simd, done };

struct Fiber {
  ucontext_t ctx;
  Wait wait = Wait::none;
  int line = 0;        // the barrier's source line, to report divergent barriers
  uint linear = 0;     // flat index in the threadgroup; its simdgroup is linear / 32
  float simdIn = 0.0f; // this lane's operand while it waits in a simd_* function
  float simdOut = 0.0f;
  int simdOp = 0;
};

constexpr uint kSimdWidth = 32;

constexpr uint kMaxThreads = 1024;

struct Scheduler {
  ucontext_t home;
  Fiber fibers[kMaxThreads];
  int current = -1;
};

inline Scheduler sched;

[[noreturn]] inline void fail(const char* what) {
  fprintf(stderr, "kiln-metal-cpu: %s\n", what);
  exit(2);
}

inline void park(Wait w, int line) {
  Fiber& f = sched.fibers[sched.current];
  f.wait = w;
  f.line = line;
  swapcontext(&f.ctx, &sched.home);
}

// simd_sum / simd_max: every active lane of the simdgroup must arrive at the same call before any
// lane gets the result, as on the GPU; the scheduler combines the operands.
enum SimdOp { simdSum = 1, simdMax = 2 };
inline float simdCollective(float v, int op, int line) {
  Fiber& f = sched.fibers[sched.current];
  f.simdIn = v;
  f.simdOp = op;
  park(Wait::simd, line);
  return sched.fibers[sched.current].simdOut;
}

}  // namespace kiln_metal

namespace metal {

enum class mem_flags : uint { mem_none = 0, mem_device = 1, mem_threadgroup = 2, mem_texture = 4 };
constexpr mem_flags operator|(mem_flags a, mem_flags b) { return mem_flags(uint(a) | uint(b)); }

inline void threadgroup_barrier_at(mem_flags, int line) { kiln_metal::park(kiln_metal::Wait::barrier, line); }

inline float simd_sum_at(float v, int line) { return kiln_metal::simdCollective(v, kiln_metal::simdSum, line); }
inline float simd_max_at(float v, int line) { return kiln_metal::simdCollective(v, kiln_metal::simdMax, line); }

template <typename To, typename From>
inline To as_type(From v) {
  static_assert(sizeof(To) == sizeof(From), "as_type needs types of one size");
  To out;
  __builtin_memcpy(&out, &v, sizeof out);
  return out;
}

// Metal's float functions (fast by default on the GPU); generated code asks for precise:: where it
// matters. Builtins, not <cmath>: they compile to the same libm calls and instructions.
inline float fmax(float a, float b) { return __builtin_fmaxf(a, b); }
inline float fmin(float a, float b) { return __builtin_fminf(a, b); }
inline float fabs(float a) { return __builtin_fabsf(a); }
inline float floor(float a) { return __builtin_floorf(a); }
inline float fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
inline float exp(float a) { return __builtin_expf(a); }
inline float log(float a) { return __builtin_logf(a); }
inline float sqrt(float a) { return __builtin_sqrtf(a); }
inline float rsqrt(float a) { return 1.0f / __builtin_sqrtf(a); }
inline float tanh(float a) { return __builtin_tanhf(a); }
inline float sin(float a) { return __builtin_sinf(a); }
inline float cos(float a) { return __builtin_cosf(a); }
inline float ceil(float a) { return __builtin_ceilf(a); }
inline float trunc(float a) { return __builtin_truncf(a); }
inline float round(float a) { return __builtin_roundf(a); }
inline float rint(float a) { return __builtin_rintf(a); }
inline float fract(float a) { return __builtin_fminf(a - __builtin_floorf(a), 0x1.fffffep-1f); }
inline float sign(float a) { return a > 0.0f ? 1.0f : a < 0.0f ? -1.0f : a; }
inline float copysign(float a, float b) { return __builtin_copysignf(a, b); }
inline float fmod(float a, float b) { return __builtin_fmodf(a, b); }
inline float mix(float a, float b, float t) { return a + (b - a) * t; }
inline float step(float edge, float x) { return x < edge ? 0.0f : 1.0f; }
inline float pow(float a, float b) { return __builtin_powf(a, b); }
inline float powr(float a, float b) { return __builtin_powf(a, b); }
inline float exp2(float a) { return __builtin_exp2f(a); }
inline float exp10(float a) { return __builtin_powf(10.0f, a); }
inline float log2(float a) { return __builtin_log2f(a); }
inline float log10(float a) { return __builtin_log10f(a); }
inline float tan(float a) { return __builtin_tanf(a); }
inline float asin(float a) { return __builtin_asinf(a); }
inline float acos(float a) { return __builtin_acosf(a); }
inline float atan(float a) { return __builtin_atanf(a); }
inline float atan2(float a, float b) { return __builtin_atan2f(a, b); }
inline float sinh(float a) { return __builtin_sinhf(a); }
inline float cosh(float a) { return __builtin_coshf(a); }
inline float erf(float a) { return __builtin_erff(a); }
inline bool isnan(float a) { return __builtin_isnan(a); }
inline bool isinf(float a) { return __builtin_isinf(a); }
inline float clamp(float x, float lo, float hi) { return __builtin_fminf(__builtin_fmaxf(x, lo), hi); }
inline int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }
inline uint clamp(uint x, uint lo, uint hi) { return x < lo ? lo : x > hi ? hi : x; }
inline int max(int a, int b) { return a > b ? a : b; }
inline uint max(uint a, uint b) { return a > b ? a : b; }
inline int min(int a, int b) { return a < b ? a : b; }
inline uint min(uint a, uint b) { return a < b ? a : b; }
// integer abs is the C library's ::abs, which <stdlib.h> already puts in scope

namespace precise {
inline float exp(float a) { return __builtin_expf(a); }
inline float log(float a) { return __builtin_logf(a); }
inline float sqrt(float a) { return __builtin_sqrtf(a); }
// correctly rounded 1/sqrt through double, as close as the CPU gets to Metal's precise::rsqrt
inline float rsqrt(float a) { return float(1.0 / __builtin_sqrt(double(a))); }
inline float tanh(float a) { return __builtin_tanhf(a); }
inline float sin(float a) { return __builtin_sinf(a); }
inline float cos(float a) { return __builtin_cosf(a); }
inline float tan(float a) { return __builtin_tanf(a); }
inline float pow(float a, float b) { return __builtin_powf(a, b); }
inline float powr(float a, float b) { return __builtin_powf(a, b); }
inline float exp2(float a) { return __builtin_exp2f(a); }
inline float exp10(float a) { return __builtin_powf(10.0f, a); }
inline float log2(float a) { return __builtin_log2f(a); }
inline float log10(float a) { return __builtin_log10f(a); }
inline float asin(float a) { return __builtin_asinf(a); }
inline float acos(float a) { return __builtin_acosf(a); }
inline float atan(float a) { return __builtin_atanf(a); }
inline float atan2(float a, float b) { return __builtin_atan2f(a, b); }
inline float sinh(float a) { return __builtin_sinhf(a); }
inline float cosh(float a) { return __builtin_coshf(a); }
inline float fmod(float a, float b) { return __builtin_fmodf(a, b); }
}  // namespace precise

}  // namespace metal

// the source line goes with each barrier and simd call, so divergence is reported where it happens
#define threadgroup_barrier(flags) threadgroup_barrier_at(flags, __LINE__)
#define simd_sum(v) simd_sum_at(v, __LINE__)
#define simd_max(v) simd_max_at(v, __LINE__)
