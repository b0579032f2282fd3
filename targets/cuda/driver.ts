// The driver binding the cuda Backend (targets/cuda/backend/cuda-backend.ts) loads: openCudaDriver()
// over the Node-API addon (addon.ts, kiln_cuda.cc), synchronous like the driver API itself. The addon
// is built on first use (g++ and Node's headers); libcuda.so.1 is opened at run time.
import type { CudaDriver } from "./backend/cuda-backend.js";
import { loadAddonSync } from "./addon.js";

export function openCudaDriver(): CudaDriver {
  const cu = loadAddonSync();
  const encoder = new TextEncoder();
  return {
    deviceName: () => cu.deviceName(),
    memAlloc: (bytes) => cu.alloc(bytes),
    memFree: (ptr) => cu.free(ptr),
    memcpyHtoD: (dst, src) => cu.upload(dst, src),
    memcpyDtoH: (src, bytes) => {
      const out = new Uint8Array(bytes);
      cu.download(src, out);
      return out;
    },
    loadModule: (ptx) => cu.loadModule(encoder.encode(ptx)),
    getFunction: (module, name) => cu.getFunction(module, name),
    run: (functions, records, params) => cu.runList(Uint32Array.from(functions), records, params),
  };
}
