/* test_cases.c - runs the case corpus (every .vy file below tests/cases/) on the reference
 * interpreter: one cmocka test per case file (outputs or error compared,
 * text/wire round trip checked), a coverage inventory of the corpus, and
 * tests of the case loader and checker themselves on malformed and wrong
 * cases.
 *
 * VY_CASES=substring in the environment runs only the matching case files.
 */
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

#include "cases.h"

static char g_root[1024];

/* ---- one test per case file ---- */

static void run_case(void **state) {
  const char *path = *state;
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(path, &c, &err)) fail_msg("%s", err.message);
  char *report = NULL;
  bool ok = vy_case_check(c, vy_case_reference_backend(), &report);
  ok &= vy_case_check_roundtrip(c, &report);
  vy_case_free(c);
  if (!ok) {
    fprintf(stderr, "%s", report ? report : "(no report)\n");
    free(report);
    fail_msg("case %s failed", path);
  }
  free(report);
}

/* ---- coverage inventory: every node, expression, operator and atomic op of
 * the IR appears in some case ---- */

typedef struct coverage {
  bool node[VY_NODE_COUNT], expr[VY_EXPR_COUNT], binop[VY_BINOP_COUNT], unop[VY_UNOP_COUNT];
  bool atomic[VY_ATOMIC_COUNT], cast[VY_TYPE_COUNT];
} coverage;

static void cov_expr(coverage *cv, const vy_expr *e) {
  if (!e) return;
  cv->expr[e->kind] = true;
  switch (e->kind) {
  case VY_EXPR_LOAD:
    cov_expr(cv, e->u.load.index);
    break;
  case VY_EXPR_BIN_OP:
    cv->binop[e->u.bin.op] = true;
    cov_expr(cv, e->u.bin.left);
    cov_expr(cv, e->u.bin.right);
    break;
  case VY_EXPR_UN_OP:
    cv->unop[e->u.un.op] = true;
    cov_expr(cv, e->u.un.operand);
    break;
  case VY_EXPR_CALL:
    for (uint32_t i = 0; i < e->u.call.argc; i++) cov_expr(cv, e->u.call.args[i]);
    break;
  case VY_EXPR_SELECT:
    cov_expr(cv, e->u.select.cond);
    cov_expr(cv, e->u.select.if_true);
    cov_expr(cv, e->u.select.if_false);
    break;
  case VY_EXPR_CAST:
    cv->cast[e->u.cast.target.kind] = true;
    cov_expr(cv, e->u.cast.value);
    break;
  case VY_EXPR_ATOMIC:
    cv->atomic[e->u.atomic.op] = true;
    cov_expr(cv, e->u.atomic.index);
    cov_expr(cv, e->u.atomic.expected);
    cov_expr(cv, e->u.atomic.value);
    break;
  case VY_EXPR_FMA:
    cov_expr(cv, e->u.fma.a);
    cov_expr(cv, e->u.fma.b);
    cov_expr(cv, e->u.fma.c);
    break;
  case VY_EXPR_SUBGROUP_ADD:
    cov_expr(cv, e->u.subgroup_add);
    break;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    cov_expr(cv, e->u.shuffle.value);
    cov_expr(cv, e->u.shuffle.lane);
    break;
  case VY_EXPR_SUBGROUP_BALLOT:
    cov_expr(cv, e->u.subgroup_ballot);
    break;
  default:
    break;
  }
}

static void cov_list(coverage *cv, const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_node *n = l->items[i];
    cv->node[n->kind] = true;
    switch (n->kind) {
    case VY_NODE_LET:
      cov_expr(cv, n->u.let.value);
      break;
    case VY_NODE_ASSIGN:
      cov_expr(cv, n->u.assign.value);
      break;
    case VY_NODE_STORE:
      cov_expr(cv, n->u.store.index);
      cov_expr(cv, n->u.store.value);
      break;
    case VY_NODE_IF:
      cov_expr(cv, n->u.if_.cond);
      cov_list(cv, &n->u.if_.then_body);
      cov_list(cv, &n->u.if_.else_body);
      break;
    case VY_NODE_LOOP:
      cov_expr(cv, n->u.loop.from);
      cov_expr(cv, n->u.loop.to);
      cov_list(cv, &n->u.loop.body);
      break;
    case VY_NODE_BLOCK:
      cov_list(cv, &n->u.block);
      break;
    case VY_NODE_REGION:
      cov_list(cv, &n->u.region.body);
      break;
    case VY_NODE_ASYNC_LOAD:
    case VY_NODE_ASYNC_STORE:
      cov_expr(cv, n->u.async_copy.offset);
      cov_expr(cv, n->u.async_copy.size);
      break;
    case VY_NODE_TRAP:
      cov_expr(cv, n->u.trap.address);
      break;
    default:
      break;
    }
  }
}

static void test_corpus_coverage(void **state) {
  char **paths = *state;
  coverage cv = {0};
  long n = 0;
  for (; paths[n]; n++) {
    vy_case *c = NULL;
    vy_error err;
    if (vy_case_load(paths[n], &c, &err)) fail_msg("%s", err.message);
    cov_list(&cv, vy_program_entry(c->program));
    vy_case_free(c);
  }
  int missing = 0;
  for (int i = 0; i < VY_NODE_COUNT; i++)
    if (!cv.node[i]) fprintf(stderr, "no case uses node %s\n", vy_node_kind_name((vy_node_kind)i)), missing++;
  for (int i = 0; i < VY_EXPR_COUNT; i++)
    if (!cv.expr[i]) fprintf(stderr, "no case uses expression %s\n", vy_expr_kind_name((vy_expr_kind)i)), missing++;
  for (int i = 0; i < VY_BINOP_COUNT; i++)
    if (!cv.binop[i] && i != VY_BINOP_OPAQUE)
      fprintf(stderr, "no case uses binop %s\n", vy_binop_name((vy_binop)i)), missing++;
  for (int i = 0; i < VY_UNOP_COUNT; i++)
    if (!cv.unop[i] && i != VY_UNOP_OPAQUE)
      fprintf(stderr, "no case uses unop %s\n", vy_unop_name((vy_unop)i)), missing++;
  for (int i = 0; i < VY_ATOMIC_COUNT; i++)
    if (!cv.atomic[i]) fprintf(stderr, "no case uses atomic %s\n", vy_atomic_op_name((vy_atomic_op)i)), missing++;
  static const vy_type_kind casts[] = {VY_TYPE_U32,   VY_TYPE_I32,     VY_TYPE_U64,     VY_TYPE_F32, VY_TYPE_BOOL,
                                       VY_TYPE_BYTES, VY_TYPE_VEC2U32, VY_TYPE_VEC4U32, VY_TYPE_U8};
  for (size_t i = 0; i < sizeof casts / sizeof *casts; i++)
    if (!cv.cast[casts[i]]) fprintf(stderr, "no case casts to %s\n", vy_type_kind_name(casts[i])), missing++;
  if (n < 200) fprintf(stderr, "the corpus has %ld cases, fewer than 200\n", n), missing++;
  assert_int_equal(missing, 0);
}

/* ---- the loader and checker on hand-made cases ---- */

static char g_tmpdir[256];

static const char *write_file(const char *name, const char *data, size_t len) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", g_tmpdir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
  return path;
}

static const char *write_case(const char *name, const char *text) { return write_file(name, text, strlen(text)); }

static void expect_load_error(const char *text, const char *needle, uint32_t line) {
  vy_case *c = NULL;
  vy_error err;
  vy_status st = vy_case_load(write_case("bad.vy", text), &c, &err);
  if (st != VY_E_PARSE) fail_msg("expected a load error \"%s\", got %s", needle, vy_status_name(st));
  if (!strstr(err.message, needle)) fail_msg("message lacks \"%s\": %s", needle, err.message);
  assert_non_null(strstr(err.message, "Fix: "));
  assert_int_equal(err.line, line);
  assert_null(c);
}

#define PROG                                                                                                           \
  "program workgroup(4) {\n  buffer a: u32 read @0 count(2)\n  buffer out: u32 read_write @1 output count(2)\n"        \
  "  region r {\n    out[gid.x] = a[gid.x] + 1\n  }\n}\n"

static void test_loader_errors(void **state) {
  (void)state;
  expect_load_error("# >>> input a = 1,2\n# >>> bogus\n" PROG, "unknown directive `bogus`", 2);
  expect_load_error("# >>> input a = 1,2\n" PROG "# >>> expect out = 2 3\n", "directive after the program", 9);
  expect_load_error("# >>> input b = 1,2\n# >>> expect out = 2 3\n" PROG, "must name the logical input buffers", 1);
  expect_load_error("# >>> input a = 1,2\n# >>> expect o = 2 3\n" PROG, "must name every returned output", 2);
  expect_load_error("# >>> input a = 1,2\n" PROG, "no expectation", 1);
  expect_load_error("# >>> input a = 1,x\n# >>> expect out = 2 3\n" PROG, "column 3: not a u32", 1);
  expect_load_error("# >>> input a = 1\n# >>> expect out = 2 3\n# >>> expect-error VY_E_RUNTIME\n" PROG,
                    "expect and expect-error together", 2);
  expect_load_error("# >>> expect-error VY_E_NOPE\n" PROG, "unknown status", 1);
  expect_load_error("# >>> expect-error VY_E_RUNTIME \"open\n" PROG, "unterminated", 1);
  expect_load_error("# >>> race now\n# >>> expect-error VY_E_RUNTIME\n" PROG, "takes no argument", 1);
  expect_load_error("# >>> input a \\\n# >>> expect-error VY_E_RUNTIME\n" PROG, "expected `input NAME = VALUES`", 1);
  expect_load_error("# >>> input a = 1 \\\nprogram {}\n", "next line is no directive", 1);
  expect_load_error("# >>> step-budget 0\n# >>> expect-error VY_E_RUNTIME\n" PROG, "positive count", 1);
  expect_load_error("# >>> input a = 1,2\n# >>> expect out = 2 3\nprogram {\n  buffer\n}\n", "does not parse", 5);
  expect_load_error("# >>> input a = @nowhere.bin\n# >>> expect out = 1 2\n" PROG, "cannot open", 1);
}

static void test_loader_accepts(void **state) {
  (void)state;
  /* continuation lines, tags, flags, legacy binding (an input for the output too), @file */
  write_file("a.bin", "\x05\x00\x00\x00\x06\x00\x00\x00", 8);
  const char *path = write_case("ok.vy", "# comment\n\n# >>> input a = @a.bin\n# >>> input out = 9 9\n"
                                         "# >>> expect out = \\\n# >>>   6 7\n# >>> tags: x  y\n# >>> race\n" PROG);
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(path, &c, &err)) fail_msg("%s", err.message);
  assert_int_equal(c->ninputs, 2);
  assert_int_equal(c->inputs[0].len, 8);
  assert_int_equal(c->nexpects, 1);
  assert_string_equal(c->expects[0].spec, "6 7");
  assert_int_equal(c->expects[0].len, 8);
  assert_true(c->race);
  assert_true(vy_case_has_tag(c, "y"));
  assert_false(vy_case_has_tag(c, "z"));
  char *report = NULL;
  assert_true(vy_case_check(c, vy_case_reference_backend(), &report));
  assert_true(vy_case_check_roundtrip(c, &report));
  assert_null(report);
  vy_case_free(c);
}

/* The checker must catch a wrong value, a wrong error and a missing error. */
static void expect_check_failure(const char *text, const char *needle) {
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(write_case("wrong.vy", text), &c, &err)) fail_msg("%s", err.message);
  char *report = NULL;
  assert_false(vy_case_check(c, vy_case_reference_backend(), &report));
  assert_non_null(report);
  if (!strstr(report, needle)) fail_msg("report lacks \"%s\":\n%s", needle, report);
  free(report);
  vy_case_free(c);
}

static void test_checker_catches(void **state) {
  (void)state;
  expect_check_failure("# >>> input a = 1,2\n# >>> expect out = 2 4\n" PROG,
                       "expected: out: 2 4\n  actual:   out: 2 3\n  first difference at byte 4 (element 1)");
  expect_check_failure("# >>> input a = 1,2\n# >>> expect-error VY_E_RUNTIME\n" PROG,
                       "but the run on reference succeeded");
  expect_check_failure("# >>> input a = 1\n# >>> expect-error VY_E_INVALID_PROGRAM\n" PROG,
                       "expected VY_E_INVALID_PROGRAM, got VY_E_RUNTIME");
  expect_check_failure("# >>> input a = 1\n# >>> expect-error VY_E_RUNTIME \"no such text\"\n" PROG,
                       "lacks \"no such text\"");
  expect_check_failure("# >>> input a = 1\n# >>> expect out = 2 3\n" PROG, "the run on reference failed");
  /* a compiled backend that returns other values passes a `race` case, but not a plain one */
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(write_case("r.vy", "# >>> input a = 1,2\n# >>> expect out = 2 3\n" PROG), &c, &err))
    fail_msg("%s", err.message);
  vy_case_backend liar = *vy_case_reference_backend();
  liar.name = "liar";
  liar.compiled = true;
  c->expects[0].bytes[0] = 7;
  char *report = NULL;
  assert_false(vy_case_check(c, &liar, &report));
  free(report);
  report = NULL;
  c->race = true;
  assert_true(vy_case_check(c, &liar, &report));
  assert_null(report);
  vy_case_free(c);
}

/* The ULP hook: f32 outputs of `transcendental` cases within the backend's tolerance. */
static void test_ulp_hook(void **state) {
  (void)state;
  const char *text = "# >>> input x = 1.0\n# >>> expect y = 0x3f800001\n# >>> tags: transcendental\n"
                     "program {\n  buffer x: f32 read @0\n  buffer y: f32 read_write @1 output count(1)\n"
                     "  region r {\n    y[0] = x[0]\n  }\n}\n";
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(write_case("ulp.vy", text), &c, &err)) fail_msg("%s", err.message);
  vy_case_backend be = *vy_case_reference_backend();
  char *report = NULL;
  assert_false(vy_case_check(c, &be, &report)); /* 1 ULP off, bit-exact backend */
  free(report);
  report = NULL;
  be.transcendental_ulp = 1;
  assert_true(vy_case_check(c, &be, &report));
  c->expects[0].bytes[0] = 2; /* 2 ULP off */
  assert_false(vy_case_check(c, &be, &report));
  free(report);
  vy_case_free(c);
}

static int make_tmpdir(void **state) {
  (void)state;
  snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/vy_cases_XXXXXX");
  return mkdtemp(g_tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state) {
  (void)state;
  static const char *const names[] = {"bad.vy", "ok.vy", "a.bin", "wrong.vy", "r.vy", "ulp.vy"};
  char path[512];
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    snprintf(path, sizeof path, "%s/%s", g_tmpdir, names[i]);
    unlink(path);
  }
  return rmdir(g_tmpdir);
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
  struct CMUnitTest *tests = calloc((size_t)n + 1, sizeof *tests);
  char **all = calloc((size_t)n + 1, sizeof *all); /* NULL-terminated for the inventory */
  if (!tests || !all) return 1;
  size_t nt = 0, rootlen = strlen(g_root);
  for (long i = 0; i < n; i++) {
    all[i] = paths[i];
    if (filter && !strstr(paths[i], filter)) continue;
    tests[nt].name = paths[i] + rootlen + (paths[i][rootlen] == '/');
    tests[nt].test_func = run_case;
    tests[nt].initial_state = paths[i];
    nt++;
  }
  int failed = _cmocka_run_group_tests("cases", tests, nt, NULL, NULL);
  const struct CMUnitTest self[] = {
      cmocka_unit_test_prestate(test_corpus_coverage, all),
      cmocka_unit_test(test_loader_errors),
      cmocka_unit_test(test_loader_accepts),
      cmocka_unit_test(test_checker_catches),
      cmocka_unit_test(test_ulp_hook),
  };
  if (!filter) failed += cmocka_run_group_tests_name("case runner", self, make_tmpdir, remove_tmpdir);
  free(tests);
  free(all);
  vy_case_paths_free(paths, n);
  return failed;
}
