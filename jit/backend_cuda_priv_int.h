/* backend_cuda_priv_int.h - the cuda backend's own structures and the
 * dispatch engine its files share: backend_cuda.c (compile, kernels,
 * Executable, open/close), backend_cuda_run.c (lanes, binding, staging,
 * launches: one dispatch split into start and finish),
 * backend_cuda_async.c (pending handles), backend_cuda_stream.c
 * (Streamable) and backend_cuda_resident.c (resident buffers).
 *
 * A dispatch in flight (vy_cuda_run) owns its host buffers, its pinned
 * staging block, its device block and a lane (a CUDA stream of its own), so
 * that any number may be in flight at once: everything is queued on the
 * lane's stream at start and nothing blocks until finish.
 */
#ifndef VYRE_BACKEND_CUDA_PRIV_INT_H
#define VYRE_BACKEND_CUDA_PRIV_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "backend_int.h"
#include "cpu_dispatch_int.h"
#include "cuda_cache_int.h"
#include "cuda_driver_int.h"
#include "bind_int.h"
#include "interp_int.h"
#include "pool_int.h"
#include "site_table_int.h"

/* A stream to run dispatches on, a control stream (the timeout's stop
 * flag) and the events that time the launches. */
typedef struct vy_cuda_lane {
  vy_cu_stream s, ctl;
  vy_cu_event ev[2];
  struct vy_cuda_lane *next;
} vy_cuda_lane;

typedef struct cuda_backend {
  vy_backend base;
  vy_cuda_device dev;
  vy_cuda_pool *dmem, *hmem;
  char sm[16];
  unsigned ptx_isa;
  char libdevice[1024]; /* "" = none */
  vy_ckey_base key_base;
  pthread_mutex_t lock; /* lanes */
  vy_cuda_lane *lanes;
} cuda_backend;

typedef struct cuda_kernel {
  vy_kernel base;
  vy_program *derived; /* workgroup_override copy, owned */
  vy_interp_prepared *pp;
  vy_site *sites; /* resolved against pp */
  uint32_t nsites;
  vy_kcache_entry *entry; /* the kernel cache's reference to the code, or */
  vy_cuda_code *code;     /* the code owned by this kernel (uncached) */
  _Atomic uint64_t kernel_ns;
} cuda_kernel;

/* true when `be` is a cuda backend (backend_cuda.c). */
bool vy_cuda_is_backend(const vy_backend *be);

/* ---- lanes (backend_cuda_run.c) ---- */

/* An idle lane of the backend, or a new one. Errors: VY_E_NOMEM,
 * VY_E_DISPATCH_FAILED (stream or event creation). Thread-safe; the
 * device's context must be current. */
vy_status vy_cuda_lane_take(cuda_backend *be, vy_cuda_lane **out, vy_error *err);
/* Gives a lane back (its stream idle or not: later work queues behind). */
void vy_cuda_lane_put(cuda_backend *be, vy_cuda_lane *l);
/* Destroys every idle lane (at close). */
void vy_cuda_lanes_free(cuda_backend *be);

/* Waits for lane l's stream. With a deadline (monotonic ns, 0 = none),
 * polls and, once it has passed, writes 1 to the byte at `stop` from the
 * control stream so that blocks not yet started return; *timed_out then.
 * Errors: VY_E_DISPATCH_FAILED (mapped driver error). */
vy_status vy_cuda_lane_wait(cuda_backend *be, vy_cuda_lane *l, uint64_t deadline_ns, vy_cu_ptr stop, bool *timed_out,
                            vy_error *err);

/* CLOCK_MONOTONIC in ns. */
uint64_t vy_cuda_now_ns(void);

/* ---- one dispatch, started and finished ---- */

/* The code of a compiled kernel (NULL for a kernel without code: a zero
 * workgroup dimension, reported by the binding). */
const vy_cuda_code *vy_cuda_kernel_code(const cuda_kernel *k);

/* The dispatch-time config a kernel handle accepts: that of
 * vy_jit_kernel_config_check and the compile-time ulp_budget
 * (VY_E_INVALID_ARGUMENT otherwise); cfg == &k->base.cfg passes. */
vy_status vy_cuda_check_cfg(const cuda_kernel *k, const vy_dispatch_config *cfg, vy_error *err);

/* Binds `inputs` (or resident buffers through hooks->place) for kernel k
 * with host buffers from `alloc` and computes the grid (grid_override
 * applied, the reference's grid checks); bufs has one slot per declared
 * buffer. Errors: those of the binding (VY_E_RUNTIME, VY_E_NOMEM, ...),
 * VY_E_INVALID_PROGRAM. */
vy_status vy_cuda_bind(cuda_kernel *k, const vy_allocator *alloc, const vy_input *inputs, size_t ninputs,
                       const vy_dispatch_config *cfg, const vy_bind_hooks *hooks, vy_ibuf *bufs, vy_igrid *grid,
                       vy_error *err);

/* Queues on lane l: event 0, `iters` times the grid's launches (split at
 * the driver's gridDim.x limit) with buffer table `tab` and error record
 * `rec`, then event 1. Errors: VY_E_DISPATCH_FAILED. */
vy_status vy_cuda_enqueue_launches(cuda_backend *be, const vy_cuda_code *c, vy_cuda_lane *l, vy_cu_ptr tab,
                                   vy_cu_ptr rec, const vy_igrid *grid, uint32_t iters, vy_error *err);

/* After a finished dispatch on lane l with error record *e: records the
 * GPU time of its launches in k, and turns a claimed record into the
 * interpreter's error, or a timeout into VY_E_TIMEOUT. */
vy_status vy_cuda_conclude(cuda_backend *be, cuda_kernel *k, vy_cuda_lane *l, const vy_kerr *e, bool timed_out,
                           const vy_dispatch_config *cfg, vy_error *err);

/* A stream's fixed inputs in device memory, uploaded once when the stream
 * starts (backend_cuda_stream.c): input first + j of each of the stream's
 * dispatches has the device copy dev[j] (0: none, e.g. an empty input),
 * which the dispatches only read. */
typedef struct vy_cuda_fixed {
  const vy_cu_ptr *dev;
  size_t first, n;
} vy_cuda_fixed;

/* A dispatch in flight: filled and used by backend_cuda_run.c; the
 * asynchronous handle reads k, st and err only. */
typedef struct vy_cuda_run {
  cuda_kernel *k;
  const vy_allocator *alloc; /* host buffers and outputs */
  vy_pool *copiers;          /* NULL, or threads that split the large host copies */
  vy_dispatch_config cfg;    /* copied; strings borrowed */
  vy_ibuf *bufs;
  uint32_t n;
  size_t *off;    /* layout */
  vy_cu_ptr *dev; /* per buffer: the fixed input's device copy it comes from (0: none); NULL without fixed inputs */
  size_t err_off, upload, restored, total; /* [upload, restored): copied from dev on the device */
  vy_igrid grid;
  vy_cuda_block db, hb;
  vy_cuda_lane *l;
  uint64_t deadline; /* 0 = no timeout */
  vy_status st;      /* an error found at start, reported by finish */
  vy_error err;
} vy_cuda_run;

/* Starts a dispatch of kernel k: checks the config against the kernel,
 * binds the inputs (copied into pinned staging before this returns: the
 * caller's bytes are not needed afterwards), and queues the upload, the
 * launches and the download on a lane of its own. Never blocks on the
 * GPU. Returns VY_OK, or the error of a step before queueing; in both
 * cases *r must be finished (vy_cuda_run_finish or _finish_lent). `cfg` may be NULL (the kernel's). The host buffers
 * and the outputs come from `alloc` (NULL: the backend's allocator).
 * `copiers` (NULL: none) is a pool whose threads share the host copies into
 * and out of staging that are large (the stream's, so that the host side
 * keeps up with the link); it must outlive the finish. */
vy_status vy_cuda_run_start(cuda_kernel *k, const vy_allocator *alloc, vy_pool *copiers, const vy_input *inputs,
                            size_t ninputs, const vy_dispatch_config *cfg, vy_cuda_run *r, vy_error *err);

/* vy_cuda_run_start for a stream's chunk whose fixed inputs are already on
 * the device (`fixed`, NULL: none; it must outlive the finish): a buffer
 * bound from a fixed input that the program only reads is used in place
 * (its table entry points at the device copy, nothing is copied), and one
 * it writes (read_write, returned) gets its own device bytes, restored
 * from the copy by a device-to-device copy queued on the dispatch's lane
 * before the launches, so every dispatch starts from the input's bytes as
 * if they had been uploaded. Only the other inputs cross the host link. A
 * buffer is matched to a fixed input by the input's bytes (address and
 * length); one that another input also matches is uploaded as usual. */
vy_status vy_cuda_run_start_fixed(cuda_kernel *k, const vy_allocator *alloc, vy_pool *copiers,
                                  const vy_cuda_fixed *fixed, const vy_input *inputs, size_t ninputs,
                                  const vy_dispatch_config *cfg, vy_cuda_run *r, vy_error *err);

/* true when finishing r would not block on the GPU. */
bool vy_cuda_run_ready(const vy_cuda_run *r);

/* Waits for r, fills *out (zeroed first; owned by the caller) with the
 * returned buffers, frees r's resources and returns the dispatch's status
 * (the start's error, a driver error, the kernel's error record, timeout,
 * max_output_bytes). Makes the device's context current. */
vy_status vy_cuda_run_finish(vy_cuda_run *r, vy_outputs *out, vy_error *err);

/* vy_cuda_run_finish without copying the outputs: on VY_OK, out->items
 * (an array from r's allocator) point into r's pinned staging block, which
 * r keeps until vy_cuda_run_unlend(r, out); the items own nothing (never
 * pass *out to vy_outputs_free). On an error r is released here and *out
 * is empty. For the stream's sink, which borrows outputs for one call. */
vy_status vy_cuda_run_finish_lent(vy_cuda_run *r, vy_outputs *out, vy_error *err);

/* Frees the array of lent outputs and releases r. */
void vy_cuda_run_unlend(vy_cuda_run *r, vy_outputs *out);

/* The whole dispatch (start + finish), with the same errors. */
vy_status vy_cuda_run_kernel(cuda_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                             vy_outputs *out, vy_error *err);

/* ---- capabilities (their own files) ---- */

extern const vy_asyncable vy_cuda_asyncable;       /* backend_cuda_async.c */
extern const vy_streamable vy_cuda_streamable;     /* backend_cuda_stream.c */
extern const vy_residentable vy_cuda_residentable; /* backend_cuda_resident.c */

/* The device address of a resident buffer of a cuda backend
 * (backend_cuda_resident.c); valid until it is freed. */
vy_cu_ptr vy_cuda_resident_dptr(const vy_resident *r);

#endif
