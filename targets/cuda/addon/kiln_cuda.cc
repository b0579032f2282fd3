// kiln_cuda.cc: the Node-API addon of the cuda target (targets/cuda/runtime.ts). It opens the CUDA
// driver (libcuda.so.1) with dlopen at run time and never links it, and it includes no CUDA header:
// the few driver API types and prototypes it uses are declared below, after cuda.h (CUDA driver API
// reference, "Module Management", "Memory Management", "Execution Control"). So it builds with g++ and
// Node's headers alone, anywhere, and reports "no CUDA driver" where libcuda is absent.
// KILN_LIBCUDA, when set, names the driver library to open instead of libcuda.so.1.
// JS API (all synchronous; errors throw with the driver's error name and text):
//   probe() -> {ok, why, devices, name, major, minor, memoryClockKHz, memoryBusBits};  deviceName() -> string
//   loadModule(image: Uint8Array /* fatbin, cubin or PTX */) -> id
//   getFunction(moduleId, name) -> id
//   alloc(bytes) -> bigint;  free(ptr: bigint);  upload(ptr, Uint8Array);  download(ptr, Uint8Array)
//   launch(fnId, [gx, gy, gz], [bx, by, bz], sharedBytes, args: Uint8Array /* 8 bytes per argument */)
//   runList(fnIds: Uint32Array, records: Uint32Array, params: Uint8Array): a launch list in one call, in
//     order on the default stream, then one synchronize. Records of 9 u32 (targets/cuda/backend/launch.ts
//     encodeLaunches): [0, fn index, grid x y z, block x y z, params offset] launches with the argument
//     slots (8 bytes each, as launch's) from that offset up to the next launch's, as kernelParams;
//     [1, 0, dst lo hi, src lo hi, bytes, 0, 0] copies device to device.
#include <dlfcn.h>
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// --- the slice of the CUDA driver API in use (types as cuda.h declares them on 64-bit Linux) ---
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st*;
using CUmodule = struct CUmod_st*;
using CUfunction = struct CUfunc_st*;
using CUstream = struct CUstream_st*;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36;        // peak memory clock, kHz
constexpr int CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37;  // bits
constexpr CUresult CUDA_SUCCESS = 0;

struct Driver {
  CUresult (*cuInit)(unsigned int);
  CUresult (*cuDeviceGetCount)(int*);
  CUresult (*cuDeviceGet)(CUdevice*, int);
  CUresult (*cuDeviceGetName)(char*, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int*, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext*, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule*, const void*);
  CUresult (*cuModuleGetFunction)(CUfunction*, CUmodule, const char*);
  CUresult (*cuMemAlloc)(CUdeviceptr*, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void*, size_t);
  CUresult (*cuMemcpyDtoH)(void*, CUdeviceptr, size_t);
  CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream, void**, void**);
  CUresult (*cuGetErrorName)(CUresult, const char**);
  CUresult (*cuGetErrorString)(CUresult, const char**);
};

Driver drv;
bool loaded = false;
std::string loadError;
CUcontext ctx = nullptr;
CUdevice device = 0;
std::vector<CUmodule> modules;
std::vector<CUfunction> functions;

template <typename F>
bool sym(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (!out) loadError = std::string("the CUDA driver library has no ") + name + " (driver too old?)";
  return out != nullptr;
}

// the _v2 names are what cuda.h's macros map the plain names to on 64-bit
bool loadDriver() {
  if (loaded) return true;
  if (!loadError.empty()) return false;
  // KILN_LIBCUDA names another driver library (a compat libcuda, WSL's, or a test stand-in)
  const char* path = std::getenv("KILN_LIBCUDA");
  if (!path || !*path) path = "libcuda.so.1";
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = dlerror();
    loadError = std::string("no CUDA driver (") + (e ? e : path) + ")";
    return false;
  }
  loaded = sym(lib, "cuInit", drv.cuInit) && sym(lib, "cuDeviceGetCount", drv.cuDeviceGetCount) && sym(lib, "cuDeviceGet", drv.cuDeviceGet) &&
           sym(lib, "cuDeviceGetName", drv.cuDeviceGetName) && sym(lib, "cuDeviceGetAttribute", drv.cuDeviceGetAttribute) &&
           sym(lib, "cuDevicePrimaryCtxRetain", drv.cuDevicePrimaryCtxRetain) && sym(lib, "cuCtxSetCurrent", drv.cuCtxSetCurrent) &&
           sym(lib, "cuCtxSynchronize", drv.cuCtxSynchronize) && sym(lib, "cuModuleLoadData", drv.cuModuleLoadData) &&
           sym(lib, "cuModuleGetFunction", drv.cuModuleGetFunction) && sym(lib, "cuMemAlloc_v2", drv.cuMemAlloc) && sym(lib, "cuMemFree_v2", drv.cuMemFree) &&
           sym(lib, "cuMemcpyHtoD_v2", drv.cuMemcpyHtoD) && sym(lib, "cuMemcpyDtoH_v2", drv.cuMemcpyDtoH) &&
           sym(lib, "cuMemcpyDtoD_v2", drv.cuMemcpyDtoD) && sym(lib, "cuLaunchKernel", drv.cuLaunchKernel) &&
           sym(lib, "cuGetErrorName", drv.cuGetErrorName) && sym(lib, "cuGetErrorString", drv.cuGetErrorString);
  return loaded;
}

std::string describe(CUresult r) {
  const char* name = nullptr;
  const char* text = nullptr;
  drv.cuGetErrorName(r, &name);
  drv.cuGetErrorString(r, &text);
  return std::string(name ? name : "CUDA_ERROR_UNKNOWN") + " (" + std::to_string(r) + "): " + (text ? text : "no description");
}

// --- N-API helpers ---
napi_value throwError(napi_env env, const std::string& msg) {
  napi_throw_error(env, "KILN_CUDA", msg.c_str());
  return nullptr;
}

#define CHECK_NAPI(call) \
  if ((call) != napi_ok) return throwError(env, "kiln_cuda: bad arguments to " + std::string(__func__))
#define CHECK_CU(call, what) \
  do { \
    CUresult r_ = (call); \
    if (r_ != CUDA_SUCCESS) return throwError(env, std::string(what) + ": " + describe(r_)); \
  } while (0)

bool ensureContext(napi_env env) {
  if (ctx) return true;
  if (!loadDriver()) return throwError(env, loadError), false;
  CUresult r = drv.cuInit(0);
  if (r == CUDA_SUCCESS) r = drv.cuDeviceGet(&device, 0);
  if (r == CUDA_SUCCESS) r = drv.cuDevicePrimaryCtxRetain(&ctx, device);
  if (r == CUDA_SUCCESS) r = drv.cuCtxSetCurrent(ctx);
  if (r != CUDA_SUCCESS) {
    ctx = nullptr;
    throwError(env, "cannot open CUDA device 0: " + describe(r));
    return false;
  }
  return true;
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t n) {
  std::vector<napi_value> v(n);
  size_t got = n;
  napi_get_cb_info(env, info, &got, v.data(), nullptr, nullptr);
  if (got < n) v.clear();
  return v;
}

bool bytes(napi_env env, napi_value v, void** data, size_t* len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok || type != napi_uint8_array) return false;
  *len = length;
  return true;
}

napi_value setProp(napi_env env, napi_value obj, const char* key, napi_value val) {
  napi_set_named_property(env, obj, key, val);
  return obj;
}

napi_value Probe(napi_env env, napi_callback_info) {
  napi_value out, t, f, s;
  napi_create_object(env, &out);
  napi_get_boolean(env, true, &t);
  napi_get_boolean(env, false, &f);
  auto fail = [&](const std::string& why) {
    setProp(env, out, "ok", f);
    napi_create_string_utf8(env, why.c_str(), why.size(), &s);
    return setProp(env, out, "why", s);
  };
  if (!loadDriver()) return fail(loadError);
  CUresult r = drv.cuInit(0);
  if (r != CUDA_SUCCESS) return fail("the CUDA driver does not start: " + describe(r));
  int count = 0;
  r = drv.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS || count == 0) return fail(r != CUDA_SUCCESS ? "no CUDA device: " + describe(r) : std::string("no CUDA device"));
  CUdevice dev = 0;
  char name[256] = {0};
  int major = 0, minor = 0;
  drv.cuDeviceGet(&dev, 0);
  drv.cuDeviceGetName(name, sizeof name - 1, dev);
  drv.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
  drv.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
  int memClockKHz = 0, busWidth = 0;
  if (drv.cuDeviceGetAttribute(&memClockKHz, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, dev) != CUDA_SUCCESS) memClockKHz = 0;
  if (drv.cuDeviceGetAttribute(&busWidth, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, dev) != CUDA_SUCCESS) busWidth = 0;
  napi_value v;
  napi_create_int32(env, memClockKHz, &v);
  setProp(env, out, "memoryClockKHz", v);
  napi_create_int32(env, busWidth, &v);
  setProp(env, out, "memoryBusBits", v);
  setProp(env, out, "ok", t);
  napi_create_string_utf8(env, "", 0, &s);
  setProp(env, out, "why", s);
  napi_create_int32(env, count, &v);
  setProp(env, out, "devices", v);
  napi_create_string_utf8(env, name, std::strlen(name), &s);
  setProp(env, out, "name", s);
  napi_create_int32(env, major, &v);
  setProp(env, out, "major", v);
  napi_create_int32(env, minor, &v);
  return setProp(env, out, "minor", v);
}

napi_value LoadModule(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 1);
  void* data = nullptr;
  size_t len = 0;
  if (a.empty() || !bytes(env, a[0], &data, &len)) return throwError(env, "loadModule(image: Uint8Array)");
  if (!ensureContext(env)) return nullptr;
  // cuModuleLoadData reads a PTX image up to its NUL, so the image is copied with one appended
  std::vector<char> image(static_cast<char*>(data), static_cast<char*>(data) + len);
  image.push_back('\0');
  CUmodule m = nullptr;
  CHECK_CU(drv.cuModuleLoadData(&m, image.data()), "cuModuleLoadData");
  modules.push_back(m);
  napi_value out;
  napi_create_uint32(env, uint32_t(modules.size() - 1), &out);
  return out;
}

napi_value GetFunction(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  uint32_t id = 0;
  char name[512];
  size_t n = 0;
  if (a.empty() || napi_get_value_uint32(env, a[0], &id) != napi_ok || napi_get_value_string_utf8(env, a[1], name, sizeof name, &n) != napi_ok || id >= modules.size())
    return throwError(env, "getFunction(moduleId, name)");
  CUfunction f = nullptr;
  CHECK_CU(drv.cuModuleGetFunction(&f, modules[id], name), std::string("cuModuleGetFunction ") + name);
  functions.push_back(f);
  napi_value out;
  napi_create_uint32(env, uint32_t(functions.size() - 1), &out);
  return out;
}

napi_value Alloc(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 1);
  double bytesWanted = 0;
  if (a.empty() || napi_get_value_double(env, a[0], &bytesWanted) != napi_ok || bytesWanted < 0) return throwError(env, "alloc(bytes)");
  if (!ensureContext(env)) return nullptr;
  CUdeviceptr p = 0;
  CHECK_CU(drv.cuMemAlloc(&p, size_t(bytesWanted) > 0 ? size_t(bytesWanted) : 4), "cuMemAlloc");
  napi_value out;
  napi_create_bigint_uint64(env, p, &out);
  return out;
}

bool pointer(napi_env env, napi_value v, CUdeviceptr* p) {
  bool lossless = false;
  uint64_t x = 0;
  if (napi_get_value_bigint_uint64(env, v, &x, &lossless) != napi_ok) return false;
  *p = x;
  return true;
}

napi_value Free(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 1);
  CUdeviceptr p = 0;
  if (a.empty() || !pointer(env, a[0], &p)) return throwError(env, "free(ptr: bigint)");
  if (!ensureContext(env)) return nullptr;
  CHECK_CU(drv.cuMemFree(p), "cuMemFree");
  return nullptr;
}

napi_value Upload(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  CUdeviceptr p = 0;
  void* data = nullptr;
  size_t len = 0;
  if (a.empty() || !pointer(env, a[0], &p) || !bytes(env, a[1], &data, &len)) return throwError(env, "upload(ptr: bigint, data: Uint8Array)");
  if (!ensureContext(env)) return nullptr;
  if (len) CHECK_CU(drv.cuMemcpyHtoD(p, data, len), "cuMemcpyHtoD");
  return nullptr;
}

napi_value Download(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  CUdeviceptr p = 0;
  void* data = nullptr;
  size_t len = 0;
  if (a.empty() || !pointer(env, a[0], &p) || !bytes(env, a[1], &data, &len)) return throwError(env, "download(ptr: bigint, into: Uint8Array)");
  if (!ensureContext(env)) return nullptr;
  if (len) CHECK_CU(drv.cuMemcpyDtoH(data, p, len), "cuMemcpyDtoH");
  return nullptr;
}

bool dims(napi_env env, napi_value v, unsigned out[3]) {
  for (uint32_t i = 0; i < 3; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_uint32(env, e, &out[i]) != napi_ok) return false;
  }
  return true;
}

napi_value Launch(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 5);
  uint32_t fn = 0, shared = 0;
  unsigned grid[3], block[3];
  void* data = nullptr;
  size_t len = 0;
  if (a.empty() || napi_get_value_uint32(env, a[0], &fn) != napi_ok || fn >= functions.size() || !dims(env, a[1], grid) || !dims(env, a[2], block) ||
      napi_get_value_uint32(env, a[3], &shared) != napi_ok || !bytes(env, a[4], &data, &len) || len % 8 != 0)
    return throwError(env, "launch(fnId, grid[3], block[3], sharedBytes, args: Uint8Array of 8-byte slots)");
  if (!ensureContext(env)) return nullptr;
  // kernelParams: one pointer per argument, each to its own 8-byte slot (a pointer, or a 4-byte scalar in the low bytes)
  std::vector<uint64_t> slots(len / 8);
  std::memcpy(slots.data(), data, len);
  std::vector<void*> params(slots.size());
  for (size_t i = 0; i < slots.size(); i++) params[i] = &slots[i];
  CHECK_CU(drv.cuLaunchKernel(functions[fn], grid[0], grid[1], grid[2], block[0], block[1], block[2], shared, nullptr, params.data(), nullptr), "cuLaunchKernel");
  CHECK_CU(drv.cuCtxSynchronize(), "kernel execution (cuCtxSynchronize)");
  return nullptr;
}

bool u32array(napi_env env, napi_value v, uint32_t** data, size_t* len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  size_t offset = 0;
  napi_value ab;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &offset) != napi_ok || type != napi_uint32_array) return false;
  *data = static_cast<uint32_t*>(p);
  return true;
}

napi_value RunList(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 3);
  uint32_t *fns = nullptr, *rec = nullptr;
  size_t nFns = 0, nRec = 0, nParams = 0;
  void* params = nullptr;
  if (a.empty() || !u32array(env, a[0], &fns, &nFns) || !u32array(env, a[1], &rec, &nRec) || !bytes(env, a[2], &params, &nParams) || nRec % 9 != 0)
    return throwError(env, "runList(fnIds: Uint32Array, records: Uint32Array of 9-word records, params: Uint8Array)");
  if (!ensureContext(env)) return nullptr;
  const size_t count = nRec / 9;
  std::vector<void*> slots;
  for (size_t i = 0; i < count; i++) {
    const uint32_t* r = rec + 9 * i;
    if (r[0] == 1) {
      const CUdeviceptr dst = CUdeviceptr(r[2]) | (CUdeviceptr(r[3]) << 32), src = CUdeviceptr(r[4]) | (CUdeviceptr(r[5]) << 32);
      CHECK_CU(drv.cuMemcpyDtoD(dst, src, r[6]), "cuMemcpyDtoD (launch list record " + std::to_string(i) + ")");
      continue;
    }
    if (r[0] != 0 || r[1] >= nFns || fns[r[1]] >= functions.size()) return throwError(env, "runList: record " + std::to_string(i) + " names no loaded function");
    // a launch's argument slots (8 bytes each) run up to the next launch's offset (or the end of the buffer)
    size_t end = nParams;
    for (size_t j = i + 1; j < count; j++)
      if (rec[9 * j] == 0) {
        end = rec[9 * j + 8];
        break;
      }
    const size_t begin = r[8];
    if (begin > end || end > nParams || (end - begin) % 8 != 0)
      return throwError(env, "runList: record " + std::to_string(i) + " has parameters outside the buffer or not in 8-byte slots");
    slots.resize((end - begin) / 8);
    for (size_t k = 0; k < slots.size(); k++) slots[k] = static_cast<char*>(params) + begin + 8 * k;
    CHECK_CU(drv.cuLaunchKernel(functions[fns[r[1]]], r[2], r[3], r[4], r[5], r[6], r[7], 0, nullptr, slots.data(), nullptr),
             "cuLaunchKernel (launch list record " + std::to_string(i) + ")");
  }
  CHECK_CU(drv.cuCtxSynchronize(), "launch list execution (cuCtxSynchronize)");
  return nullptr;
}

napi_value DeviceName(napi_env env, napi_callback_info) {
  if (!ensureContext(env)) return nullptr;
  char name[256] = {0};
  CHECK_CU(drv.cuDeviceGetName(name, sizeof name - 1, device), "cuDeviceGetName");
  napi_value out;
  napi_create_string_utf8(env, name, std::strlen(name), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"probe", nullptr, Probe, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loadModule", nullptr, LoadModule, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getFunction", nullptr, GetFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"alloc", nullptr, Alloc, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"free", nullptr, Free, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"upload", nullptr, Upload, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"download", nullptr, Download, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"launch", nullptr, Launch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"runList", nullptr, RunList, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"deviceName", nullptr, DeviceName, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
