/* test_diffgen.c - the differential-testing program generator
 * (tests/support/diffgen.h), checked from the outside:
 *  - over thousands of seeds and several option profiles, every program
 *    passes vy_validate (default options + subgroup support), runs on the
 *    reference interpreter without error (or fails with VY_E_RUNTIME when it
 *    was built to), runs deterministically, and gives the same outputs
 *    under other interleavings (lanes reversed, workgroups reversed, each
 *    lane run until it blocks: the race-freedom check, through the
 *    interpreter's test-only vy_interp_sched) and after a text and a wire
 *    round trip;
 *  - the race check has teeth: hand-written racy programs (expected values
 *    worked out from §4.6) give different outputs under those orders;
 *  - options are obeyed (checked by walking the programs), generation is
 *    deterministic, coverage of node/expression/operator kinds, and clean
 *    VY_E_NOMEM under fault injection.
 * VY_DIFFGEN_SEEDS (environment) scales the number of seeds per profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diffgen.h"
#include "fault_alloc.h"
#include "interp_int.h"
#include "vyre/builder.h"
#include "vyre/interp.h"
#include "vyre/text.h"
#include "vyre/validate.h"
#include "vyre/wire.h"

#define DEFAULT_SEEDS 400u
#define STEP_BUDGET 20000000u

static unsigned seeds_per_profile(void) {
  const char *s = getenv("VY_DIFFGEN_SEEDS");
  long n = s ? strtol(s, NULL, 10) : 0;
  return n > 0 ? (unsigned)n : DEFAULT_SEEDS;
}

/* ---- running ---- */

static vy_status run_sched(const vy_program *p, const vy_diffgen_case *c, const vy_interp_sched *s,
                           vy_interp_outputs *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  vy_interp_input in[16];
  assert_true(c->ninputs <= 16);
  for (size_t i = 0; i < c->ninputs; i++) in[i] = (vy_interp_input){c->inputs[i].data, c->inputs[i].len};
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare(p, NULL, NULL, &pp, err);
  if (st != VY_OK) return st;
  vy_interp_options o;
  vy_interp_options_default(&o);
  o.step_budget = STEP_BUDGET;
  st = vy_interp_execute_sched(pp, in, c->ninputs, &o, s, out, err);
  vy_interp_prepared_destroy(pp);
  return st;
}

static bool same_outputs(const vy_interp_outputs *a, const vy_interp_outputs *b) {
  if (a->count != b->count) return false;
  for (size_t i = 0; i < a->count; i++) {
    if (a->items[i].len != b->items[i].len) return false;
    if (a->items[i].len && memcmp(a->items[i].data, b->items[i].data, a->items[i].len)) return false;
  }
  return true;
}

/* ---- round trips ---- */

static vy_program *text_round_trip(const vy_program *p) {
  vy_bytes t;
  vy_error err;
  if (vy_text_print(p, NULL, &t, &err) != VY_OK) fail_msg("print: %s", err.message);
  vy_program *q = NULL;
  if (vy_text_parse((const char *)t.data, t.len, "diffgen.vy", NULL, &q, &err) != VY_OK)
    fail_msg("parse: %s\n%s", err.message, (const char *)t.data);
  vy_bytes_free(&t);
  return q;
}

static vy_program *wire_round_trip(const vy_program *p) {
  vy_bytes w;
  vy_error err;
  if (vy_wire_encode(p, NULL, &w, &err) != VY_OK) fail_msg("encode: %s", err.message);
  vy_program *q = NULL;
  if (vy_wire_decode(w.data, w.len, NULL, &q, &err) != VY_OK) fail_msg("decode: %s", err.message);
  vy_bytes_free(&w);
  return q;
}

/* ---- coverage: what the generated programs contain ---- */

typedef struct seen {
  unsigned node[VY_NODE_COUNT], expr[VY_EXPR_COUNT], binop[VY_BINOP_COUNT], unop[VY_UNOP_COUNT];
  unsigned atomic[VY_ATOMIC_COUNT], cast[VY_TYPE_COUNT], elem[VY_TYPE_COUNT], access[VY_ACCESS_COUNT];
  unsigned binop_type[VY_BINOP_COUNT][VY_TYPE_COUNT]; /* by the left operand's static type when known */
  unsigned features[32], errors[VY_DIFFGEN_ERR_COUNT];
  unsigned programs, runs, expected_errors, wg_shapes[3], multi_wg, partial_subgroup, longer_inputs;
  unsigned barrier_ifs, grid_sync_barriers, output_ranges;
} seen;

static void see_expr(seen *s, const vy_expr *e) {
  if (!e) return;
  s->expr[e->kind]++;
  switch (e->kind) {
  case VY_EXPR_LOAD:
    see_expr(s, e->u.load.index);
    break;
  case VY_EXPR_BIN_OP:
    s->binop[e->u.bin.op]++;
    see_expr(s, e->u.bin.left);
    see_expr(s, e->u.bin.right);
    break;
  case VY_EXPR_UN_OP:
    s->unop[e->u.un.op]++;
    see_expr(s, e->u.un.operand);
    break;
  case VY_EXPR_CALL:
    for (uint32_t i = 0; i < e->u.call.argc; i++) see_expr(s, e->u.call.args[i]);
    break;
  case VY_EXPR_SELECT:
    see_expr(s, e->u.select.cond);
    see_expr(s, e->u.select.if_true);
    see_expr(s, e->u.select.if_false);
    break;
  case VY_EXPR_CAST:
    s->cast[e->u.cast.target.kind]++;
    see_expr(s, e->u.cast.value);
    break;
  case VY_EXPR_ATOMIC:
    s->atomic[e->u.atomic.op]++;
    see_expr(s, e->u.atomic.index);
    see_expr(s, e->u.atomic.expected);
    see_expr(s, e->u.atomic.value);
    break;
  case VY_EXPR_FMA:
    see_expr(s, e->u.fma.a);
    see_expr(s, e->u.fma.b);
    see_expr(s, e->u.fma.c);
    break;
  case VY_EXPR_SUBGROUP_ADD:
    see_expr(s, e->u.subgroup_add);
    break;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    see_expr(s, e->u.shuffle.value);
    see_expr(s, e->u.shuffle.lane);
    break;
  case VY_EXPR_SUBGROUP_BALLOT:
    see_expr(s, e->u.subgroup_ballot);
    break;
  default:
    break;
  }
}

static bool list_has_barrier(const vy_node_list *l);

static void see_list(seen *s, const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_node *n = l->items[i];
    s->node[n->kind]++;
    switch (n->kind) {
    case VY_NODE_LET:
    case VY_NODE_ASSIGN:
      see_expr(s, n->u.let.value);
      break;
    case VY_NODE_STORE:
      see_expr(s, n->u.store.index);
      see_expr(s, n->u.store.value);
      break;
    case VY_NODE_IF:
      see_expr(s, n->u.if_.cond);
      s->barrier_ifs += list_has_barrier(&n->u.if_.then_body) || list_has_barrier(&n->u.if_.else_body);
      see_list(s, &n->u.if_.then_body);
      see_list(s, &n->u.if_.else_body);
      break;
    case VY_NODE_LOOP:
      see_expr(s, n->u.loop.from);
      see_expr(s, n->u.loop.to);
      see_list(s, &n->u.loop.body);
      break;
    case VY_NODE_BLOCK:
      see_list(s, &n->u.block);
      break;
    case VY_NODE_REGION:
      see_list(s, &n->u.region.body);
      break;
    case VY_NODE_BARRIER:
      s->grid_sync_barriers += n->u.barrier == VY_ORDERING_GRID_SYNC;
      break;
    case VY_NODE_ASYNC_LOAD:
    case VY_NODE_ASYNC_STORE:
      see_expr(s, n->u.async_copy.offset);
      see_expr(s, n->u.async_copy.size);
      break;
    case VY_NODE_TRAP:
      see_expr(s, n->u.trap.address);
      break;
    default:
      break;
    }
  }
}

static bool list_has_barrier(const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_node *n = l->items[i];
    switch (n->kind) {
    case VY_NODE_BARRIER:
      return true;
    case VY_NODE_IF:
      if (list_has_barrier(&n->u.if_.then_body) || list_has_barrier(&n->u.if_.else_body)) return true;
      break;
    case VY_NODE_LOOP:
      if (list_has_barrier(&n->u.loop.body)) return true;
      break;
    case VY_NODE_BLOCK:
      if (list_has_barrier(&n->u.block)) return true;
      break;
    case VY_NODE_REGION:
      if (list_has_barrier(&n->u.region.body)) return true;
      break;
    default:
      break;
    }
  }
  return false;
}

static void see_case(seen *s, const vy_diffgen_case *c) {
  const vy_program *p = c->program;
  s->programs++;
  see_list(s, vy_program_entry(p));
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    s->elem[d->element.kind]++;
    s->access[d->access]++;
    s->output_ranges += d->has_output_range;
  }
  for (unsigned i = 0; i < 32; i++) s->features[i] += (c->features >> i) & 1u;
  s->errors[c->error]++;
  uint32_t active = (c->workgroup[0] > 1) + (c->workgroup[1] > 1) + (c->workgroup[2] > 1);
  if (active) s->wg_shapes[active - 1]++;
  s->multi_wg += c->grid[0] * c->grid[1] * c->grid[2] > 1;
  s->partial_subgroup +=
      (c->features & VY_DIFFGEN_F_SUBGROUP) && (c->workgroup[0] * c->workgroup[1] * c->workgroup[2]) % 32 != 0;
}

/* ---- the property check of one case ---- */

static void dump(const vy_diffgen_case *c) {
  vy_bytes t;
  if (vy_text_print(c->program, NULL, &t, NULL) == VY_OK) {
    print_message("%s\n%s\n", c->description, (const char *)t.data);
    vy_bytes_free(&t);
  }
}

#define CHECK(cond, c, ...)                                                                                            \
  do {                                                                                                                 \
    if (!(cond)) {                                                                                                     \
      dump(c);                                                                                                         \
      fail_msg(__VA_ARGS__);                                                                                           \
    }                                                                                                                  \
  } while (0)

/* Runs `p` under `s` and compares with the reference run `ref` (status `st0`). */
static void expect_same(const vy_diffgen_case *c, const vy_program *p, const vy_interp_sched *s, vy_status st0,
                        const vy_interp_outputs *ref, const char *what) {
  vy_interp_outputs o;
  vy_error err;
  vy_status st = run_sched(p, c, s, &o, &err);
  CHECK(st == st0, c, "%s: status %s, reference run %s: %s", what, vy_status_name(st), vy_status_name(st0),
        st ? err.message : "");
  CHECK(same_outputs(ref, &o), c, "%s: outputs differ from the reference run", what);
  vy_interp_outputs_free(&o);
}

static void check_case(const vy_diffgen_case *c, seen *s) {
  const vy_program *p = c->program;
  vy_validate_options vo;
  vy_validate_options_default(&vo);
  vo.supports_subgroup_ops = true;
  vy_diagnostics *d = NULL;
  vy_error err;
  assert_int_equal(vy_validate(p, &vo, NULL, &d, &err), VY_OK);
  if (vy_diagnostics_error_count(d)) {
    vy_diagnostics_first_error(d, &err);
    vy_diagnostics_destroy(d);
    CHECK(false, c, "invalid program: %s", err.message);
  }
  vy_diagnostics_destroy(d);

  vy_interp_outputs ref;
  vy_status st = run_sched(p, c, NULL, &ref, &err);
  s->runs++;
  if (c->expect_error) {
    CHECK(st == VY_E_RUNTIME, c, "expected VY_E_RUNTIME (error kind %d), got %s: %s", (int)c->error, vy_status_name(st),
          st ? err.message : "");
    CHECK(strstr(err.message, "Fix:") != NULL, c, "error without a Fix hint: %s", err.message);
    s->expected_errors++;
  } else {
    CHECK(st == VY_OK, c, "run failed: %s", err.message);
  }
  static const vy_interp_sched REPEAT = {false, false, false}, LANES = {true, false, false},
                               GROUPS = {false, true, false}, BOTH = {true, true, false}, BLOCK = {false, false, true},
                               BLOCK_REV = {true, true, true};
  expect_same(c, p, &REPEAT, st, &ref, "second run");
  expect_same(c, p, &LANES, st, &ref, "lanes reversed");
  expect_same(c, p, &GROUPS, st, &ref, "workgroups reversed");
  expect_same(c, p, &BOTH, st, &ref, "lanes and workgroups reversed");
  if (!(c->features & VY_DIFFGEN_F_SUBGROUP)) { /* subgroup ops need lockstep rounds */
    expect_same(c, p, &BLOCK, st, &ref, "run to block");
    expect_same(c, p, &BLOCK_REV, st, &ref, "run to block, reversed");
  }
  vy_program *q = text_round_trip(p);
  expect_same(c, q, NULL, st, &ref, "text round trip");
  vy_program_destroy(q);
  q = wire_round_trip(p);
  expect_same(c, q, NULL, st, &ref, "wire round trip");
  vy_program_destroy(q);
  s->runs += 9;
  vy_interp_outputs_free(&ref);
  see_case(s, c);
  for (size_t i = 0; i < c->ninputs; i++) {
    const vy_buffer_decl *b = NULL;
    (void)b;
  }
}

/* ---- option profiles ---- */

typedef struct profile {
  const char *name;
  void (*set)(vy_diffgen_options *o);
} profile;

static void p_default(vy_diffgen_options *o) { (void)o; }
static void p_errors(vy_diffgen_options *o) { o->allow_runtime_errors = true; }
static void p_all(vy_diffgen_options *o) {
  o->allow_transcendentals = true;
  o->allow_runtime_errors = true;
  o->max_stmts = 90;
  o->max_depth = 6;
  o->max_expr_depth = 6;
}
static void p_minimal(vy_diffgen_options *o) {
  o->allow_barriers = o->allow_workgroup_mem = o->allow_atomics = o->allow_subgroups = false;
  o->allow_f32 = o->allow_u64 = o->allow_i32_div = o->allow_loops = o->allow_oob = false;
  o->allow_early_return = o->allow_async = false;
}
static void p_int_only(vy_diffgen_options *o) {
  o->allow_f32 = false;
  o->allow_oob = false;
  o->max_invocations = 512;
}

static const profile PROFILES[] = {{"default", p_default},
                                   {"runtime errors", p_errors},
                                   {"everything, bigger", p_all},
                                   {"minimal", p_minimal},
                                   {"integers, in bounds, 512 invocations", p_int_only}};

/* Prints the counts of one table and fails if a kind outside `skip` was never generated. */
static void report(const char *what, const unsigned *counts, unsigned n, const char *(*name)(unsigned),
                   const unsigned *skip, size_t nskip) {
  char line[4096];
  size_t at = (size_t)snprintf(line, sizeof line, "%s:", what);
  for (unsigned i = 0; i < n; i++) {
    bool skipped = false;
    for (size_t k = 0; k < nskip; k++) skipped |= skip[k] == i;
    if (at < sizeof line) at += (size_t)snprintf(line + at, sizeof line - at, " %s=%u", name(i), counts[i]);
    if (!skipped && !counts[i]) fail_msg("%s: `%s` was never generated", what, name(i));
  }
  print_message("%s\n", line);
}

static const char *node_name(unsigned i) { return vy_node_kind_name((vy_node_kind)i); }
static const char *expr_name(unsigned i) { return vy_expr_kind_name((vy_expr_kind)i); }
static const char *binop_name(unsigned i) { return vy_binop_name((vy_binop)i); }
static const char *unop_name(unsigned i) { return vy_unop_name((vy_unop)i); }
static const char *atomic_name(unsigned i) { return vy_atomic_op_name((vy_atomic_op)i); }
static const char *type_name(unsigned i) { return vy_type_kind_name((vy_type_kind)i); }
static const char *access_name(unsigned i) { return vy_access_name((vy_access)i); }
static const char *feature_name(unsigned i) {
  static const char *const F[] = {"barrier",        "wgmem",  "reduce",  "atomic-shared", "atomic-owned", "subgroup",
                                  "transcendental", "f32",    "u64",     "loop",          "return",       "oob",
                                  "async",          "i32div", "multi-wg"};
  return i < sizeof F / sizeof *F ? F[i] : "?";
}
static const char *error_name(unsigned i) {
  static const char *const E[] = {"none",       "trap",     "i32/0",         "i32%0", "MIN/-1",    "neg-index",
                                  "cast-range", "mismatch", "assign-buffer", "async", "atomic-op", "unsupported"};
  return i < sizeof E / sizeof *E ? E[i] : "?";
}

/* What the generator must reach (the kinds it leaves out on purpose are
 * listed: collectives and opaque nodes fail validation or are not runnable;
 * the subgroup BinOps, Unpack* UnOps and opaque ops are rejected by the
 * validator; opaque atomics have no reference semantics). */
static void report_coverage(const seen *s) {
  static const unsigned NODE_SKIP[] = {VY_NODE_ALL_REDUCE, VY_NODE_ALL_GATHER, VY_NODE_REDUCE_SCATTER,
                                       VY_NODE_BROADCAST, VY_NODE_OPAQUE};
  static const unsigned BIN_SKIP[] = {VY_BINOP_SHUFFLE, VY_BINOP_BALLOT, VY_BINOP_WAVE_REDUCE, VY_BINOP_WAVE_BROADCAST,
                                      VY_BINOP_OPAQUE};
  static const unsigned UN_SKIP[] = {VY_UNOP_UNPACK4_LOW, VY_UNOP_UNPACK4_HIGH, VY_UNOP_UNPACK8_LOW,
                                     VY_UNOP_UNPACK8_HIGH, VY_UNOP_OPAQUE};
  static const unsigned ATOMIC_SKIP[] = {VY_ATOMIC_OPAQUE};
  static const unsigned CAST_WANT[] = {VY_TYPE_U32,  VY_TYPE_I32, VY_TYPE_U64,     VY_TYPE_F32,
                                       VY_TYPE_BOOL, VY_TYPE_U8,  VY_TYPE_U16,     VY_TYPE_I8,
                                       VY_TYPE_I16,  VY_TYPE_I64, VY_TYPE_VEC2U32, VY_TYPE_VEC4U32};
  static const unsigned ELEM_WANT[] = {VY_TYPE_U32, VY_TYPE_I32, VY_TYPE_U64, VY_TYPE_F32, VY_TYPE_BOOL};
  unsigned cast_skip[VY_TYPE_COUNT], elem_skip[VY_TYPE_COUNT], nc = 0, ne = 0;
  for (unsigned t = 0; t < VY_TYPE_COUNT; t++) {
    bool want_c = false, want_e = false;
    for (size_t k = 0; k < sizeof CAST_WANT / sizeof *CAST_WANT; k++) want_c |= CAST_WANT[k] == t;
    for (size_t k = 0; k < sizeof ELEM_WANT / sizeof *ELEM_WANT; k++) want_e |= ELEM_WANT[k] == t;
    if (!want_c) cast_skip[nc++] = t;
    if (!want_e) elem_skip[ne++] = t;
  }
  static const unsigned ACCESS_SKIP[] = {VY_ACCESS_WRITE_ONLY};
  report("nodes", s->node, VY_NODE_COUNT, node_name, NODE_SKIP, sizeof NODE_SKIP / sizeof *NODE_SKIP);
  report("exprs", s->expr, VY_EXPR_COUNT, expr_name, NULL, 0);
  report("binops", s->binop, VY_BINOP_COUNT, binop_name, BIN_SKIP, sizeof BIN_SKIP / sizeof *BIN_SKIP);
  report("unops", s->unop, VY_UNOP_COUNT, unop_name, UN_SKIP, sizeof UN_SKIP / sizeof *UN_SKIP);
  report("atomics", s->atomic, VY_ATOMIC_COUNT, atomic_name, ATOMIC_SKIP, 1);
  report("cast targets", s->cast, VY_TYPE_COUNT, type_name, cast_skip, nc);
  report("buffer elements", s->elem, VY_TYPE_COUNT, type_name, elem_skip, ne);
  report("buffer access", s->access, VY_ACCESS_COUNT, access_name, ACCESS_SKIP, 1);
  report("features", s->features, 15, feature_name, NULL, 0);
  report("runtime errors", s->errors, VY_DIFFGEN_ERR_COUNT, error_name, NULL, 0);
  print_message("shapes: 1-axis %u, 2-axis %u, 3-axis %u workgroups; %u multi-workgroup grids; %u subgroup programs "
                "with a partial subgroup; %u barrier-Ifs; %u grid_sync barriers; %u output ranges\n",
                s->wg_shapes[0], s->wg_shapes[1], s->wg_shapes[2], s->multi_wg, s->partial_subgroup, s->barrier_ifs,
                s->grid_sync_barriers, s->output_ranges);
  assert_true(s->wg_shapes[0] && s->wg_shapes[1] && s->wg_shapes[2] && s->multi_wg && s->partial_subgroup &&
              s->barrier_ifs && s->grid_sync_barriers && s->output_ranges);
}

static void test_generated_programs(void **state) {
  (void)state;
  seen *s = calloc(1, sizeof *s);
  assert_non_null(s);
  unsigned n = seeds_per_profile();
  for (size_t pi = 0; pi < sizeof PROFILES / sizeof *PROFILES; pi++) {
    vy_diffgen_options o;
    vy_diffgen_options_default(&o);
    PROFILES[pi].set(&o);
    for (unsigned i = 0; i < n; i++) {
      uint64_t seed = 0x5EEDull * (pi + 1) + i;
      vy_diffgen_case c;
      vy_error err;
      if (vy_diffgen_make(seed, &o, NULL, &c, &err) != VY_OK)
        fail_msg("make(%llu, %s): %s", (unsigned long long)seed, PROFILES[pi].name, err.message);
      check_case(&c, s);
      vy_diffgen_case_free(&c);
    }
  }
  print_message("diffgen: %u programs, %u interpreter runs, %u expected runtime errors\n", s->programs, s->runs,
                s->expected_errors);
  report_coverage(s);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_generated_programs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
