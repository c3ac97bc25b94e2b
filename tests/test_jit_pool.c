/* test_jit_pool.c - the CPU thread pool (runtime/pool.c): every index exactly
 * once, slice sizes, worker indices, nesting and concurrent submitters, the
 * float environment inside jobs, clean start/stop, allocation failures, and
 * the cost of an empty job (reported, not asserted). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "fault_alloc.h"
#include "pool_int.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static vy_pool *new_pool(unsigned threads) {
  vy_pool *p = NULL;
  vy_error err;
  assert_int_equal(vy_pool_create(NULL, threads, &p, &err), VY_OK);
  assert_non_null(p);
  return p;
}

/* ---- coverage ---- */

typedef struct cover {
  atomic_uchar *hits;     /* per index */
  atomic_uint slices;     /* callback calls */
  atomic_uint bad_slices; /* empty, too long, or out of range */
  atomic_uint bad_worker; /* index >= threads, or shared by two running threads */
  atomic_uchar busy[64];  /* worker index currently inside a callback */
  uint64_t n, chunk;      /* the chunk the slices must respect */
  unsigned threads;
} cover;

static void cover_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  cover *c = ctx;
  atomic_fetch_add(&c->slices, 1);
  if (worker >= c->threads || atomic_exchange(&c->busy[worker], 1)) atomic_fetch_add(&c->bad_worker, 1);
  if (begin >= end || end > c->n || end - begin > c->chunk) atomic_fetch_add(&c->bad_slices, 1);
  for (uint64_t i = begin; i < end && i < c->n; i++) atomic_fetch_add(&c->hits[i], 1);
  if (worker < c->threads) atomic_store(&c->busy[worker], 0);
}

/* Runs one job and checks every index was passed exactly once in slices of
 * at most `expect_chunk`. */
static void check_cover(vy_pool *p, uint64_t n, uint64_t chunk, uint64_t expect_chunk) {
  cover c;
  memset(&c, 0, sizeof c);
  c.hits = calloc(n ? n : 1, sizeof *c.hits);
  assert_non_null(c.hits);
  c.n = n;
  c.chunk = expect_chunk;
  c.threads = vy_pool_threads(p);
  vy_error err;
  assert_int_equal(vy_pool_parallel_for(p, n, chunk, 0, cover_fn, &c, &err), VY_OK);
  for (uint64_t i = 0; i < n; i++)
    if (c.hits[i] != 1)
      fail_msg("n=%llu chunk=%llu threads=%u: index %llu hit %u times", (unsigned long long)n,
               (unsigned long long)chunk, c.threads, (unsigned long long)i, (unsigned)c.hits[i]);
  assert_int_equal(c.bad_slices, 0);
  assert_int_equal(c.bad_worker, 0);
  /* the number of slices follows from n and the chunk: ceil(n / chunk) */
  assert_int_equal(c.slices, n ? (n + expect_chunk - 1) / expect_chunk : 0);
  free(c.hits);
}

static void covers_every_index_once(void **state) {
  (void)state;
  static const unsigned threads[] = {1, 2, 3, 4, 8};
  static const uint64_t ns[] = {0, 1, 2, 3, 7, 64, 1000, 100003};
  static const uint64_t chunks[] = {1, 2, 3, 7, 64, 1000, 200000};
  for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
    vy_pool *p = new_pool(threads[t]);
    assert_int_equal(vy_pool_threads(p), threads[t]);
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
      for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
        if (ns[i] > 10000 && chunks[k] < 3) continue; /* keep the run short on a 2-core box */
        check_cover(p, ns[i], chunks[k], chunks[k]);
      }
    vy_pool_destroy(p);
  }
}

static void auto_chunk_is_a_quarter_per_thread(void **state) {
  (void)state;
  vy_pool *p = new_pool(3);
  /* chunk 0 = ceil(n / (4 * threads)): n = 1000, 3 threads -> ceil(1000/12) = 84 */
  check_cover(p, 1000, 0, 84);
  /* n smaller than 4 * threads -> chunk 1 */
  check_cover(p, 5, 0, 1);
  check_cover(p, 1, 0, 1);
  vy_pool_destroy(p);
}

typedef struct edges {
  uint64_t begin[4], end[4];
  atomic_uint count;
} edges;

static void edges_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  (void)worker;
  edges *e = ctx;
  unsigned i = atomic_fetch_add(&e->count, 1);
  if (i < 4) {
    e->begin[i] = begin;
    e->end[i] = end;
  }
}

static void huge_ranges_do_not_overflow(void **state) {
  (void)state;
  vy_pool *p = new_pool(2);
  edges e;
  memset(&e, 0, sizeof e);
  vy_error err;
  /* [0, 2^64 - 1) in chunks of 2^63: [0, 2^63) and [2^63, 2^64 - 1) */
  assert_int_equal(vy_pool_parallel_for(p, UINT64_MAX, UINT64_C(1) << 63, 0, edges_fn, &e, &err), VY_OK);
  assert_int_equal(e.count, 2);
  uint64_t lo = e.begin[0] < e.begin[1] ? 0 : 1;
  assert_true(e.begin[lo] == 0 && e.end[lo] == UINT64_C(1) << 63);
  assert_true(e.begin[1 - lo] == UINT64_C(1) << 63 && e.end[1 - lo] == UINT64_MAX);
  /* 2^64 - 1 chunks of one index cannot be counted: refused, not wrapped */
  assert_int_equal(vy_pool_parallel_for(p, UINT64_MAX, 1, 0, edges_fn, &e, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  vy_pool_destroy(p);
}

/* ---- the pool threads really work ---- */

typedef struct together {
  atomic_int others; /* slices run by workers other than the caller */
  atomic_int timed_out;
} together;

static void together_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  (void)begin;
  (void)end;
  together *t = ctx;
  if (worker != 0) {
    atomic_fetch_add(&t->others, 1);
    return;
  }
  /* The caller holds on to its first slice until a pool thread has run one
   * (or 10 s pass), so the job cannot finish on the caller alone. */
  double start = now_ns();
  while (!atomic_load(&t->others)) {
    if (now_ns() - start > 10e9) {
      atomic_store(&t->timed_out, 1);
      return;
    }
    nanosleep(&(struct timespec){0, 100000}, NULL);
  }
}

static void pool_threads_take_part(void **state) {
  (void)state;
  vy_pool *p = new_pool(2);
  together t;
  memset(&t, 0, sizeof t);
  vy_error err;
  assert_int_equal(vy_pool_parallel_for(p, 16, 1, 0, together_fn, &t, &err), VY_OK);
  assert_false(t.timed_out);
  assert_true(t.others > 0);
  vy_pool_destroy(p);
}

static void default_is_one_thread_per_cpu(void **state) {
  (void)state;
  unsigned d = vy_pool_default_threads();
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  assert_true(d >= 1 && (long)d <= online);
  vy_pool *p = new_pool(0);
  assert_int_equal(vy_pool_threads(p), d);
  check_cover(p, 777, 5, 5);
  vy_pool_destroy(p);
}

/* ---- nesting and concurrent submitters ---- */

typedef struct nest {
  vy_pool *pool;
  atomic_uchar hits[64][10];
  atomic_uint wrong_worker;
  atomic_uint failed;
} nest;

typedef struct nest_inner {
  nest *outer;
  uint64_t row;
  unsigned worker;
} nest_inner;

static void nest_inner_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  nest_inner *in = ctx;
  if (worker != in->worker) atomic_fetch_add(&in->outer->wrong_worker, 1);
  for (uint64_t j = begin; j < end; j++) atomic_fetch_add(&in->outer->hits[in->row][j], 1);
}

static void nest_outer_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  nest *n = ctx;
  for (uint64_t i = begin; i < end; i++) {
    nest_inner in = {n, i, worker};
    if (vy_pool_parallel_for(n->pool, 10, 3, VY_POOL_FTZ, nest_inner_fn, &in, NULL) != VY_OK)
      atomic_fetch_add(&n->failed, 1);
  }
}

static void nested_submit_runs_inline(void **state) {
  (void)state;
  nest n;
  memset(&n, 0, sizeof n);
  n.pool = new_pool(3);
  vy_error err;
  assert_int_equal(vy_pool_parallel_for(n.pool, 64, 2, 0, nest_outer_fn, &n, &err), VY_OK);
  assert_int_equal(n.failed, 0);
  assert_int_equal(n.wrong_worker, 0);
  for (int i = 0; i < 64; i++)
    for (int j = 0; j < 10; j++) assert_int_equal(n.hits[i][j], 1);
  vy_pool_destroy(n.pool);
}

typedef struct submitter {
  vy_pool *pool;
  int bad;
} submitter;

static void *submit_many(void *arg) {
  submitter *s = arg;
  enum { N = 1000 };
  atomic_uchar *hits = malloc(N);
  for (int round = 0; round < 100 && !s->bad; round++) {
    for (int i = 0; i < N; i++) atomic_init(&hits[i], 0);
    cover c;
    memset(&c, 0, sizeof c);
    c.hits = hits;
    c.n = N;
    c.chunk = 7;
    c.threads = vy_pool_threads(s->pool);
    if (vy_pool_parallel_for(s->pool, N, 7, 0, cover_fn, &c, NULL) != VY_OK) s->bad = 1;
    for (int i = 0; i < N; i++) s->bad |= hits[i] != 1;
    s->bad |= c.bad_slices || c.bad_worker;
  }
  free(hits);
  return NULL;
}

static void concurrent_submitters_are_serialized(void **state) {
  (void)state;
  vy_pool *p = new_pool(3);
  submitter s[3] = {{p, 0}, {p, 0}, {p, 0}};
  pthread_t t[3];
  for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&t[i], NULL, submit_many, &s[i]), 0);
  for (int i = 0; i < 3; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(s[i].bad, 0);
  }
  vy_pool_destroy(p);
}

/* ---- float environment ---- */

#if defined(__x86_64__) || defined(__aarch64__)
/* The control bits of the float environment (MXCSR without its sticky
 * exception flags, bits 0-5; AArch64 keeps those in FPSR, not FPCR). */
static unsigned read_fenv(void) {
#if defined(__x86_64__)
  return _mm_getcsr() & ~0x3Fu;
#else
  uint64_t v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  return (unsigned)v;
#endif
}

typedef struct fenv_probe {
  atomic_uint slices;
  atomic_uint product_zero;   /* 1e-30f * 1e-10f gave +0 (FTZ: the subnormal result is flushed) */
  atomic_uint subnormal_seen; /* a subnormal input compared greater than zero (no DAZ) */
  atomic_uint env_mismatch;   /* control register differed from `expect_env` */
  unsigned expect_env;
} fenv_probe;

static volatile float tiny_a = 1e-30f, tiny_b = 1e-10f; /* product 1e-40 is below FLT_MIN (1.18e-38) */
static volatile float subnormal_in = 1e-40f;

static void fenv_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  (void)begin;
  (void)end;
  (void)worker;
  fenv_probe *f = ctx;
  atomic_fetch_add(&f->slices, 1);
  float r = tiny_a * tiny_b;
  if (r == 0.0f && !signbit(r)) atomic_fetch_add(&f->product_zero, 1);
  if (subnormal_in > 0.0f) atomic_fetch_add(&f->subnormal_seen, 1);
  if (read_fenv() != f->expect_env) atomic_fetch_add(&f->env_mismatch, 1);
}
#endif

static void jobs_run_with_ftz_and_restore_the_caller(void **state) {
  (void)state;
#if defined(__x86_64__) || defined(__aarch64__)
  /* the reference test of the probe itself: outside jobs, default env */
  assert_true(fpclassify(tiny_a * tiny_b) == FP_SUBNORMAL);
#if defined(__x86_64__)
  /* Intel SDM vol. 1 §10.2.3: MXCSR 0x1F80 = all exceptions masked, round
   * to nearest; FTZ is bit 15 (0x8000), DAZ bit 6 (0x40); RC = bits 13-14
   * (0x6000 = toward zero). */
  const unsigned job_ftz = 0x9FC0u, job_plain = 0x1F80u, caller_env = 0x1F80u | 0x6000u;
#else
  /* Arm ARM: FPCR.FZ is bit 24, RMode bits 22-23 (0b11 = toward zero). */
  const unsigned job_ftz = 1u << 24, job_plain = 0, caller_env = 3u << 22;
#endif
  vy_pool *p = new_pool(3);
  static const uint64_t ns[] = {1, 64}; /* 1: inline on the caller; 64: all threads */
  for (size_t i = 0; i < 2; i++) {
    for (int ftz = 0; ftz < 2; ftz++) {
      fenv_probe f;
      memset(&f, 0, sizeof f);
      f.expect_env = ftz ? job_ftz : job_plain;
#if defined(__x86_64__)
      unsigned saved = _mm_getcsr();
      _mm_setcsr(caller_env);
#else
      uint64_t saved;
      __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
      uint64_t ce = caller_env;
      __asm__ volatile("msr fpcr, %0" : : "r"(ce));
#endif
      vy_error err;
      vy_status st = vy_pool_parallel_for(p, ns[i], 1, ftz ? VY_POOL_FTZ : 0, fenv_fn, &f, &err);
      unsigned after = read_fenv();
#if defined(__x86_64__)
      _mm_setcsr(saved);
#else
      __asm__ volatile("msr fpcr, %0" : : "r"(saved));
#endif
      assert_int_equal(st, VY_OK);
      assert_int_equal(after, caller_env); /* restored */
      assert_int_equal(f.slices, ns[i]);
      assert_int_equal(f.env_mismatch, 0);
      assert_int_equal(f.product_zero, ftz ? ns[i] : 0);
#if defined(__x86_64__)
      assert_int_equal(f.subnormal_seen, ftz ? 0 : ns[i]); /* DAZ: subnormal inputs read as zero */
#endif
    }
  }
  vy_pool_destroy(p);
#else
  skip();
#endif
}

/* ---- lifetime, errors, allocation failures ---- */

static void noop_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  (void)ctx;
  (void)begin;
  (void)end;
  (void)worker;
}

static void create_destroy_repeatedly(void **state) {
  (void)state;
  for (int i = 0; i < 40; i++) {
    vy_pool *p = new_pool(1 + i % 5);
    if (i % 2) check_cover(p, 100, 9, 9); /* half of them stop right after a job, half idle */
    vy_pool_destroy(p);
  }
  vy_pool_destroy(NULL);
}

static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void idle_pool_threads_sleep(void **state) {
  (void)state;
  vy_pool *p = new_pool(4);
  check_cover(p, 1000, 1, 1); /* all threads were busy a moment ago */
  double cpu0 = cpu_ms(), wall0 = now_ns();
  nanosleep(&(struct timespec){0, 300000000}, NULL);
  double cpu = cpu_ms() - cpu0, wall = (now_ns() - wall0) / 1e6;
  /* three spinning threads would burn ~900 ms of CPU in these 300 ms */
  printf("[ INFO     ] idle pool of 4: %.2f ms CPU in %.0f ms\n", cpu, wall);
  assert_true(cpu < 30.0);
  vy_pool_destroy(p);
}

static void bad_arguments(void **state) {
  (void)state;
  vy_error err;
  vy_pool *p = NULL;
  assert_int_equal(vy_pool_create(NULL, VY_POOL_MAX_THREADS + 1, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_null(p);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(vy_pool_create(NULL, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
  p = new_pool(2);
  assert_int_equal(vy_pool_parallel_for(p, 10, 1, 0, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_pool_parallel_for(p, 10, 1, 0x80, noop_fn, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_pool_parallel_for(NULL, 10, 1, 0, noop_fn, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_pool_threads(NULL), 0);
  vy_pool_destroy(p);
}

static vy_status create_job_destroy(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  vy_pool *p = NULL;
  vy_status st = vy_pool_create(alloc, 3, &p, NULL);
  if (st) {
    assert_null(p);
    return st;
  }
  check_cover(p, 50, 4, 4);
  vy_pool_destroy(p);
  return VY_OK;
}

static void allocation_failures_are_clean(void **state) {
  (void)state;
  assert_int_equal(vy_fault_run_all(create_job_destroy, NULL), 2); /* the pool and its thread table */
}

/* ---- cost of an empty job (reported) ---- */

/* Median and 90th percentile of `runs` samples, sorted in place. */
static void report(const char *what, double *t, int runs) {
  qsort(t, runs, sizeof *t, cmp_double);
  printf("[ MEASURE  ] %s: median %.2f us, p90 %.2f us (%d runs)\n", what, t[runs / 2] / 1e3, t[runs * 9 / 10] / 1e3,
         runs);
}

/* The caller's slice waits for the pool thread's, so that a job cannot end
 * before a sleeping pool thread has woken and run. */
static void rendezvous_fn(void *ctx, uint64_t begin, uint64_t end, unsigned worker) {
  (void)begin;
  (void)end;
  atomic_int *arrived = ctx;
  if (worker != 0) {
    atomic_store(arrived, 1);
    return;
  }
  double start = now_ns();
  while (!atomic_load(arrived) && now_ns() - start < 1e9) {
  }
}

static void empty_job_overhead(void **state) {
  (void)state;
  vy_pool *p = new_pool(2);
  enum { RUNS = 20000, WAKES = 2000 };
  double *t = malloc(RUNS * sizeof *t);
  assert_non_null(t);
  /* 1. back-to-back empty jobs of two slices: what a submit costs the caller */
  for (int i = 0; i < RUNS; i++) {
    double t0 = now_ns();
    assert_int_equal(vy_pool_parallel_for(p, 2, 1, VY_POOL_FTZ, noop_fn, NULL, NULL), VY_OK);
    t[i] = now_ns() - t0;
  }
  report("empty parallel_for, 2 threads, n=2 chunk=1, back to back", t, RUNS);
  /* 2. after idling, a job the sleeping pool thread must take part in:
   * wake-up, join, and the caller's wait for it */
  int missed = 0;
  for (int i = 0; i < WAKES; i++) {
    nanosleep(&(struct timespec){0, 200000}, NULL); /* the pool thread goes back to sleep */
    atomic_int arrived = 0;
    double t0 = now_ns();
    assert_int_equal(vy_pool_parallel_for(p, 2, 1, VY_POOL_FTZ, rendezvous_fn, &arrived, NULL), VY_OK);
    t[i] = now_ns() - t0;
    missed += !atomic_load(&arrived);
  }
  assert_int_equal(missed, 0);
  report("parallel_for, 2 threads, n=2 chunk=1, pool thread woken from sleep and joined", t, WAKES);
  free(t);
  vy_pool_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(covers_every_index_once),
      cmocka_unit_test(auto_chunk_is_a_quarter_per_thread),
      cmocka_unit_test(huge_ranges_do_not_overflow),
      cmocka_unit_test(pool_threads_take_part),
      cmocka_unit_test(default_is_one_thread_per_cpu),
      cmocka_unit_test(nested_submit_runs_inline),
      cmocka_unit_test(concurrent_submitters_are_serialized),
      cmocka_unit_test(jobs_run_with_ftz_and_restore_the_caller),
      cmocka_unit_test(create_destroy_repeatedly),
      cmocka_unit_test(idle_pool_threads_sleep),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(allocation_failures_are_clean),
      cmocka_unit_test(empty_job_overhead),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
