/* stream_int.h - the chunk pipeline behind every Streamable: chunks are read
 * on the caller's thread, run by worker threads (several at once), and
 * delivered to the sink in chunk order on the caller's thread, with at most
 * `in_flight` chunks read and not yet delivered. A backend supplies how one
 * chunk runs on one worker. */
#ifndef VYRE_STREAM_INT_H
#define VYRE_STREAM_INT_H

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

#endif
