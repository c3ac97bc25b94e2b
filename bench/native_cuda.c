/* native_cuda.c - the CUDA C baselines: finding and opening
 * libvyb_cuda.so, checking a program's baseline against the oracle and
 * timing its kernel (native_cuda.h). */
#define _GNU_SOURCE /* readlink, RTLD_NODELETE */
#include "native_cuda.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"
#include "native/cuda/vyb_cuda.h"

#ifndef VY_BENCH_CUDA_NAME
#define VY_BENCH_CUDA_NAME "libvyb_cuda.so"
#endif

/* The most timed launches of one program (each resets its read_write
 * buffers first, so the wall time grows with them). */
enum { MAX_REPS = 2000 };

vy_status vyb_cuda_open(const char *path, vyb_cuda_lib *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  vyb_lib_path(path, "VYRE_BENCH_CUDA", VY_BENCH_CUDA_NAME, out->path, sizeof out->path);
  if (!out->path[0])
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "cannot locate the CUDA baseline library. Fix: set VYRE_BENCH_CUDA to libvyb_cuda.so");
  /* never unmapped: the CUDA runtime inside registers exit handlers */
  out->handle = dlopen(out->path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!out->handle) {
    const char *why = dlerror();
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "cannot load the CUDA baselines: %s. Fix: build with nvcc on the PATH or in /usr/local/cuda/bin "
                        "(cmake/cuda_baselines.cmake builds bench/libvyb_cuda.so), or set VYRE_BENCH_CUDA",
                        why ? why : out->path);
  }
  int (*abi)(void), (*probe)(char *, size_t);
  const char *(*info)(void);
  *(void **)&abi = dlsym(out->handle, "vyb_cuda_abi");
  *(void **)&info = dlsym(out->handle, "vyb_cuda_build_info");
  *(void **)&probe = dlsym(out->handle, "vyb_cuda_probe");
  *(void **)&out->last_error = dlsym(out->handle, "vyb_cuda_last_error");
  vy_status st = VY_OK;
  if (!abi || !info || !probe || !out->last_error || abi() != VYB_CUDA_ABI)
    st = vy_error_set(err, VY_E_UNSUPPORTED,
                      "'%s' is not a CUDA baseline library of this vyre-jit (ABI %d expected). Fix: rebuild it with "
                      "this tree",
                      out->path, VYB_CUDA_ABI);
  else if (probe(out->device, sizeof out->device) != 0)
    st = vy_error_set(err, VY_E_UNSUPPORTED, "no GPU to run the CUDA baselines on: %s. Fix: run on a machine with "
                      "an NVIDIA GPU (sm_80 or newer) and its driver", out->device);
  if (st != VY_OK) {
    vyb_cuda_close(out);
    return st;
  }
  out->info = info();
  return VY_OK;
}

void vyb_cuda_close(vyb_cuda_lib *lib) {
  if (lib->handle) dlclose(lib->handle);
  memset(lib, 0, sizeof *lib);
}

/* Runs `fn` with `reps` launches on a fresh copy of `d`'s buffers and
 * compares the returned buffers with `want`; *diff gets the comparison,
 * *wall the seconds the call took. VYB_FAILED with x->message set when
 * the call itself failed. */
static vyb_outcome run_checked(const vyb_cuda_lib *lib, vyb_cuda_fn fn, const vyb_program *p, const vyb_data *d,
                               const vyb_outset *want, int reps, double *seconds, vyb_diff *diff, double *wall,
                               vyb_result *x) {
  vyb_work w;
  vy_error err;
  if (vyb_work_make(d, &w, &err) != VY_OK) {
    snprintf(x->message, sizeof x->message, "%s (%s)", err.message, vy_status_name(err.code));
    return VYB_FAILED;
  }
  double t0 = vyb_now();
  int rc = fn(w.bufs, w.nbufs, reps, seconds);
  *wall = vyb_now() - t0;
  if (rc == 0) vyb_compare(p, w.outs, w.nouts, want->items, want->count, diff);
  vyb_work_free(&w);
  if (rc == VYB_NATIVE_BAD_SHAPE)
    snprintf(x->message, sizeof x->message,
             "the CUDA baseline refused the buffers. Fix: make the sizes fit its algorithm (see "
             "bench/native/cuda/%s.cu)",
             p->name);
  else if (rc != 0)
    snprintf(x->message, sizeof x->message, "the CUDA baseline failed: %s. Fix: check the GPU and its driver",
             lib->last_error());
  return rc == 0 ? VYB_OK : VYB_FAILED;
}

static void set_wrong(vyb_result *x, const char *against, const vyb_diff *d) {
  x->outcome = VYB_WRONG;
  snprintf(x->message, sizeof x->message, "outputs differ from the %s: %s", against, d->detail);
}

void vyb_cuda_row(const vyb_cuda_lib *lib, const vyb_program *p, const vyb_data *small, const vyb_data *timed,
                  const vyb_outset *golden, const vyb_outset *check, const vyb_plan *plan, vyb_result *x) {
  char sym[128];
  vyb_cuda_fn fn = NULL;
  if (snprintf(sym, sizeof sym, "vyb_cuda_%s", p->name) < (int)sizeof sym) *(void **)&fn = dlsym(lib->handle, sym);
  if (!fn) {
    x->outcome = VYB_UNSUPPORTED;
    snprintf(x->message, sizeof x->message, "%.512s has no %s. Fix: add bench/native/cuda/%s.cu", lib->path, sym,
             p->name);
    return;
  }
  vyb_diff diff;
  double wall, once;
  x->outcome = run_checked(lib, fn, p, small, golden, 1, &once, &diff, &wall, x);
  if (x->outcome != VYB_OK) return;
  if (!diff.equal) return set_wrong(x, "interpreter's at size small", &diff);
  x->max_ulp = diff.max_ulp;
  snprintf(x->verified, sizeof x->verified, "reference@small");
  const vyb_outset *want = check->count && timed != small ? check : golden;
  bool checked_big = want == check;
  /* one launch at the timed size: checked, and the cost of a launch */
  if (timed != small) {
    if ((x->outcome = run_checked(lib, fn, p, timed, want, 1, &once, &diff, &wall, x)) != VYB_OK) return;
    if (checked_big && !diff.equal) return set_wrong(x, "native baseline's at the timed size", &diff);
  }
  /* launches for min_seconds of GPU time, each costing at most about half
   * the wall time of the checked call (which uploaded everything and ran
   * twice), within max_wall_seconds */
  double by_gpu = once > 0 ? plan->min_seconds / once : MAX_REPS;
  double by_wall = wall > 0 ? plan->max_wall_seconds / (wall / 2) : MAX_REPS;
  double want_reps = fmin(by_gpu, by_wall);
  size_t reps = want_reps < (double)plan->min_reps ? plan->min_reps : (size_t)ceil(want_reps);
  if (reps > plan->max_reps) reps = plan->max_reps;
  if (reps > MAX_REPS) reps = MAX_REPS;
  if (reps < 1) reps = 1;
  double *samples = malloc(reps * sizeof *samples);
  if (!samples) {
    x->outcome = VYB_FAILED;
    snprintf(x->message, sizeof x->message, "out of memory. Fix: free memory (VY_E_NOMEM)");
    return;
  }
  x->outcome = run_checked(lib, fn, p, timed, want, (int)reps, samples, &diff, &wall, x);
  if (x->outcome == VYB_OK && (checked_big || timed == small) && !diff.equal)
    set_wrong(x, timed == small ? "interpreter's at size small" : "native baseline's at the timed size", &diff);
  if (x->outcome == VYB_OK) {
    if (diff.max_ulp > x->max_ulp && (checked_big || timed == small)) x->max_ulp = diff.max_ulp;
    if (checked_big) snprintf(x->verified, sizeof x->verified, "reference@small,native@%s", vyb_size_name(timed->size));
    vyb_stats_compute(samples, reps, &x->run);
    x->device = x->run;
    x->has_device = true;
    x->throughput = x->run.median > 0 ? x->work / x->run.median : NAN;
  }
  free(samples);
}

void vyb_cuda_ratios(vyb_result *rows, size_t n) {
  const vyb_result *mine = NULL;
  for (size_t i = 0; i < n && !mine; i++)
    if (rows[i].outcome == VYB_OK && !strcmp(rows[i].backend, VYB_CUDA_NATIVE)) mine = &rows[i];
  if (!mine) return;
  for (size_t i = 0; i < n; i++) {
    vyb_result *x = &rows[i];
    if (x->outcome == VYB_OK && !strcmp(x->backend, "cuda") && x->has_device && x->device.median > 0)
      x->vs_native = mine->run.median / x->device.median;
  }
}
