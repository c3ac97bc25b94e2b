/* test_jit_concurrency.c - many threads on one backend at once (issue 10
 * §3): compiling identical and different programs concurrently with the
 * kernel cache on, dispatching through shared and private kernel handles,
 * on llvm-cpu, on the reference backend and, where a GPU and its driver
 * are present, on cuda (skipped elsewhere; scripts/gpu-check.sh runs it on
 * the GPU machine). Every result is checked against a C loop in this file.
 * The CI runs this test under ThreadSanitizer as well (scripts/test.sh
 * --tsan).
 *
 * The programs: out[i] = a[i] * m + c over n elements (u32, wrapping),
 * with (m, c) from a small table, so threads that pick the same entry
 * compile programs with the same fingerprint (one compile, shared) and
 * others compile different ones. */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include "vyre/jit.h"
#include "vyre/vyre.h"

enum { NTHREADS = 8, ROUNDS = 40, NVARIANTS = 5, N = 1000 };

static const uint32_t variant_m[NVARIANTS] = {3, 7, 0xFFFFFFFFu, 1, 12345};
static const uint32_t variant_c[NVARIANTS] = {1, 0, 5, 0x80000000u, 99};

static vy_program *variant(uint32_t v) {
  vy_builder *b;
  if (vy_builder_create(NULL, &b) != VY_OK) return NULL;
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), N);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), N);
  vy_b_workgroup_size(b, 64, 1, 1);
  vy_b_let(b, "i", vy_b_invocation_id(b, 0));
  vy_b_store(b, "out", vy_b_var(b, "i"),
             vy_b_bin(b, VY_BINOP_ADD,
                      vy_b_bin(b, VY_BINOP_MUL, vy_b_load(b, "a", vy_b_var(b, "i")), vy_b_u32(b, variant_m[v])),
                      vy_b_u32(b, variant_c[v])));
  vy_program *p = NULL;
  vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL);
  vy_builder_destroy(b);
  return p;
}

typedef struct worker {
  vy_backend *be;
  vy_kernel *shared; /* compiled once by the main thread, dispatched by all */
  uint32_t seed;
  uint32_t dispatches, failures;
  char first_failure[1400];
} worker;

static uint32_t next(uint32_t *s) { /* xorshift32 */
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

/* Checks one dispatch's outputs against the C loop for variant v. */
static bool check(worker *w, const vy_outputs *o, const uint32_t *a, uint32_t v) {
  if (o->count != 1 || o->items[0].len != N * 4) return false;
  const uint8_t *d = o->items[0].data;
  for (uint32_t i = 0; i < N; i++) {
    uint32_t got;
    memcpy(&got, d + 4 * i, 4);
    uint32_t want = a[i] * variant_m[v] + variant_c[v];
    if (got != want) {
      snprintf(w->first_failure, sizeof w->first_failure, "variant %u element %u: got %u want %u", v, i, got, want);
      return false;
    }
  }
  return true;
}

static void fail_once(worker *w, const char *what, const vy_error *e) {
  if (!w->failures++) snprintf(w->first_failure, sizeof w->first_failure, "%.64s: %.1024s", what, e->message);
}

static void *work(void *arg) {
  worker *w = arg;
  uint32_t a[N];
  for (uint32_t r = 0; r < ROUNDS; r++) {
    for (uint32_t i = 0; i < N; i++) a[i] = next(&w->seed);
    vy_input in = {a, sizeof a};
    vy_outputs o;
    vy_error e;
    uint32_t v = next(&w->seed) % NVARIANTS;
    vy_program *p = variant(v);
    if (!p) {
      w->failures++;
      continue;
    }
    /* 1: one-shot dispatch (compile or cache hit inside) */
    if (vy_dispatch(w->be, p, &in, 1, NULL, &o, &e) != VY_OK) fail_once(w, "dispatch", &e);
    else {
      w->failures += !check(w, &o, a, v);
      w->dispatches++;
      vy_outputs_free(&o);
    }
    /* 2: a private compiled handle, dispatched twice */
    vy_kernel *k = NULL;
    if (vy_compile(w->be, p, NULL, &k, &e) != VY_OK) fail_once(w, "compile", &e);
    else {
      for (int t = 0; t < 2; t++) {
        if (vy_kernel_dispatch(k, &in, 1, NULL, &o, &e) != VY_OK) fail_once(w, "kernel dispatch", &e);
        else {
          w->failures += !check(w, &o, a, v);
          w->dispatches++;
          vy_outputs_free(&o);
        }
      }
      vy_kernel_destroy(k);
    }
    vy_program_destroy(p);
    /* 3: the kernel shared by every thread (variant 0) */
    if (vy_kernel_dispatch(w->shared, &in, 1, NULL, &o, &e) != VY_OK) fail_once(w, "shared dispatch", &e);
    else {
      w->failures += !check(w, &o, a, 0);
      w->dispatches++;
      vy_outputs_free(&o);
    }
  }
  return NULL;
}

/* NTHREADS threads on one `backend`; an `optional` one that cannot open
 * (cuda without a GPU) skips the test. */
static void hammer(const char *backend, bool optional) {
  vy_context_options opt;
  vy_context_options_init(&opt);
  vy_context *ctx = NULL;
  assert_int_equal(vy_context_create(&opt, &ctx, NULL), VY_OK);
  assert_int_equal(vy_jit_register_backends(ctx), VY_OK);
  vy_backend *be = NULL;
  vy_error e;
  vy_status st = vy_backend_open(ctx, backend, &be, &e);
  if (st != VY_OK && optional) {
    printf("%s: %s\n", backend, e.message);
    vy_context_destroy(ctx);
    skip();
  }
  assert_int_equal(st, VY_OK);
  vy_program *p0 = variant(0);
  vy_kernel *shared = NULL;
  assert_int_equal(vy_compile(be, p0, NULL, &shared, &e), VY_OK);
  worker w[NTHREADS];
  pthread_t t[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    w[i] = (worker){.be = be, .shared = shared, .seed = 0x9E3779B9u * (uint32_t)(i + 1)};
    assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
  }
  uint32_t total = 0;
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(t[i], NULL);
    if (w[i].failures) fail_msg("%s thread %d: %u failure(s), first: %s", backend, i, w[i].failures, w[i].first_failure);
    total += w[i].dispatches;
  }
  assert_int_equal(total, NTHREADS * ROUNDS * 4);
  printf("%s: %u concurrent dispatches on %d threads, all correct\n", backend, total, NTHREADS);
  vy_kernel_destroy(shared);
  vy_program_destroy(p0);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

static void llvm_cpu_many_threads(void **state) {
  (void)state;
  hammer("llvm-cpu", false);
}

static void reference_many_threads(void **state) {
  (void)state;
  hammer("reference", false);
}

static void cuda_many_threads(void **state) {
  (void)state;
  hammer("cuda", true);
}

/* Several contexts, each with its own llvm-cpu backend, in parallel
 * threads: backends share the process-wide LLVM state and the disk cache
 * directory, nothing else. */
static void *own_context(void *arg) {
  worker *w = arg;
  vy_context_options opt;
  vy_context_options_init(&opt);
  opt.threads = 2;
  vy_context *ctx = NULL;
  vy_error e;
  if (vy_context_create(&opt, &ctx, &e) != VY_OK || vy_jit_register_backends(ctx) != VY_OK ||
      vy_backend_open(ctx, "llvm-cpu", &w->be, &e) != VY_OK) {
    fail_once(w, "open", &e);
    vy_context_destroy(ctx);
    return NULL;
  }
  vy_program *p0 = variant(0);
  if (vy_compile(w->be, p0, NULL, &w->shared, &e) != VY_OK) fail_once(w, "compile", &e);
  else {
    work(w);
    vy_kernel_destroy(w->shared);
  }
  vy_program_destroy(p0);
  vy_backend_close(w->be);
  vy_context_destroy(ctx);
  return NULL;
}

static void contexts_in_parallel(void **state) {
  (void)state;
  enum { NCTX = 4 };
  worker w[NCTX];
  pthread_t t[NCTX];
  for (int i = 0; i < NCTX; i++) {
    w[i] = (worker){.seed = 0x85EBCA6Bu * (uint32_t)(i + 1)};
    assert_int_equal(pthread_create(&t[i], NULL, own_context, &w[i]), 0);
  }
  for (int i = 0; i < NCTX; i++) {
    pthread_join(t[i], NULL);
    if (w[i].failures) fail_msg("context %d: %u failure(s), first: %s", i, w[i].failures, w[i].first_failure);
    assert_int_equal(w[i].dispatches, ROUNDS * 4);
  }
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

int main(void) {
  /* a fresh, empty disk cache: the first compiles really race */
  char dir[] = "/tmp/vyre-concurrency-XXXXXX";
  if (!mkdtemp(dir) || setenv("VYRE_JIT_CACHE_DIR", dir, 1) != 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(llvm_cpu_many_threads),
      cmocka_unit_test(reference_many_threads),
      cmocka_unit_test(cuda_many_threads),
      cmocka_unit_test(contexts_in_parallel),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return failed;
}
