/* native_lib.c - finding and opening the native baseline library. */
#define _GNU_SOURCE /* readlink, RTLD_NODELETE */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_int.h"
#include "error_int.h"

#ifndef VY_BENCH_NATIVE_NAME
#define VY_BENCH_NATIVE_NAME "libvyre_bench_native.so"
#endif

void vyb_lib_path(const char *given, const char *env_var, const char *file, char *buf, size_t cap) {
  const char *env = getenv(env_var);
  buf[0] = 0;
  if (given) {
    snprintf(buf, cap, "%s", given);
  } else if (env && *env) {
    snprintf(buf, cap, "%s", env);
  } else {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return;
    *slash = 0;
    if (snprintf(buf, cap, "%s/bench/%s", exe, file) >= (int)cap) buf[0] = 0;
  }
}

vy_status vyb_native_open(const char *path, vyb_native_lib *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  vyb_lib_path(path, "VYRE_BENCH_NATIVE", VY_BENCH_NATIVE_NAME, out->path, sizeof out->path);
  if (!out->path[0])
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "cannot locate the native baseline library. Fix: pass --native PATH or set VYRE_BENCH_NATIVE");
  /* never unmapped: the OpenMP runtime inside keeps worker threads alive */
  out->handle = dlopen(out->path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!out->handle) {
    const char *why = dlerror();
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "cannot load the native baselines: %s. Fix: build the vyre_bench_native target (part of the "
                        "default build) or pass --native PATH",
                        why ? why : out->path);
  }
  int (*abi)(void);
  const char *(*info)(void);
  *(void **)&abi = dlsym(out->handle, "vyb_native_abi");
  *(void **)&info = dlsym(out->handle, "vyb_native_build_info");
  *(void **)&out->stream = dlsym(out->handle, "vyb_stream");
  *(void **)&out->shutdown = dlsym(out->handle, "vyb_native_shutdown");
  if (!abi || !info || !out->stream || !out->shutdown || abi() != VYB_NATIVE_ABI) {
    vy_status st = vy_error_set(err, VY_E_UNSUPPORTED,
                                "'%s' is not a native baseline library of this vyre-jit (ABI %d expected). Fix: "
                                "rebuild it with this tree",
                                out->path, VYB_NATIVE_ABI);
    vyb_native_close(out);
    return st;
  }
  out->info = info();
  return VY_OK;
}

vyb_native_fn vyb_native_lookup(const vyb_native_lib *lib, const char *name) {
  char sym[128];
  if (!lib->handle || snprintf(sym, sizeof sym, "vyb_native_%s", name) >= (int)sizeof sym) return NULL;
  vyb_native_fn fn;
  *(void **)&fn = dlsym(lib->handle, sym);
  return fn;
}

void vyb_native_close(vyb_native_lib *lib) {
  if (lib->shutdown) lib->shutdown();
  if (lib->handle) dlclose(lib->handle);
  memset(lib, 0, sizeof *lib);
}
