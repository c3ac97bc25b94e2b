/* test_jit_timeout.c - DispatchConfig.timeout_ns on llvm-cpu (issue 10 §2):
 * a runaway kernel (a u32::MAX-iteration loop, per invocation or at
 * workgroup level, or nested loops) stops with VY_E_TIMEOUT soon after the
 * deadline, also inside a single workgroup, and the backend and the
 * compiled kernel stay usable; loops that poll the stop flag in chunks
 * (lower_int.h, VY_LW_POLL_CHUNK) still compute exactly what the plain C
 * loops below compute, at the chunk edges and at the top of the u32 range.
 *
 * Expected values come from C loops in this file. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vyre/jit.h"
#include "vyre/vyre.h"
#include "backends.h"

static vy_context *g_ctx;
static vy_backend *g_cpu;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The C reference of `sums` below: acc = acc * 3 + k over k in [from, to), wrapping. */
static uint32_t c_sum(uint32_t from, uint32_t to) {
  uint32_t acc = 7;
  for (uint64_t k = from; k < to; k++) acc = acc * 3u + (uint32_t)k;
  return acc;
}

/* Bounds read from buffers (so they are runtime values): invocation i
 * loops over [lo[i], hi[i]) once per invocation (divergent bounds, a
 * per-invocation loop) and once more over [lo[0], hi[0]) (uniform bounds:
 * run at workgroup level). */
static const char sums_src[] = "program workgroup(4) {\n"
                               "  buffer lo: u32 read @0\n"
                               "  buffer hi: u32 read @1\n"
                               "  buffer o: u32 read_write @2 count(4) output\n"
                               "  buffer u: u32 read_write @3\n"
                               "  region r {\n"
                               "    let i = gid.x\n"
                               "    let acc = 7\n"
                               "    loop k in lo[i]..hi[i] {\n"
                               "      acc = acc * 3 + k\n"
                               "    }\n"
                               "    o[i] = acc\n"
                               "    let v = 7\n"
                               "    loop k in lo[0]..hi[0] {\n"
                               "      v = v * 3 + k\n"
                               "    }\n"
                               "    u[i] = v\n"
                               "  }\n"
                               "}\n";

static void chunked_loops_compute_exactly(void **state) {
  (void)state;
  vy_program *p = vt_parse(sums_src);
  /* chunk edges: empty, reversed, 1, 4095/4096/4097, several chunks, the top of u32 */
  static const uint32_t cases[][2] = {{0, 0},
                                      {10, 3},
                                      {5, 6},
                                      {0, 4095},
                                      {0, 4096},
                                      {0, 4097},
                                      {100, 100 + 3 * 4096 + 17},
                                      {4294967295u - 9000u, 4294967295u},
                                      {4294967295u - 4096u, 4294967295u},
                                      {4294967294u, 4294967295u}};
  size_t n = sizeof cases / sizeof cases[0];
  for (size_t c = 0; c + 4 <= n + 3; c += 4) {
    uint32_t lo[4], hi[4], u[4] = {0};
    for (size_t i = 0; i < 4; i++) {
      lo[i] = cases[(c + i) % n][0];
      hi[i] = cases[(c + i) % n][1];
    }
    vy_input in[3] = {{lo, sizeof lo}, {hi, sizeof hi}, {u, sizeof u}};
    vy_outputs out;
    vy_error err;
    vy_status st = vy_dispatch(g_cpu, p, in, 3, NULL, &out, &err);
    if (st != VY_OK) fail_msg("%s", err.message);
    assert_int_equal(out.count, 2);
    const uint32_t *got = (const uint32_t *)out.items[0].data, *gu = (const uint32_t *)out.items[1].data;
    for (size_t i = 0; i < 4; i++) {
      assert_int_equal(got[i], c_sum(lo[i], hi[i]));
      assert_int_equal(gu[i], c_sum(lo[0], hi[0]));
    }
    vy_outputs_free(&out);
  }
  vy_program_destroy(p);
}

/* Dispatches p with a 100 ms timeout: VY_E_TIMEOUT well before the loop could end. */
static void expect_timeout(vy_kernel *k, const vy_input *in, size_t nin) {
  vy_dispatch_config c;
  vy_dispatch_config_default(&c);
  c.timeout_ns = 100u * 1000000u;
  vy_outputs out;
  vy_error err;
  uint64_t t0 = now_ms();
  vy_status st = vy_kernel_dispatch(k, in, nin, &c, &out, &err);
  uint64_t dt = now_ms() - t0;
  if (st != VY_E_TIMEOUT) fail_msg("expected VY_E_TIMEOUT, got %s: %s", vy_status_name(st), err.message);
  assert_true(dt < 3000); /* 100 ms asked; generous for a loaded machine */
  assert_non_null(strstr(err.message, "timeout"));
  assert_non_null(strstr(err.message, "Fix:"));
}

/* Runaway kernels of one workgroup (so the per-workgroup check alone could
 * never stop them): a u32::MAX-iteration loop per invocation, the same at
 * workgroup level, and 2^16 x 2^16 nested literal loops. */
static void runaway_loops_stop(void **state) {
  (void)state;
  static const char *const srcs[] = {
      /* divergent bounds: a per-invocation loop */
      "program workgroup(2) {\n  buffer y: u32 read_write @0 count(2) output\n  region r {\n"
      "    let s = 0\n    loop k in gid.x..4294967295 {\n      s = s * 1664525 + k\n    }\n"
      "    y[gid.x] = s\n  }\n}\n",
      /* uniform bounds: run at workgroup level */
      "program workgroup(8) {\n  buffer y: u32 read_write @0 count(8) output\n  region r {\n"
      "    let s = 0\n    loop k in 0..4294967295 {\n      s = s * 1664525 + k\n    }\n"
      "    y[gid.x] = s\n  }\n}\n",
      /* literal bounds, nested */
      "program workgroup(1) {\n  buffer y: u32 read_write @0 count(1) output\n  region r {\n"
      "    let s = 0\n    loop a in 0..65536 {\n      loop b in 0..65536 {\n        s = s * 1664525 + b\n"
      "      }\n    }\n    y[0] = s\n  }\n}\n",
  };
  for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
    vy_program *p = vt_parse(srcs[i]);
    vy_kernel *k;
    vy_error err;
    if (vy_compile(g_cpu, p, NULL, &k, &err) != VY_OK) fail_msg("compile: %s", err.message);
    expect_timeout(k, NULL, 0);
    expect_timeout(k, NULL, 0); /* the kernel stays usable */
    vy_kernel_destroy(k);
    vy_program_destroy(p);
  }
  /* and so does the backend: a short run with a generous timeout completes */
  vy_program *p = vt_parse(sums_src);
  uint32_t lo[4] = {0, 1, 2, 3}, hi[4] = {5000, 9000, 2, 0}, u[4] = {0};
  vy_input in[3] = {{lo, sizeof lo}, {hi, sizeof hi}, {u, sizeof u}};
  vy_dispatch_config c;
  vy_dispatch_config_default(&c);
  c.timeout_ns = 10ull * 1000000000u;
  vy_outputs out;
  vy_error err;
  if (vy_dispatch(g_cpu, p, in, 3, &c, &out, &err) != VY_OK) fail_msg("%s", err.message);
  const uint32_t *got = (const uint32_t *)out.items[0].data;
  for (size_t i = 0; i < 4; i++) assert_int_equal(got[i], c_sum(lo[i], hi[i]));
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

static int setup(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  vy_error err;
  if (vy_context_create(&o, &g_ctx, &err) || vy_jit_register_backends(g_ctx) ||
      vy_backend_open(g_ctx, "llvm-cpu", &g_cpu, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  vy_backend_close(g_cpu);
  vy_context_destroy(g_ctx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(chunked_loops_compute_exactly),
      cmocka_unit_test(runaway_loops_stop),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
