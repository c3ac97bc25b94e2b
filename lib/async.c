/* async.c - asynchronous dispatch (include/vyre/async.h): the public entry
 * points, wait_into's slot reuse, and the implementation shared by the host
 * backends (async_int.h): a bounded pool of runner threads per context that
 * run the ordinary dispatch of the pending handles in FIFO order. */
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

/* ---- the runner pool of a context ----
 *
 * Owner: the context (lib/context.c keeps the pointer), so that every host
 * backend of the context shares one bounded set of threads. The pool is
 * made at the first asynchronous dispatch on any of them, with the
 * context's allocator; runner threads start one at a time, when a
 * dispatch is queued and the queued dispatches outnumber the idle runners,
 * up to min(vy_context_threads, VY_ASYNC_MAX_RUNNERS); vy_context_destroy
 * stops and joins them (every handle has been waited on or discarded by
 * then, as async.h requires). A handle goes queued -> running -> done,
 * changed under the pool's lock. A wait (or discard) on a handle still
 * queued takes it off the queue and runs it on the waiting thread, so a
 * wait never depends on a free runner (no deadlock when dispatches are
 * waited on from inside a runner or when every runner is busy). */

enum { QUEUED, RUNNING, DONE };

typedef struct pool_pending {
  vy_pending base;
  const vy_allocator *alloc;
  vy_async_pool *pool;
  vy_backend *be; /* program dispatch, or */
  const vy_program *p;
  vy_kernel *k; /* kernel dispatch */
  vy_input *ins;
  size_t n;
  vy_dispatch_config cfg;
  bool has_cfg;
  struct pool_pending *next; /* the queue's link while queued */
  atomic_int state;          /* written under the pool's lock; is_ready reads it without */
  vy_outputs out;
  vy_status st;
  vy_error err;
} pool_pending;

struct vy_async_pool {
  const vy_allocator *alloc;
  pthread_mutex_t lock;
  pthread_cond_t work; /* runners: a dispatch was queued, or stop */
  pthread_cond_t done; /* waiters: a dispatch finished */
  pool_pending *head, *tail;
  size_t queued;
  unsigned max, nthreads, idle;
  bool stopping;
  pthread_t threads[VY_ASYNC_MAX_RUNNERS];
};

static void run_dispatch(pool_pending *t) {
  const vy_dispatch_config *cfg = t->has_cfg ? &t->cfg : NULL;
  if (t->k)
    t->st = vy_kernel_dispatch(t->k, t->ins, t->n, cfg, &t->out, &t->err);
  else
    t->st = vy_dispatch(t->be, t->p, t->ins, t->n, cfg, &t->out, &t->err);
}

/* Takes t off the queue (it is queued); lock held. */
static void unlink_queued(vy_async_pool *p, pool_pending *t) {
  pool_pending **at = &p->head, *prev = NULL;
  while (*at != t) prev = *at, at = &(*at)->next;
  *at = t->next;
  if (p->tail == t) p->tail = prev;
  t->next = NULL;
  p->queued--;
  atomic_store(&t->state, RUNNING);
}

static void *runner_main(void *ud) {
  vy_async_pool *p = ud;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (!p->head && !p->stopping) {
      p->idle++;
      pthread_cond_wait(&p->work, &p->lock);
      p->idle--;
    }
    pool_pending *t = p->head;
    if (!t) break; /* stopping, nothing queued */
    unlink_queued(p, t);
    pthread_mutex_unlock(&p->lock);
    run_dispatch(t);
    pthread_mutex_lock(&p->lock);
    atomic_store(&t->state, DONE);
    pthread_cond_broadcast(&p->done);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

static vy_status pool_create(const vy_allocator *a, unsigned max, vy_async_pool **out, vy_error *err) {
  vy_async_pool *p = vy_mem_calloc(a, 1, sizeof *p);
  if (!p) return vy_error_nomem(err);
  p->alloc = a;
  p->max = max < 1 ? 1 : max > VY_ASYNC_MAX_RUNNERS ? VY_ASYNC_MAX_RUNNERS : max;
  int locks = pthread_mutex_init(&p->lock, NULL) == 0;
  locks += locks == 1 && pthread_cond_init(&p->work, NULL) == 0;
  locks += locks == 2 && pthread_cond_init(&p->done, NULL) == 0;
  if (locks < 3) {
    if (locks > 1) pthread_cond_destroy(&p->work);
    if (locks > 0) pthread_mutex_destroy(&p->lock);
    vy_mem_free(a, p, sizeof *p);
    return vy_error_set(err, VY_E_NOMEM,
                        "cannot create the lock of the asynchronous dispatch pool. Fix: free system resources");
  }
  *out = p;
  return VY_OK;
}

void vy_async_pool_destroy(vy_async_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  p->stopping = true;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
  for (unsigned i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->done);
  pthread_cond_destroy(&p->work);
  pthread_mutex_destroy(&p->lock);
  vy_mem_free(p->alloc, p, sizeof *p);
}

/* The context's pool, made now if it has none (two first dispatches may
 * race: the loser's pool, which has no thread yet, is destroyed). */
static vy_status pool_of(vy_context *ctx, vy_async_pool **out, vy_error *err) {
  _Atomic(vy_async_pool *) *slot = vy_context_async_slot(ctx);
  vy_async_pool *p = atomic_load(slot);
  if (!p) {
    vy_async_pool *made = NULL;
    vy_status st = pool_create(vy_context_allocator(ctx), vy_context_threads(ctx), &made, err);
    if (st != VY_OK) return st;
    if (atomic_compare_exchange_strong(slot, &p, made))
      p = made;
    else
      vy_async_pool_destroy(made);
  }
  *out = p;
  return VY_OK;
}

/* Queues t and starts a runner when the queued dispatches outnumber the
 * idle ones and the pool has room. Fails (t not queued) only when no
 * runner exists and none can be started. */
static vy_status pool_submit(vy_async_pool *p, pool_pending *t, vy_error *err) {
  pthread_mutex_lock(&p->lock);
  if (p->tail)
    p->tail->next = t;
  else
    p->head = t;
  p->tail = t;
  p->queued++;
  if (p->queued > p->idle && p->nthreads < p->max &&
      pthread_create(&p->threads[p->nthreads], NULL, runner_main, p) == 0)
    p->nthreads++;
  bool none = p->nthreads == 0;
  if (none)
    unlink_queued(p, t);
  else
    pthread_cond_signal(&p->work);
  pthread_mutex_unlock(&p->lock);
  if (none)
    return vy_error_set(err, VY_E_NOMEM,
                        "cannot start a thread for the asynchronous dispatch. Fix: wait on some pending dispatches "
                        "first, or free system resources");
  return VY_OK;
}

unsigned vy_async_pool_runners(vy_context *ctx) {
  vy_async_pool *p = ctx ? atomic_load(vy_context_async_slot(ctx)) : NULL;
  if (!p) return 0;
  pthread_mutex_lock(&p->lock);
  unsigned n = p->nthreads;
  pthread_mutex_unlock(&p->lock);
  return n;
}

unsigned vy_async_pool_max_runners(vy_context *ctx) {
  vy_async_pool *p = ctx ? atomic_load(vy_context_async_slot(ctx)) : NULL;
  return p ? p->max : 0;
}

/* ---- pending handles of the pool ---- */

static bool pool_is_ready(const vy_pending *pd) {
  return atomic_load(&((const pool_pending *)pd)->state) == DONE;
}

static void pending_free(pool_pending *t) {
  vy_mem_free(t->alloc, t->ins, t->n * sizeof *t->ins);
  vy_mem_free(t->alloc, t, sizeof *t);
}

static vy_status pool_wait(vy_pending *pd, vy_outputs *out, vy_error *err) {
  pool_pending *t = (pool_pending *)pd;
  vy_async_pool *p = t->pool;
  pthread_mutex_lock(&p->lock);
  if (atomic_load(&t->state) == QUEUED) { /* run it here rather than wait for a runner */
    unlink_queued(p, t);
    pthread_mutex_unlock(&p->lock);
    run_dispatch(t);
    atomic_store(&t->state, DONE);
  } else {
    while (atomic_load(&t->state) != DONE) pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
  }
  vy_status st = t->st;
  *out = t->out;
  if (st != VY_OK) {
    if (err) *err = t->err;
    vy_outputs_free(out);
  }
  pending_free(t);
  return st;
}

static const vy_pending_ops pool_ops = {pool_is_ready, pool_wait};

static vy_status pool_start(vy_backend *be, const vy_program *p, vy_kernel *k, const vy_input *inputs,
                            size_t ninputs, const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  const vy_allocator *a = vy_context_allocator(be->ctx);
  vy_async_pool *pool = NULL;
  vy_status st = pool_of(be->ctx, &pool, err);
  if (st != VY_OK) return st;
  pool_pending *t = vy_mem_calloc(a, 1, sizeof *t);
  if (!t) return vy_error_nomem(err);
  t->base.ops = &pool_ops;
  t->alloc = a;
  t->pool = pool;
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
  atomic_init(&t->state, QUEUED);
  vy_error_clear(&t->err);
  st = pool_submit(pool, t, err);
  if (st != VY_OK) {
    pending_free(t);
    return st;
  }
  *out = &t->base;
  return VY_OK;
}

static vy_status pooled_dispatch(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                                 const vy_dispatch_config *cfg, vy_pending **out, vy_error *err) {
  return pool_start(be, p, NULL, inputs, ninputs, cfg, out, err);
}

static vy_status pooled_kernel(vy_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                               vy_pending **out, vy_error *err) {
  return pool_start(k->be, k->program, k, inputs, ninputs, cfg, out, err);
}

const vy_asyncable vy_async_threaded = {pooled_dispatch, pooled_kernel};
