/* test_jit_cases.c - the llvm-cpu backend against the reference
 * interpreter: every case of the corpus (every .vy file below tests/cases, the expectations
 * inside each file; `race` cases compare the status only), and programs of
 * the differential generator (tests/support/diffgen.h) whose outputs must
 * equal the interpreter's byte for byte.
 *
 * A case that llvm-cpu refuses before running (VY_E_UNSUPPORTED from
 * compile) or that needs the interpreter's step budget is reported as
 * skipped with the reason, never passed silently, and a refusal must be
 * one of those include/vyre/jit.h documents (refusals[] below).
 *
 * VY_CASES=substring runs only matching case files (VY_CASES=diffgen only
 * the generated programs); VY_DIFF_SEEDS=N sets
 * the number of generated programs per option set (default 100).
 *
 * VY_GUARD_PAGES=1 (CTest's test_jit_cases_guard) runs everything with
 * every buffer between inaccessible pages (tests/support/guard_alloc.h):
 * the backend's allocations through the guard allocator and every input
 * copied into a guarded block, so a kernel that touches memory outside a
 * buffer crashes the test instead of passing unnoticed.
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

#include "backend_cpu_int.h"
#include "cases.h"
#include "diffgen.h"
#include "jit_diff.h"
#include "guard_alloc.h"
#include "interp_int.h"
#include "vyre/jit.h"

static char g_root[1024];
static bool g_guard; /* VY_GUARD_PAGES */

/* The inputs as the kernel sees them: in guard mode each one copied
 * between guard pages (free with guarded_free). */
static vy_input *guarded_inputs(const vy_input *in, size_t n) {
  vy_input *g = calloc(n ? n : 1, sizeof *g);
  if (!g) return NULL;
  for (size_t i = 0; i < n; i++) {
    g[i] = in[i];
    if (g_guard) g[i].data = vy_guard_copy(in[i].data, in[i].len);
  }
  return g;
}

static void guarded_free(vy_input *g, size_t n) {
  if (g_guard)
    for (size_t i = 0; g && i < n; i++) vy_guard_free((void *)g[i].data, g[i].len);
  free(g);
}

/* ---- llvm-cpu as a case backend ---- */

typedef struct cpu_env {
  vy_context *ctx;
  vy_backend *be;
} cpu_env;

static vy_status env_open(const vy_host_registry *host, cpu_env *e, vy_error *err) {
  vy_context_options o;
  vy_context_options_init(&o);
  o.host_ops = host;
  o.threads = 2;
  if (g_guard) o.alloc = vy_guard_allocator();
  vy_status st = vy_context_create(&o, &e->ctx, err);
  if (st == VY_OK) st = vy_jit_register_backends(e->ctx);
  if (st == VY_OK) st = vy_backend_open(e->ctx, "llvm-cpu", &e->be, err);
  return st;
}

static void env_close(cpu_env *e) {
  vy_backend_close(e->be);
  vy_context_destroy(e->ctx);
  memset(e, 0, sizeof *e);
}

static cpu_env g_plain; /* no host registry */

/* Compiles the case's program (validation as the case says). */
static vy_status cpu_compile_case(const vy_case *c, cpu_env *tmp, vy_kernel **k, vy_error *err) {
  cpu_env *e = &g_plain;
  if (c->host) {
    vy_status st = env_open(c->host, tmp, err);
    if (st != VY_OK) return st;
    e = tmp;
  }
  return vy_cpu_compile_ex(e->be, c->program, NULL, !c->no_validate, k, err);
}

static vy_status cpu_run(void *ud, const vy_case *c, const vy_interp_input *inputs, size_t n, vy_interp_outputs *out,
                         vy_error *err) {
  (void)ud;
  memset(out, 0, sizeof *out);
  cpu_env tmp = {0};
  vy_kernel *k = NULL;
  vy_status st = cpu_compile_case(c, &tmp, &k, err);
  if (st == VY_OK) {
    vy_outputs o;
    vy_input *g = guarded_inputs(inputs, n);
    st = g ? vy_kernel_dispatch(k, g, n, NULL, &o, err) : VY_E_NOMEM;
    guarded_free(g, n);
    if (st == VY_OK) {
      out->count = o.count;
      out->items = o.items;
      /* o.alloc points into the context, which a host case closes below;
       * the same allocator in static storage frees them later */
      out->alloc = g_guard ? vy_guard_allocator() : o.alloc;
      for (size_t i = 0; g_guard && i < o.count; i++) out->items[i].alloc = vy_guard_allocator();
    }
  }
  vy_kernel_destroy(k);
  if (tmp.be) env_close(&tmp);
  return st;
}

static const vy_case_backend cpu_backend = {"llvm-cpu", true, 4, cpu_run, NULL};

/* ---- one test per case file ---- */

static int g_skipped;

/* The refusals include/vyre/jit.h documents, by a phrase of their message. */
static const char *const refusals[] = {
    "does not support operation", /* indirect dispatch, resume, opaque nodes (supported_ops) */
    "bytes buffer",               /* variable-length values */
    "f64 buffer",                 /* unnarrowed f64 values */
    "exceed 16 bytes",            /* wide values */
    "different runtime kinds",    /* a select of two kinds */
    "changes the runtime kind",   /* an assignment of another kind */
    "inside a subgroup operand",  /* atomics and calls evaluated once per lane per lane */
};

static bool documented_refusal(const char *message) {
  for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++)
    if (strstr(message, refusals[i])) return true;
  return false;
}

static void run_case(void **state) {
  const char *path = *state;
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(path, &c, &err)) fail_msg("%s", err.message);
  if (c->step_budget) { /* the interpreter's step budget has no llvm-cpu equivalent */
    printf("  skipped (step budget): %s\n", path);
    g_skipped++;
    vy_case_free(c);
    return;
  }
  /* a documented refusal is a skip, unless the case expects exactly that */
  cpu_env tmp = {0};
  vy_kernel *k = NULL;
  vy_status st = cpu_compile_case(c, &tmp, &k, &err);
  vy_kernel_destroy(k);
  if (tmp.be) env_close(&tmp);
  if (st == VY_E_UNSUPPORTED && !(c->expect_error && c->error_code == VY_E_UNSUPPORTED)) {
    assert_non_null(strstr(err.message, "llvm-cpu"));
    assert_non_null(strstr(err.message, "Fix:"));
    if (!documented_refusal(err.message)) fail_msg("%s: undocumented refusal: %s", path, err.message);
    printf("  skipped (refused): %s: %s\n", path, err.message);
    g_skipped++;
    vy_case_free(c);
    return;
  }
  vy_status dev_status;
  const char *dev_why;
  if (vy_jit_case_deviation("llvm-cpu", path, &dev_status, &dev_why)) {
    st = vy_jit_case_status(c, &cpu_backend, &err);
    vy_case_free(c);
    printf("  documented deviation: %s: %s\n", path, dev_why);
    assert_int_equal(st, dev_status);
    return;
  }
  char *report = NULL;
  bool ok = vy_case_check(c, &cpu_backend, &report);
  vy_case_free(c);
  if (!ok) {
    fprintf(stderr, "%s", report ? report : "(no report)\n");
    free(report);
    fail_msg("case %s failed on llvm-cpu", path);
  }
  free(report);
}

/* ---- generated programs ---- */

static vy_status diff_compile(void *ud, const vy_program *p, vy_kernel **out, vy_error *err) {
  (void)ud;
  return vy_cpu_compile_ex(g_plain.be, p, NULL, true, out, err);
}

/* llvm-cpu refuses nothing the generator makes beyond its unsupported
 * error group; transcendentals within 4 ULP (include/vyre/jit.h). */
static const vy_diff_target cpu_target = {"llvm-cpu", diff_compile, NULL, 4, false};

static void diff_one(uint64_t seed, const vy_diffgen_options *o) {
  char *report = NULL;
  vy_diff_result r = vy_diff_run(seed, o, &cpu_target, &report);
  if (r != VY_DIFF_AGREE) {
    fprintf(stderr, "%s", report ? report : "(no report)\n");
    free(report);
    fail_msg("seed %llu: llvm-cpu and the reference disagree", (unsigned long long)seed);
  }
}

static void run_diff(const vy_diffgen_options *o, uint64_t base) {
  unsigned n = vy_diff_seeds(100);
  for (unsigned i = 0; i < n; i++) diff_one(base + i, o);
}

static void test_diff_default(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  run_diff(&o, 1000);
}

static void test_diff_plain(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_barriers = o.allow_workgroup_mem = o.allow_atomics = o.allow_subgroups = o.allow_async = false;
  run_diff(&o, 50000);
}

static void test_diff_errors(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_runtime_errors = true;
  run_diff(&o, 90000);
}

/* VY_DIFF_REPLAY=FILE: the case of one fuzz input (a fuzz_jit finding). */
static void test_diff_replay(void **state) {
  (void)state;
  uint64_t seed;
  vy_diffgen_options o;
  if (!vy_diff_replay(&seed, &o)) skip();
  diff_one(seed, &o);
}

static void test_diff_transcendental(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_transcendentals = true;
  run_diff(&o, 130000);
}

static int group_setup(void **state) {
  (void)state;
  vy_error err;
  if (env_open(NULL, &g_plain, &err) != VY_OK) {
    fprintf(stderr, "cannot open llvm-cpu: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  env_close(&g_plain);
  printf("llvm-cpu corpus: %d case(s) skipped\n", g_skipped);
  return 0;
}

int main(void) {
  const char *guard = getenv("VY_GUARD_PAGES");
  g_guard = guard && *guard && strcmp(guard, "0") != 0;
  vy_case_root(g_root, sizeof g_root);
  char **paths = NULL;
  long n = vy_case_find(g_root, &paths);
  if (n < 0) {
    fprintf(stderr, "cannot list the cases under %s\n", g_root);
    return 1;
  }
  const char *filter = getenv("VY_CASES");
  struct CMUnitTest *tests = calloc((size_t)n + 4, sizeof *tests);
  if (!tests) return 1;
  size_t nt = 0, rootlen = strlen(g_root);
  for (long i = 0; i < n; i++) {
    if (filter && *filter && !strstr(paths[i], filter)) continue;
    const char *name = paths[i] + (strncmp(paths[i], g_root, rootlen) == 0 ? rootlen + 1 : 0);
    tests[nt++] = (struct CMUnitTest){name, run_case, NULL, NULL, paths[i]};
  }
  const char *replay = getenv("VY_DIFF_REPLAY");
  if (replay && *replay) nt = 0; /* the replayed case alone */
  if (replay && *replay)
    tests[nt++] = (struct CMUnitTest){"diffgen replay of $VY_DIFF_REPLAY", test_diff_replay, NULL, NULL, NULL};
  else if (!filter || !*filter || strstr("diffgen", filter)) { /* VY_CASES=diffgen runs only these */
    tests[nt++] = (struct CMUnitTest){"diffgen plain (no barriers, atomics, subgroups, async)", test_diff_plain, NULL,
                                      NULL, NULL};
    tests[nt++] = (struct CMUnitTest){"diffgen default options", test_diff_default, NULL, NULL, NULL};
    tests[nt++] = (struct CMUnitTest){"diffgen runtime errors", test_diff_errors, NULL, NULL, NULL};
    tests[nt++] = (struct CMUnitTest){"diffgen transcendentals (4 ULP)", test_diff_transcendental, NULL, NULL, NULL};
  }
  int rc = _cmocka_run_group_tests("llvm-cpu cases", tests, nt, group_setup, group_teardown);
  free(tests);
  vy_case_paths_free(paths, n);
  return rc;
}
