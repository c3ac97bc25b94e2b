/* async.c - asynchronous dispatch (include/vyre/async.h): the public entry
 * points, wait_into's slot reuse, and the threaded implementation shared by
 * the host backends (async_int.h): one thread per pending dispatch running
 * the ordinary dispatch, joined by the wait. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "alloc_int.h"
#include "async_int.h"
#include "backend_int.h"
#include "error_int.h"

const vy_asyncable *vy_backend_asyncable(const vy_backend *be) { return be ? be->async : NULL; }

static vy_status no_async(const vy_backend *be, vy_error *err) {
  return vy_error_set(err, VY_E_UNSUPPORTED,
                      "backend `%s` has no asynchronous dispatch. Fix: use vy_dispatch, or a backend that has it",
                      vy_backend_id(be));
}

static vy_status bad_args(const char *fn, vy_error *err) {
  return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "%s needs a backend or kernel, a program, an output handle, and inputs when ninputs > 0. "
                      "Fix: pass them",
                      fn);
}

vy_status vy_dispatch_async(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                            const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  if (out) *out = NULL;
  if (!be || !p || !out || (ninputs && !inputs)) return bad_args("vy_dispatch_async", err);
  if (!be->async || !be->async->dispatch_async) return no_async(be, err);
  return be->async->dispatch_async(be, p, inputs, ninputs, cfg, out, err);
}

vy_status vy_kernel_dispatch_async(vy_kernel *k, const vy_input *inputs, size_t ninputs,
                                   const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  if (out) *out = NULL;
  if (!k || !out || (ninputs && !inputs)) return bad_args("vy_kernel_dispatch_async", err);
  if (!k->be->async || !k->be->async->kernel_dispatch_async) return no_async(k->be, err);
  return k->be->async->kernel_dispatch_async(k, inputs, ninputs, cfg, out, err);
}

bool vy_pending_is_ready(const vy_pending *pd) { return !pd || pd->ops->is_ready(pd); }

vy_status vy_pending_wait(vy_pending *pd, vy_outputs *out, vy_error *err) {
  vy_outputs scratch;
  if (out) memset(out, 0, sizeof *out);
  if (!pd) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_pending_wait: handle is NULL. Fix: pass one");
  vy_status st = pd->ops->wait(pd, out ? out : &scratch, err);
  if (!out) {
    vy_outputs_free(&scratch);
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_pending_wait: out is NULL. Fix: pass a vy_outputs");
  }
  return st;
}

void vy_pending_discard(vy_pending *pd) {
  vy_outputs o;
  if (!pd) return;
  vy_error e;
  pd->ops->wait(pd, &o, &e);
  vy_outputs_free(&o);
}

/* ---- wait_into: overwrite the caller's slots, all or nothing ---- */

static vy_status reuse_slots(vy_outputs *reuse, vy_outputs *fresh, vy_error *err) {
  if (!reuse->count) { /* nothing to reuse: hand the fresh buffers over */
    vy_outputs_free(reuse);
    *reuse = *fresh;
    memset(fresh, 0, sizeof *fresh);
    return VY_OK;
  }
  const vy_allocator *ra = reuse->alloc;
  size_t n = fresh->count, old = reuse->count, common = n < old ? n : old;
  /* phase 1: every allocation, nothing changed yet */
  vy_bytes *items = reuse->items;
  if (n != old) {
    items = n ? vy_mem_calloc(ra, n, sizeof *items) : NULL;
    if (n && !items) return vy_error_nomem(err);
  }
  uint8_t **grown = common ? vy_mem_calloc(ra, common, sizeof *grown) : NULL;
  bool ok = !common || grown;
  for (size_t i = 0; ok && i < common; i++) {
    const vy_bytes *r = &reuse->items[i];
    if (r->cap >= fresh->items[i].len && r->data) continue;
    grown[i] = vy_mem_alloc(r->alloc, fresh->items[i].len ? fresh->items[i].len : 1);
    ok = grown[i] != NULL;
  }
  if (!ok) {
    for (size_t i = 0; grown && i < common; i++)
      if (grown[i]) vy_mem_free(reuse->items[i].alloc, grown[i], fresh->items[i].len ? fresh->items[i].len : 1);
    vy_mem_free(ra, grown, common * sizeof *grown);
    if (items != reuse->items) vy_mem_free(ra, items, n * sizeof *items);
    return vy_error_nomem(err);
  }
  /* phase 2: commit */
  for (size_t i = 0; i < common; i++) {
    vy_bytes *r = &reuse->items[i];
    if (grown[i]) {
      vy_mem_free(r->alloc, r->data, r->cap);
      r->data = grown[i];
      r->cap = fresh->items[i].len ? fresh->items[i].len : 1;
    }
    if (fresh->items[i].len) memcpy(r->data, fresh->items[i].data, fresh->items[i].len);
    r->len = fresh->items[i].len;
  }
  vy_mem_free(ra, grown, common * sizeof *grown);
  if (items != reuse->items) {
    memcpy(items, reuse->items, common * sizeof *items);
    for (size_t i = common; i < old; i++) vy_bytes_free(&reuse->items[i]);
    for (size_t i = common; i < n; i++) { /* new slots take the fresh buffers */
      items[i] = fresh->items[i];
      memset(&fresh->items[i], 0, sizeof fresh->items[i]);
    }
    vy_mem_free(ra, reuse->items, old * sizeof *items);
    reuse->items = items;
    reuse->count = n;
  }
  return VY_OK;
}

vy_status vy_pending_wait_into(vy_pending *pd, vy_outputs *reuse, vy_error *err) {
  vy_outputs fresh;
  vy_status st = vy_pending_wait(pd, reuse ? &fresh : NULL, err);
  if (st != VY_OK) return st;
  st = reuse_slots(reuse, &fresh, err);
  vy_outputs_free(&fresh);
  return st;
}

/* ---- one thread per pending dispatch ---- */

typedef struct thread_pending {
  vy_pending base;
  const vy_allocator *alloc;
  vy_backend *be;       /* program dispatch, or */
  const vy_program *p;
  vy_kernel *k;         /* kernel dispatch */
  vy_input *ins;
  size_t n;
  vy_dispatch_config cfg;
  bool has_cfg;
  pthread_t thread;
  atomic_bool done;
  vy_outputs out;
  vy_status st;
  vy_error err;
} thread_pending;

static void *pending_main(void *ud) {
  thread_pending *t = ud;
  const vy_dispatch_config *cfg = t->has_cfg ? &t->cfg : NULL;
  if (t->k)
    t->st = vy_kernel_dispatch(t->k, t->ins, t->n, cfg, &t->out, &t->err);
  else
    t->st = vy_dispatch(t->be, t->p, t->ins, t->n, cfg, &t->out, &t->err);
  atomic_store(&t->done, true);
  return NULL;
}

static bool thread_is_ready(const vy_pending *pd) { return atomic_load(&((const thread_pending *)pd)->done); }

static void thread_free(thread_pending *t) {
  vy_mem_free(t->alloc, t->ins, t->n * sizeof *t->ins);
  vy_mem_free(t->alloc, t, sizeof *t);
}

static vy_status thread_wait(vy_pending *pd, vy_outputs *out, vy_error *err) {
  thread_pending *t = (thread_pending *)pd;
  pthread_join(t->thread, NULL);
  vy_status st = t->st;
  *out = t->out;
  if (st != VY_OK) {
    if (err) *err = t->err;
    vy_outputs_free(out);
  }
  thread_free(t);
  return st;
}

static const vy_pending_ops thread_ops = {thread_is_ready, thread_wait};

static vy_status thread_start(vy_backend *be, const vy_program *p, vy_kernel *k, const vy_input *inputs,
                              size_t ninputs, const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  const vy_allocator *a = vy_context_allocator(be->ctx);
  thread_pending *t = vy_mem_calloc(a, 1, sizeof *t);
  if (!t) return vy_error_nomem(err);
  t->base.ops = &thread_ops;
  t->alloc = a;
  t->be = be;
  t->p = p;
  t->k = k;
  t->n = ninputs;
  if (ninputs) {
    t->ins = vy_mem_calloc(a, ninputs, sizeof *t->ins);
    if (!t->ins) {
      vy_mem_free(a, t, sizeof *t);
      return vy_error_nomem(err);
    }
    memcpy(t->ins, inputs, ninputs * sizeof *inputs);
  }
  if (cfg) t->cfg = *cfg, t->has_cfg = true;
  atomic_init(&t->done, false);
  vy_error_clear(&t->err);
  if (pthread_create(&t->thread, NULL, pending_main, t) != 0) {
    thread_free(t);
    return vy_error_set(err, VY_E_NOMEM,
                        "cannot start a thread for the asynchronous dispatch. Fix: wait on some pending dispatches "
                        "first, or free system resources");
  }
  *out = &t->base;
  return VY_OK;
}

static vy_status threaded_dispatch(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                                   const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  return thread_start(be, p, NULL, inputs, ninputs, cfg, out, err);
}

static vy_status threaded_kernel(vy_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                                 vy_pending **out, vy_error *err) {
  return thread_start(k->be, k->program, k, inputs, ninputs, cfg, out, err);
}

const vy_asyncable vy_async_threaded = {threaded_dispatch, threaded_kernel};
