// A stand-in for libcuda.so.1, for tests on machines without a GPU: host memory for device memory, and
// kernels by name checked against the loaded image. It runs one kernel body, `add` (out[i] = a[i] + b[i]
// for i < n), on the CPU, so the whole host path of the cuda target (nvcc fatbin -> cuModuleLoadData ->
// cuModuleGetFunction -> cuMemAlloc/cuMemcpy -> cuLaunchKernel's kernelParams -> readback) is exercised
// with the driver API's calling conventions (CUDA driver API reference); any other kernel fails with
// CUDA_ERROR_NOT_SUPPORTED. Built by test/targets-cuda-stand-in.test.ts; the addon opens it through
// KILN_LIBCUDA. It is not a CUDA emulator.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {
constexpr int kSuccess = 0, kInvalidValue = 1, kInvalidImage = 200, kNotFound = 500, kNotSupported = 801;
constexpr uint32_t kFatbinMagic = 0xBA55ED50u;

struct Module {
  std::vector<unsigned char> image;
};
struct Function {
  std::string name;
};
std::map<unsigned long long, size_t> allocations;

bool inside(unsigned long long p, size_t n) {
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin()) return false;
  --it;
  return p >= it->first && p + n <= it->first + it->second;
}
}  // namespace

extern "C" {
int cuInit(unsigned) { return kSuccess; }
int cuDeviceGetCount(int* n) { return *n = 1, kSuccess; }
int cuDeviceGet(int* d, int ordinal) { return ordinal == 0 ? (*d = 0, kSuccess) : kInvalidValue; }
int cuDeviceGetName(char* s, int len, int) { return std::snprintf(s, size_t(len), "kiln stand-in (no GPU)"), kSuccess; }
int cuDeviceGetAttribute(int* v, int attr, int) { return *v = attr == 75 ? 9 : 0, kSuccess; }
int cuDevicePrimaryCtxRetain(void** ctx, int) { return *ctx = reinterpret_cast<void*>(1), kSuccess; }
int cuCtxSetCurrent(void*) { return kSuccess; }
int cuCtxSynchronize() { return kSuccess; }

// a fatbin says its own size: u32 magic, u16 version, u16 header size, u64 payload size; PTX is text
int cuModuleLoadData(void** mod, const void* image) {
  uint32_t magic;
  uint16_t header;
  uint64_t payload;
  std::memcpy(&magic, image, 4);
  const char* text = static_cast<const char*>(image);
  if (magic != kFatbinMagic && std::strstr(text, ".version") && std::strstr(text, ".target")) {
    *mod = new Module{std::vector<unsigned char>(text, text + std::strlen(text))};
    return kSuccess;
  }
  if (magic != kFatbinMagic) return kInvalidImage;
  std::memcpy(&header, static_cast<const char*>(image) + 6, 2);
  std::memcpy(&payload, static_cast<const char*>(image) + 8, 8);
  const auto* p = static_cast<const unsigned char*>(image);
  *mod = new Module{std::vector<unsigned char>(p, p + header + payload)};
  return kSuccess;
}

// the entry's name sits NUL-terminated in each cubin's string table, or after `.entry` in PTX
int cuModuleGetFunction(void** fn, void* mod, const char* name) {
  const auto& img = static_cast<Module*>(mod)->image;
  std::string cubin = std::string(".text.") + name;
  cubin.push_back('\0');
  const std::string ptx = std::string(".entry ") + name + "(";
  for (const std::string& needle : {cubin, ptx})
    for (size_t i = 0; i + needle.size() <= img.size(); i++)
      if (std::memcmp(img.data() + i, needle.data(), needle.size()) == 0) return *fn = new Function{name}, kSuccess;
  return kNotFound;
}

int cuMemAlloc_v2(unsigned long long* p, size_t n) {
  void* m = std::malloc(n);
  if (!m) return 2;
  *p = reinterpret_cast<unsigned long long>(m);
  allocations[*p] = n;
  return kSuccess;
}
int cuMemFree_v2(unsigned long long p) {
  if (!allocations.erase(p)) return kInvalidValue;
  std::free(reinterpret_cast<void*>(p));
  return kSuccess;
}
int cuMemcpyHtoD_v2(unsigned long long dst, const void* src, size_t n) {
  if (!inside(dst, n)) return kInvalidValue;
  std::memcpy(reinterpret_cast<void*>(dst), src, n);
  return kSuccess;
}
int cuMemcpyDtoH_v2(void* dst, unsigned long long src, size_t n) {
  if (!inside(src, n)) return kInvalidValue;
  std::memcpy(dst, reinterpret_cast<const void*>(src), n);
  return kSuccess;
}

int cuMemcpyDtoD_v2(unsigned long long dst, unsigned long long src, size_t n) {
  if (!inside(dst, n) || !inside(src, n)) return kInvalidValue;
  std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), n);
  return kSuccess;
}

// add(const float* a, const float* b, float* out, unsigned n): kernelParams points at each argument. The
// packed-buffer form (`extra`) is refused: kiln does not use it (an H100's driver refused kiln's
// launches in that form with CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES), so a launch that slips back to it fails here too.
int cuLaunchKernel(void* fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned, void*, void** params, void** extra) {
  if (static_cast<Function*>(fn)->name != "add") return kNotSupported;
  if (!params || extra) return kInvalidValue;
  void* const* arg = params;
  const float* a = *static_cast<float* const*>(arg[0]);
  const float* b = *static_cast<float* const*>(arg[1]);
  float* out = *static_cast<float* const*>(arg[2]);
  const unsigned n = *static_cast<const unsigned*>(arg[3]);
  const unsigned long long threads = 1ull * gx * gy * gz * bx * by * bz;
  for (unsigned long long i = 0; i < threads && i < n; i++) {
    if (!inside(reinterpret_cast<unsigned long long>(out + i), 4)) return 700;  // CUDA_ERROR_ILLEGAL_ADDRESS
    out[i] = a[i] + b[i];
  }
  return kSuccess;
}

int cuGetErrorName(int r, const char** s) {
  *s = r == kSuccess ? "CUDA_SUCCESS" : r == kInvalidValue ? "CUDA_ERROR_INVALID_VALUE" : r == kInvalidImage ? "CUDA_ERROR_INVALID_IMAGE" : r == kNotFound ? "CUDA_ERROR_NOT_FOUND" : r == kNotSupported ? "CUDA_ERROR_NOT_SUPPORTED" : "CUDA_ERROR_UNKNOWN";
  return kSuccess;
}
int cuGetErrorString(int r, const char** s) {
  *s = r == kNotSupported ? "operation not supported (the stand-in runs only `add`)" : "stand-in driver error";
  return kSuccess;
}
}
