/* test_bench_harness.c - the benchmark harness's pieces (bench/bench_int.h):
 * integer expressions, `# bench:` manifests, generated buffers, output
 * comparison, ULP distances and statistics, and that every program of the
 * built-in suite loads. Expected values are worked out by hand from the
 * rules in bench/README.md and IEEE-754 (f32 bit patterns written out). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench_int.h"

/* ---- expressions ---- */

static vyb_params params2(const char *a, uint64_t va, const char *b, uint64_t vb) {
  vyb_params p = {0};
  snprintf(p.names[0], sizeof p.names[0], "%s", a);
  snprintf(p.names[1], sizeof p.names[1], "%s", b);
  p.values[0] = va;
  p.values[1] = vb;
  p.count = 2;
  return p;
}

static void test_eval(void **state) {
  (void)state;
  vyb_params ps = params2("n", 96, "max_iter", 7);
  static const struct {
    const char *expr;
    uint64_t want;
  } ok[] = {
      {"12", 12},           {"n", 96},
      {"12*n", 1152},       {"2*n*n*n", 1769472},
      {"n*n + 1", 9217},    {"n - 1 - 1", 94}, /* left-associative */
      {"n / 16 * 16", 96},                     /* left-associative */
      {"(n + 4) / 10", 10},                    /* truncating */
      {" 1 + 2 * 3 ", 7},                      /* * before + */
      {"((max_iter))", 7},  {"18446744073709551615", UINT64_MAX},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    uint64_t v = 0;
    vy_error err;
    if (vyb_eval(ok[i].expr, strlen(ok[i].expr), &ps, &v, &err) != VY_OK) fail_msg("%s: %s", ok[i].expr, err.message);
    if (v != ok[i].want)
      fail_msg("%s = %llu, want %llu", ok[i].expr, (unsigned long long)v, (unsigned long long)ok[i].want);
  }
}

static void test_eval_errors(void **state) {
  (void)state;
  vyb_params ps = params2("n", 4, "m", 0);
  static const struct {
    const char *expr, *needle;
  } bad[] = {
      {"", "column 1: expected a number"},
      {"n +", "column 4: expected a number"},
      {"k", "column 1: unknown parameter"},
      {"n m", "column 3: unexpected text"},
      {"(n", "column 3: expected ')'"},
      {"n / m", "division by zero"},
      {"m - n", "negative"},
      {"18446744073709551616", "number too large"},
      {"18446744073709551615 + 1", "overflows"},
      {"4294967296 * 4294967296", "overflows"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    uint64_t v;
    vy_error err;
    if (vyb_eval(bad[i].expr, strlen(bad[i].expr), &ps, &v, &err) != VY_E_INVALID_ARGUMENT)
      fail_msg("`%s` was accepted", bad[i].expr);
    if (!strstr(err.message, bad[i].needle)) fail_msg("`%s`: %s", bad[i].expr, err.message);
    assert_non_null(strstr(err.message, "Fix: "));
  }
  /* nesting is bounded, not a stack overflow */
  char deep[300];
  memset(deep, '(', sizeof deep - 1);
  deep[sizeof deep - 1] = 0;
  uint64_t v;
  vy_error err;
  assert_int_equal(vyb_eval(deep, strlen(deep), &ps, &v, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "64 deep"));
}

static void test_expand(void **state) {
  (void)state;
  vyb_params ps = params2("n", 96, "w", 128);
  char *out;
  vy_error err;
  assert_int_equal(vyb_expand("rand:{n*n}:7", &ps, &out, &err), VY_OK);
  assert_string_equal(out, "rand:9216:7");
  free(out);
  assert_int_equal(vyb_expand("{w},{n/32}", &ps, &out, &err), VY_OK);
  assert_string_equal(out, "128,3");
  free(out);
  assert_int_equal(vyb_expand("const:1:2.5", &ps, &out, &err), VY_OK);
  assert_string_equal(out, "const:1:2.5");
  free(out);
  assert_int_equal(vyb_expand("zeros:{n", &ps, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_null(out);
  assert_int_equal(vyb_expand("zeros:{q}", &ps, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "unknown parameter"));
  char text[64];
  vyb_params_format(&ps, text, sizeof text);
  assert_string_equal(text, "n=96 w=128");
}

/* ---- ULP distance and statistics ---- */

static void test_ulp_distance(void **state) {
  (void)state;
  assert_int_equal(vyb_ulp_distance(0x3F800000u, 0x3F800000u), 0);           /* 1.0 */
  assert_int_equal(vyb_ulp_distance(0x3F800000u, 0x3F800001u), 1);           /* next float up */
  assert_int_equal(vyb_ulp_distance(0x3F7FFFFFu, 0x3F800001u), 2);           /* across 1.0 */
  assert_int_equal(vyb_ulp_distance(0x00000000u, 0x80000000u), 0);           /* +0 and -0 */
  assert_int_equal(vyb_ulp_distance(0x00000001u, 0x80000001u), 2);           /* smallest subnormals */
  assert_int_equal(vyb_ulp_distance(0x3F800000u, 0xBF800000u), 0x7F000000u); /* 1 and -1 */
  assert_int_equal(vyb_ulp_distance(0x7FC00000u, 0x7FC00001u), 0);           /* two NaNs */
  assert_int_equal(vyb_ulp_distance(0x7FC00000u, 0x3F800000u), UINT32_MAX);  /* NaN against 1 */
  assert_int_equal(vyb_ulp_distance(0x7F7FFFFFu, 0x7F800000u), 1);           /* max float and inf */
}

static void test_stats(void **state) {
  (void)state;
  double odd[] = {5, 1, 4, 2, 3};
  vyb_stats s;
  vyb_stats_compute(odd, 5, &s);
  assert_int_equal(s.n, 5);
  assert_true(s.median == 3 && s.min == 1 && s.max == 5 && s.p25 == 2 && s.p75 == 4 && s.mean == 3);
  /* quantiles interpolate between neighbours: position q * (n - 1) */
  double even[] = {4, 3, 2, 1};
  vyb_stats_compute(even, 4, &s);
  assert_true(s.median == 2.5 && s.p25 == 1.75 && s.p75 == 3.25 && s.mean == 2.5);
  double one[] = {7};
  vyb_stats_compute(one, 1, &s);
  assert_true(s.median == 7 && s.p25 == 7 && s.p75 == 7 && s.min == 7 && s.max == 7);
  vyb_stats_compute(NULL, 0, &s);
  assert_int_equal(s.n, 0);
}

typedef struct fake_run {
  size_t calls, fail_at;
} fake_run;

static vy_status fake(void *ud, double *seconds, vy_error *err) {
  fake_run *f = ud;
  f->calls++;
  *seconds = (double)f->calls; /* 1, 2, 3, ...: the warm-up run is call 1 */
  if (f->calls == f->fail_at) {
    vy_error_clear(err);
    err->code = VY_E_RUNTIME;
    return VY_E_RUNTIME;
  }
  return VY_OK;
}

static void test_measure(void **state) {
  (void)state;
  vyb_plan plan = {0.0, 0.0, 10.0, 4, 100};
  fake_run f = {0, 0};
  vyb_stats s;
  vy_error err;
  assert_int_equal(vyb_measure(&plan, fake, &f, NULL, &s, &err), VY_OK);
  assert_int_equal(f.calls, 5); /* one warm-up, then min_reps */
  assert_int_equal(s.n, 4);
  assert_true(s.min == 2 && s.max == 5 && s.median == 3.5);
  /* min_seconds of measured time: 2 + 3 + 4 = 9 >= 8 after three runs, more than min_reps 1 */
  plan = (vyb_plan){0.0, 8.0, 10.0, 1, 100};
  f = (fake_run){0, 0};
  assert_int_equal(vyb_measure(&plan, fake, &f, NULL, &s, &err), VY_OK);
  assert_int_equal(s.n, 3);
  /* max_reps bounds it */
  plan = (vyb_plan){0.0, 1e9, 1e9, 1, 6};
  f = (fake_run){0, 0};
  assert_int_equal(vyb_measure(&plan, fake, &f, NULL, &s, &err), VY_OK);
  assert_int_equal(s.n, 6);
  /* a failing run stops the measurement with its status */
  plan = (vyb_plan){0.0, 0.0, 10.0, 4, 100};
  f = (fake_run){0, 3};
  assert_int_equal(vyb_measure(&plan, fake, &f, NULL, &s, &err), VY_E_RUNTIME);
  assert_int_equal(f.calls, 3);
}

/* ---- manifests ---- */

static char tmp_dir[64];

static int make_tmp(void **state) {
  (void)state;
  snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vyb-test-XXXXXX");
  return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/p.vy", tmp_dir);
  remove(path);
  return rmdir(tmp_dir);
}

/* The directive block of the test program; each error case replaces one line. */
static const char *const good_directives[] = {
    "# bench: tags t1 t2",      "# bench: size small n=4",    "# bench: size medium n=8 m=n*2",
    "# bench: size large n=16", "# bench: input a = seq:{n}", "# bench: input out = zeros:{n}",
    "# bench: check out ulp:4", "# bench: work bytes 8*n",    "# bench: native none",
};
enum { NGOOD = sizeof good_directives / sizeof *good_directives };

static const char program_text[] = "program p workgroup(4) {\n"
                                   "  buffer a: f32 read @0\n"
                                   "  buffer out: f32 read_write @1\n"
                                   "  buffer flag: u32 read_write @2 count(1) output\n"
                                   "  region vyre.program.root {\n"
                                   "    let i = gid.x\n"
                                   "    if i < len(out) {\n"
                                   "      out[i] = a[i] * 2.0f\n"
                                   "    }\n"
                                   "    if i == 0 {\n"
                                   "      flag[0] = 1\n"
                                   "    }\n"
                                   "  }\n"
                                   "}\n";

/* Writes the directives (line `skip` replaced by `extra`, when given) and
 * `body` to p.vy, and loads it. */
static vy_status load_with(size_t skip, const char *extra, const char *body, vyb_program *p, vy_error *err) {
  char path[128];
  snprintf(path, sizeof path, "%s/p.vy", tmp_dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("# a comment line\n", f);
  for (size_t i = 0; i < NGOOD; i++) fprintf(f, "%s\n", i == skip && extra ? extra : good_directives[i]);
  fputs(body, f);
  assert_int_equal(fclose(f), 0);
  return vyb_program_load(path, p, err);
}

static void test_manifest(void **state) {
  (void)state;
  vyb_program p;
  vy_error err;
  if (load_with(SIZE_MAX, NULL, program_text, &p, &err) != VY_OK) fail_msg("%s", err.message);
  assert_string_equal(p.name, "p");
  assert_true(p.has_size[VYB_SMALL] && p.has_size[VYB_MEDIUM] && p.has_size[VYB_LARGE]);
  assert_int_equal(p.sizes[VYB_SMALL].count, 1);
  assert_int_equal(p.sizes[VYB_MEDIUM].count, 2);
  assert_string_equal(p.sizes[VYB_MEDIUM].names[1], "m");
  assert_int_equal(p.sizes[VYB_MEDIUM].values[1], 16); /* m = n * 2 with n = 8 */
  assert_int_equal(p.ninputs, 2);
  assert_string_equal(p.inputs[0].buffer, "a");
  assert_string_equal(p.inputs[0].spec, "seq:{n}");
  assert_int_equal(p.work_unit, VYB_WORK_BYTES);
  assert_string_equal(p.work_expr, "8*n");
  assert_null(p.native); /* `native none` */
  assert_int_equal(vyb_program_ulp(&p, "out", 3), 4);
  assert_int_equal(vyb_program_ulp(&p, "flag", 4), 0);
  assert_true(vyb_program_matches(&p, "p", 1));
  assert_true(vyb_program_matches(&p, "t2", 2));
  assert_false(vyb_program_matches(&p, "t", 1));
  vyb_program_free(&p);
  /* without a `native` line the baseline is named after the file */
  if (load_with(8, "# just a comment", program_text, &p, &err) != VY_OK) fail_msg("%s", err.message);
  assert_string_equal(p.native, "p");
  vyb_program_free(&p);
}

static void test_manifest_errors(void **state) {
  (void)state;
  static const struct {
    size_t line; /* index into good_directives (the file line is index + 2) */
    const char *text, *needle;
    vy_status code;
  } bad[] = {
      {0, "# bench: colour red", "p.vy:2: unknown directive 'colour'", VY_E_INVALID_ARGUMENT},
      {0, "# bench: tags a\n# bench: tags b", "`tags` is given twice", VY_E_INVALID_ARGUMENT},
      {1, "# bench: size tiny n=4", "p.vy:3: unknown size 'tiny'", VY_E_INVALID_ARGUMENT},
      {1, "# bench: size medium n=4", "size medium is given twice", VY_E_INVALID_ARGUMENT},
      {1, "# bench: size small n", "p.vy:3: 'n' is not NAME=EXPR", VY_E_INVALID_ARGUMENT},
      {1, "# bench: size small 4n=4", "is not a parameter name", VY_E_INVALID_ARGUMENT},
      {1, "# bench: size small n=4 n=5", "parameter 'n' is given twice", VY_E_INVALID_ARGUMENT},
      {1, "# bench: size small n=k", "p.vy:3: bad expression 'k'", VY_E_INVALID_ARGUMENT},
      {3, "# (no large size)", "no `# bench: size large` line", VY_E_INVALID_ARGUMENT},
      {4, "# bench: input flag = zeros:1", "input `flag` names a buffer that takes no input", VY_E_INVALID_ARGUMENT},
      {4, "# bench: input b = zeros:1", "input `b` names no buffer", VY_E_INVALID_ARGUMENT},
      {4, "# bench: input out = zeros:4", "input `out` is given twice", VY_E_INVALID_ARGUMENT},
      {4, "# bench: input a zeros:4", "`input` needs BUFFER = VALUE", VY_E_INVALID_ARGUMENT},
      {4, "# (no input for a)", "buffer `a` takes an input but has no `# bench: input` line", VY_E_INVALID_ARGUMENT},
      {5, "# bench: input out = zeros:{n+}", "(size small): bad expression", VY_E_INVALID_ARGUMENT},
      {6, "# bench: check flag ulp:4", "check `flag`: not a returned f32 buffer", VY_E_INVALID_ARGUMENT},
      {6, "# bench: check a exact", "check `a`: not a returned f32 buffer", VY_E_INVALID_ARGUMENT},
      {6, "# bench: check out ulp:0", "bad ULP budget 'ulp:0'", VY_E_INVALID_ARGUMENT},
      {6, "# bench: check out close", "unknown check mode 'close'", VY_E_INVALID_ARGUMENT},
      {7, "# bench: work joules n", "unknown work unit 'joules'", VY_E_INVALID_ARGUMENT},
      {7, "# (no work line)", "no `# bench: work` line", VY_E_INVALID_ARGUMENT},
      {7, "# bench: work bytes n/0", "division by zero", VY_E_INVALID_ARGUMENT},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    vyb_program p;
    vy_error err;
    vy_status st = load_with(bad[i].line, bad[i].text, program_text, &p, &err);
    if (st != bad[i].code) fail_msg("case %zu (%s): status %s", i, bad[i].text, vy_status_name(st));
    if (!strstr(err.message, bad[i].needle)) fail_msg("case %zu (%s): %s", i, bad[i].text, err.message);
    assert_non_null(strstr(err.message, "Fix: "));
    assert_null(p.prog); /* freed */
  }
  /* the program itself: a syntax error, and a validation error */
  vyb_program p;
  vy_error err;
  assert_int_equal(load_with(SIZE_MAX, NULL, "program p {\n  buffer a u32 read @0\n}\n", &p, &err), VY_E_PARSE);
  assert_non_null(strstr(err.message, "p.vy:12:"));
  static const char invalid[] = "program p workgroup(4) {\n"
                                "  buffer a: f32 read @0\n"
                                "  buffer out: f32 read_write @1\n"
                                "  buffer flag: u32 read_write @2 count(1) output\n"
                                "  region vyre.program.root {\n"
                                "    a[0] = 1.0f\n"
                                "  }\n"
                                "}\n";
  assert_int_equal(load_with(SIZE_MAX, NULL, invalid, &p, &err), VY_E_INVALID_PROGRAM);
  assert_non_null(strstr(err.message, "p.vy"));
}

/* ---- buffers and comparisons ---- */

static void test_data(void **state) {
  (void)state;
  vyb_program p;
  vy_error err;
  if (load_with(SIZE_MAX, NULL, program_text, &p, &err) != VY_OK) fail_msg("%s", err.message);
  vyb_data d;
  assert_int_equal(vyb_data_make(&p, VYB_SMALL, &d, &err), VY_OK);
  assert_int_equal(d.nbufs, 3);
  assert_int_equal(d.ninputs, 2); /* a and out; flag is backend-allocated */
  assert_true(d.work == 32.0);    /* 8 * n, n = 4 */
  static const uint32_t seq4[] = {0x00000000u, 0x3F800000u, 0x40000000u, 0x40400000u}; /* 0.0 1.0 2.0 3.0 */
  assert_int_equal(d.bufs[0].bytes, 16);
  assert_memory_equal(d.bufs[0].data, seq4, 16);
  assert_true(d.inputs[0].data == d.bufs[0].data && d.inputs[1].data == d.bufs[1].data);
  static const uint8_t zeros[16] = {0};
  assert_int_equal(d.bufs[1].bytes, 16);
  assert_memory_equal(d.bufs[1].data, zeros, 16);
  assert_int_equal(d.bufs[2].bytes, 4); /* count(1) x 4 bytes */
  assert_memory_equal(d.bufs[2].data, zeros, 4);
  assert_true(!d.returned[0] && d.returned[1] && d.returned[2]);
  for (size_t i = 0; i < d.nbufs; i++) assert_int_equal((uintptr_t)d.bufs[i].data % 64, 0);

  vyb_work w;
  assert_int_equal(vyb_work_make(&d, &w, &err), VY_OK);
  assert_int_equal(w.nouts, 2);
  assert_true(w.bufs[0].data == d.bufs[0].data); /* inputs are shared */
  assert_true(w.bufs[1].data != d.bufs[1].data); /* returned buffers are copies */
  ((float *)w.bufs[1].data)[2] = 5.0f;
  ((uint32_t *)w.bufs[2].data)[0] = 1;
  vyb_work_reset(&d, &w);
  assert_memory_equal(w.bufs[1].data, zeros, 16);
  assert_memory_equal(w.bufs[2].data, zeros, 4);

  /* compare: equal, one exact mismatch, f32 within and over the budget */
  vyb_outset want;
  assert_int_equal(vyb_outset_copy(w.outs, w.nouts, &want, &err), VY_OK);
  vyb_diff diff;
  vyb_compare(&p, w.outs, w.nouts, want.items, want.count, &diff);
  assert_true(diff.equal);
  ((uint32_t *)w.bufs[2].data)[0] = 1;
  vyb_compare(&p, w.outs, w.nouts, want.items, want.count, &diff);
  assert_false(diff.equal);
  assert_string_equal(diff.detail, "buffer `flag` element 0: got 1, expected 0");
  ((uint32_t *)w.bufs[2].data)[0] = 0;
  ((uint32_t *)w.bufs[1].data)[3] = 4; /* 4 ULP above +0 */
  vyb_compare(&p, w.outs, w.nouts, want.items, want.count, &diff);
  assert_true(diff.equal);
  assert_int_equal(diff.max_ulp, 4);
  ((uint32_t *)w.bufs[1].data)[3] = 0x80000005u; /* -5 subnormal ULPs: 5 from +0 */
  vyb_compare(&p, w.outs, w.nouts, want.items, want.count, &diff);
  assert_false(diff.equal);
  assert_non_null(strstr(diff.detail, "buffer `out` element 3:"));
  assert_non_null(strstr(diff.detail, "(5 ULP apart, budget 4)"));
  vyb_compare(&p, w.outs, 1, want.items, want.count, &diff);
  assert_string_equal(diff.detail, "1 output buffers, expected 2");
  vyb_view shorter[2] = {{want.items[0].data, 12}, want.items[1]};
  vyb_compare(&p, shorter, 2, want.items, want.count, &diff);
  assert_string_equal(diff.detail, "buffer `out`: 12 bytes, expected 16");
  vyb_outset_free(&want);
  vyb_work_free(&w);
  vyb_data_free(&d);
  vyb_program_free(&p);
}

/* ---- compile times ---- */

/* The interpreter does not go through the kernel cache: only cold compiles
 * are measured, and the kernel handed back dispatches. */
static void test_compile_measure(void **state) {
  (void)state;
  vyb_program p;
  vy_error err;
  if (load_with(SIZE_MAX, NULL, program_text, &p, &err) != VY_OK) fail_msg("%s", err.message);
  vy_context *ctx;
  vy_backend *be;
  assert_int_equal(vy_context_create(NULL, &ctx, &err), VY_OK);
  assert_int_equal(vy_backend_open(ctx, "reference", &be, &err), VY_OK);
  vyb_plan plan = {0.0, 0.0, 10.0, 2, 2};
  vyb_compile_times ct;
  vy_kernel *k;
  char dir[64];
  snprintf(dir, sizeof dir, "%s", tmp_dir);
  if (vyb_compile_measure(be, p.prog, &plan, dir, &ct, &k, &err) != VY_OK) fail_msg("%s", err.message);
  assert_non_null(k);
  assert_int_equal(ct.cold.n, 2);
  assert_true(ct.cold.min > 0);
  assert_false(ct.cached);
  assert_false(ct.has_mem);
  assert_false(ct.has_disk);
  /* the kernel runs: out = 2 * a with a = 0 1 2 3, flag = 1 */
  vyb_data d;
  assert_int_equal(vyb_data_make(&p, VYB_SMALL, &d, &err), VY_OK);
  vy_outputs outs;
  assert_int_equal(vy_kernel_dispatch(k, d.inputs, d.ninputs, NULL, &outs, &err), VY_OK);
  static const uint32_t twice[] = {0x00000000u, 0x40000000u, 0x40800000u, 0x40C00000u}; /* 0 2 4 6 */
  assert_int_equal(outs.count, 2);
  assert_int_equal(outs.items[0].len, 16);
  assert_memory_equal(outs.items[0].data, twice, 16);
  assert_int_equal(((const uint32_t *)outs.items[1].data)[0], 1);
  vy_outputs_free(&outs);
  vyb_data_free(&d);
  vy_kernel_destroy(k);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  vyb_program_free(&p);
}

/* ---- the built-in suite ---- */

static void test_suite(void **state) {
  (void)state;
  /* the kernels the suite must cover (bench/README.md) */
  static const char *const names[] = {"saxpy",      "math_map",         "reduce_sum",   "histogram",
                                      "stencil1d",  "matmul_naive",     "matmul_tiled", "mandelbrot",
                                      "byte_class", "subgroup_compact", "rule_eval"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.vy", VY_BENCH_SUITE_DIR, names[i]);
    vyb_program p;
    vy_error err;
    if (vyb_program_load(path, &p, &err) != VY_OK) fail_msg("%s", err.message);
    assert_non_null(p.native); /* every suite program has a native baseline */
    for (int s = 0; s < VYB_NSIZES; s++) {
      uint64_t work;
      assert_int_equal(vyb_eval(p.work_expr, strlen(p.work_expr), &p.sizes[s], &work, &err), VY_OK);
      assert_true(work > 0);
    }
    vyb_data d;
    if (vyb_data_make(&p, VYB_SMALL, &d, &err) != VY_OK) fail_msg("%s: %s", names[i], err.message);
    vyb_data_free(&d);
    vyb_program_free(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_eval),     cmocka_unit_test(test_eval_errors),
      cmocka_unit_test(test_expand),   cmocka_unit_test(test_ulp_distance),
      cmocka_unit_test(test_stats),    cmocka_unit_test(test_measure),
      cmocka_unit_test(test_manifest), cmocka_unit_test(test_manifest_errors),
      cmocka_unit_test(test_data),     cmocka_unit_test(test_compile_measure),
      cmocka_unit_test(test_suite),
  };
  return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
