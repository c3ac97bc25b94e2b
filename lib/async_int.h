/* async_int.h - what a backend implements for asynchronous dispatch
 * (include/vyre/async.h): a pending handle embeds vy_pending as its first
 * member and fills `ops`. The generic implementation runs the ordinary
 * dispatch on a bounded pool of runner threads owned by the context
 * (async.c). */
#ifndef VYRE_ASYNC_INT_H
#define VYRE_ASYNC_INT_H

#include <stdatomic.h>

#include "vyre/async.h"
#include "vyre/context.h"

/* The most runner threads of a context's pool (fewer when the context has
 * fewer threads, vy_context_threads). */
#define VY_ASYNC_MAX_RUNNERS 8u

typedef struct vy_async_pool vy_async_pool;

typedef struct vy_pending_ops {
  /* true when a wait would not block. */
  bool (*is_ready)(const vy_pending *pd);
  /* Blocks until done, moves the outputs into *out (zeroed first) or sets
   * err, frees the handle, and returns the dispatch's status. */
  vy_status (*wait)(vy_pending *pd, vy_outputs *out, vy_error *err);
} vy_pending_ops;

struct vy_pending {
  const vy_pending_ops *ops;
};

/* The vy_asyncable of a backend whose dispatches may run on any thread
 * (the reference and llvm-cpu backends use it): both entries queue a call
 * of vy_dispatch / vy_kernel_dispatch on the runner pool of the backend's
 * context (made at the first call) and return; a runner runs it in FIFO
 * order, or the waiting thread when the handle is waited on (or discarded)
 * while still queued. Errors of the start: VY_E_NOMEM (handle, pool, or no
 * runner thread could be started). */
extern const vy_asyncable vy_async_threaded;

/* The context's slot for its runner pool (context.c): NULL until the first
 * asynchronous dispatch of a host backend sets it (async.c). */
_Atomic(vy_async_pool *) *vy_context_async_slot(vy_context *ctx);

/* Stops the pool's runners (after they finish what is queued) and joins
 * them, then frees the pool. NULL is a no-op. Called by
 * vy_context_destroy, when no handle of the pool is left. */
void vy_async_pool_destroy(vy_async_pool *p);

/* Test hooks: the number of runner threads the context's pool has started
 * (0 without a pool), and its bound (0 without a pool). Thread-safe. */
unsigned vy_async_pool_runners(vy_context *ctx);
unsigned vy_async_pool_max_runners(vy_context *ctx);

#endif
