/* cuda_module.c - PTX to cubin with the driver's linker, and loading a
 * cubin as a module with its kernel entry (cuda_driver_int.h). The memory
 * cache of loaded modules is the kernel cache (lib/cache_int.h) with the
 * backend instance (which holds the CUDA context) as its domain:
 * jit/backend_cuda.c hands it the loaded code and its destroy function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_driver_int.h"
#include "error_int.h"

#define LOG_BYTES 8192u

vy_status vy_cuda_link_ptx(const vy_cuda_device *d, const char *ptx, size_t len, const vy_allocator *alloc,
                           vy_bytes *cubin, vy_error *err) {
  const vy_cuda_api *api = d->api;
  char *elog = vy_mem_calloc(alloc, 2, LOG_BYTES);
  if (!elog) return vy_error_nomem(err);
  char *ilog = elog + LOG_BYTES;
  int opts[4] = {VY_CU_JIT_ERROR_LOG_BUFFER, VY_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, VY_CU_JIT_INFO_LOG_BUFFER,
                 VY_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  void *vals[4] = {elog, (void *)(uintptr_t)(LOG_BYTES - 1), ilog, (void *)(uintptr_t)(LOG_BYTES - 1)};
  vy_cu_link link = NULL;
  vy_status st = VY_OK;
  const char *what = "cuLinkCreate";
  vy_cu_result r = api->LinkCreate(4, opts, vals, &link);
  if (r == VY_CU_SUCCESS) {
    what = "cuLinkAddData (PTX)";
    r = api->LinkAddData(link, VY_CU_JIT_INPUT_PTX, (void *)ptx, len + 1, "vyre_kernel.ptx", 0, NULL, NULL);
  }
  void *image = NULL;
  size_t size = 0;
  if (r == VY_CU_SUCCESS) {
    what = "cuLinkComplete";
    r = api->LinkComplete(link, &image, &size);
  }
  const char *show = getenv("VYRE_CUDA_LINK_LOG");
  if (show && *show && ilog[0]) fprintf(stderr, "vyre-jit cuda link: %s\n", ilog);
  if (r != VY_CU_SUCCESS) {
    vy_error e;
    st = vy_cuda_error(api, r, VY_E_COMPILE_FAILED, what, &e);
    const char *name = NULL;
    api->GetErrorName(r, &name);
    if (st == VY_E_COMPILE_FAILED || st == VY_E_DISPATCH_FAILED)
      st = vy_error_set(err, VY_E_COMPILE_FAILED,
                        "the CUDA linker rejected the PTX for sm_%d%d (%s: %s): %.700s. Fix: update the NVIDIA "
                        "driver if the log names the PTX version, else report the program as a vyre-jit bug",
                        d->cc_major, d->cc_minor, what, name ? name : "?", elog[0] ? elog : "(no linker log)");
    else if (err)
      *err = e; /* out of memory, no device: the driver's own mapping */
  } else if (!image || !size) {
    st = vy_error_set(err, VY_E_COMPILE_FAILED, "cuLinkComplete returned no cubin. Fix: update the NVIDIA driver");
  } else {
    cubin->alloc = alloc;
    if (vy_bytes_append(cubin, image, size)) st = vy_error_nomem(err);
  }
  if (link) api->LinkDestroy(link); /* owns the cubin image */
  vy_mem_free(alloc, elog, 2 * LOG_BYTES);
  return st;
}

vy_status vy_cuda_module_load(const vy_cuda_device *d, const void *image, const char *entry, const vy_allocator *alloc,
                              vy_cuda_module **out, vy_error *err) {
  *out = NULL;
  vy_cuda_module *m = vy_mem_calloc(alloc, 1, sizeof *m);
  if (!m) return vy_error_nomem(err);
  m->api = d->api;
  m->ctx = d->ctx;
  m->alloc = alloc;
  vy_cu_result r = d->api->ModuleLoadData(&m->mod, image);
  if (r != VY_CU_SUCCESS) {
    vy_status st = vy_cuda_error(d->api, r, VY_E_COMPILE_FAILED, "cuModuleLoadData", err);
    vy_mem_free(alloc, m, sizeof *m);
    return st;
  }
  r = d->api->ModuleGetFunction(&m->fn, m->mod, entry);
  int shared = 0;
  if (r == VY_CU_SUCCESS) r = d->api->FuncGetAttribute(&shared, VY_CU_FUNC_ATTR_SHARED_SIZE_BYTES, m->fn);
  if (r != VY_CU_SUCCESS) {
    vy_status st = vy_cuda_error(d->api, r, VY_E_COMPILE_FAILED, "cuModuleGetFunction", err);
    d->api->ModuleUnload(m->mod);
    vy_mem_free(alloc, m, sizeof *m);
    return st;
  }
  m->static_shared = shared > 0 ? (uint64_t)shared : 0;
  *out = m;
  return VY_OK;
}

void vy_cuda_module_destroy(void *module, void *ctx) {
  (void)ctx;
  vy_cuda_module *m = module;
  if (!m) return;
  m->api->CtxSetCurrent(m->ctx);
  m->api->ModuleUnload(m->mod);
  vy_mem_free(m->alloc, m, sizeof *m);
}
