/* test_jit_cuda_stream.c - asynchronous dispatch, Streamable and resident
 * buffers of the "cuda" backend on a real GPU (jit/backend_cuda_async.c,
 * backend_cuda_stream.c, backend_cuda_resident.c); without a GPU every test
 * is reported as skipped (the same paths run on the emulated driver in
 * test_jit_cuda_fake.c). Expected values come from C loops here; stream
 * outputs are also compared with dispatching each chunk alone, also for a
 * stream whose fixed inputs (one read-only, one read_write) stay on the
 * device for the whole stream.
 *
 * The file is named test_jit_* so that CMake links it with libvyre-jit.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vyre/async.h"
#include "vyre/jit.h"
#include "vyre/resident.h"
#include "vyre/stream.h"
#include "vyre/text.h"
#include "backends.h"

static vy_context *g_ctx;
static vy_backend *g_be; /* NULL: no GPU here */

#define NEED_GPU()                                                                                                     \
  do {                                                                                                                 \
    if (!g_be) skip();                                                                                                 \
  } while (0)

/* y = 3 x + y; loads past x give 0 and the grid covers y. */
static const char axpy_src[] = "program workgroup(64) {\n"
                               "  buffer x: u32 read @0 count(8)\n"
                               "  buffer y: u32 read_write @1 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    y[gid.x] = x[gid.x] * 3 + y[gid.x]\n"
                               "  }\n"
                               "}\n";

static const char trap_src[] = "program workgroup(64) {\n"
                               "  buffer x: u32 read @0 count(8)\n"
                               "  buffer y: u32 read_write @1 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    if x[gid.x] == 7 {\n"
                               "      trap(x[gid.x], boom)\n"
                               "    }\n"
                               "    y[gid.x] = x[gid.x]\n"
                               "  }\n"
                               "}\n";

static void axpy_ref(const uint32_t *x, size_t xn, const uint32_t *y, size_t yn, uint32_t *out) {
  for (size_t i = 0; i < yn; i++) out[i] = (i < xn ? x[i] : 0) * 3 + y[i];
}

/* ---- resident buffers ---- */

static void resident(void **state) {
  (void)state;
  NEED_GPU();
  enum { N = 5 << 20 }; /* 20 MiB per buffer: transfers cross the staging block size */
  uint32_t *x = malloc(4 * (size_t)N), *y = malloc(4 * (size_t)N), *got = malloc(4 * (size_t)N);
  assert_true(x && y && got);
  for (uint32_t i = 0; i < N; i++) x[i] = i * 2654435761u, y[i] = i ^ 0x5555u;
  vy_program *p = vt_parse(axpy_src);
  vy_error err;
  vy_resident *rb[2] = {NULL, NULL};
  assert_int_equal(vy_resident_alloc(g_be, 4 * (size_t)N, &rb[0], &err), VY_OK);
  assert_int_equal(vy_resident_alloc(g_be, 4 * (size_t)N, &rb[1], &err), VY_OK);
  assert_int_equal(vy_resident_download(rb[1], 4 * 1000, 64, got, &err), VY_OK); /* zero-filled */
  for (int i = 0; i < 16; i++) assert_int_equal(got[i], 0);
  assert_int_equal(vy_resident_upload(rb[0], 0, x, 4 * (size_t)N, &err), VY_OK);
  size_t half = 4 * ((size_t)N / 2 + 3); /* y in two ranges, split off the staging boundary */
  assert_int_equal(vy_resident_upload(rb[1], 0, y, half, &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[1], half, (uint8_t *)y + half, 4 * (size_t)N - half, &err), VY_OK);
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.has_fixpoint_iterations = true;
  cfg.fixpoint_iterations = 4;
  if (vy_dispatch_resident(g_be, p, rb, 2, &cfg, &err) != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(vy_resident_download(rb[1], 0, 4 * (size_t)N, got, &err), VY_OK);
  for (uint32_t i = 0; i < N; i++)
    if (got[i] != y[i] + 12 * x[i]) fail_msg("element %u: %u, want %u", i, got[i], y[i] + 12 * x[i]);
  assert_int_equal(vy_resident_download(rb[1], 4 * 777777, 40, got, &err), VY_OK);
  for (uint32_t i = 0; i < 10; i++) assert_int_equal(got[i], y[777777 + i] + 12 * x[777777 + i]);
  /* buffers of llvm-cpu are refused by cuda, and the other way round */
  vy_backend *cpu = NULL;
  if (vy_backend_open(g_ctx, "llvm-cpu", &cpu, &err) != VY_OK) fail_msg("%s", err.message);
  vy_resident *hb = NULL;
  assert_int_equal(vy_resident_alloc(cpu, 4 * (size_t)N, &hb, &err), VY_OK);
  vy_resident *mixed[2] = {rb[0], hb};
  assert_int_equal(vy_dispatch_resident(g_be, p, mixed, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(vy_dispatch_resident(cpu, p, mixed, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
  vy_resident_free(hb);
  vy_backend_close(cpu);
  vy_resident_free(rb[0]);
  vy_resident_free(rb[1]);
  vy_program_destroy(p);
  /* the kernel's error record */
  p = vt_parse(trap_src);
  uint32_t tx[256] = {0};
  tx[200] = 7;
  assert_int_equal(vy_resident_alloc(g_be, sizeof tx, &rb[0], &err), VY_OK);
  assert_int_equal(vy_resident_alloc(g_be, sizeof tx, &rb[1], &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[0], 0, tx, sizeof tx, &err), VY_OK);
  assert_int_equal(vy_dispatch_resident(g_be, p, rb, 2, NULL, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "boom"));
  vy_resident_free(rb[0]);
  vy_resident_free(rb[1]);
  vy_program_destroy(p);
  free(x), free(y), free(got);
}

/* ---- asynchronous dispatch ---- */

static void async_dispatch(void **state) {
  (void)state;
  NEED_GPU();
  enum { K = 4, N = 1 << 20 };
  vy_program *p = vt_parse(axpy_src);
  vy_kernel *k = NULL;
  vy_error err;
  if (vy_compile(g_be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
  uint32_t *x[K], *y[K], *want = malloc(4 * (size_t)N);
  vy_input in[K][2];
  vy_pending *pd[K];
  for (int j = 0; j < K; j++) {
    size_t n = (size_t)N - 1000 * (size_t)j;
    x[j] = malloc(4 * n), y[j] = malloc(4 * n);
    assert_true(x[j] && y[j]);
    for (size_t i = 0; i < n; i++) x[j][i] = (uint32_t)(i + (size_t)j), y[j][i] = (uint32_t)(7 * i);
    in[j][0] = (vy_input){x[j], 4 * n};
    in[j][1] = (vy_input){y[j], 4 * n};
    if (vy_kernel_dispatch_async(k, in[j], 2, NULL, &pd[j], &err) != VY_OK) fail_msg("%s", err.message);
  }
  vy_outputs out = {0};
  for (int j = K - 1; j >= 0; j--) {
    size_t n = (size_t)N - 1000 * (size_t)j;
    if (vy_pending_wait_into(pd[j], &out, &err) != VY_OK) fail_msg("%s", err.message);
    assert_true(vy_pending_is_ready(NULL));
    axpy_ref(x[j], n, y[j], n, want);
    assert_int_equal(out.items[0].len, 4 * n);
    assert_memory_equal(out.items[0].data, want, 4 * n);
  }
  vy_outputs_free(&out);
  for (int j = 0; j < K; j++) free(x[j]), free(y[j]);
  free(want);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  /* the kernel's error at the wait */
  p = vt_parse(trap_src);
  uint32_t tx[128] = {0}, ty[128] = {0};
  tx[100] = 7;
  vy_input tin[2] = {{tx, sizeof tx}, {ty, sizeof ty}};
  vy_pending *a = NULL;
  assert_int_equal(vy_dispatch_async(g_be, p, tin, 2, NULL, &a, &err), VY_OK);
  assert_int_equal(vy_pending_wait(a, &out, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "boom"));
  vy_program_destroy(p);
}

/* ---- streams ---- */

typedef struct chunks {
  const size_t *lens; /* u32 elements per chunk */
  size_t n, next;
  uint32_t *buf;
} chunks;

static uint32_t chunk_elem(size_t c, size_t i) { return (uint32_t)(c * 1000003u + i * 17u); }

static vy_status chunks_next(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  (void)err;
  chunks *c = ud;
  if (c->next == c->n) {
    *done = true;
    return VY_OK;
  }
  size_t len = c->lens[c->next];
  for (size_t i = 0; i < len; i++) c->buf[i] = chunk_elem(c->next, i);
  *chunk = (vy_input){c->buf, 4 * len};
  c->next++;
  return VY_OK;
}

typedef struct check {
  const vy_program *p;
  const size_t *lens;
  const uint32_t *y;
  size_t yn, delivered, stop_after, bad_index;
  int bad;
} check;

/* Each delivered chunk equals the C loop and a dispatch of the chunk alone. */
static bool check_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  check *c = ud;
  c->delivered++;
  if (index != c->delivered - 1) c->bad++;
  if (index == c->bad_index) {
    c->bad += st != VY_E_RUNTIME || !strstr(err->message, "Fix:");
    return index != c->stop_after;
  }
  if (st != VY_OK) {
    fprintf(stderr, "chunk %zu: %s\n", index, err->message);
    c->bad++;
    return false;
  }
  size_t xn = c->lens[index];
  uint32_t *x = malloc(4 * xn), *want = malloc(4 * c->yn);
  for (size_t i = 0; i < xn; i++) x[i] = chunk_elem(index, i);
  axpy_ref(x, xn, c->y, c->yn, want);
  c->bad += outs->count != 1 || outs->items[0].len != 4 * c->yn || memcmp(outs->items[0].data, want, 4 * c->yn);
  vy_input in[2] = {{x, 4 * xn}, {c->y, 4 * c->yn}};
  vy_outputs alone;
  vy_error e;
  if (vy_dispatch(g_be, c->p, in, 2, NULL, &alone, &e) != VY_OK) {
    c->bad++;
  } else {
    c->bad += memcmp(alone.items[0].data, outs->items[0].data, 4 * c->yn) != 0;
    vy_outputs_free(&alone);
  }
  free(x), free(want);
  return index != c->stop_after;
}

static vy_status run_stream(const vy_program *p, const size_t *lens, size_t n, uint32_t in_flight, check *c) {
  size_t maxlen = 1;
  for (size_t i = 0; i < n; i++) maxlen = lens[i] > maxlen ? lens[i] : maxlen;
  chunks src_state = {lens, n, 0, malloc(4 * maxlen)};
  vy_chunk_source src = {chunks_next, &src_state, 0, NULL};
  vy_output_sink sink = {check_put, c, NULL};
  vy_input fixed = {c->y, 4 * c->yn};
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.max_chunks_in_flight = in_flight;
  vy_error err;
  vy_status st = vy_stream(g_be, p, &fixed, 1, &src, &sink, &cfg, &err);
  free(src_state.buf);
  return st;
}

static void streaming(void **state) {
  (void)state;
  NEED_GPU();
  vy_program *p = vt_parse(axpy_src);
  enum { YN = 300000 };
  uint32_t *y = malloc(4 * YN);
  for (uint32_t i = 0; i < YN; i++) y[i] = i * 3u + 11u;
  /* every chunk has at least the 8 elements x declares (a shorter one fails: below) */
  static const size_t lens[] = {300000, 1000, 250001, 8, 299999, 123456, 300000, 77, 200000, 300000, 9, 64, 300000};
  for (uint32_t fl = 1; fl <= 3; fl++) {
    check c = {p, lens, y, YN, 0, SIZE_MAX, SIZE_MAX, 0};
    assert_int_equal(run_stream(p, lens, 13, fl, &c), VY_OK);
    assert_int_equal(c.delivered, 13);
    assert_int_equal(c.bad, 0);
  }
  /* a short chunk (5 elements, fewer than the declared 8) fails alone */
  static const size_t bad[] = {300000, 1000, 5, 250001, 8};
  check cb = {p, bad, y, YN, 0, SIZE_MAX, 2, 0};
  assert_int_equal(run_stream(p, bad, 5, 3, &cb), VY_OK);
  assert_int_equal(cb.delivered, 5);
  assert_int_equal(cb.bad, 0);
  /* the consumer stops after chunk 1 */
  check cs = {p, lens, y, YN, 0, 1, SIZE_MAX, 0};
  assert_int_equal(run_stream(p, lens, 13, 3, &cs), VY_OK);
  assert_int_equal(cs.delivered, 2);
  assert_int_equal(cs.bad, 0);
  /* no chunk */
  check c0 = {p, lens, y, YN, 0, SIZE_MAX, SIZE_MAX, 0};
  assert_int_equal(run_stream(p, lens, 0, 3, &c0), VY_OK);
  assert_int_equal(c0.delivered, 0);
  free(y);
  vy_program_destroy(p);
}

/* x (the chunk) times a (fixed, read-only) plus y (fixed, read_write):
 * the fixed inputs are uploaded once per stream, a is read in place and y
 * restored on the device for every chunk (backend_cuda_stream.c); each
 * chunk must still equal the C loop and a dispatch of the chunk alone. */
static const char axpb_src[] = "program workgroup(64) {\n"
                               "  buffer x: u32 read @0 count(8)\n"
                               "  buffer a: u32 read @1 count(8)\n"
                               "  buffer y: u32 read_write @2 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    y[gid.x] = x[gid.x] * a[gid.x] + y[gid.x]\n"
                               "  }\n"
                               "}\n";

typedef struct axpb_check {
  const vy_program *p;
  const size_t *lens;
  const uint32_t *a, *y;
  size_t an, yn, delivered;
  int bad;
} axpb_check;

static bool axpb_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  axpb_check *c = ud;
  if (index != c->delivered++ || st != VY_OK) {
    fprintf(stderr, "chunk %zu: %s\n", index, st != VY_OK ? err->message : "out of order");
    c->bad++;
    return false;
  }
  size_t xn = c->lens[index];
  uint32_t *x = malloc(4 * xn), *want = malloc(4 * c->yn);
  for (size_t i = 0; i < xn; i++) x[i] = chunk_elem(index, i);
  for (size_t i = 0; i < c->yn; i++) want[i] = (i < xn ? x[i] : 0) * (i < c->an ? c->a[i] : 0) + c->y[i];
  c->bad += outs->count != 1 || outs->items[0].len != 4 * c->yn || memcmp(outs->items[0].data, want, 4 * c->yn);
  vy_input in[3] = {{x, 4 * xn}, {c->a, 4 * c->an}, {c->y, 4 * c->yn}};
  vy_outputs alone;
  vy_error e;
  if (vy_dispatch(g_be, c->p, in, 3, NULL, &alone, &e) != VY_OK) {
    c->bad++;
  } else {
    c->bad += memcmp(alone.items[0].data, outs->items[0].data, 4 * c->yn) != 0;
    vy_outputs_free(&alone);
  }
  free(x), free(want);
  return true;
}

static void streaming_fixed_read_and_read_write(void **state) {
  (void)state;
  NEED_GPU();
  vy_program *p = vt_parse(axpb_src);
  enum { AN = 5 << 20, YN = 300000 }; /* a: 20 MiB, its upload crosses the staging block size */
  uint32_t *a = malloc(4 * (size_t)AN), *y = malloc(4 * YN);
  assert_true(a && y);
  for (uint32_t i = 0; i < AN; i++) a[i] = i * 2654435761u + 5u;
  for (uint32_t i = 0; i < YN; i++) y[i] = i * 7u + 3u;
  static const size_t lens[] = {300000, 1000, 250001, 8, 299999, 123456, 300000, 77, 200000, 300000, 9, 64};
  enum { N = sizeof lens / sizeof *lens };
  for (uint32_t fl = 1; fl <= 3; fl++) {
    chunks src_state = {lens, N, 0, malloc(4 * 300000)};
    vy_chunk_source src = {chunks_next, &src_state, 0, NULL};
    axpb_check c = {p, lens, a, y, AN, YN, 0, 0};
    vy_output_sink sink = {axpb_put, &c, NULL};
    vy_input fixed[2] = {{a, 4 * (size_t)AN}, {y, 4 * YN}};
    vy_dispatch_config cfg;
    vy_dispatch_config_default(&cfg);
    cfg.max_chunks_in_flight = fl;
    vy_error err;
    if (vy_stream(g_be, p, fixed, 2, &src, &sink, &cfg, &err) != VY_OK) fail_msg("%s", err.message);
    free(src_state.buf);
    assert_int_equal(c.delivered, N);
    assert_int_equal(c.bad, 0);
  }
  free(a), free(y);
  vy_program_destroy(p);
}

static int group_setup(void **state) {
  (void)state;
  vy_error err;
  if (vy_context_create(NULL, &g_ctx, &err) != VY_OK || vy_jit_register_backends(g_ctx) != VY_OK) return -1;
  if (vy_backend_open(g_ctx, "cuda", &g_be, &err) != VY_OK) printf("  cuda unavailable here: %s\n", err.message);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  vy_backend_close(g_be);
  vy_context_destroy(g_ctx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resident),
      cmocka_unit_test(async_dispatch),
      cmocka_unit_test(streaming),
      cmocka_unit_test(streaming_fixed_read_and_read_write),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
