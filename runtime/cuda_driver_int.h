/* cuda_driver_int.h - the CUDA driver API as vyre-jit uses it, loaded with
 * dlopen("libcuda.so.1") at first use (no compile- or link-time CUDA
 * dependency: the types and constants below are our own declarations of
 * the driver's stable C ABI), the device a cuda backend runs on, the
 * mapping of CUresult to vy_status, the device memory pool and pinned
 * staging (cuda_mem.c) and PTX -> cubin -> module (cuda_module.c).
 *
 * Contexts: a device uses its primary context (cuDevicePrimaryCtxRetain),
 * shared by every backend of the process on that device. Every entry point
 * that calls the driver makes it current on the calling thread first
 * (vy_cuda_device_bind), so the backend works from any thread.
 */
#ifndef VYRE_CUDA_DRIVER_INT_H
#define VYRE_CUDA_DRIVER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"
#include "vyre/status.h"

/* ---- the driver's types and constants (cuda.h values) ---- */

typedef int vy_cu_result;   /* CUresult */
typedef int vy_cu_device;   /* CUdevice */
typedef uint64_t vy_cu_ptr; /* CUdeviceptr (64-bit builds) */
typedef struct vy_cu_ctx_s *vy_cu_context;
typedef struct vy_cu_mod_s *vy_cu_module;
typedef struct vy_cu_fn_s *vy_cu_function;
typedef struct vy_cu_stream_s *vy_cu_stream;
typedef struct vy_cu_event_s *vy_cu_event;
typedef struct vy_cu_link_s *vy_cu_link;

enum {
  VY_CU_SUCCESS = 0,
  VY_CU_ERROR_INVALID_VALUE = 1,
  VY_CU_ERROR_OUT_OF_MEMORY = 2,
  VY_CU_ERROR_NOT_INITIALIZED = 3,
  VY_CU_ERROR_INSUFFICIENT_DRIVER = 35,
  VY_CU_ERROR_DEVICE_UNAVAILABLE = 46,
  VY_CU_ERROR_NO_DEVICE = 100,
  VY_CU_ERROR_INVALID_DEVICE = 101,
  VY_CU_ERROR_INVALID_IMAGE = 200,
  VY_CU_ERROR_NO_BINARY_FOR_GPU = 209,
  VY_CU_ERROR_INVALID_PTX = 218,
  VY_CU_ERROR_JIT_COMPILER_NOT_FOUND = 221,
  VY_CU_ERROR_UNSUPPORTED_PTX_VERSION = 222,
  VY_CU_ERROR_SHARED_OBJECT_INIT_FAILED = 303,
  VY_CU_ERROR_NOT_FOUND = 500,
  VY_CU_ERROR_NOT_READY = 600,
  VY_CU_ERROR_ILLEGAL_ADDRESS = 700,
  VY_CU_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
  VY_CU_ERROR_LAUNCH_TIMEOUT = 702,
  VY_CU_ERROR_LAUNCH_FAILED = 719,
  VY_CU_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
  VY_CU_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804,
};

/* CUdevice_attribute values we read. */
enum {
  VY_CU_ATTR_MAX_THREADS_PER_BLOCK = 1,
  VY_CU_ATTR_MAX_BLOCK_DIM_X = 2,
  VY_CU_ATTR_MAX_BLOCK_DIM_Y = 3,
  VY_CU_ATTR_MAX_BLOCK_DIM_Z = 4,
  VY_CU_ATTR_MAX_GRID_DIM_X = 5,
  VY_CU_ATTR_MAX_SHARED_MEMORY_PER_BLOCK = 8,
  VY_CU_ATTR_WARP_SIZE = 10,
  VY_CU_ATTR_MULTIPROCESSOR_COUNT = 16,
  VY_CU_ATTR_CC_MAJOR = 75,
  VY_CU_ATTR_CC_MINOR = 76,
};

/* CUjit_option values and CUjitInputType. */
enum {
  VY_CU_JIT_INFO_LOG_BUFFER = 3,
  VY_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  VY_CU_JIT_ERROR_LOG_BUFFER = 5,
  VY_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  VY_CU_JIT_INPUT_PTX = 1,
  VY_CU_FUNC_ATTR_SHARED_SIZE_BYTES = 1,
  VY_CU_STREAM_NON_BLOCKING = 1,
  VY_CU_EVENT_DEFAULT = 0,
};

/* The entry points vyre-jit calls (versioned symbols as cuda.h maps them). */
typedef struct vy_cuda_api {
  vy_cu_result (*Init)(unsigned flags);
  vy_cu_result (*DriverGetVersion)(int *v);
  vy_cu_result (*GetErrorName)(vy_cu_result r, const char **s);
  vy_cu_result (*GetErrorString)(vy_cu_result r, const char **s);
  vy_cu_result (*DeviceGetCount)(int *n);
  vy_cu_result (*DeviceGet)(vy_cu_device *d, int ordinal);
  vy_cu_result (*DeviceGetName)(char *name, int len, vy_cu_device d);
  vy_cu_result (*DeviceGetAttribute)(int *v, int attr, vy_cu_device d);
  vy_cu_result (*DeviceTotalMem)(size_t *bytes, vy_cu_device d);
  vy_cu_result (*DevicePrimaryCtxRetain)(vy_cu_context *c, vy_cu_device d);
  vy_cu_result (*DevicePrimaryCtxRelease)(vy_cu_device d);
  vy_cu_result (*CtxSetCurrent)(vy_cu_context c);
  vy_cu_result (*MemGetInfo)(size_t *free_bytes, size_t *total);
  vy_cu_result (*MemAlloc)(vy_cu_ptr *p, size_t bytes);
  vy_cu_result (*MemFree)(vy_cu_ptr p);
  vy_cu_result (*MemAllocHost)(void **p, size_t bytes);
  vy_cu_result (*MemFreeHost)(void *p);
  vy_cu_result (*MemcpyHtoDAsync)(vy_cu_ptr dst, const void *src, size_t n, vy_cu_stream s);
  vy_cu_result (*MemcpyDtoHAsync)(void *dst, vy_cu_ptr src, size_t n, vy_cu_stream s);
  vy_cu_result (*MemsetD8Async)(vy_cu_ptr dst, unsigned char v, size_t n, vy_cu_stream s);
  vy_cu_result (*StreamCreate)(vy_cu_stream *s, unsigned flags);
  vy_cu_result (*StreamDestroy)(vy_cu_stream s);
  vy_cu_result (*StreamSynchronize)(vy_cu_stream s);
  vy_cu_result (*StreamQuery)(vy_cu_stream s);
  vy_cu_result (*EventCreate)(vy_cu_event *e, unsigned flags);
  vy_cu_result (*EventDestroy)(vy_cu_event e);
  vy_cu_result (*EventRecord)(vy_cu_event e, vy_cu_stream s);
  vy_cu_result (*EventSynchronize)(vy_cu_event e);
  vy_cu_result (*EventElapsedTime)(float *ms, vy_cu_event start, vy_cu_event end);
  vy_cu_result (*LinkCreate)(unsigned n, int *opts, void **vals, vy_cu_link *out);
  vy_cu_result (*LinkAddData)(vy_cu_link l, int type, void *data, size_t size, const char *name, unsigned n, int *opts,
                              void **vals);
  vy_cu_result (*LinkComplete)(vy_cu_link l, void **cubin, size_t *size);
  vy_cu_result (*LinkDestroy)(vy_cu_link l);
  vy_cu_result (*ModuleLoadData)(vy_cu_module *m, const void *image);
  vy_cu_result (*ModuleUnload)(vy_cu_module m);
  vy_cu_result (*ModuleGetFunction)(vy_cu_function *f, vy_cu_module m, const char *name);
  vy_cu_result (*FuncGetAttribute)(int *v, int attr, vy_cu_function f);
  vy_cu_result (*LaunchKernel)(vy_cu_function f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned shared, vy_cu_stream s, void **params, void **extra);
  vy_cu_result (*MemcpyDtoDAsync)(vy_cu_ptr dst, vy_cu_ptr src, size_t n, vy_cu_stream s);
} vy_cuda_api;

/* Loads libcuda.so.1 and cuInit(0)s it, once per process (thread-safe);
 * every later call returns the same outcome. *out is the process-wide
 * table (immutable). Errors: VY_E_UNSUPPORTED "no NVIDIA driver ..." (the
 * library is missing or lacks an entry point), or the mapped cuInit
 * failure (no device, driver too old: VY_E_UNSUPPORTED). */
vy_status vy_cuda_api_get(const vy_cuda_api **out, vy_error *err);

/* Tests only: from now on vy_cuda_api_get returns `fake` (an emulation of
 * the driver on host memory) instead of loading libcuda.so.1; NULL goes
 * back to the real driver. Call it before any cuda backend is opened and
 * close them all before changing it again. */
void vy_cuda_api_override(const vy_cuda_api *fake);

/* Turns a failed driver call into a vy_status on *err: "<what>: CUDA
 * error <NAME> (<code>): <driver's text>. Fix: <hint>". The status is
 * VY_E_DEVICE_OOM for out-of-memory, VY_E_UNSUPPORTED for no device / no
 * usable driver, VY_E_COMPILE_FAILED for PTX and image errors, and
 * `fallback` otherwise (VY_E_DISPATCH_FAILED for launches and copies).
 * Returns the status. `r` must not be VY_CU_SUCCESS. Thread-safe. */
vy_status vy_cuda_error(const vy_cuda_api *api, vy_cu_result r, vy_status fallback, const char *what, vy_error *err);

/* One device and its primary context, as a backend holds it. */
typedef struct vy_cuda_device {
  const vy_cuda_api *api;
  vy_cu_device dev;
  vy_cu_context ctx;
  int ordinal;
  char name[128];
  int cc_major, cc_minor;         /* compute capability */
  int driver_version;             /* cuDriverGetVersion: 1000 * major + 10 * minor */
  uint32_t max_threads_per_block; /* 1024 on every current GPU */
  uint32_t max_block[3];
  uint32_t max_grid_x;
  uint32_t warp_size;
  uint32_t sm_count;
  uint64_t shared_per_block; /* static shared memory a block may use */
  uint64_t total_mem;
} vy_cuda_device;

/* Opens device `ordinal` ($VYRE_CUDA_DEVICE, else 0, when ordinal < 0):
 * retains its primary context and reads its attributes. Errors: those of
 * vy_cuda_api_get, VY_E_UNSUPPORTED (no such device: the message says how
 * many there are). Thread-safe. */
vy_status vy_cuda_device_open(int ordinal, vy_cuda_device *out, vy_error *err);

/* Releases the primary context. The device's modules and memory must be
 * freed before. */
void vy_cuda_device_close(vy_cuda_device *d);

/* Makes the device's context current on the calling thread. Errors:
 * VY_E_DISPATCH_FAILED (mapped). Cheap; call at every entry point. */
vy_status vy_cuda_device_bind(const vy_cuda_device *d, vy_error *err);

/* The highest PTX ISA version (x10) the installed driver loads: CUDA
 * 12.0 -> 80, 12.x -> 80 + x, 13.x -> 90 + x, 11.x -> 70 + x (capped at
 * 78 for 11.8), older -> 0 ("unknown", the caller then keeps LLVM's
 * default). */
unsigned vy_cuda_driver_ptx_isa(int driver_version);

/* ---- cuda_mem.c: device memory pool and pinned host staging ---- */

/* A pool of device (or pinned host) blocks in power-of-two size classes,
 * so repeated dispatches of one shape allocate nothing. Thread-safe. */
typedef struct vy_cuda_pool vy_cuda_pool;

typedef struct vy_cuda_block {
  vy_cu_ptr dptr; /* device pools */
  void *host;     /* host pools */
  size_t size;    /* bytes usable (the class size) */
  void *rec;      /* the pool's record of the block, allocated with it (so that a put never allocates) */
} vy_cuda_block;

/* Creates a pool of device memory (host = false) or pinned host memory
 * (host = true) on `d` keeping at most `max_cached` idle bytes. Errors:
 * VY_E_NOMEM, VY_E_INTERNAL (mutex). */
vy_status vy_cuda_pool_create(const vy_cuda_device *d, bool host, uint64_t max_cached, const vy_allocator *alloc,
                              vy_cuda_pool **out, vy_error *err);
/* Frees every idle block and the pool. Blocks still out are leaked to the
 * driver (freed with the context). The device's context must be current. */
void vy_cuda_pool_destroy(vy_cuda_pool *p);
/* A block of at least `bytes` (>= 1) bytes, from the idle list or newly
 * allocated; when the driver is out of memory the idle blocks are freed
 * and the allocation tried once more. The device's context must be current.
 * Errors: VY_E_DEVICE_OOM (message with the request and the free memory),
 * VY_E_NOMEM (host bookkeeping). */
vy_status vy_cuda_pool_get(vy_cuda_pool *p, size_t bytes, vy_cuda_block *out, vy_error *err);
/* Returns a block to the pool (kept idle, or freed past max_cached). Never
 * allocates. An empty block (size 0) is a no-op. */
void vy_cuda_pool_put(vy_cuda_pool *p, vy_cuda_block *b);

/* ---- cuda_module.c: PTX -> cubin -> loaded module ---- */

/* Links PTX text (NUL-terminated, len without the NUL) into a cubin with
 * the driver's linker (cuLinkCreate / cuLinkAddData / cuLinkComplete) for
 * the device's SM; *cubin (empty on entry) gets a copy allocated with
 * `alloc`. Errors: VY_E_COMPILE_FAILED with the linker's error log (and
 * its info log when $VYRE_CUDA_LINK_LOG is set it goes to stderr),
 * VY_E_NOMEM, VY_E_DEVICE_OOM. The device's context must be current. */
vy_status vy_cuda_link_ptx(const vy_cuda_device *d, const char *ptx, size_t len, const vy_allocator *alloc,
                           vy_bytes *cubin, vy_error *err);

/* A loaded module and its kernel entry. */
typedef struct vy_cuda_module {
  const vy_cuda_api *api;
  vy_cu_context ctx;
  vy_cu_module mod;
  vy_cu_function fn;
  uint64_t static_shared; /* CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES */
  const vy_allocator *alloc;
} vy_cuda_module;

/* Loads a cubin (or PTX) image and finds `entry` in it; *out is allocated
 * with `alloc` (free with vy_cuda_module_destroy). Errors:
 * VY_E_COMPILE_FAILED (image rejected, no such entry), VY_E_NOMEM. The
 * device's context must be current. */
vy_status vy_cuda_module_load(const vy_cuda_device *d, const void *image, const char *entry, const vy_allocator *alloc,
                              vy_cuda_module **out, vy_error *err);

/* Unloads and frees (the shape of vy_kcache_kernel.destroy; ctx unused).
 * Makes the module's context current. NULL is a no-op. */
void vy_cuda_module_destroy(void *module, void *ctx);

#endif
