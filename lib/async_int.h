/* async_int.h - what a backend implements for asynchronous dispatch
 * (include/vyre/async.h): a pending handle embeds vy_pending as its first
 * member and fills `ops`. The generic implementation runs the ordinary
 * dispatch on a thread of its own per pending dispatch. */
#ifndef VYRE_ASYNC_INT_H
#define VYRE_ASYNC_INT_H

#include "vyre/async.h"

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

/* The vy_asyncable of a backend whose dispatches may run on any thread:
 * both entries start one thread per call that runs vy_dispatch /
 * vy_kernel_dispatch (the reference and llvm-cpu backends use it). */
extern const vy_asyncable vy_async_threaded;

#endif
