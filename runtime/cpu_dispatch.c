/* cpu_dispatch.c - runs a compiled CPU kernel over the dispatch grid on the
 * thread pool: one scratch block per participant, the float environment,
 * the stop flag (errors, timeout) and the error record. See
 * cpu_dispatch_int.h. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "alloc_int.h"
#include "cpu_dispatch_int.h"
#include "error_int.h"

#define SCRATCH_ALIGN 64u
#define MXCSR_DAZ 0x0040u

void vy_cpu_raise(vy_kerr *e, uint32_t site, uint32_t has_inv, uint32_t gx, uint32_t gy, uint32_t gz, uint64_t a0,
                  uint64_t a1, uint64_t b0, uint64_t b1) {
  unsigned expected = 0;
  if (atomic_compare_exchange_strong(&e->claimed, &expected, 1u)) {
    e->site = site;
    e->has_inv = has_inv;
    e->inv[0] = gx;
    e->inv[1] = gy;
    e->inv[2] = gz;
    e->a[0] = a0;
    e->a[1] = a1;
    e->b[0] = b0;
    e->b[1] = b1;
  }
  atomic_store(&e->stop, 1u); /* release: the fields above are visible to the dispatcher after the join */
}

uint32_t vy_cpu_async_begin(const vy_allocator *alloc, vy_async_slot *s, const uint8_t *src, uint64_t src_len,
                            uint64_t src_off, uint8_t *dst, uint64_t dst_len, uint64_t start, uint64_t size) {
  if (s->active) return 1;
  uint64_t keep = start >= dst_len ? 0 : dst_len - start;
  if (size < keep) keep = size;
  if (keep > s->cap) {
    uint8_t *p = vy_mem_realloc(alloc, s->data, (size_t)s->cap, (size_t)keep);
    if (!p) return 2;
    s->data = p;
    s->cap = keep;
  }
  for (uint64_t i = 0; i < keep; i++) s->data[i] = src_off < src_len && i < src_len - src_off ? src[src_off + i] : 0;
  s->dst = dst + (keep ? start : 0);
  s->len = keep;
  s->active = 1;
  return 0;
}

uint32_t vy_cpu_async_wait(vy_async_slot *s) {
  if (!s->active) return 1;
  if (s->len) memcpy(s->dst, s->data, (size_t)s->len);
  s->active = 0;
  return 0;
}

uint32_t vy_cpu_async_pending(const vy_async_slot *s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (s[i].active) return i + 1;
  return 0;
}

void vy_cpu_async_release(const vy_allocator *alloc, vy_async_slot *s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    vy_mem_free(alloc, s[i].data, (size_t)s[i].cap);
    memset(&s[i], 0, sizeof s[i]);
  }
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct job {
  vy_kernel_fn fn;
  const vy_kargs *args;
  uint8_t *scratch; /* participants * stride bytes, aligned */
  size_t stride;
  uint64_t deadline; /* 0 = none */
  atomic_bool timed_out;
} job;

/* JIT-compiled kernels carry no type hash before their entry, which clang's
 * -fsanitize=function reads (8 bytes before it, maybe an unmapped page) on
 * every indirect call: the kernel call is exempt from that check. */
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
static void run_slice(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  job *j = ctx;
  vy_kerr *e = j->args->err;
  if (atomic_load_explicit(&e->stop, memory_order_relaxed)) return;
  if (j->deadline && now_ns() >= j->deadline) {
    atomic_store(&j->timed_out, true);
    atomic_store(&e->stop, 1u);
    return;
  }
#if defined(__x86_64__)
  unsigned csr = _mm_getcsr();
  _mm_setcsr((csr | MXCSR_DAZ) & ~0x8000u); /* DAZ on, FTZ off */
  j->fn(j->args, begin, end, j->scratch + (size_t)worker * j->stride);
  _mm_setcsr(csr);
#else
  j->fn(j->args, begin, end, j->scratch + (size_t)worker * j->stride);
#endif
}

/* The timeout watchdog: a thread that sleeps until the deadline or the end
 * of the dispatch, whichever comes first, and at the deadline sets `stop`
 * (kernels poll it before each workgroup and in their long loops). */
typedef struct watchdog {
  pthread_mutex_t lock;
  pthread_cond_t cond; /* on CLOCK_MONOTONIC */
  bool finished;       /* under lock */
  job *j;
  pthread_t th;
} watchdog;

static void *watch(void *arg) {
  watchdog *d = arg;
  struct timespec ts = {(time_t)(d->j->deadline / 1000000000u), (long)(d->j->deadline % 1000000000u)};
  pthread_mutex_lock(&d->lock);
  while (!d->finished) {
    if (pthread_cond_timedwait(&d->cond, &d->lock, &ts) == ETIMEDOUT && !d->finished) {
      atomic_store(&d->j->timed_out, true);
      atomic_store(&d->j->args->err->stop, 1u);
      break;
    }
  }
  pthread_mutex_unlock(&d->lock);
  return NULL;
}

/* Starts the watchdog of j; false when a thread or its primitives could not
 * be had (the dispatch then stops only between slices of workgroups). */
static bool watch_start(watchdog *d, job *j) {
  pthread_condattr_t ca;
  d->finished = false;
  d->j = j;
  if (pthread_condattr_init(&ca)) return false;
  bool ok = !pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) && !pthread_cond_init(&d->cond, &ca);
  pthread_condattr_destroy(&ca);
  if (!ok) return false;
  if (pthread_mutex_init(&d->lock, NULL)) {
    pthread_cond_destroy(&d->cond);
    return false;
  }
  if (pthread_create(&d->th, NULL, watch, d)) {
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    return false;
  }
  return true;
}

static void watch_stop(watchdog *d) {
  pthread_mutex_lock(&d->lock);
  d->finished = true;
  pthread_cond_signal(&d->cond);
  pthread_mutex_unlock(&d->lock);
  pthread_join(d->th, NULL);
  pthread_mutex_destroy(&d->lock);
  pthread_cond_destroy(&d->cond);
}

vy_status vy_cpu_run(vy_pool *pool, vy_kernel_fn fn, const vy_kargs *args, uint64_t total_wg, size_t scratch_bytes,
                     uint64_t timeout_ns, const vy_allocator *alloc, vy_error *err) {
  if (!pool || !fn || !args || !args->err)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_cpu_run needs a pool, a kernel and arguments. Fix: pass them");
  unsigned threads = vy_pool_threads(pool);
  size_t stride = (scratch_bytes + SCRATCH_ALIGN - 1) / SCRATCH_ALIGN * SCRATCH_ALIGN;
  if (stride == 0) stride = SCRATCH_ALIGN;
  if (stride > (SIZE_MAX - SCRATCH_ALIGN) / threads) return vy_error_nomem(err);
  size_t block = stride * threads + SCRATCH_ALIGN;
  uint8_t *raw = vy_mem_alloc(alloc, block);
  if (!raw) return vy_error_nomem(err);
  job j = {.fn = fn, .args = args, .stride = stride};
  j.scratch = raw + (SCRATCH_ALIGN - (uintptr_t)raw % SCRATCH_ALIGN) % SCRATCH_ALIGN;
  atomic_init(&j.timed_out, false);
  if (timeout_ns) {
    uint64_t t = now_ns();
    j.deadline = t + timeout_ns < t ? UINT64_MAX : t + timeout_ns;
  }
#if defined(__x86_64__)
  unsigned flags = 0; /* DAZ is set per slice in run_slice */
#else
  unsigned flags = VY_POOL_FTZ;
#endif
  watchdog dog;
  bool watching = j.deadline && watch_start(&dog, &j);
  vy_status st = vy_pool_parallel_for(pool, total_wg, 0, flags, run_slice, &j, err);
  if (watching) watch_stop(&dog);
  vy_mem_free(alloc, raw, block);
  if (st != VY_OK) return st;
  if (atomic_load(&j.timed_out) && !atomic_load(&args->err->claimed))
    return vy_error_set(err, VY_E_TIMEOUT,
                        "the dispatch ran longer than its timeout of %llu ns and was stopped. Fix: raise "
                        "DispatchConfig.timeout_ns or dispatch less work",
                        (unsigned long long)timeout_ns);
  return VY_OK;
}
