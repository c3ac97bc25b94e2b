/* backend_cuda_async.c - asynchronous dispatch on the cuda backend
 * (include/vyre/async.h): a pending handle is a dispatch started on a lane
 * of its own (backend_cuda_run.c), i.e. a CUDA stream whose work (upload,
 * launches, download) is queued before the start call returns. No thread
 * is started: is_ready queries the stream, the wait synchronizes it and
 * reads the outputs back. Every error of the dispatch (compile, binding,
 * driver, the kernel's error record, timeout) is delivered by the wait. */
#include <string.h>

#include "async_int.h"
#include "backend_cuda_priv_int.h"
#include "error_int.h"

typedef struct cuda_pending {
  vy_pending base;
  const vy_allocator *alloc;
  vy_kernel *owned; /* compiled by dispatch_async, destroyed at the wait */
  vy_cuda_run run;  /* run.st: an error before queueing (compile included) */
} cuda_pending;

static bool pending_ready(const vy_pending *pd) { return vy_cuda_run_ready(&((const cuda_pending *)pd)->run); }

static vy_status pending_wait(vy_pending *pd, vy_outputs *out, vy_error *err) {
  cuda_pending *c = (cuda_pending *)pd;
  vy_status st;
  if (c->run.k) {
    st = vy_cuda_run_finish(&c->run, out, err);
  } else { /* the compile failed: nothing was started */
    memset(out, 0, sizeof *out);
    st = c->run.st;
    if (err) *err = c->run.err;
  }
  vy_kernel_destroy(c->owned);
  vy_mem_free(c->alloc, c, sizeof *c);
  return st;
}

static const vy_pending_ops cuda_pending_ops = {pending_ready, pending_wait};

static cuda_pending *pending_new(vy_backend *be, vy_error *err) {
  const vy_allocator *a = vy_context_allocator(be->ctx);
  cuda_pending *c = vy_mem_calloc(a, 1, sizeof *c);
  if (!c) {
    vy_error_nomem(err);
    return NULL;
  }
  c->base.ops = &cuda_pending_ops;
  c->alloc = a;
  return c;
}

static vy_status kernel_async(vy_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                              vy_pending **out, vy_error *err) {
  cuda_pending *c = pending_new(k->be, err);
  if (!c) return VY_E_NOMEM;
  vy_error e;
  vy_cuda_run_start((cuda_kernel *)k, NULL, NULL, inputs, ninputs, cfg, &c->run, &e); /* an error waits in c->run */
  *out = &c->base;
  return VY_OK;
}

static vy_status program_async(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                               const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  cuda_pending *c = pending_new(be, err);
  if (!c) return VY_E_NOMEM;
  vy_error e;
  vy_status st = vy_compile(be, p, cfg, &c->owned, &e);
  if (st == VY_OK) {
    vy_cuda_run_start((cuda_kernel *)c->owned, NULL, NULL, inputs, ninputs, &c->owned->cfg, &c->run, &e);
  } else {
    c->run.st = st;
    c->run.err = e;
  }
  *out = &c->base;
  return VY_OK;
}

const vy_asyncable vy_cuda_asyncable = {program_async, kernel_async};
