/* cuda_driver.c - the CUDA driver API loaded at first use, the device a
 * cuda backend runs on, and CUresult -> vy_status (cuda_driver_int.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_driver_int.h"
#include "error_int.h"

#define DRIVER_LIBRARY "libcuda.so.1"

/* ---- loading, once per process ---- */

static pthread_once_t api_once = PTHREAD_ONCE_INIT;
static vy_cuda_api api_table;
static vy_status api_status = VY_OK;
static vy_error api_err; /* the outcome of the one load, copied to every caller */

/* Symbol names in the order of vy_cuda_api's members; "a|b" tries a, then b
 * (versioned names first, as cuda.h maps them). */
static const char *const api_symbols[] = {
    "cuInit",
    "cuDriverGetVersion",
    "cuGetErrorName",
    "cuGetErrorString",
    "cuDeviceGetCount",
    "cuDeviceGet",
    "cuDeviceGetName",
    "cuDeviceGetAttribute",
    "cuDeviceTotalMem_v2",
    "cuDevicePrimaryCtxRetain",
    "cuDevicePrimaryCtxRelease_v2",
    "cuCtxSetCurrent",
    "cuMemGetInfo_v2",
    "cuMemAlloc_v2",
    "cuMemFree_v2",
    "cuMemAllocHost_v2",
    "cuMemFreeHost",
    "cuMemcpyHtoDAsync_v2",
    "cuMemcpyDtoHAsync_v2",
    "cuMemsetD8Async",
    "cuStreamCreate",
    "cuStreamDestroy_v2",
    "cuStreamSynchronize",
    "cuStreamQuery",
    "cuEventCreate",
    "cuEventDestroy_v2",
    "cuEventRecord",
    "cuEventSynchronize",
    "cuEventElapsedTime_v2|cuEventElapsedTime",
    "cuLinkCreate_v2",
    "cuLinkAddData_v2",
    "cuLinkComplete",
    "cuLinkDestroy",
    "cuModuleLoadData",
    "cuModuleUnload",
    "cuModuleGetFunction",
    "cuFuncGetAttribute",
    "cuLaunchKernel",
    "cuMemcpyDtoDAsync_v2",
};

_Static_assert(sizeof api_symbols / sizeof *api_symbols == sizeof(vy_cuda_api) / sizeof(void (*)(void)),
               "one symbol per vy_cuda_api member");

static void *find_symbol(void *lib, const char *names) {
  char buf[96];
  snprintf(buf, sizeof buf, "%s", names);
  for (char *save = NULL, *n = strtok_r(buf, "|", &save); n; n = strtok_r(NULL, "|", &save)) {
    void *f = dlsym(lib, n);
    if (f) return f;
  }
  return NULL;
}

static void api_load(void) {
  vy_error_clear(&api_err);
  void *lib = dlopen(DRIVER_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    api_status = vy_error_set(&api_err, VY_E_UNSUPPORTED,
                              "no NVIDIA driver (" DRIVER_LIBRARY " not found: %s). Fix: install the NVIDIA driver "
                              "and make " DRIVER_LIBRARY " loadable (ldconfig or LD_LIBRARY_PATH), or use the "
                              "llvm-cpu backend",
                              why ? why : "dlopen failed");
    return;
  }
  void (**slots)(void) = (void (**)(void)) & api_table;
  for (size_t i = 0; i < sizeof api_symbols / sizeof *api_symbols; i++) {
    void *f = find_symbol(lib, api_symbols[i]);
    if (!f) {
      api_status = vy_error_set(&api_err, VY_E_UNSUPPORTED,
                                "no usable NVIDIA driver: " DRIVER_LIBRARY " lacks `%s` (the driver is too old). Fix: "
                                "install an NVIDIA driver for CUDA 11.0 or newer, or use the llvm-cpu backend",
                                api_symbols[i]);
      dlclose(lib);
      return;
    }
    memcpy(&slots[i], &f, sizeof f); /* object pointer -> function pointer, as dlsym requires */
  }
  /* The library stays loaded for the life of the process: modules and
   * contexts of the driver may outlive any one backend. */
  vy_cu_result r = api_table.Init(0);
  if (r != VY_CU_SUCCESS) api_status = vy_cuda_error(&api_table, r, VY_E_UNSUPPORTED, "cuInit", &api_err);
}

static _Atomic(const vy_cuda_api *) api_override;

void vy_cuda_api_override(const vy_cuda_api *fake) { atomic_store(&api_override, fake); }

vy_status vy_cuda_api_get(const vy_cuda_api **out, vy_error *err) {
  const vy_cuda_api *fake = atomic_load(&api_override);
  if (fake) {
    *out = fake;
    return VY_OK;
  }
  pthread_once(&api_once, api_load);
  *out = api_status == VY_OK ? &api_table : NULL;
  if (api_status != VY_OK && err) *err = api_err;
  return api_status;
}

/* ---- errors ---- */

vy_status vy_cuda_error(const vy_cuda_api *api, vy_cu_result r, vy_status fallback, const char *what, vy_error *err) {
  const char *name = NULL, *text = NULL;
  if (api && api->GetErrorName) api->GetErrorName(r, &name);
  if (api && api->GetErrorString) api->GetErrorString(r, &text);
  vy_status st = fallback;
  const char *fix = "check the driver's message above; rerun with compute-sanitizer if it persists";
  switch (r) {
  case VY_CU_ERROR_OUT_OF_MEMORY:
    st = VY_E_DEVICE_OOM;
    fix = "use smaller buffers, free device memory held by other processes (nvidia-smi), or use the llvm-cpu "
          "backend";
    break;
  case VY_CU_ERROR_NO_DEVICE:
  case VY_CU_ERROR_INVALID_DEVICE:
    st = VY_E_UNSUPPORTED;
    fix = "run on a machine with an NVIDIA GPU (check nvidia-smi and CUDA_VISIBLE_DEVICES), or use the llvm-cpu "
          "backend";
    break;
  case VY_CU_ERROR_INSUFFICIENT_DRIVER:
  case VY_CU_ERROR_SYSTEM_DRIVER_MISMATCH:
  case VY_CU_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE:
  case VY_CU_ERROR_NOT_INITIALIZED:
    st = VY_E_UNSUPPORTED;
    fix = "install a matching NVIDIA kernel driver and " DRIVER_LIBRARY " (same version), or use the llvm-cpu backend";
    break;
  case VY_CU_ERROR_DEVICE_UNAVAILABLE:
    st = VY_E_UNSUPPORTED;
    fix = "the GPU is in exclusive or prohibited compute mode or busy: free it or pick another with "
          "VYRE_CUDA_DEVICE";
    break;
  case VY_CU_ERROR_INVALID_PTX:
  case VY_CU_ERROR_UNSUPPORTED_PTX_VERSION:
  case VY_CU_ERROR_NO_BINARY_FOR_GPU:
  case VY_CU_ERROR_INVALID_IMAGE:
  case VY_CU_ERROR_JIT_COMPILER_NOT_FOUND:
  case VY_CU_ERROR_SHARED_OBJECT_INIT_FAILED:
    st = VY_E_COMPILE_FAILED;
    fix = "update the NVIDIA driver (the PTX may be newer than it loads), clear the kernel cache (vyre-jit cache "
          "clear), and report the program as a vyre-jit bug if it persists";
    break;
  case VY_CU_ERROR_ILLEGAL_ADDRESS:
  case VY_CU_ERROR_LAUNCH_FAILED:
  case VY_CU_ERROR_LAUNCH_TIMEOUT:
    st = VY_E_DISPATCH_FAILED;
    fix = "the GPU context is unusable after this error: close the backend and open it again, and report the "
          "program as a vyre-jit bug (kernels must never fault)";
    break;
  case VY_CU_ERROR_LAUNCH_OUT_OF_RESOURCES:
    st = VY_E_DISPATCH_FAILED;
    fix = "use a smaller workgroup (workgroup_override) or fewer live values per invocation";
    break;
  default:
    break;
  }
  return vy_error_set(err, st, "%s: CUDA error %s (%d): %s. Fix: %s", what, name ? name : "?", r,
                      text ? text : "unknown error", fix);
}

/* ---- devices ---- */

unsigned vy_cuda_driver_ptx_isa(int v) {
  int major = v / 1000, minor = (v % 1000) / 10;
  if (major >= 13) return 90u + (unsigned)minor;
  if (major == 12) return 80u + (unsigned)minor;
  if (major == 11) return minor >= 8 ? 78u : 70u + (unsigned)minor;
  return 0;
}

static vy_status attr(const vy_cuda_device *d, int which, uint32_t *out, vy_error *err) {
  int v = 0;
  vy_cu_result r = d->api->DeviceGetAttribute(&v, which, d->dev);
  if (r != VY_CU_SUCCESS) return vy_cuda_error(d->api, r, VY_E_UNSUPPORTED, "cuDeviceGetAttribute", err);
  *out = v < 0 ? 0 : (uint32_t)v;
  return VY_OK;
}

static int device_ordinal(int ordinal) {
  if (ordinal >= 0) return ordinal;
  const char *s = getenv("VYRE_CUDA_DEVICE");
  if (!s || !*s) return 0;
  char *end;
  long v = strtol(s, &end, 10);
  return *end || v < 0 || v > 1 << 20 ? -1 : (int)v;
}

vy_status vy_cuda_device_open(int ordinal, vy_cuda_device *d, vy_error *err) {
  memset(d, 0, sizeof *d);
  vy_status st = vy_cuda_api_get(&d->api, err);
  if (st != VY_OK) return st;
  const vy_cuda_api *api = d->api;
  int count = 0;
  vy_cu_result r = api->DeviceGetCount(&count);
  if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_UNSUPPORTED, "cuDeviceGetCount", err);
  d->ordinal = device_ordinal(ordinal);
  if (count <= 0)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "no CUDA device: the NVIDIA driver is installed but sees no GPU. Fix: check nvidia-smi and "
                        "CUDA_VISIBLE_DEVICES, or use the llvm-cpu backend");
  if (d->ordinal < 0 || d->ordinal >= count)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "CUDA device %d does not exist (%d device(s); VYRE_CUDA_DEVICE picks one). Fix: use an "
                        "ordinal from 0 to %d",
                        d->ordinal, count, count - 1);
  r = api->DeviceGet(&d->dev, d->ordinal);
  if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_UNSUPPORTED, "cuDeviceGet", err);
  if (api->DeviceGetName(d->name, (int)sizeof d->name, d->dev) != VY_CU_SUCCESS) snprintf(d->name, sizeof d->name, "?");
  r = api->DriverGetVersion(&d->driver_version);
  if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_UNSUPPORTED, "cuDriverGetVersion", err);
  uint32_t major = 0, minor = 0, shared = 0;
  st = attr(d, VY_CU_ATTR_CC_MAJOR, &major, err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_CC_MINOR, &minor, err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MAX_THREADS_PER_BLOCK, &d->max_threads_per_block, err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MAX_BLOCK_DIM_X, &d->max_block[0], err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MAX_BLOCK_DIM_Y, &d->max_block[1], err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MAX_BLOCK_DIM_Z, &d->max_block[2], err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MAX_GRID_DIM_X, &d->max_grid_x, err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_WARP_SIZE, &d->warp_size, err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MULTIPROCESSOR_COUNT, &d->sm_count, err);
  if (st == VY_OK) st = attr(d, VY_CU_ATTR_MAX_SHARED_MEMORY_PER_BLOCK, &shared, err);
  if (st != VY_OK) return st;
  d->cc_major = (int)major;
  d->cc_minor = (int)minor;
  d->shared_per_block = shared;
  size_t total = 0;
  r = api->DeviceTotalMem(&total, d->dev);
  if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_UNSUPPORTED, "cuDeviceTotalMem", err);
  d->total_mem = total;
  r = api->DevicePrimaryCtxRetain(&d->ctx, d->dev);
  if (r != VY_CU_SUCCESS) {
    d->ctx = NULL;
    return vy_cuda_error(api, r, VY_E_UNSUPPORTED, "cuDevicePrimaryCtxRetain", err);
  }
  st = vy_cuda_device_bind(d, err);
  if (st != VY_OK) vy_cuda_device_close(d);
  return st;
}

void vy_cuda_device_close(vy_cuda_device *d) {
  if (d->ctx) d->api->DevicePrimaryCtxRelease(d->dev);
  d->ctx = NULL;
}

vy_status vy_cuda_device_bind(const vy_cuda_device *d, vy_error *err) {
  vy_cu_result r = d->api->CtxSetCurrent(d->ctx);
  return r == VY_CU_SUCCESS ? VY_OK : vy_cuda_error(d->api, r, VY_E_DISPATCH_FAILED, "cuCtxSetCurrent", err);
}
