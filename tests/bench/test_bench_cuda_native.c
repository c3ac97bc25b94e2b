/* test_bench_cuda_native.c - the cuda-native column of `vyre-jit bench`
 * (bench/native_cuda.h): opening the library (missing, not a CUDA baseline
 * library, the real one with or without a GPU), checking and timing a
 * program's baseline through a fake one defined here (the test exports
 * it, so dlsym finds it in the test itself), and the ratios of the cuda
 * rows. Expected outputs come from saxpy computed here in plain C. */
#define _GNU_SOURCE /* dlopen(NULL) */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "native/cuda/vyb_cuda.h"
#include "native_cuda.h"

/* ---- the fake baseline ---- */

enum fake_mode { FAKE_RIGHT, FAKE_WRONG, FAKE_ERROR, FAKE_SHAPE };
static enum fake_mode mode;
static int last_reps, calls;

int vyb_cuda_saxpy(const vyb_buf *b, size_t nb, int reps, double *seconds);

/* saxpy as the program defines it, 2 ms per launch. */
int vyb_cuda_saxpy(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  calls++;
  last_reps = reps;
  if (mode == FAKE_SHAPE || nb != 3) return VYB_NATIVE_BAD_SHAPE;
  if (mode == FAKE_ERROR) return VYB_CUDA_ERROR;
  const float *x = b[0].data, a = ((const float *)b[2].data)[0];
  float *y = b[1].data;
  for (size_t i = 0; i < b[1].bytes / 4; i++) {
    volatile float t = a * x[i]; /* rounded on its own, as the program does */
    y[i] = t + y[i];
  }
  if (mode == FAKE_WRONG) y[3] += 1.0f;
  for (int r = 0; seconds && r < reps; r++) seconds[r] = 2e-3;
  return 0;
}

static const char *fake_error(void) { return "fake failure: device on fire"; }

/* The program, its small data, and the oracle's y computed here. */
typedef struct fixture {
  vyb_program p;
  vyb_data d;
  float *want;
  vyb_outset golden;
  vyb_cuda_lib lib;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  vy_error err;
  if (!f || vyb_program_load(VY_BENCH_SUITE_DIR "/saxpy.vy", &f->p, &err) != VY_OK) return -1;
  if (vyb_data_make(&f->p, VYB_SMALL, &f->d, &err) != VY_OK) return -1;
  size_t n = f->d.bufs[1].bytes / 4;
  const float *x = f->d.bufs[0].data, *y = f->d.bufs[1].data, a = ((const float *)f->d.bufs[2].data)[0];
  f->want = malloc(n * sizeof *f->want);
  if (!f->want || a != 2.5f) return -1;
  for (size_t i = 0; i < n; i++) {
    volatile float t = a * x[i];
    f->want[i] = t + y[i];
  }
  vyb_view v = {(const uint8_t *)f->want, n * 4};
  if (vyb_outset_copy(&v, 1, &f->golden, &err) != VY_OK) return -1;
  f->lib.handle = dlopen(NULL, RTLD_NOW);
  f->lib.last_error = fake_error;
  snprintf(f->lib.path, sizeof f->lib.path, "the test itself");
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  vyb_outset_free(&f->golden);
  free(f->want);
  vyb_data_free(&f->d);
  vyb_program_free(&f->p);
  free(f);
  return 0;
}

static vyb_result row_for(fixture *f, enum fake_mode m) {
  vyb_result x = {0};
  x.program = &f->p;
  x.work = f->d.work;
  mode = m;
  calls = 0;
  vyb_outset none = {0};
  vyb_plan plan = {0.0, 0.01, 5.0, 3, 10}; /* 0.01 s of 2 ms launches: 5 */
  vyb_cuda_row(&f->lib, &f->p, &f->d, &f->d, &f->golden, &none, &plan, &x);
  return x;
}

static void test_row_verified_and_timed(void **state) {
  fixture *f = *state;
  vyb_result x = row_for(f, FAKE_RIGHT);
  assert_int_equal(x.outcome, VYB_OK);
  assert_string_equal(x.verified, "reference@small");
  assert_int_equal(calls, 2);     /* the check, then the timed launches */
  assert_int_equal(last_reps, 5); /* min_seconds / 2 ms */
  assert_int_equal(x.run.n, 5);
  assert_true(x.run.median == 2e-3 && x.has_device && x.device.median == 2e-3);
  assert_true(x.throughput == x.work / 2e-3);
}

static void test_row_wrong_is_not_timed(void **state) {
  fixture *f = *state;
  vyb_result x = row_for(f, FAKE_WRONG);
  assert_int_equal(x.outcome, VYB_WRONG);
  assert_int_equal(calls, 1);
  assert_non_null(strstr(x.message, "element 3"));
  assert_int_equal(x.run.n, 0);
  assert_false(x.has_device);
}

static void test_row_failures(void **state) {
  fixture *f = *state;
  vyb_result x = row_for(f, FAKE_ERROR);
  assert_int_equal(x.outcome, VYB_FAILED);
  assert_non_null(strstr(x.message, "device on fire"));
  assert_non_null(strstr(x.message, "Fix:"));
  x = row_for(f, FAKE_SHAPE);
  assert_int_equal(x.outcome, VYB_FAILED);
  assert_non_null(strstr(x.message, "refused the buffers"));
  assert_non_null(strstr(x.message, "bench/native/cuda/saxpy.cu"));
}

static void test_row_without_function(void **state) {
  fixture *f = *state;
  char *name = f->p.name;
  f->p.name = "no_such_program";
  vyb_result x = row_for(f, FAKE_RIGHT);
  f->p.name = name;
  assert_int_equal(x.outcome, VYB_UNSUPPORTED);
  assert_int_equal(calls, 0);
  assert_non_null(strstr(x.message, "vyb_cuda_no_such_program"));
  assert_non_null(strstr(x.message, "Fix:"));
}

/* ---- opening the library ---- */

static void test_open_missing(void **state) {
  (void)state;
  vyb_cuda_lib lib;
  vy_error err;
  assert_int_equal(vyb_cuda_open("/nonexistent/libvyb_cuda.so", &lib, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "cannot load the CUDA baselines"));
  assert_non_null(strstr(err.message, "Fix:"));
  assert_null(lib.handle);
}

static void test_open_not_ours(void **state) {
  (void)state;
  vyb_cuda_lib lib;
  vy_error err;
  assert_int_equal(vyb_cuda_open("libm.so.6", &lib, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "is not a CUDA baseline library"));
  assert_null(lib.handle);
  vyb_cuda_close(&lib); /* a closed lib: no-op */
}

/* The library the build made (VYB_CUDA_LIB; empty where nvcc is missing):
 * without a GPU it is refused with the reason, with one saxpy verifies. */
static void test_open_real(void **state) {
  fixture *f = *state;
  const char *path = getenv("VYB_CUDA_LIB");
  if (!path || !*path) skip();
  vyb_cuda_lib lib;
  vy_error err;
  vy_status st = vyb_cuda_open(path, &lib, &err);
  if (st != VY_OK) {
    assert_int_equal(st, VY_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "no GPU to run the CUDA baselines on"));
    assert_non_null(strstr(err.message, "Fix:"));
    assert_null(lib.handle);
    /* its functions still answer: a bad shape before any CUDA call, then
     * the CUDA error with its reason */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    assert_non_null(h);
    vyb_cuda_fn fn;
    const char *(*why)(void);
    *(void **)&fn = dlsym(h, "vyb_cuda_saxpy");
    *(void **)&why = dlsym(h, "vyb_cuda_last_error");
    assert_true(fn && why && fn != vyb_cuda_saxpy);
    assert_int_equal(fn(f->d.bufs, 2, 1, NULL), VYB_NATIVE_BAD_SHAPE);
    assert_int_equal(fn(f->d.bufs, 3, 0, NULL), VYB_NATIVE_BAD_SHAPE); /* reps < 1 */
    assert_int_equal(fn(f->d.bufs, 3, 1, NULL), VYB_CUDA_ERROR);
    assert_non_null(strstr(why(), "cudaMalloc"));
    dlclose(h);
    return;
  }
  assert_true(lib.device[0] && lib.info && strstr(lib.info, "nvcc"));
  vyb_result x = {0};
  x.program = &f->p;
  x.work = f->d.work;
  vyb_outset none = {0};
  vyb_plan plan = {0.0, 0.01, 1.0, 3, 100};
  vyb_cuda_row(&lib, &f->p, &f->d, &f->d, &f->golden, &none, &plan, &x);
  assert_int_equal(x.outcome, VYB_OK);
  assert_true(x.run.n >= 3 && x.run.median > 0);
  vyb_cuda_close(&lib);
}

/* ---- ratios ---- */

static vyb_result made(const char *backend, vyb_outcome o, double run, bool has_device, double device) {
  vyb_result x = {0};
  snprintf(x.backend, sizeof x.backend, "%s", backend);
  x.outcome = o;
  x.run.median = run;
  x.has_device = has_device;
  x.device.median = device;
  x.vs_native = 7.0; /* what set_ratios left */
  return x;
}

static void test_ratios(void **state) {
  (void)state;
  vyb_result rows[] = {
      made("native", VYB_OK, 1e-2, false, 0),   made("cuda", VYB_OK, 5e-3, true, 2e-3),
      made("cuda-native", VYB_OK, 1e-3, true, 1e-3), made("llvm-cpu", VYB_OK, 1e-2, false, 0),
      made("cuda", VYB_OK, 5e-3, false, 0), /* no device time: unchanged */
  };
  vyb_cuda_ratios(rows, 5);
  assert_true(rows[1].vs_native == 1e-3 / 2e-3);
  assert_true(rows[0].vs_native == 7.0 && rows[2].vs_native == 7.0 && rows[3].vs_native == 7.0);
  assert_true(rows[4].vs_native == 7.0);
  /* a cuda-native row that failed gives no ratio */
  rows[2].outcome = VYB_WRONG;
  rows[1].vs_native = 7.0;
  vyb_cuda_ratios(rows, 5);
  assert_true(rows[1].vs_native == 7.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_row_verified_and_timed), cmocka_unit_test(test_row_wrong_is_not_timed),
      cmocka_unit_test(test_row_failures),           cmocka_unit_test(test_row_without_function),
      cmocka_unit_test(test_open_missing),           cmocka_unit_test(test_open_not_ours),
      cmocka_unit_test(test_open_real),              cmocka_unit_test(test_ratios),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
