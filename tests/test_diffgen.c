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
#include "program_int.h"
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
    uint64_t inv = (uint64_t)c->grid[0] * c->grid[1] * c->grid[2] * c->workgroup[0] * c->workgroup[1] * c->workgroup[2];
    CHECK(ref.invocations == inv, c, "the interpreter ran %llu invocations, the case's grid says %llu",
          (unsigned long long)ref.invocations, (unsigned long long)inv);
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
  if (n >= DEFAULT_SEEDS) report_coverage(s); /* the fixed seeds reach every kind; fewer may not */
  free(s);
}

/* ---- the race check has teeth: hand-written racy programs ---- */

#define BU(v) vy_b_u32(b, (v))
#define LID vy_b_local_id(b, 0)

static vy_program *finish(vy_builder *b) {
  vy_program *p = NULL;
  vy_error err;
  if (vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err) != VY_OK) fail_msg("builder: %s", err.message);
  vy_builder_destroy(b);
  return p;
}

static vy_builder *builder(uint32_t wx) {
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_workgroup_size(b, wx, 1, 1);
  return b;
}

/* Output `i` of a run as little-endian u32 words. */
static void expect_words(const vy_interp_outputs *o, size_t i, const uint32_t *w, size_t n, const char *what) {
  assert_true(i < o->count);
  assert_int_equal(o->items[i].len, 4 * n);
  for (size_t k = 0; k < n; k++) {
    const uint8_t *p = o->items[i].data + 4 * k;
    uint32_t got = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (got != w[k]) fail_msg("%s: word %zu is %u, expected %u", what, k, got, w[k]);
  }
}

/* Runs `p` (no inputs) under `s` and checks output 0. */
static void expect_run(const vy_program *p, const vy_interp_sched *s, const uint32_t *w, size_t n, const char *what) {
  vy_diffgen_case none;
  memset(&none, 0, sizeof none);
  vy_interp_outputs o;
  vy_error err;
  if (run_sched(p, &none, s, &o, &err) != VY_OK) fail_msg("%s: %s", what, err.message);
  expect_words(&o, 0, w, n, what);
  vy_interp_outputs_free(&o);
}

static const vy_interp_sched FWD = {false, false, false}, REV = {true, false, false}, WREV = {false, true, false},
                             BLK = {false, false, true}, BLK_REV = {true, false, true};

/* Every lane of one workgroup stores lid+1 into out[0]: the last writer
 * wins, lane 3 in vyre's order (§4.6), lane 0 with the lanes reversed. */
static void test_race_within_workgroup(void **state) {
  (void)state;
  vy_builder *b = builder(4);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 1);
  vy_b_store(b, "out", BU(0), vy_b_bin(b, VY_BINOP_ADD, LID, BU(1)));
  vy_program *p = finish(b);
  expect_run(p, &FWD, (const uint32_t[]){4}, 1, "vyre order");
  expect_run(p, NULL, (const uint32_t[]){4}, 1, "default");
  expect_run(p, &REV, (const uint32_t[]){1}, 1, "lanes reversed");
  expect_run(p, &BLK, (const uint32_t[]){4}, 1, "run to block");
  expect_run(p, &BLK_REV, (const uint32_t[]){1}, 1, "run to block, reversed");
  vy_program_destroy(p);
}

/* Three one-lane workgroups (grid [3,1,1] from count 3, §4.4) store gid+1
 * into out[0]: workgroup 2 runs last in vyre's order, 0 when reversed. */
static void test_race_across_workgroups(void **state) {
  (void)state;
  vy_builder *b = builder(1);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 3);
  vy_b_store(b, "out", BU(0), vy_b_bin(b, VY_BINOP_ADD, vy_b_invocation_id(b, 0), BU(1)));
  vy_program *p = finish(b);
  expect_run(p, &FWD, (const uint32_t[]){3, 0, 0}, 3, "vyre order");
  expect_run(p, &REV, (const uint32_t[]){3, 0, 0}, 3, "lanes reversed (one lane)");
  expect_run(p, &WREV, (const uint32_t[]){1, 0, 0}, 3, "workgroups reversed");
  vy_program_destroy(p);
}

/* let v = out[(lid+1) % 4]; out[lid] = v + 1. Round robin runs every Let
 * (round 2) before every Store (round 3), in either lane order: all 1s.
 * Run to block lets lane l read what lane l+1 (or l-1) already stored. */
static void test_race_read_before_write(void **state) {
  (void)state;
  vy_builder *b = builder(4);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 4);
  const vy_expr *next = vy_b_bin(b, VY_BINOP_MOD, vy_b_bin(b, VY_BINOP_ADD, LID, BU(1)), BU(4));
  vy_b_let(b, "v", vy_b_load(b, "out", next));
  vy_b_store(b, "out", LID, vy_b_bin(b, VY_BINOP_ADD, vy_b_var(b, "v"), BU(1)));
  vy_program *p = finish(b);
  expect_run(p, &FWD, (const uint32_t[]){1, 1, 1, 1}, 4, "vyre order");
  expect_run(p, &REV, (const uint32_t[]){1, 1, 1, 1}, 4, "lanes reversed");
  expect_run(p, &BLK, (const uint32_t[]){1, 1, 1, 2}, 4, "run to block");
  expect_run(p, &BLK_REV, (const uint32_t[]){4, 3, 2, 1}, 4, "run to block, reversed");
  vy_program_destroy(p);
}

/* The old value of a contended atomic depends on the order (which is why
 * the generator never reads it); the final count does not. */
static void test_race_atomic_old_value(void **state) {
  (void)state;
  vy_builder *b = builder(4);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 4);
  vy_buffer_decl a;
  memset(&a, 0, sizeof a);
  a.name = (vy_str){"a", 1};
  a.binding = 1;
  a.access = VY_ACCESS_READ_WRITE;
  a.kind = VY_MEMKIND_GLOBAL;
  a.element.kind = VY_TYPE_U32;
  a.count = 1;
  a.pipeline_live_out = true;
  vy_b_buffer(b, &a);
  vy_b_let(b, "old", vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_SEQ_CST, "a", BU(0), NULL, BU(1)));
  vy_b_store(b, "out", LID, vy_b_var(b, "old"));
  vy_program *p = finish(b);
  vy_diffgen_case none;
  memset(&none, 0, sizeof none);
  vy_interp_outputs o;
  vy_error err;
  assert_int_equal(run_sched(p, &none, &FWD, &o, &err), VY_OK);
  expect_words(&o, 0, (const uint32_t[]){0, 1, 2, 3}, 4, "vyre order");
  expect_words(&o, 1, (const uint32_t[]){4}, 1, "count, vyre order");
  vy_interp_outputs_free(&o);
  assert_int_equal(run_sched(p, &none, &REV, &o, &err), VY_OK);
  expect_words(&o, 0, (const uint32_t[]){3, 2, 1, 0}, 4, "lanes reversed");
  expect_words(&o, 1, (const uint32_t[]){4}, 1, "count, lanes reversed");
  vy_interp_outputs_free(&o);
  vy_program_destroy(p);
}

/* let x = lid*10; out[lid] = subgroup_add(x). Round robin: every lane's x is
 * in the round-start snapshot when the adds run (0+10+20+30 = 60). Run to
 * block: lane 0 reaches the add in the round whose snapshot predates every
 * Let, so `x` is undeclared in the other lanes' snapshots: a runtime error.
 * This is why generated programs with subgroup ops skip that variant. */
static void test_subgroups_need_rounds(void **state) {
  (void)state;
  vy_builder *b = builder(4);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 4);
  vy_b_let(b, "x", vy_b_bin(b, VY_BINOP_MUL, LID, BU(10)));
  vy_b_store(b, "out", LID, vy_b_subgroup_add(b, vy_b_var(b, "x")));
  vy_program *p = finish(b);
  expect_run(p, &FWD, (const uint32_t[]){60, 60, 60, 60}, 4, "vyre order");
  expect_run(p, &REV, (const uint32_t[]){60, 60, 60, 60}, 4, "lanes reversed");
  vy_diffgen_case none;
  memset(&none, 0, sizeof none);
  vy_interp_outputs o;
  vy_error err;
  assert_int_equal(run_sched(p, &none, &BLK, &o, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "undeclared"));
  vy_program_destroy(p);
}

/* A zeroed (or NULL) vy_interp_sched is vyre's order: same outputs and the
 * same number of steps as vy_interp_execute, on generated programs. */
static void test_sched_default_is_vyre_order(void **state) {
  (void)state;
  static const vy_interp_sched zero = {false, false, false};
  for (uint64_t seed = 0; seed < 60; seed++) {
    vy_diffgen_case c;
    assert_int_equal(vy_diffgen_make(seed, NULL, NULL, &c, NULL), VY_OK);
    vy_interp_input in[16];
    for (size_t i = 0; i < c.ninputs; i++) in[i] = (vy_interp_input){c.inputs[i].data, c.inputs[i].len};
    vy_interp_prepared *pp = NULL;
    assert_int_equal(vy_interp_prepare(c.program, NULL, NULL, &pp, NULL), VY_OK);
    vy_interp_outputs a, x, z;
    assert_int_equal(vy_interp_execute(pp, in, c.ninputs, NULL, &a, NULL), VY_OK);
    assert_int_equal(vy_interp_execute_sched(pp, in, c.ninputs, NULL, NULL, &x, NULL), VY_OK);
    assert_int_equal(vy_interp_execute_sched(pp, in, c.ninputs, NULL, &zero, &z, NULL), VY_OK);
    assert_true(same_outputs(&a, &x) && same_outputs(&a, &z));
    assert_true(a.steps == x.steps && a.steps == z.steps && a.invocations == z.invocations);
    vy_interp_outputs_free(&a);
    vy_interp_outputs_free(&x);
    vy_interp_outputs_free(&z);
    vy_interp_prepared_destroy(pp);
    vy_diffgen_case_free(&c);
  }
}

/* ---- options are obeyed: an independent walk over the programs ---- */

typedef struct facts {
  bool barrier, ret, loop, async, trap, wg_buffer, atomic, subgroup, f32, u64, i32_div, transcendental;
  unsigned unguarded_stores; /* storage stores not directly under `if idx < buf_len(buf)` */
  struct {
    const char *name;
    uint32_t len;
    vy_type_kind ty;
  } vars[512];
  unsigned nvars;
  const vy_program *p;
} facts;

static void bind_var(facts *f, vy_str name, vy_type_kind ty) {
  for (unsigned i = 0; i < f->nvars; i++)
    if (f->vars[i].len == name.len && !memcmp(f->vars[i].name, name.ptr, name.len)) {
      f->vars[i].ty = ty; /* a name reused after its scope ended */
      return;
    }
  assert_true(f->nvars < 512);
  f->vars[f->nvars].name = name.ptr;
  f->vars[f->nvars].len = name.len;
  f->vars[f->nvars++].ty = ty;
}

/* The validator's static type (vyre-ir.md §2.2), enough for these checks. */
static vy_type_kind type_of(const facts *f, const vy_expr *e) {
  switch (e->kind) {
  case VY_EXPR_LIT_I32:
    return VY_TYPE_I32;
  case VY_EXPR_LIT_BOOL:
    return VY_TYPE_BOOL;
  case VY_EXPR_LIT_F32:
  case VY_EXPR_FMA:
    return VY_TYPE_F32;
  case VY_EXPR_VAR:
    for (unsigned i = 0; i < f->nvars; i++)
      if (f->vars[i].len == e->u.var.len && !memcmp(f->vars[i].name, e->u.var.ptr, e->u.var.len)) return f->vars[i].ty;
    return VY_TYPE_U32;
  case VY_EXPR_LOAD: {
    const vy_buffer_decl *d = vy_program_find_buffer(f->p, e->u.load.buffer.ptr, e->u.load.buffer.len);
    return d ? d->element.kind : VY_TYPE_U32;
  }
  case VY_EXPR_BIN_OP: {
    vy_type_kind l = type_of(f, e->u.bin.left), r = type_of(f, e->u.bin.right);
    switch (vy_binop_result_rule(e->u.bin.op)) {
    case VY_RT_SAME:
      return l == r ? l : VY_TYPE_U32;
    case VY_RT_BOOL:
      return VY_TYPE_BOOL;
    default:
      return VY_TYPE_U32;
    }
  }
  case VY_EXPR_UN_OP:
    switch (vy_unop_result_rule(e->u.un.op)) {
    case VY_RT_SAME:
      return type_of(f, e->u.un.operand);
    case VY_RT_BOOL:
      return VY_TYPE_BOOL;
    case VY_RT_F32:
      return VY_TYPE_F32;
    default:
      return VY_TYPE_U32;
    }
  case VY_EXPR_SELECT:
    return type_of(f, e->u.select.if_true);
  case VY_EXPR_CAST:
    return e->u.cast.target.kind;
  default:
    return VY_TYPE_U32;
  }
}

static void facts_expr(facts *f, const vy_expr *e) {
  if (!e) return;
  switch (e->kind) {
  case VY_EXPR_LIT_F32:
  case VY_EXPR_FMA:
    f->f32 = true;
    break;
  case VY_EXPR_ATOMIC:
    f->atomic = true;
    break;
  case VY_EXPR_SUBGROUP_ADD:
  case VY_EXPR_SUBGROUP_BALLOT:
  case VY_EXPR_SUBGROUP_SHUFFLE:
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    f->subgroup = true;
    break;
  case VY_EXPR_CAST:
    f->f32 |= e->u.cast.target.kind == VY_TYPE_F32;
    f->u64 |= e->u.cast.target.kind == VY_TYPE_U64;
    break;
  case VY_EXPR_BIN_OP:
    if ((e->u.bin.op == VY_BINOP_DIV || e->u.bin.op == VY_BINOP_MOD) && type_of(f, e->u.bin.left) == VY_TYPE_I32)
      f->i32_div = true;
    break;
  case VY_EXPR_UN_OP: {
    vy_unop op = e->u.un.op;
    f->transcendental |= op == VY_UNOP_SIN || op == VY_UNOP_COS || op == VY_UNOP_TAN || op == VY_UNOP_ASIN ||
                         op == VY_UNOP_ACOS || op == VY_UNOP_ATAN || op == VY_UNOP_SINH || op == VY_UNOP_COSH ||
                         op == VY_UNOP_TANH || op == VY_UNOP_EXP || op == VY_UNOP_EXP2 || op == VY_UNOP_LOG ||
                         op == VY_UNOP_LOG2;
    break;
  }
  default:
    break;
  }
  for (uint32_t k = 0, n = vy_expr_child_count(e); k < n; k++) facts_expr(f, vy_expr_child(e, k));
}

/* `guard`: the innermost enclosing If when its condition is `x < buf_len(b)`. */
static void facts_list(facts *f, const vy_node_list *l, const vy_expr *guard) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_node *n = l->items[i];
    switch (n->kind) {
    case VY_NODE_LET:
      facts_expr(f, n->u.let.value);
      bind_var(f, n->u.let.name, type_of(f, n->u.let.value));
      break;
    case VY_NODE_ASSIGN:
      facts_expr(f, n->u.assign.value);
      break;
    case VY_NODE_STORE: {
      facts_expr(f, n->u.store.index);
      facts_expr(f, n->u.store.value);
      const vy_buffer_decl *d = vy_program_find_buffer(f->p, n->u.store.buffer.ptr, n->u.store.buffer.len);
      bool guarded =
          guard && guard->u.bin.left == n->u.store.index && vy_str_eq(guard->u.bin.right->u.buf_len, n->u.store.buffer);
      if (d && d->access != VY_ACCESS_WORKGROUP && !guarded) f->unguarded_stores++;
      break;
    }
    case VY_NODE_IF: {
      const vy_expr *c = n->u.if_.cond;
      facts_expr(f, c);
      bool is_guard =
          c->kind == VY_EXPR_BIN_OP && c->u.bin.op == VY_BINOP_LT && c->u.bin.right->kind == VY_EXPR_BUF_LEN;
      facts_list(f, &n->u.if_.then_body, is_guard ? c : NULL);
      facts_list(f, &n->u.if_.else_body, NULL);
      break;
    }
    case VY_NODE_LOOP:
      f->loop = true;
      facts_expr(f, n->u.loop.from);
      facts_expr(f, n->u.loop.to);
      bind_var(f, n->u.loop.var, VY_TYPE_U32);
      facts_list(f, &n->u.loop.body, NULL);
      break;
    case VY_NODE_BLOCK:
      facts_list(f, &n->u.block, NULL);
      break;
    case VY_NODE_REGION:
      facts_list(f, &n->u.region.body, NULL);
      break;
    case VY_NODE_BARRIER:
      f->barrier = true;
      break;
    case VY_NODE_RETURN:
      f->ret = true;
      break;
    case VY_NODE_ASYNC_LOAD:
    case VY_NODE_ASYNC_STORE:
    case VY_NODE_ASYNC_WAIT:
      f->async = true;
      break;
    case VY_NODE_TRAP:
      f->trap = true;
      break;
    default:
      break;
    }
  }
}

static void facts_of(facts *f, const vy_program *p) {
  memset(f, 0, sizeof *f);
  f->p = p;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    f->wg_buffer |= d->access == VY_ACCESS_WORKGROUP;
    f->f32 |= d->element.kind == VY_TYPE_F32;
    f->u64 |= d->element.kind == VY_TYPE_U64;
  }
  facts_list(f, vy_program_entry(p), NULL);
}

static void test_options_obeyed(void **state) {
  (void)state;
  facts *f = malloc(sizeof *f);
  assert_non_null(f);
  enum { BARRIERS, WGMEM, ATOMICS, SUBGROUPS, F32, U64, I32DIV, LOOPS, OOB, RETURNS, ASYNC, NPROFILES };
  for (int which = 0; which < NPROFILES; which++) {
    vy_diffgen_options o;
    vy_diffgen_options_default(&o);
    bool *flag[] = {&o.allow_barriers, &o.allow_workgroup_mem, &o.allow_atomics, &o.allow_subgroups,
                    &o.allow_f32,      &o.allow_u64,           &o.allow_i32_div, &o.allow_loops,
                    &o.allow_oob,      &o.allow_early_return,  &o.allow_async};
    *flag[which] = false;
    o.max_invocations = 100;
    unsigned seen_on = 0;
    for (uint64_t seed = 0; seed < 150; seed++) {
      vy_diffgen_case c;
      assert_int_equal(vy_diffgen_make(seed, &o, NULL, &c, NULL), VY_OK);
      facts_of(f, c.program);
      bool bad = false;
      switch (which) {
      case BARRIERS:
        bad = f->barrier;
        break;
      case WGMEM:
        bad = f->wg_buffer;
        break;
      case ATOMICS:
        bad = f->atomic;
        break;
      case SUBGROUPS:
        bad = f->subgroup;
        break;
      case F32:
        bad = f->f32;
        break;
      case U64:
        bad = f->u64;
        break;
      case I32DIV:
        bad = f->i32_div;
        break;
      case LOOPS:
        bad = f->loop;
        break;
      case OOB:
        bad = f->unguarded_stores != 0;
        break;
      case RETURNS:
        bad = f->ret;
        break;
      default:
        bad = f->async;
        break;
      }
      if (bad) {
        dump(&c);
        fail_msg("option %d off but present (seed %llu)", which, (unsigned long long)seed);
      }
      /* and the defaults are not empty-handed: the remaining features appear */
      seen_on += f->loop + f->barrier + f->f32;
      bad = f->transcendental || f->trap || c.expect_error ||
            c.grid[0] * c.grid[1] * c.grid[2] * c.workgroup[0] * c.workgroup[1] * c.workgroup[2] > 100;
      if (bad)
        fail_msg("transcendental, runtime error or too many invocations by default (seed %llu)",
                 (unsigned long long)seed);
      vy_diffgen_case_free(&c);
    }
    assert_true(seen_on > 0);
  }
  free(f);
}

/* ---- determinism, inputs, errors, allocation failures ---- */

static void test_deterministic(void **state) {
  (void)state;
  unsigned distinct = 0;
  uint8_t prev[32] = {0};
  for (uint64_t seed = 1000; seed < 1100; seed++) {
    vy_diffgen_case a, b;
    assert_int_equal(vy_diffgen_make(seed, NULL, NULL, &a, NULL), VY_OK);
    assert_int_equal(vy_diffgen_make(seed, NULL, NULL, &b, NULL), VY_OK);
    assert_true(vy_program_equal(a.program, b.program));
    uint8_t fa[32], fb[32];
    assert_true(vy_program_fingerprint(a.program, fa) && vy_program_fingerprint(b.program, fb));
    assert_memory_equal(fa, fb, 32);
    assert_string_equal(a.description, b.description);
    assert_int_equal(a.ninputs, b.ninputs);
    for (size_t i = 0; i < a.ninputs; i++) {
      assert_int_equal(a.inputs[i].len, b.inputs[i].len);
      if (a.inputs[i].len) assert_memory_equal(a.inputs[i].data, b.inputs[i].data, a.inputs[i].len);
    }
    distinct += memcmp(fa, prev, 32) != 0;
    memcpy(prev, fa, 32);
    vy_diffgen_case_free(&a);
    vy_diffgen_case_free(&b);
  }
  assert_true(distinct >= 99);
}

/* One input per logical input buffer (interp.h), each at least count *
 * stride bytes; some longer, some ending in a partial element. */
static void test_inputs(void **state) {
  (void)state;
  unsigned longer = 0, partial = 0, runtime_sized = 0;
  for (uint64_t seed = 0; seed < 300; seed++) {
    vy_diffgen_case c;
    assert_int_equal(vy_diffgen_make(seed, NULL, NULL, &c, NULL), VY_OK);
    const vy_program *p = c.program;
    size_t k = 0;
    for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
      const vy_buffer_decl *d = vy_program_buffer(p, i);
      if (!vy_buffer_is_input(d)) continue;
      assert_true(k < c.ninputs);
      uint32_t stride = vy_type_min_bytes(&d->element);
      size_t len = c.inputs[k++].len;
      assert_true(len >= (size_t)d->count * stride);
      longer += len > (size_t)d->count * stride;
      partial += len % stride != 0;
      runtime_sized += d->count == 0;
    }
    assert_int_equal(k, c.ninputs);
    vy_diffgen_case_free(&c);
  }
  assert_true(longer > 0 && partial > 0 && runtime_sized > 0);
}

static void test_bad_arguments(void **state) {
  (void)state;
  vy_error err;
  assert_int_equal(vy_diffgen_make(1, NULL, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  vy_diffgen_case_free(NULL);
}

static vy_status make_and_free(const vy_allocator *alloc, void *ctx) {
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_runtime_errors = true;
  vy_diffgen_case c;
  vy_status st = vy_diffgen_make(*(const uint64_t *)ctx, &o, alloc, &c, NULL);
  if (st == VY_OK) {
    assert_int_equal(c.alloc, alloc);
    vy_diffgen_case_free(&c);
  } else {
    assert_null(c.program);
    assert_null(c.inputs);
  }
  return st;
}

static void test_allocation_failures(void **state) {
  (void)state;
  for (uint64_t seed = 7; seed < 10; seed++) assert_true(vy_fault_run_all(make_and_free, &seed) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_generated_programs),
      cmocka_unit_test(test_race_within_workgroup),
      cmocka_unit_test(test_race_across_workgroups),
      cmocka_unit_test(test_race_read_before_write),
      cmocka_unit_test(test_race_atomic_old_value),
      cmocka_unit_test(test_subgroups_need_rounds),
      cmocka_unit_test(test_sched_default_is_vyre_order),
      cmocka_unit_test(test_options_obeyed),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_inputs),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
