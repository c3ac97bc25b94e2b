/* stream_int.h - the chunk pipeline behind every Streamable: chunks are read
 * on the caller's thread, run by worker threads (several at once), and
 * delivered to the sink in chunk order on the caller's thread, with at most
 * `in_flight` chunks read and not yet delivered. A backend supplies how one
 * chunk runs on one worker. */
#ifndef VYRE_STREAM_INT_H
#define VYRE_STREAM_INT_H

#include <pthread.h>

#include "vyre/backend.h"

typedef struct vy_stream_exec {
  /* Worker threads that run chunks; 0 runs each chunk on the caller, one at
   * a time (in_flight is then 1). */
  unsigned workers;
  /* Chunks read and not yet delivered, at least `workers`; 0 = 2 * workers. */
  size_t in_flight;
  /* Runs one chunk: inputs [chunk, fixed...] on worker `worker` (0 ..
   * workers - 1, or 0 on the caller); must be safe to call from the
   * workers at once with different worker numbers. Fills *out on VY_OK. */
  vy_status (*run)(void *ud, unsigned worker, const vy_input *inputs, size_t ninputs, vy_outputs *out,
                   vy_error *err);
  void *ud;
} vy_stream_exec;

/* Runs the stream (backend.h's Streamable contract for everything after the
 * set-up): `fixed` borrowed for the call, chunk copies (unless the source is
 * VY_CHUNK_STABLE) and slots allocated with `alloc`. Returns VY_OK, the
 * source's error, VY_E_NOMEM (slots, copies or threads) or
 * VY_E_INVALID_ARGUMENT (missing source, sink or fixed inputs). */
vy_status vy_stream_pipeline(const vy_allocator *alloc, const vy_input *fixed, size_t nfixed,
                             const vy_chunk_source *src, const vy_output_sink *sink, const vy_stream_exec *ex,
                             vy_error *err);

/* The argument checks of vy_stream_pipeline, for backends that must check
 * before their set-up (so that no compile happens for a bad call). */
vy_status vy_stream_check_args(const vy_input *fixed, size_t nfixed, const vy_chunk_source *src,
                               const vy_output_sink *sink, vy_error *err);

/* An allocator that keeps up to VY_REUSE_BLOCKS freed blocks of at least
 * VY_REUSE_MIN_BYTES and hands them out again for a request of exactly the
 * same size, so that a stream worker reuses its chunk-sized buffers instead
 * of mapping fresh pages for every chunk (large blocks are mmap'd and
 * unmapped by most C libraries, and a worker thread's arena cannot keep
 * them). Everything else goes to `inner`. Thread-safe (a mutex): blocks may
 * be freed on another thread than the one that allocated them. */
#define VY_REUSE_BLOCKS 6
#define VY_REUSE_MIN_BYTES ((size_t)256 << 10)

typedef struct vy_reuse_alloc {
  vy_allocator alloc; /* pass &r.alloc */
  const vy_allocator *inner;
  pthread_mutex_t mu;
  size_t n;
  void *block[VY_REUSE_BLOCKS];
  size_t size[VY_REUSE_BLOCKS];
} vy_reuse_alloc;

/* Starts an empty cache over `inner` (NULL = malloc). */
void vy_reuse_alloc_init(vy_reuse_alloc *r, const vy_allocator *inner);

/* Gives every kept block back to `inner`. Every block handed out must have
 * been freed already. */
void vy_reuse_alloc_destroy(vy_reuse_alloc *r);

#endif
