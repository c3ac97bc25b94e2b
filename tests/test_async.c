/* test_async.c - asynchronous dispatch on every backend this program links
 * (reference; test_jit_async.c adds llvm-cpu): several dispatches in flight
 * waited in any order, is_ready, kernel dispatches, wait_into reusing the
 * caller's slots (same, larger and fewer/more outputs), errors delivered at
 * the wait (runtime trap, validation), argument errors, discard, and
 * allocation failures. Expected outputs come from a C loop in this file. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "async_int.h" /* the runner pool's test hooks */
#include "backends.h"
#include "fault_alloc.h"
#include "vyre/vyre.h"
#ifdef VY_TEST_WITH_JIT
#include "vyre/jit.h"
static const char *const backends[] = {"reference", "llvm-cpu"};
#define REGISTER vy_jit_register_backends
#else
static const char *const backends[] = {"reference"};
#define REGISTER NULL
#endif
#define NBACKENDS (sizeof backends / sizeof *backends)

/* out[i] = a[i] * a[i] + 1 over len(a) words; a word 99999 traps. */
static const char square_src[] = "program workgroup(64) {\n"
                                 "  buffer a: u32 read_write @0\n"
                                 "  region vyre.program.root {\n"
                                 "    let i = gid.x\n"
                                 "    if i < len(a) {\n"
                                 "      if a[i] == 99999 {\n"
                                 "        trap(i, bad_value)\n"
                                 "      }\n"
                                 "      a[i] = a[i] * a[i] + 1\n"
                                 "    }\n"
                                 "  }\n"
                                 "}\n";

/* Two outputs: lo[i] = a[i] & 255 and hi[i] = a[i] >> 8 (4 elements each). */
static const char split_src[] = "program workgroup(4) {\n"
                                "  buffer a: u32 read @0 count(4)\n"
                                "  buffer lo: u32 write @1 count(4)\n"
                                "  buffer hi: u32 write @2 count(4)\n"
                                "  region vyre.program.root {\n"
                                "    let i = gid.x\n"
                                "    if i < 4 {\n"
                                "      lo[i] = a[i] & 255\n"
                                "      hi[i] = a[i] >> 8\n"
                                "    }\n"
                                "  }\n"
                                "}\n";

static void fill(uint32_t *a, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; i++) a[i] = seed * 131 + (uint32_t)i * 7;
}

static void check_square(const vy_outputs *o, const uint32_t *a, size_t n) {
  assert_int_equal(o->count, 1);
  assert_int_equal(o->items[0].len, n * 4);
  uint32_t *got = malloc(n * 4 + 4);
  memcpy(got, o->items[0].data, n * 4);
  for (size_t i = 0; i < n; i++) assert_int_equal(got[i], a[i] * a[i] + 1);
  free(got);
}

static void several_in_flight(void **state) {
  (void)state;
  enum { K = 6, N = 5000 };
  static uint32_t a[K][N];
  for (size_t b = 0; b < NBACKENDS; b++) {
    vy_context *ctx;
    vy_backend *be;
    assert_int_equal(vt_open_backend(backends[b], NULL, REGISTER, &ctx, &be, NULL), VY_OK);
    assert_non_null(vy_backend_asyncable(be));
    vy_program *p = vt_parse(square_src);
    vy_pending *pd[K];
    vy_input in[K];
    for (int k = 0; k < K; k++) {
      fill(a[k], N - (size_t)k * 100, (uint32_t)k);
      in[k] = (vy_input){a[k], (N - (size_t)k * 100) * 4};
      assert_int_equal(vy_dispatch_async(be, p, &in[k], 1, NULL, &pd[k], NULL), VY_OK);
    }
    for (int k = K - 1; k >= 0; k--) { /* any order */
      vy_outputs o;
      assert_int_equal(vy_pending_wait(pd[k], &o, NULL), VY_OK);
      check_square(&o, a[k], N - (size_t)k * 100);
      vy_outputs_free(&o);
    }
    /* the inputs were never written */
    for (int k = 0; k < K; k++) assert_int_equal(a[k][3], (uint32_t)k * 131 + 21);
    vy_program_destroy(p);
    vt_close_backend(ctx, be);
  }
}

static void ready_and_kernels(void **state) {
  (void)state;
  uint32_t a[300];
  fill(a, 300, 4);
  for (size_t b = 0; b < NBACKENDS; b++) {
    vy_context *ctx;
    vy_backend *be;
    assert_int_equal(vt_open_backend(backends[b], NULL, REGISTER, &ctx, &be, NULL), VY_OK);
    vy_program *p = vt_parse(square_src);
    vy_kernel *k;
    assert_int_equal(vy_compile(be, p, NULL, &k, NULL), VY_OK);
    vy_input in = {a, sizeof a};
    vy_pending *pd[3];
    for (int i = 0; i < 3; i++) assert_int_equal(vy_kernel_dispatch_async(k, &in, 1, NULL, &pd[i], NULL), VY_OK);
    for (int spins = 0; !vy_pending_is_ready(pd[0]) && spins < 20000; spins++) {
      struct timespec ts = {0, 100000};
      nanosleep(&ts, NULL);
    }
    assert_true(vy_pending_is_ready(pd[0]));
    assert_true(vy_pending_is_ready(NULL));
    for (int i = 0; i < 3; i++) {
      vy_outputs o;
      assert_int_equal(vy_pending_wait(pd[i], &o, NULL), VY_OK);
      check_square(&o, a, 300);
      vy_outputs_free(&o);
    }
    vy_kernel_destroy(k);
    vy_program_destroy(p);
    vt_close_backend(ctx, be);
  }
}

static void wait_into_reuses_slots(void **state) {
  (void)state;
  uint32_t a[64], big[256], q[4] = {0x1234, 0xff, 0x10000, 7};
  fill(a, 64, 1);
  fill(big, 256, 2);
  for (size_t b = 0; b < NBACKENDS; b++) {
    vy_context *ctx;
    vy_backend *be;
    assert_int_equal(vt_open_backend(backends[b], NULL, REGISTER, &ctx, &be, NULL), VY_OK);
    vy_program *p = vt_parse(square_src), *split = vt_parse(split_src);
    vy_outputs slots = {0};
    vy_pending *pd;
    vy_input in = {a, sizeof a};
    /* empty slots: filled */
    assert_int_equal(vy_dispatch_async(be, p, &in, 1, NULL, &pd, NULL), VY_OK);
    assert_int_equal(vy_pending_wait_into(pd, &slots, NULL), VY_OK);
    check_square(&slots, a, 64);
    /* same size: the same allocation is reused */
    const uint8_t *before = slots.items[0].data;
    fill(a, 64, 3);
    assert_int_equal(vy_dispatch_async(be, p, &in, 1, NULL, &pd, NULL), VY_OK);
    assert_int_equal(vy_pending_wait_into(pd, &slots, NULL), VY_OK);
    check_square(&slots, a, 64);
    assert_ptr_equal(slots.items[0].data, before);
    /* smaller: still reused */
    vy_input small = {a, 32};
    assert_int_equal(vy_dispatch_async(be, p, &small, 1, NULL, &pd, NULL), VY_OK);
    assert_int_equal(vy_pending_wait_into(pd, &slots, NULL), VY_OK);
    check_square(&slots, a, 8);
    assert_ptr_equal(slots.items[0].data, before);
    /* larger: grown */
    vy_input large = {big, sizeof big};
    assert_int_equal(vy_dispatch_async(be, p, &large, 1, NULL, &pd, NULL), VY_OK);
    assert_int_equal(vy_pending_wait_into(pd, &slots, NULL), VY_OK);
    check_square(&slots, big, 256);
    /* more outputs, then fewer */
    vy_input qin = {q, sizeof q};
    assert_int_equal(vy_dispatch_async(be, split, &qin, 1, NULL, &pd, NULL), VY_OK);
    assert_int_equal(vy_pending_wait_into(pd, &slots, NULL), VY_OK);
    assert_int_equal(slots.count, 2);
    for (int i = 0; i < 4; i++) {
      uint32_t lo, hi;
      memcpy(&lo, slots.items[0].data + 4 * i, 4);
      memcpy(&hi, slots.items[1].data + 4 * i, 4);
      assert_int_equal(lo, q[i] & 255);
      assert_int_equal(hi, q[i] >> 8);
    }
    assert_int_equal(vy_dispatch_async(be, p, &in, 1, NULL, &pd, NULL), VY_OK);
    assert_int_equal(vy_pending_wait_into(pd, &slots, NULL), VY_OK);
    check_square(&slots, a, 64);
    /* an error leaves the slots untouched */
    uint32_t bad[2] = {1, 99999};
    vy_input bin = {bad, sizeof bad};
    assert_int_equal(vy_dispatch_async(be, p, &bin, 1, NULL, &pd, NULL), VY_OK);
    vy_error err;
    assert_int_equal(vy_pending_wait_into(pd, &slots, &err), VY_E_RUNTIME);
    check_square(&slots, a, 64);
    vy_outputs_free(&slots);
    vy_program_destroy(p);
    vy_program_destroy(split);
    vt_close_backend(ctx, be);
  }
}

static void errors_at_wait(void **state) {
  (void)state;
  uint32_t bad[4] = {1, 2, 99999, 4};
  for (size_t b = 0; b < NBACKENDS; b++) {
    vy_context *ctx;
    vy_backend *be;
    assert_int_equal(vt_open_backend(backends[b], NULL, REGISTER, &ctx, &be, NULL), VY_OK);
    vy_program *p = vt_parse(square_src);
    vy_program *invalid = vt_parse("program workgroup(0) {\n  buffer d: u32 read_write @0\n}\n");
    vy_input in = {bad, sizeof bad};
    vy_pending *pd, *pv;
    vy_error err;
    assert_int_equal(vy_dispatch_async(be, p, &in, 1, NULL, &pd, &err), VY_OK);
    assert_int_equal(vy_dispatch_async(be, invalid, &in, 1, NULL, &pv, &err), VY_OK); /* validation runs later */
    vy_outputs o;
    assert_int_equal(vy_pending_wait(pd, &o, &err), VY_E_RUNTIME);
    assert_non_null(strstr(err.message, "bad_value"));
    assert_int_equal(o.count, 0);
    assert_int_not_equal(vy_pending_wait(pv, &o, &err), VY_OK);
    assert_non_null(strstr(err.message, "Fix:"));
    /* argument errors come back at once */
    assert_int_equal(vy_dispatch_async(be, NULL, &in, 1, NULL, &pd, &err), VY_E_INVALID_ARGUMENT);
    assert_null(pd);
    assert_non_null(strstr(err.message, "Fix:"));
    assert_int_equal(vy_dispatch_async(be, p, NULL, 1, NULL, &pd, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_kernel_dispatch_async(NULL, &in, 1, NULL, &pd, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_pending_wait(NULL, &o, &err), VY_E_INVALID_ARGUMENT);
    /* a handle waited with no output is still consumed; discard waits and frees */
    assert_int_equal(vy_dispatch_async(be, p, &in, 1, NULL, &pd, &err), VY_OK);
    assert_int_equal(vy_pending_wait(pd, NULL, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_dispatch_async(be, p, &in, 1, NULL, &pd, &err), VY_OK);
    vy_pending_discard(pd);
    vy_pending_discard(NULL);
    vy_program_destroy(invalid);
    vy_program_destroy(p);
    vt_close_backend(ctx, be);
  }
}

/* The threads of this process, counted in /proc/self/task. */
static unsigned task_count(void) {
  DIR *d = opendir("/proc/self/task");
  assert_non_null(d);
  unsigned n = 0;
  for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* 1,000 pending dispatches at once (kernel dispatches, every 50th a
 * program dispatch, every 100th trapping): the process never has more
 * threads than before plus the context's runner bound, the pool starts at
 * most that many runners, every result (and every error) arrives at its
 * wait, waited in an order unlike the start order, some discarded while
 * possibly still queued; destroying the context joins the runners. */
static void thousand_in_flight(void **state) {
  (void)state;
  enum { H = 1000, N = 1024 }; /* a dispatch long enough that one thread per handle would pile up */
  static uint32_t a[H][N];
  for (size_t b = 0; b < NBACKENDS; b++) {
    vy_context *ctx;
    vy_backend *be;
    assert_int_equal(vt_open_backend(backends[b], NULL, REGISTER, &ctx, &be, NULL), VY_OK);
    vy_program *p = vt_parse(square_src);
    vy_kernel *k;
    assert_int_equal(vy_compile(be, p, NULL, &k, NULL), VY_OK);
    for (int h = 0; h < H; h++) {
      fill(a[h], N, (uint32_t)h);
      for (int i = 0; i < N; i++) a[h][i] = a[h][i] == 99999 ? 0 : a[h][i]; /* traps only where set below */
      if (h % 100 == 99) a[h][h % N] = 99999;
    }
    vy_input in0 = {a[0], sizeof a[0]};
    vy_outputs o;
    assert_int_equal(vy_kernel_dispatch(k, &in0, 1, NULL, &o, NULL), VY_OK); /* the backend's own threads, if any */
    vy_outputs_free(&o);
    assert_int_equal(vy_async_pool_runners(ctx), 0); /* no pool before the first asynchronous dispatch */
    unsigned before = task_count(), most = before;
    static vy_pending *pd[H];
    static vy_input in[H];
    for (int h = 0; h < H; h++) {
      in[h] = (vy_input){a[h], sizeof a[h]};
      vy_status st = h % 50 == 49 ? vy_dispatch_async(be, p, &in[h], 1, NULL, &pd[h], NULL)
                                  : vy_kernel_dispatch_async(k, &in[h], 1, NULL, &pd[h], NULL);
      assert_int_equal(st, VY_OK);
      if (h % 25 == 0) {
        unsigned now = task_count();
        most = now > most ? now : most;
      }
    }
    unsigned max = vy_async_pool_max_runners(ctx);
    assert_true(max >= 1 && max <= VY_ASYNC_MAX_RUNNERS && max <= vy_context_threads(ctx));
    assert_true(vy_async_pool_runners(ctx) <= max);
    assert_true(most <= before + max);
    assert_true(task_count() <= before + max);
    /* the odd handles from the end, then the even ones from the start */
    for (int i = 0; i < H; i++) {
      int at = i < H / 2 ? H - 1 - 2 * i : 2 * (i - H / 2);
      if (at % 10 == 3) { /* thrown away (queued or not) */
        vy_pending_discard(pd[at]);
        continue;
      }
      vy_status st = vy_pending_wait(pd[at], &o, NULL);
      if (at % 100 == 99) {
        assert_int_equal(st, VY_E_RUNTIME);
        assert_int_equal(o.count, 0);
      } else {
        assert_int_equal(st, VY_OK);
        check_square(&o, a[at], N);
      }
      vy_outputs_free(&o);
    }
    assert_true(vy_async_pool_runners(ctx) <= max);
    assert_true(task_count() <= before + max);
    vy_kernel_destroy(k);
    vy_program_destroy(p);
    vt_close_backend(ctx, be);
    assert_true(task_count() <= before); /* the runners were joined */
  }
}

typedef struct fault_case {
  const char *backend;
} fault_case;

static vy_status fault_async_locked(const vy_allocator *a, void *ud) {
  fault_case *fc = ud;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_program *p = NULL;
  vy_error err;
  static uint32_t x[200];
  vy_input in = {x, sizeof x};
  vy_outputs slots = {0};
  vy_status st = vt_open_backend(fc->backend, a, REGISTER, &ctx, &be, &err);
  if (st == VY_OK) st = vy_text_parse(square_src, strlen(square_src), "t", a, &p, &err);
  for (int round = 0; round < 2 && st == VY_OK; round++) {
    vy_pending *pd[2] = {NULL, NULL};
    st = vy_dispatch_async(be, p, &in, 1, NULL, &pd[0], &err);
    if (st == VY_OK) st = vy_dispatch_async(be, p, &in, 1, NULL, &pd[1], &err);
    vy_status s0 = pd[0] ? vy_pending_wait_into(pd[0], &slots, &err) : VY_OK;
    vy_status s1 = pd[1] ? vy_pending_wait_into(pd[1], &slots, &err) : VY_OK;
    if (st == VY_OK) st = s0 != VY_OK ? s0 : s1;
  }
  vy_outputs_free(&slots);
  vy_program_destroy(p);
  vt_close_backend(ctx, be);
  if (st != VY_OK && st != VY_E_NOMEM) fail_msg("unexpected %s: %s", vy_status_name(st), err.message);
  return st;
}

/* The fault allocator counts without locks: dispatches that allocate on
 * several threads reach it through a mutex. */
static vy_status fault_async(const vy_allocator *fault, void *ud) {
  vt_locked_alloc la;
  vt_locked_alloc_init(&la, fault);
  vy_status st = fault_async_locked(&la.alloc, ud);
  vt_locked_alloc_destroy(&la);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fault_case fc = {backends[b]};
    assert_true(vy_fault_run_all(fault_async, &fc) > 5);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(several_in_flight),
      cmocka_unit_test(ready_and_kernels),
      cmocka_unit_test(wait_into_reuses_slots),
      cmocka_unit_test(errors_at_wait),
      cmocka_unit_test(thousand_in_flight),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
