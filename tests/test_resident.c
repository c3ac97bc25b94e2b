/* test_resident.c - resident buffers on every backend this program links
 * (reference; test_jit_resident.c adds llvm-cpu): zero-filled allocation,
 * uploads and downloads of whole buffers and ranges, ranges past the end,
 * in-place dispatches (results checked by a C reference in this file),
 * outputs zero-filled over their declared size only, fixpoint_iterations
 * on resident buffers, compile once and dispatch many, refusals (another
 * backend's buffer, wrong count, short buffer), runtime errors, and
 * allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

/* data[i] = data[i] * k + i; the value 99999 traps. */
static const char inplace_src[] = "program workgroup(64) {\n"
                                  "  buffer data: u32 read_write @0\n"
                                  "  buffer k: u32 uniform @1 count(1)\n"
                                  "  region vyre.program.root {\n"
                                  "    let i = gid.x\n"
                                  "    if i < len(data) {\n"
                                  "      if data[i] == 99999 {\n"
                                  "        trap(i, bad_value)\n"
                                  "      }\n"
                                  "      data[i] = data[i] * k[0] + i\n"
                                  "    }\n"
                                  "  }\n"
                                  "}\n";

/* out (8 words, allocated by the backend) gets a[i] + 100 at even i only. */
static const char even_src[] = "program workgroup(8) {\n"
                               "  buffer a: u32 read @0 count(8)\n"
                               "  buffer scratch: u32 workgroup @5 count(8)\n"
                               "  buffer out: u32 write @1 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    let i = gid.x\n"
                               "    if i < 8 && i % 2 == 0 {\n"
                               "      out[i] = a[i] + 100\n"
                               "    }\n"
                               "  }\n"
                               "}\n";

typedef struct fx {
  vy_context *ctx;
  vy_backend *be;
} fx;

static void fx_open(fx *f, const char *name) {
  assert_int_equal(vt_open_backend(name, NULL, REGISTER, &f->ctx, &f->be, NULL), VY_OK);
  assert_non_null(vy_backend_residentable(f->be));
}

static void upload_download_ranges(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fx f;
    fx_open(&f, backends[b]);
    vy_resident *r;
    vy_error err;
    assert_int_equal(vy_resident_alloc(f.be, 100, &r, &err), VY_OK);
    assert_int_equal(vy_resident_len(r), 100);
    assert_ptr_equal(vy_resident_backend(r), f.be);
    uint8_t got[100], zero[100] = {0}, src[100];
    assert_int_equal(vy_resident_download(r, 0, 100, got, &err), VY_OK);
    assert_memory_equal(got, zero, 100); /* zero-filled */
    for (int i = 0; i < 100; i++) src[i] = (uint8_t)(i + 1);
    assert_int_equal(vy_resident_upload(r, 0, src, 100, &err), VY_OK);
    assert_int_equal(vy_resident_upload(r, 10, "\xAA\xBB\xCC", 3, &err), VY_OK);
    assert_int_equal(vy_resident_download(r, 9, 5, got, &err), VY_OK);
    const uint8_t want[5] = {10, 0xAA, 0xBB, 0xCC, 14};
    assert_memory_equal(got, want, 5);
    assert_int_equal(vy_resident_download(r, 99, 1, got, &err), VY_OK);
    assert_int_equal(got[0], 100);
    assert_int_equal(vy_resident_download(r, 100, 0, got, &err), VY_OK); /* empty range at the end */
    assert_int_equal(vy_resident_download(r, 98, 3, got, &err), VY_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "Fix:"));
    assert_int_equal(vy_resident_upload(r, SIZE_MAX, src, 2, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_resident_upload(r, 1, NULL, 2, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_resident_download(NULL, 0, 0, got, &err), VY_E_INVALID_ARGUMENT);
    vy_resident_free(r);
    assert_int_equal(vy_resident_alloc(f.be, 0, &r, &err), VY_OK); /* empty buffer */
    assert_int_equal(vy_resident_len(r), 0);
    vy_resident_free(r);
    vy_resident_free(NULL);
    assert_int_equal(vy_resident_alloc(NULL, 4, &r, &err), VY_E_INVALID_ARGUMENT);
    vt_close_backend(f.ctx, f.be);
  }
}

/* The in-place rule applied `iters` times, by hand. */
static void inplace_ref(uint32_t *d, size_t n, uint32_t k, uint32_t iters) {
  for (uint32_t it = 0; it < iters; it++)
    for (size_t i = 0; i < n; i++) d[i] = d[i] * k + (uint32_t)i;
}

static void in_place_and_fixpoint(void **state) {
  (void)state;
  enum { N = 1000 };
  for (size_t b = 0; b < NBACKENDS; b++) {
    fx f;
    fx_open(&f, backends[b]);
    vy_program *p = vt_parse(inplace_src);
    uint32_t d[N], want[N], k = 3;
    for (uint32_t i = 0; i < N; i++) d[i] = want[i] = i * 17 + 5;
    vy_resident *bufs[2];
    assert_int_equal(vy_resident_alloc(f.be, sizeof d, &bufs[0], NULL), VY_OK);
    assert_int_equal(vy_resident_alloc(f.be, 4, &bufs[1], NULL), VY_OK);
    assert_int_equal(vy_resident_upload(bufs[0], 0, d, sizeof d, NULL), VY_OK);
    assert_int_equal(vy_resident_upload(bufs[1], 0, &k, 4, NULL), VY_OK);
    vy_error err;
    assert_int_equal(vy_dispatch_resident(f.be, p, bufs, 2, NULL, &err), VY_OK);
    inplace_ref(want, N, k, 1);
    uint32_t got[N];
    assert_int_equal(vy_resident_download(bufs[0], 0, sizeof got, got, NULL), VY_OK);
    assert_memory_equal(got, want, sizeof got);
    /* fixpoint: 5 launches on the same buffers, then one read-back of a range */
    vy_dispatch_config cfg;
    vy_dispatch_config_default(&cfg);
    cfg.has_fixpoint_iterations = true;
    cfg.fixpoint_iterations = 5;
    vy_kernel *kern;
    assert_int_equal(vy_compile(f.be, p, NULL, &kern, NULL), VY_OK);
    assert_int_equal(vy_kernel_dispatch_resident(kern, bufs, 2, &cfg, &err), VY_OK);
    inplace_ref(want, N, k, 5);
    assert_int_equal(vy_resident_download(bufs[0], 400, 400, got, NULL), VY_OK);
    assert_memory_equal(got, want + 100, 400);
    /* many dispatches of one kernel, with a partial upload between them */
    k = 7;
    assert_int_equal(vy_resident_upload(bufs[1], 0, &k, 4, NULL), VY_OK);
    for (int r = 0; r < 3; r++) assert_int_equal(vy_kernel_dispatch_resident(kern, bufs, 2, NULL, &err), VY_OK);
    inplace_ref(want, N, 7, 3);
    assert_int_equal(vy_resident_download(bufs[0], 0, sizeof got, got, NULL), VY_OK);
    assert_memory_equal(got, want, sizeof got);
    /* Some(0) is refused */
    cfg.fixpoint_iterations = 0;
    assert_int_equal(vy_kernel_dispatch_resident(kern, bufs, 2, &cfg, &err), VY_E_INVALID_PROGRAM);
    /* a runtime error comes back; the buffers hold what ran */
    uint32_t bad = 99999;
    assert_int_equal(vy_resident_upload(bufs[0], 8, &bad, 4, NULL), VY_OK);
    assert_int_equal(vy_kernel_dispatch_resident(kern, bufs, 2, NULL, &err), VY_E_RUNTIME);
    assert_non_null(strstr(err.message, "bad_value"));
    vy_kernel_destroy(kern);
    vy_resident_free(bufs[0]);
    vy_resident_free(bufs[1]);
    vy_program_destroy(p);
    vt_close_backend(f.ctx, f.be);
  }
}

static void outputs_zeroed_over_declared_size(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fx f;
    fx_open(&f, backends[b]);
    vy_program *p = vt_parse(even_src);
    uint32_t a[8], junk[10], got[10];
    for (int i = 0; i < 8; i++) a[i] = (uint32_t)i * 3;
    for (int i = 0; i < 10; i++) junk[i] = 0x55555555u;
    vy_resident *bufs[2];
    assert_int_equal(vy_resident_alloc(f.be, sizeof a, &bufs[0], NULL), VY_OK);
    assert_int_equal(vy_resident_alloc(f.be, sizeof junk, &bufs[1], NULL), VY_OK); /* 2 words past the 8 declared */
    assert_int_equal(vy_resident_upload(bufs[0], 0, a, sizeof a, NULL), VY_OK);
    assert_int_equal(vy_resident_upload(bufs[1], 0, junk, sizeof junk, NULL), VY_OK);
    vy_error err;
    assert_int_equal(vy_dispatch_resident(f.be, p, bufs, 2, NULL, &err), VY_OK);
    assert_int_equal(vy_resident_download(bufs[1], 0, sizeof got, got, NULL), VY_OK);
    for (int i = 0; i < 8; i++) assert_int_equal(got[i], i % 2 == 0 ? a[i] + 100 : 0);
    assert_int_equal(got[8], 0x55555555u);
    assert_int_equal(got[9], 0x55555555u);
    /* fixpoint on an allocated output: llvm-cpu runs it, the reference refuses it */
    vy_dispatch_config cfg;
    vy_dispatch_config_default(&cfg);
    cfg.has_fixpoint_iterations = true;
    cfg.fixpoint_iterations = 2;
    vy_status st = vy_dispatch_resident(f.be, p, bufs, 2, &cfg, &err);
    if (strcmp(backends[b], "reference") == 0) {
      assert_int_equal(st, VY_E_UNSUPPORTED);
      assert_non_null(strstr(err.message, "Fix:"));
    } else {
      assert_int_equal(st, VY_OK);
      assert_int_equal(vy_resident_download(bufs[1], 0, sizeof got, got, NULL), VY_OK);
      for (int i = 0; i < 8; i++) assert_int_equal(got[i], i % 2 == 0 ? a[i] + 100 : 0);
    }
    vy_resident_free(bufs[0]);
    vy_resident_free(bufs[1]);
    vy_program_destroy(p);
    vt_close_backend(f.ctx, f.be);
  }
}

static void refusals(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fx f, g;
    fx_open(&f, backends[b]);
    fx_open(&g, backends[(b + 1) % NBACKENDS]); /* another backend instance (another kind with the JIT) */
    vy_program *p = vt_parse(inplace_src);
    vy_resident *mine[2], *other;
    assert_int_equal(vy_resident_alloc(f.be, 64, &mine[0], NULL), VY_OK);
    assert_int_equal(vy_resident_alloc(f.be, 4, &mine[1], NULL), VY_OK);
    assert_int_equal(vy_resident_alloc(g.be, 4, &other, NULL), VY_OK);
    vy_resident *mixed[2] = {mine[0], other};
    vy_error err;
    assert_int_equal(vy_dispatch_resident(f.be, p, mixed, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "another backend"));
    assert_non_null(strstr(err.message, "Fix:"));
    vy_kernel *k;
    assert_int_equal(vy_compile(f.be, p, NULL, &k, NULL), VY_OK);
    assert_int_equal(vy_kernel_dispatch_resident(k, mixed, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_kernel_dispatch_resident(k, mine, 1, NULL, &err), VY_E_INVALID_ARGUMENT); /* count */
    assert_non_null(strstr(err.message, "Fix:"));
    vy_resident *with_null[2] = {mine[0], NULL};
    assert_int_equal(vy_kernel_dispatch_resident(k, with_null, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_kernel_dispatch_resident(NULL, mine, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
    vy_resident *empty;
    assert_int_equal(vy_resident_alloc(f.be, 0, &empty, NULL), VY_OK);
    vy_resident *short_k[2] = {mine[0], empty}; /* k needs 4 bytes */
    assert_int_equal(vy_kernel_dispatch_resident(k, short_k, 2, NULL, &err), VY_E_RUNTIME);
    assert_non_null(strstr(err.message, "requires at least"));
    vy_kernel_destroy(k);
    vy_resident_free(empty);
    vy_resident_free(mine[0]);
    vy_resident_free(mine[1]);
    vy_resident_free(other);
    vy_program_destroy(p);
    vt_close_backend(g.ctx, g.be);
    vt_close_backend(f.ctx, f.be);
  }
}

typedef struct fault_case {
  const char *backend;
} fault_case;

static vy_status fault_resident(const vy_allocator *a, void *ud) {
  fault_case *fc = ud;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_program *p = NULL;
  vy_resident *bufs[2] = {NULL, NULL};
  vy_error err;
  uint32_t d[50] = {1, 2, 3}, k = 2;
  vy_status st = vt_open_backend(fc->backend, a, REGISTER, &ctx, &be, &err);
  if (st == VY_OK) st = vy_text_parse(inplace_src, strlen(inplace_src), "t", a, &p, &err);
  if (st == VY_OK) st = vy_resident_alloc(be, sizeof d, &bufs[0], &err);
  if (st == VY_OK) st = vy_resident_alloc(be, 4, &bufs[1], &err);
  if (st == VY_OK) st = vy_resident_upload(bufs[0], 0, d, sizeof d, &err);
  if (st == VY_OK) st = vy_resident_upload(bufs[1], 0, &k, 4, &err);
  if (st == VY_OK) st = vy_dispatch_resident(be, p, bufs, 2, NULL, &err);
  if (st == VY_OK) st = vy_resident_download(bufs[0], 0, sizeof d, d, &err);
  if (st == VY_OK && d[2] != 3 * 2 + 2) fail_msg("wrong result %u", d[2]);
  vy_resident_free(bufs[0]);
  vy_resident_free(bufs[1]);
  vy_program_destroy(p);
  vt_close_backend(ctx, be);
  if (st != VY_OK && st != VY_E_NOMEM) fail_msg("unexpected %s: %s", vy_status_name(st), err.message);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fault_case fc = {backends[b]};
    assert_true(vy_fault_run_all(fault_resident, &fc) > 5);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(upload_download_ranges),
      cmocka_unit_test(in_place_and_fixpoint),
      cmocka_unit_test(outputs_zeroed_over_declared_size),
      cmocka_unit_test(refusals),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
