/* pool.c - the persistent thread pool behind CPU dispatch. See pool_int.h
 * for the model and the contracts.
 *
 * Protocol of one job (the submitter holds `submit` throughout):
 * 1. the submitter writes the job fields, resets `next`, and opens the job
 *    by storing state = 0 (release);
 * 2. it bumps `epoch` under `lock` and signals as many pool threads as the
 *    job has chunks beyond its own first one;
 * 3. it runs slices itself; a woken pool thread joins only while the job is
 *    open, by incrementing the helper count in `state` with a CAS (acquire:
 *    it then sees the job fields of the job it joined);
 * 4. out of chunks, the submitter closes the job (sets JOB_CLOSED) and
 *    waits on `done` until the helpers inside have left; the last helper to
 *    leave a closed job signals `done`. Helpers that wake later find the
 *    job closed and go back to sleep, so the submitter never waits for a
 *    thread that has not started working.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "alloc_int.h"
#include "error_int.h"
#include "pool_int.h"

#define JOB_CLOSED (UINT64_C(1) << 63)

typedef struct pool_thread {
  pthread_t tid;
  pthread_cond_t wake; /* signalled (under the pool's `lock` protocol) when a job wants this thread */
  vy_pool *pool;
  unsigned index; /* worker index passed to callbacks, 1 .. threads - 1 */
} pool_thread;

struct vy_pool {
  vy_allocator alloc_copy;   /* the caller's allocator, copied */
  const vy_allocator *alloc; /* &alloc_copy, or NULL for malloc */
  unsigned threads;          /* participants: pool threads + the submitter */
  unsigned started;          /* pool threads running */
  pool_thread *pt;           /* threads - 1 entries */
  pthread_mutex_t submit;    /* one job at a time */
  pthread_mutex_t lock;      /* guards epoch and stop; the mutex of every condvar */
  pthread_cond_t done;       /* the submitter waits here for helpers to leave */
  uint64_t epoch;            /* bumped for every job that asks for helpers */
  bool stop;                 /* pool threads exit */
  /* the job: written by the submitter only while no helper is inside */
  vy_pool_fn fn;
  void *ctx;
  uint64_t n, chunk, nchunks;
  unsigned flags;
  atomic_uint_fast64_t state; /* JOB_CLOSED | number of helpers inside */
  /* the counter every participant bumps per slice, on a cache line of its
   * own (padding, not _Alignas: the allocator promises 16-byte alignment) */
  char pad_before[64];
  atomic_uint_fast64_t next; /* next chunk index to hand out */
  char pad_after[64];
};

/* ---- float environment ---- */

#if defined(__x86_64__)
typedef unsigned fenv_word;
/* MXCSR: all exceptions masked (0x1F80), round to nearest, FTZ (bit 15) and
 * DAZ (bit 6) on request. */
static fenv_word fenv_enter(unsigned flags) {
  fenv_word old = _mm_getcsr();
  _mm_setcsr(0x1F80u | ((flags & VY_POOL_FTZ) ? 0x8040u : 0u));
  return old;
}
static void fenv_leave(fenv_word old) { _mm_setcsr(old); }
#elif defined(__aarch64__)
typedef uint64_t fenv_word;
/* FPCR: round to nearest, no traps, FZ (bit 24) on request. */
static fenv_word fenv_enter(unsigned flags) {
  fenv_word old;
  __asm__ volatile("mrs %0, fpcr" : "=r"(old));
  fenv_word v = (flags & VY_POOL_FTZ) ? (UINT64_C(1) << 24) : 0;
  __asm__ volatile("msr fpcr, %0" : : "r"(v));
  return old;
}
static void fenv_leave(fenv_word old) { __asm__ volatile("msr fpcr, %0" : : "r"(old)); }
#else
typedef int fenv_word;
static fenv_word fenv_enter(unsigned flags) {
  (void)flags;
  return 0;
}
static void fenv_leave(fenv_word old) { (void)old; }
#endif

/* ---- jobs ---- */

/* The pools this thread is running a job of, innermost first, so that a
 * callback submitting to one of them again runs inline instead of waiting
 * for itself. */
typedef struct job_frame {
  const vy_pool *pool;
  unsigned worker;
  const struct job_frame *outer;
} job_frame;
static _Thread_local const job_frame *tls_frames;

static const job_frame *find_frame(const vy_pool *p) {
  for (const job_frame *f = tls_frames; f; f = f->outer)
    if (f->pool == p) return f;
  return NULL;
}

/* End of the slice that starts at `begin` (< n), without overflow. */
static uint64_t slice_end(uint64_t begin, uint64_t n, uint64_t chunk) { return n - begin < chunk ? n : begin + chunk; }

/* Takes chunks of the current job until none are left. */
static void participate(vy_pool *p, unsigned worker) {
  job_frame frame = {p, worker, tls_frames};
  tls_frames = &frame;
  fenv_word env = fenv_enter(p->flags);
  const uint64_t n = p->n, chunk = p->chunk, nchunks = p->nchunks;
  vy_pool_fn fn = p->fn;
  void *ctx = p->ctx;
  for (;;) {
    uint64_t c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if (c >= nchunks) break;
    uint64_t begin = c * chunk; /* c < nchunks, so begin < n: no overflow */
    fn(ctx, begin, slice_end(begin, n, chunk), worker);
  }
  fenv_leave(env);
  tls_frames = frame.outer;
}

/* A job of one thread: [0, n) in slices of `chunk` on the caller. */
static void run_inline(uint64_t n, uint64_t chunk, unsigned flags, vy_pool_fn fn, void *ctx, unsigned worker) {
  fenv_word env = fenv_enter(flags);
  for (uint64_t begin = 0, end; begin < n; begin = end) {
    end = slice_end(begin, n, chunk);
    fn(ctx, begin, end, worker);
  }
  fenv_leave(env);
}

/* Enters the open job as a helper; false when it is closed. */
static bool join_job(vy_pool *p) {
  uint_fast64_t s = atomic_load_explicit(&p->state, memory_order_relaxed);
  while (!(s & JOB_CLOSED))
    if (atomic_compare_exchange_weak_explicit(&p->state, &s, s + 1, memory_order_acquire, memory_order_relaxed))
      return true;
  return false;
}

static void leave_job(vy_pool *p) {
  uint_fast64_t s = atomic_fetch_sub_explicit(&p->state, 1, memory_order_release);
  if (s == (JOB_CLOSED | 1)) { /* last helper out of a closed job: the submitter may be waiting */
    pthread_mutex_lock(&p->lock);
    pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->lock);
  }
}

static void *thread_main(void *arg) {
  pool_thread *t = arg;
  vy_pool *p = t->pool;
  uint64_t seen = 0;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (!p->stop && p->epoch == seen) pthread_cond_wait(&t->wake, &p->lock);
    if (p->stop) break;
    seen = p->epoch;
    pthread_mutex_unlock(&p->lock);
    if (join_job(p)) {
      participate(p, t->index);
      leave_job(p);
    }
    pthread_mutex_lock(&p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

vy_status vy_pool_parallel_for(vy_pool *p, uint64_t n, uint64_t chunk, unsigned flags, vy_pool_fn fn, void *ctx,
                               vy_error *err) {
  if (!p || !fn || (flags & ~VY_POOL_FTZ))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_pool_parallel_for needs a pool, a callback and flags from VY_POOL_FTZ. Fix: pass them.");
  if (n == 0) return VY_OK;
  if (chunk == 0) {
    uint64_t slices = 4 * (uint64_t)p->threads;
    chunk = n / slices + (n % slices != 0);
  }
  uint64_t nchunks = n / chunk + (n % chunk != 0);
  if (nchunks > UINT64_MAX - VY_POOL_MAX_THREADS) /* the chunk counter may pass nchunks by one per thread */
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_pool_parallel_for: %llu chunks are too many to count. Fix: use a larger chunk.",
                        (unsigned long long)nchunks);
  const job_frame *outer = find_frame(p);
  if (outer || p->threads == 1 || nchunks == 1) {
    run_inline(n, chunk, flags, fn, ctx, outer ? outer->worker : 0);
    return VY_OK;
  }

  pthread_mutex_lock(&p->submit);
  p->fn = fn;
  p->ctx = ctx;
  p->n = n;
  p->chunk = chunk;
  p->nchunks = nchunks;
  p->flags = flags;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  atomic_store_explicit(&p->state, 0, memory_order_release); /* open, no helpers */
  unsigned helpers = p->threads - 1;
  if (nchunks - 1 < helpers) helpers = (unsigned)(nchunks - 1);
  pthread_mutex_lock(&p->lock);
  p->epoch++;
  pthread_mutex_unlock(&p->lock);
  for (unsigned i = 0; i < helpers; i++) pthread_cond_signal(&p->pt[i].wake);

  participate(p, 0);

  uint_fast64_t s = atomic_fetch_or_explicit(&p->state, JOB_CLOSED, memory_order_acq_rel);
  if (s != 0) { /* helpers still inside: wait for the last one */
    pthread_mutex_lock(&p->lock);
    while (atomic_load_explicit(&p->state, memory_order_acquire) != JOB_CLOSED) pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
  }
  pthread_mutex_unlock(&p->submit);
  return VY_OK;
}

/* ---- lifetime ---- */

unsigned vy_pool_default_threads(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int c = CPU_COUNT(&set);
    if (c > 0) return c > (int)VY_POOL_MAX_THREADS ? VY_POOL_MAX_THREADS : (unsigned)c;
  }
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c < 1 ? 1u : c > (long)VY_POOL_MAX_THREADS ? VY_POOL_MAX_THREADS : (unsigned)c;
}

unsigned vy_pool_threads(const vy_pool *p) { return p ? p->threads : 0; }

/* Stops and joins the started pool threads and frees everything; the pool's
 * own mutexes and condvar are initialized when this runs. */
static void pool_free(vy_pool *p) {
  pthread_mutex_lock(&p->lock);
  p->stop = true;
  pthread_mutex_unlock(&p->lock);
  for (unsigned i = 0; i < p->started; i++) {
    pthread_cond_signal(&p->pt[i].wake);
    pthread_join(p->pt[i].tid, NULL);
    pthread_cond_destroy(&p->pt[i].wake);
  }
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->lock);
  pthread_mutex_destroy(&p->submit);
  if (p->pt) vy_mem_free(p->alloc, p->pt, (size_t)(p->threads - 1) * sizeof *p->pt);
  vy_mem_free(p->alloc, p, sizeof *p);
}

void vy_pool_destroy(vy_pool *p) {
  if (p) pool_free(p);
}

vy_status vy_pool_create(const vy_allocator *alloc, unsigned threads, vy_pool **out, vy_error *err) {
  if (out) *out = NULL;
  if (threads == 0) threads = vy_pool_default_threads();
  if (!out || threads > VY_POOL_MAX_THREADS)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_pool_create: %u threads asked, at most %u allowed, and an output is needed. Fix: pass 0 "
                        "for one thread per CPU.",
                        threads, VY_POOL_MAX_THREADS);
  vy_pool *p = vy_mem_calloc(alloc, 1, sizeof *p);
  if (!p) return vy_error_nomem(err);
  if (alloc) {
    p->alloc_copy = *alloc;
    p->alloc = &p->alloc_copy;
  }
  p->threads = threads;
  atomic_init(&p->next, 0);
  atomic_init(&p->state, JOB_CLOSED);
  if (threads > 1 && !(p->pt = vy_mem_calloc(p->alloc, threads - 1, sizeof *p->pt))) {
    vy_mem_free(p->alloc, p, sizeof *p);
    return vy_error_nomem(err);
  }
  /* With default attributes these only fail for lack of memory. */
  int rc = pthread_mutex_init(&p->submit, NULL);
  if (!rc && (rc = pthread_mutex_init(&p->lock, NULL))) pthread_mutex_destroy(&p->submit);
  if (!rc && (rc = pthread_cond_init(&p->done, NULL))) {
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->submit);
  }
  if (rc) {
    if (p->pt) vy_mem_free(p->alloc, p->pt, (size_t)(threads - 1) * sizeof *p->pt);
    vy_mem_free(p->alloc, p, sizeof *p);
    return vy_error_nomem(err);
  }

  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* pool threads inherit "all blocked" */
  for (unsigned i = 0; i + 1 < threads && !rc; i++) {
    pool_thread *t = &p->pt[i];
    t->pool = p;
    t->index = i + 1;
    if ((rc = pthread_cond_init(&t->wake, NULL))) break;
    if ((rc = pthread_create(&t->tid, NULL, thread_main, t))) {
      pthread_cond_destroy(&t->wake);
      break;
    }
    p->started++;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc) {
    unsigned started = p->started;
    pool_free(p);
    char why[96];
    return vy_error_set(err, VY_E_NOMEM,
                        "could not start pool thread %u of %u (%s). Fix: create the pool with fewer threads or raise "
                        "the process's thread limit.",
                        started + 1, threads - 1, strerror_r(rc, why, sizeof why));
  }
  *out = p;
  return VY_OK;
}

#define COPY_SLICE ((size_t)1 << 20)

typedef struct copy_job {
  uint8_t *dst;
  const uint8_t *src;
  size_t n;
} copy_job;

static void copy_slice(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  const copy_job *j = ctx;
  (void)worker;
  size_t from = (size_t)begin * COPY_SLICE, to = (size_t)end * COPY_SLICE;
  if (to > j->n) to = j->n;
  memcpy(j->dst + from, j->src + from, to - from);
}

void vy_pool_memcpy(vy_pool *p, void *dst, const void *src, size_t n, size_t parallel_from) {
  copy_job j = {dst, src, n};
  if (!p || n < parallel_from ||
      vy_pool_parallel_for(p, (n + COPY_SLICE - 1) / COPY_SLICE, 1, 0, copy_slice, &j, NULL) != VY_OK)
    memcpy(dst, src, n);
}
