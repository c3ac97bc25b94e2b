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
#include "interp_int.h"
#include "vyre/text.h"
#include "vyre/jit.h"

static char g_root[1024];

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
    st = vy_kernel_dispatch(k, inputs, n, NULL, &o, err);
    if (st == VY_OK) {
      out->count = o.count;
      out->items = o.items;
      out->alloc = o.alloc;
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

/* Cases whose result depends on the reference's round-robin timing where
 * llvm-cpu documents another behaviour (include/vyre/jit.h,
 * jit/lower_cpu.c): llvm-cpu must give exactly this status. */
static const struct {
  const char *suffix;
  vy_status status;
  const char *why;
} deviations[] = {
    {"sched/uniform_check_finished_lane.vy", VY_E_RUNTIME,
     "llvm-cpu compares a barrier If's condition over every live invocation at once"},
    {"subgroup/finished_lane_error.vy", VY_OK,
     "llvm-cpu evaluates a finished lane's subgroup operand from the values it last had"},
};

/* The documented status of a deviating case, or -1. */
static int deviation(const char *path) {
  size_t len = strlen(path);
  for (size_t i = 0; i < sizeof deviations / sizeof *deviations; i++) {
    size_t sl = strlen(deviations[i].suffix);
    if (len >= sl && strcmp(path + len - sl, deviations[i].suffix) == 0) return (int)i;
  }
  return -1;
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
  int dev = deviation(path);
  if (dev >= 0) {
    vy_interp_input *in = calloc(c->ninputs + 1, sizeof *in);
    assert_non_null(in);
    for (size_t i = 0; i < c->ninputs; i++) in[i] = (vy_interp_input){c->inputs[i].bytes, c->inputs[i].len};
    vy_interp_outputs out;
    st = cpu_run(NULL, c, in, c->ninputs, &out, &err);
    vy_interp_outputs_free(&out);
    free(in);
    vy_case_free(c);
    printf("  documented deviation: %s: %s\n", path, deviations[dev].why);
    assert_int_equal(st, deviations[dev].status);
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

static unsigned diff_seeds(void) {
  const char *s = getenv("VY_DIFF_SEEDS");
  return s && *s ? (unsigned)strtoul(s, NULL, 10) : 100;
}

/* f32 words within `ulp` units in the last place (NaN only against NaN); a
 * trailing partial word must be equal. */
static bool within_ulp(const uint8_t *a, const uint8_t *b, size_t len, uint32_t ulp) {
  for (size_t i = 0; i + 4 <= len; i += 4) {
    uint32_t x, y;
    memcpy(&x, a + i, 4);
    memcpy(&y, b + i, 4);
    bool nx = (x & 0x7FFFFFFFu) > 0x7F800000u, ny = (y & 0x7FFFFFFFu) > 0x7F800000u;
    if (nx || ny) {
      if (nx != ny) return false;
      continue;
    }
    int64_t ix = x & 0x80000000u ? -(int64_t)(x & 0x7FFFFFFFu) : (int64_t)x;
    int64_t iy = y & 0x80000000u ? -(int64_t)(y & 0x7FFFFFFFu) : (int64_t)y;
    if ((ix > iy ? ix - iy : iy - ix) > ulp) return false;
  }
  return memcmp(a + len / 4 * 4, b + len / 4 * 4, len % 4) == 0;
}

/* Runs seed on the interpreter and on llvm-cpu; outputs must be equal byte
 * for byte (f32 outputs of programs with transcendentals within 4 ULP, the
 * bound of include/vyre/jit.h), errors must have the same status. */
static void diff_one(uint64_t seed, const vy_diffgen_options *o) {
  vy_diffgen_case dc;
  vy_error err;
  if (vy_diffgen_make(seed, o, NULL, &dc, &err)) fail_msg("seed %llu: %s", (unsigned long long)seed, err.message);
  if (getenv("VY_DIFF_VERBOSE")) fprintf(stderr, "%s\n", dc.description);
  vy_interp_outputs ref;
  vy_input *in = calloc(dc.ninputs ? dc.ninputs : 1, sizeof *in); /* the generator's vy_bytes as inputs */
  assert_non_null(in);
  for (size_t i = 0; i < dc.ninputs; i++) in[i] = (vy_input){dc.inputs[i].data, dc.inputs[i].len};
  vy_error rerr, cerr;
  vy_status rst = vy_interp_run(dc.program, in, dc.ninputs, NULL, NULL, NULL, &ref, &rerr);
  vy_outputs got;
  memset(&got, 0, sizeof got);
  vy_kernel *k = NULL;
  vy_status cst = vy_cpu_compile_ex(g_plain.be, dc.program, NULL, true, &k, &cerr);
  if (cst == VY_OK) cst = vy_kernel_dispatch(k, in, dc.ninputs, NULL, &got, &cerr);
  vy_kernel_destroy(k);
  /* the generator's last error group is constructs a compiled backend may refuse */
  if (dc.expect_error && dc.error == VY_DIFFGEN_ERR_UNSUPPORTED && cst == VY_E_UNSUPPORTED) cst = rst;
  if (cst != rst) {
    vy_bytes text = {0};
    vy_error e2;
    vy_text_print(dc.program, NULL, &text, &e2);
    fprintf(stderr, "%s\nreference: %s %s\nllvm-cpu: %s %s\n%s", dc.description, vy_status_name(rst),
            rst ? rerr.message : "", vy_status_name(cst), cst ? cerr.message : "", text.data ? (char *)text.data : "");
    fail_msg("seed %llu: llvm-cpu and the reference disagree", (unsigned long long)seed);
  }
  if (rst == VY_OK) {
    assert_int_equal(got.count, ref.count);
    const vy_buffer_decl *returned[64];
    size_t nret = 0;
    for (uint32_t b = 0; b < vy_program_buffer_count(dc.program) && nret < 64; b++)
      if (vy_buffer_is_returned(vy_program_buffer(dc.program, b))) returned[nret++] = vy_program_buffer(dc.program, b);
    for (size_t i = 0; i < ref.count; i++) {
      bool ulp = (dc.features & VY_DIFFGEN_F_TRANSCENDENTAL) && i < nret && returned[i]->element.kind == VY_TYPE_F32;
      bool same = got.items[i].len == ref.items[i].len &&
                  (ulp ? within_ulp(got.items[i].data, ref.items[i].data, ref.items[i].len, 4)
                       : memcmp(got.items[i].data, ref.items[i].data, ref.items[i].len) == 0);
      if (!same) {
        size_t at = 0;
        while (at < ref.items[i].len && at < got.items[i].len && got.items[i].data[at] == ref.items[i].data[at]) at++;
        vy_bytes text = {0};
        vy_error e2;
        vy_text_print(dc.program, NULL, &text, &e2);
        fprintf(stderr, "%s\noutput %zu differs at byte %zu (lengths %zu, %zu)\n%s", dc.description, i, at,
                ref.items[i].len, got.items[i].len, text.data ? (char *)text.data : "");
        fail_msg("seed %llu: llvm-cpu output differs", (unsigned long long)seed);
      }
    }
  }
  vy_outputs_free(&got);
  vy_interp_outputs_free(&ref);
  free(in);
  vy_diffgen_case_free(&dc);
}

static void run_diff(const vy_diffgen_options *o, uint64_t base) {
  unsigned n = diff_seeds();
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
  if (!filter || !*filter || strstr("diffgen", filter)) { /* VY_CASES=diffgen runs only these */
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
