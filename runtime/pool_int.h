/* pool_int.h - a persistent thread pool for CPU dispatch: parallel_for over
 * [0, n) in chunks, the calling thread taking part.
 *
 * Model. A pool has `threads` participants: the thread that calls
 * vy_pool_parallel_for (worker index 0) and threads - 1 pool threads
 * (indices 1 .. threads - 1), started once by vy_pool_create and kept
 * until vy_pool_destroy. Idle pool threads sleep on a condition variable
 * (no spinning). A job splits [0, n) into chunks of `chunk` indices;
 * participants take chunks from one atomic counter until none are left,
 * so faster threads take more. The caller starts working at once and
 * does not wait for sleeping threads to wake: a pool thread that wakes
 * after the last chunk was taken simply goes back to sleep. A job whose
 * range is a single chunk, or a pool of one thread, runs on the caller
 * alone without touching the pool threads.
 *
 * The callback gets [begin, end) slices: every index of [0, n) is passed
 * exactly once, each slice has at most `chunk` indices, and slices of one
 * job may run concurrently on different threads in any order. `worker`
 * (0 .. threads - 1) is unique among the threads running the job at one
 * time, for per-thread scratch memory. Keep that scratch in the job's ctx:
 * two jobs can run at once (a job that runs inline on its caller beside a
 * pooled one of another caller), and both have a worker 0.
 *
 * Float environment. With VY_POOL_FTZ every participant runs its slices
 * with flush-to-zero and denormals-are-zero on (the reference interpreter
 * flushes f32 subnormals, spec §3.2), round-to-nearest-even and all FP
 * exceptions masked; without it, with the same environment minus FTZ/DAZ.
 * Each thread's own environment, the caller's included, is saved before and
 * restored after, status flags too. Implemented on x86-64 (MXCSR) and
 * AArch64 (FPCR); elsewhere the environment is left alone.
 *
 * Concurrency. vy_pool_parallel_for may be called from several threads at
 * once: jobs of one pool run one after another (a second caller waits for
 * the first job to end). A call from inside a job of the same pool (the
 * callback calling parallel_for again) does not deadlock: the nested range
 * runs on the calling thread alone, with the same worker index, in slices
 * of `chunk`. Calling another pool from a job is an ordinary submit.
 *
 * Signals are blocked in pool threads, so process signals go to the
 * application's threads.
 */
#ifndef VYRE_POOL_INT_H
#define VYRE_POOL_INT_H

#include <stdint.h>

#include "vyre/status.h"

typedef struct vy_pool vy_pool;

/* Runs indices [begin, end) of a job; see the model above. */
typedef void (*vy_pool_fn)(void *ctx, uint64_t begin, uint64_t end, unsigned worker);

/* Job flags. */
#define VY_POOL_FTZ 1u /* flush subnormals to zero (FTZ + DAZ) while the job runs */

/* Most participants a pool can have. */
#define VY_POOL_MAX_THREADS 1024u

/* CPUs this process may run on (sched_getaffinity), at least 1. */
unsigned vy_pool_default_threads(void);

/* Creates a pool of `threads` participants (0 = vy_pool_default_threads(),
 * at most VY_POOL_MAX_THREADS), the caller of each job being one of them,
 * and starts threads - 1 pool threads. `alloc` (copied; NULL = malloc)
 * serves the pool's memory. Errors: VY_E_INVALID_ARGUMENT (too many
 * threads, NULL out), VY_E_NOMEM (memory or thread creation refused). */
vy_status vy_pool_create(const vy_allocator *alloc, unsigned threads, vy_pool **out, vy_error *err);

/* Stops and joins the pool threads and frees the pool. No job may be
 * running and it must not be called from a pool thread. NULL is a no-op. */
void vy_pool_destroy(vy_pool *p);

/* Participants of the pool (pool threads + the caller). */
unsigned vy_pool_threads(const vy_pool *p);

/* Calls fn over [0, n) in slices of at most `chunk` indices on all
 * participants and returns when every slice has run. chunk = 0 picks
 * ceil(n / (4 * threads)) (four slices per participant for balance). n = 0
 * returns at once. `flags`: VY_POOL_FTZ or 0. Errors:
 * VY_E_INVALID_ARGUMENT (NULL pool or fn, unknown flags). Thread-safe as
 * described above. */
vy_status vy_pool_parallel_for(vy_pool *p, uint64_t n, uint64_t chunk, unsigned flags, vy_pool_fn fn, void *ctx,
                               vy_error *err);

/* memcpy of n bytes in 1 MiB slices over p's participants when p is set
 * and n is at least `parallel_from` bytes; one plain memcpy otherwise, or
 * when the pool cannot run it. Returns when every byte is copied.
 * Thread-safe as vy_pool_parallel_for. */
void vy_pool_memcpy(vy_pool *p, void *dst, const void *src, size_t n, size_t parallel_from);

#endif
