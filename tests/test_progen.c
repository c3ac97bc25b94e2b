/* test_progen.c - the random program generator (tests/support/progen.h):
 * determinism, seed sensitivity, construct coverage over 2,000 seeds, the
 * wire-mode restrictions (checked here against vyre-ir.md §7.8/§7.10
 * independently of the generator's code), the depth and statement limits,
 * and clean VY_E_NOMEM under fault injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "progen.h"

#define COVERAGE_SEEDS 2000u

/* What a walk over programs saw. */
typedef struct seen {
  unsigned node[VY_NODE_COUNT], expr[VY_EXPR_COUNT], binop[VY_BINOP_COUNT], unop[VY_UNOP_COUNT];
  unsigned atomic[VY_ATOMIC_COUNT], ordering[VY_ORDERING_COUNT], collective[VY_COLLECTIVE_COUNT];
  unsigned elem_type[VY_TYPE_COUNT], cast_type[VY_TYPE_COUNT]; /* nested payload types included */
  unsigned access[VY_ACCESS_COUNT], memkind[VY_MEMKIND_COUNT], locality[VY_LOCALITY_COUNT];
  unsigned linear[VY_LINEAR_COUNT], qscale[VY_QSCALE_COUNT], qzero[VY_QZERO_COUNT], pred[VY_SHAPE_NOT + 1];
  unsigned f32_nan, f32_noncanon_nan, f32_neg_zero, f32_subnormal, f32_inf;
  unsigned name_empty, name_nul, name_long, name_non_ascii, name_quote, name_backslash;
  unsigned output_range, bytes_extraction, coalesce, entry_op_id, non_composable, wg_zero, empty_entry;
  unsigned expected_present, expected_absent, region_source, else_branch, wide_literal, other_opaque;
  unsigned max_level;  /* deepest node/expr level of all programs (top-level node = 1) */
  unsigned max_stmts;  /* most statements in one program */
  unsigned wire_violations;
} seen;

/* ---- walking ---- */

static void see_name(seen *s, vy_str n) {
  if (n.len == 0) s->name_empty++;
  if (n.len >= 256) s->name_long++;
  for (uint32_t i = 0; i < n.len; i++) {
    unsigned char c = (unsigned char)n.ptr[i];
    if (c == 0) s->name_nul++;
    if (c >= 0x80) s->name_non_ascii++;
    if (c == '"') s->name_quote++;
    if (c == '\\') s->name_backslash++;
  }
}

static bool quant_storage_ok(const vy_type *t) {
  switch (t->kind) {
  case VY_TYPE_I4: case VY_TYPE_I8: case VY_TYPE_I16: case VY_TYPE_U8: case VY_TYPE_U16:
  case VY_TYPE_F8E4M3: case VY_TYPE_F8E5M2: case VY_TYPE_FP4: case VY_TYPE_NF4:
    return true;
  default:
    return false;
  }
}

/* Counts a type and its nested types into `counts`; in wire mode checks what
 * the DataType codec (§7.6) rejects. */
static void see_type(seen *s, unsigned *counts, const vy_type *t, bool wire) {
  counts[t->kind]++;
  switch (t->kind) {
  case VY_TYPE_OPAQUE:
    if (wire && !(t->u.opaque_id & 0x80000000u)) s->wire_violations++;
    break;
  case VY_TYPE_VEC:
    see_type(s, counts, t->u.vec.element, wire);
    break;
  case VY_TYPE_TENSOR_SHAPED:
    see_type(s, counts, t->u.tensor.element, wire);
    break;
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    see_type(s, counts, t->u.sparse.element, wire);
    break;
  case VY_TYPE_SPARSE_BSR:
    see_type(s, counts, t->u.bsr.element, wire);
    break;
  case VY_TYPE_QUANTIZED:
    s->qscale[t->u.quant.scale]++;
    s->qzero[t->u.quant.zero_point]++;
    if (!quant_storage_ok(t->u.quant.storage)) s->wire_violations++; /* invalid in every mode */
    if (t->u.quant.scale == VY_QSCALE_PER_TENSOR && t->u.quant.scale_param != 0) s->wire_violations++;
    if ((t->u.quant.zero_point == VY_QZERO_ABSENT || t->u.quant.zero_point == VY_QZERO_PER_TENSOR) &&
        t->u.quant.zero_point_param != 0)
      s->wire_violations++;
    if (wire && t->u.quant.scale == VY_QSCALE_PER_GROUP && t->u.quant.scale_param == 0) s->wire_violations++;
    if (wire && t->u.quant.zero_point == VY_QZERO_PER_GROUP && t->u.quant.zero_point_param == 0)
      s->wire_violations++;
    see_type(s, counts, t->u.quant.storage, wire);
    break;
  default:
    break;
  }
}

static void see_pred(seen *s, const vy_shape_pred *p) {
  s->pred[p->kind]++;
  if (p->kind == VY_SHAPE_AND || p->kind == VY_SHAPE_OR) {
    see_pred(s, p->u.both.left);
    see_pred(s, p->u.both.right);
  } else if (p->kind == VY_SHAPE_NOT) {
    see_pred(s, p->u.inner);
  }
}

static void see_level(seen *s, unsigned level, bool wire) {
  if (level > s->max_level) s->max_level = level;
  if (wire && level > VY_PROGEN_WIRE_MAX_DEPTH) s->wire_violations++;
}

static void see_ext(seen *s, uint32_t id, bool wire) {
  if (wire && !(id & 0x80000000u)) s->wire_violations++;
}

static void see_f32(seen *s, uint32_t b, bool wire) {
  uint32_t exp = b & 0x7F800000u, man = b & 0x007FFFFFu;
  if (exp == 0x7F800000u && man) {
    s->f32_nan++;
    if (b != 0x7FC00000u) {
      s->f32_noncanon_nan++;
      if (wire) s->wire_violations++;
    }
  } else if (exp == 0x7F800000u) {
    s->f32_inf++;
  } else if (exp == 0 && man) {
    s->f32_subnormal++;
    if (wire) s->wire_violations++;
  } else if (b == 0x80000000u) {
    s->f32_neg_zero++;
    if (wire) s->wire_violations++;
  }
}

static void see_expr(seen *s, const vy_expr *e, unsigned level, bool wire) {
  s->expr[e->kind]++;
  see_level(s, level, wire);
  switch (e->kind) {
  case VY_EXPR_LIT_F32:
    see_f32(s, e->u.lit_f32_bits, wire);
    break;
  case VY_EXPR_VAR:
    see_name(s, e->u.var);
    break;
  case VY_EXPR_LOAD:
    see_name(s, e->u.load.buffer);
    see_expr(s, e->u.load.index, level + 1, wire);
    break;
  case VY_EXPR_BUF_LEN:
    see_name(s, e->u.buf_len);
    break;
  case VY_EXPR_BIN_OP:
    s->binop[e->u.bin.op]++;
    if (e->u.bin.op == VY_BINOP_OPAQUE) see_ext(s, e->u.bin.ext_id, wire);
    see_expr(s, e->u.bin.left, level + 1, wire);
    see_expr(s, e->u.bin.right, level + 1, wire);
    break;
  case VY_EXPR_UN_OP:
    s->unop[e->u.un.op]++;
    if (e->u.un.op == VY_UNOP_OPAQUE) see_ext(s, e->u.un.ext_id, wire);
    see_expr(s, e->u.un.operand, level + 1, wire);
    break;
  case VY_EXPR_CALL:
    see_name(s, e->u.call.op_id);
    for (uint32_t i = 0; i < e->u.call.argc; i++) see_expr(s, e->u.call.args[i], level + 1, wire);
    break;
  case VY_EXPR_SELECT:
    see_expr(s, e->u.select.cond, level + 1, wire);
    see_expr(s, e->u.select.if_true, level + 1, wire);
    see_expr(s, e->u.select.if_false, level + 1, wire);
    break;
  case VY_EXPR_CAST:
    see_type(s, s->cast_type, &e->u.cast.target, wire);
    see_expr(s, e->u.cast.value, level + 1, wire);
    break;
  case VY_EXPR_ATOMIC:
    s->atomic[e->u.atomic.op]++;
    s->ordering[e->u.atomic.ordering]++;
    if (e->u.atomic.op == VY_ATOMIC_OPAQUE) see_ext(s, e->u.atomic.ext_id, wire);
    see_name(s, e->u.atomic.buffer);
    see_expr(s, e->u.atomic.index, level + 1, wire);
    if (e->u.atomic.expected) {
      s->expected_present++;
      see_expr(s, e->u.atomic.expected, level + 1, wire);
    } else {
      s->expected_absent++;
      if (e->u.atomic.op == VY_ATOMIC_COMPARE_EXCHANGE) s->wire_violations++; /* required in every mode */
    }
    see_expr(s, e->u.atomic.value, level + 1, wire);
    break;
  case VY_EXPR_FMA:
    see_expr(s, e->u.fma.a, level + 1, wire);
    see_expr(s, e->u.fma.b, level + 1, wire);
    see_expr(s, e->u.fma.c, level + 1, wire);
    break;
  case VY_EXPR_SUBGROUP_ADD:
    see_expr(s, e->u.subgroup_add, level + 1, wire);
    break;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    see_expr(s, e->u.shuffle.value, level + 1, wire);
    see_expr(s, e->u.shuffle.lane, level + 1, wire);
    break;
  case VY_EXPR_SUBGROUP_BALLOT:
    see_expr(s, e->u.subgroup_ballot, level + 1, wire);
    break;
  case VY_EXPR_OPAQUE: {
    static const char *const WIDE[] = {"vyre.literal.u64", "vyre.literal.i64", "vyre.literal.f64"};
    bool wide = false;
    for (int i = 0; i < 3; i++)
      if (e->u.opaque.kind.len == strlen(WIDE[i]) && memcmp(e->u.opaque.kind.ptr, WIDE[i], strlen(WIDE[i])) == 0)
        wide = e->u.opaque.len == 8;
    if (wide)
      s->wide_literal++;
    else
      s->other_opaque++;
    if (wire && !wide) s->wire_violations++;
    break;
  }
  default:
    break;
  }
}

static unsigned see_list(seen *s, const vy_node_list *l, unsigned level, bool wire);

/* Returns the number of statements in the subtree. */
static unsigned see_node(seen *s, const vy_node *n, unsigned level, bool wire) {
  unsigned stmts = 1;
  s->node[n->kind]++;
  see_level(s, level, wire);
  switch (n->kind) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
    see_name(s, n->u.let.name);
    see_expr(s, n->u.let.value, level + 1, wire);
    break;
  case VY_NODE_STORE:
    see_name(s, n->u.store.buffer);
    see_expr(s, n->u.store.index, level + 1, wire);
    see_expr(s, n->u.store.value, level + 1, wire);
    break;
  case VY_NODE_IF:
    see_expr(s, n->u.if_.cond, level + 1, wire);
    stmts += see_list(s, &n->u.if_.then_body, level + 1, wire);
    if (n->u.if_.else_body.count) s->else_branch++;
    stmts += see_list(s, &n->u.if_.else_body, level + 1, wire);
    break;
  case VY_NODE_LOOP:
    see_name(s, n->u.loop.var);
    see_expr(s, n->u.loop.from, level + 1, wire);
    see_expr(s, n->u.loop.to, level + 1, wire);
    stmts += see_list(s, &n->u.loop.body, level + 1, wire);
    break;
  case VY_NODE_BLOCK:
    stmts += see_list(s, &n->u.block, level + 1, wire);
    break;
  case VY_NODE_BARRIER:
    s->ordering[n->u.barrier]++;
    break;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    see_expr(s, n->u.async_copy.offset, level + 1, wire);
    see_expr(s, n->u.async_copy.size, level + 1, wire);
    break;
  case VY_NODE_REGION:
    see_name(s, n->u.region.generator);
    if (n->u.region.has_source) s->region_source++;
    stmts += see_list(s, &n->u.region.body, level + 1, wire);
    break;
  case VY_NODE_TRAP:
    see_expr(s, n->u.trap.address, level + 1, wire);
    break;
  case VY_NODE_ALL_REDUCE:
    s->collective[n->u.all_reduce.op]++;
    break;
  case VY_NODE_REDUCE_SCATTER:
    s->collective[n->u.reduce_scatter.op]++;
    break;
  case VY_NODE_OPAQUE:
    if (wire) s->wire_violations++;
    break;
  default:
    break;
  }
  return stmts;
}

static unsigned see_list(seen *s, const vy_node_list *l, unsigned level, bool wire) {
  unsigned stmts = 0;
  for (uint32_t i = 0; i < l->count; i++) stmts += see_node(s, l->items[i], level, wire);
  return stmts;
}

/* The wire rules for one buffer (§7.3, §7.8, §7.10), from the spec. */
static void see_buffer(seen *s, const vy_buffer_decl *d, bool wire) {
  see_name(s, d->name);
  s->access[d->access]++;
  s->memkind[d->kind]++;
  s->locality[d->hints.cache_locality]++;
  s->linear[d->linear_type]++;
  see_type(s, s->elem_type, &d->element, wire);
  if (d->has_output_range) s->output_range++;
  if (d->bytes_extraction) s->bytes_extraction++;
  if (d->hints.has_coalesce_axis) s->coalesce++;
  if (d->shape_predicate) see_pred(s, d->shape_predicate);
  if (!wire) return;
  vy_type_kind k = d->element.kind;
  if (d->access == VY_ACCESS_WRITE_ONLY) s->wire_violations++;
  if (k == VY_TYPE_VEC || k == VY_TYPE_TENSOR_SHAPED || k == VY_TYPE_SPARSE_CSR || k == VY_TYPE_SPARSE_COO ||
      k == VY_TYPE_SPARSE_BSR || k == VY_TYPE_DEVICE_MESH)
    s->wire_violations++;
  if (d->count == 0 && (d->access == VY_ACCESS_WORKGROUP || d->is_output || d->pipeline_live_out))
    s->wire_violations++;
  if (d->has_output_range) {
    uint32_t size = vy_type_size_bytes(&d->element);
    if (d->range_start > d->range_end || d->count == 0 || size == VY_SIZE_NONE ||
        d->range_end > (uint64_t)d->count * size)
      s->wire_violations++;
  }
  if (d->bytes_extraction || d->linear_type != VY_LINEAR_UNRESTRICTED || d->shape_predicate) s->wire_violations++;
}

static void see_program(seen *s, const vy_program *p, bool wire) {
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  for (int i = 0; i < 3; i++)
    if (wg[i] == 0) {
      s->wg_zero++;
      if (wire) s->wire_violations++;
    }
  vy_str op;
  if (vy_program_entry_op_id(p, &op)) {
    s->entry_op_id++;
    see_name(s, op);
  }
  if (vy_program_non_composable_with_self(p)) s->non_composable++;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) see_buffer(s, vy_program_buffer(p, i), wire);
  const vy_node_list *entry = vy_program_entry(p);
  if (entry->count == 0) s->empty_entry++;
  unsigned stmts = see_list(s, entry, 1, wire);
  if (stmts > s->max_stmts) s->max_stmts = stmts;
}

static vy_program *make(uint64_t seed, const vy_progen_options *opt) {
  vy_program *p = NULL;
  assert_int_equal(vy_progen_random(seed, opt, NULL, &p), VY_OK);
  assert_non_null(p);
  return p;
}

/* Walks the programs of seeds [0, n). */
static void survey(seen *s, unsigned n, const vy_progen_options *opt) {
  memset(s, 0, sizeof *s);
  for (unsigned seed = 0; seed < n; seed++) {
    vy_program *p = make(seed, opt);
    see_program(s, p, opt->wire_encodable);
    vy_program_destroy(p);
  }
}

#define ASSERT_ALL_SEEN(arr, n)                                                                                  \
  do {                                                                                                           \
    for (unsigned i_ = 0; i_ < (unsigned)(n); i_++) {                                                            \
      if ((arr)[i_] == 0) print_error("%s[%u] never generated\n", #arr, i_);                                    \
      assert_true((arr)[i_] > 0);                                                                                \
    }                                                                                                            \
  } while (0)

/* ---- tests ---- */

static void same_seed_same_program(void **state) {
  (void)state;
  for (int wire = 0; wire < 2; wire++) {
    vy_progen_options opt = {.wire_encodable = wire};
    for (uint64_t seed = 0; seed < 200; seed++) {
      vy_program *a = make(seed * 0x9E3779B97F4A7C15ull, &opt);
      vy_program *b = make(seed * 0x9E3779B97F4A7C15ull, &opt);
      assert_true(vy_program_equal(a, b));
      vy_program_destroy(a);
      vy_program_destroy(b);
    }
  }
}

static void different_seeds_differ(void **state) {
  (void)state;
  for (int wire = 0; wire < 2; wire++) {
    vy_progen_options opt = {.wire_encodable = wire};
    vy_program *prev = make(0, &opt);
    for (uint64_t seed = 1; seed < 200; seed++) {
      vy_program *cur = make(seed, &opt);
      assert_false(vy_program_equal(prev, cur));
      vy_program_destroy(prev);
      prev = cur;
    }
    vy_program_destroy(prev);
  }
}

static void covers_every_construct(void **state) {
  (void)state;
  static seen s;
  vy_progen_options opt = {0};
  survey(&s, COVERAGE_SEEDS, &opt);
  ASSERT_ALL_SEEN(s.node, VY_NODE_COUNT);
  ASSERT_ALL_SEEN(s.expr, VY_EXPR_COUNT);
  ASSERT_ALL_SEEN(s.binop, VY_BINOP_COUNT);
  ASSERT_ALL_SEEN(s.unop, VY_UNOP_COUNT);
  ASSERT_ALL_SEEN(s.atomic, VY_ATOMIC_COUNT);
  ASSERT_ALL_SEEN(s.ordering, VY_ORDERING_COUNT);
  ASSERT_ALL_SEEN(s.collective, VY_COLLECTIVE_COUNT);
  ASSERT_ALL_SEEN(s.elem_type, VY_TYPE_COUNT);
  ASSERT_ALL_SEEN(s.cast_type, VY_TYPE_COUNT);
  ASSERT_ALL_SEEN(s.access, VY_ACCESS_COUNT);
  ASSERT_ALL_SEEN(s.memkind, VY_MEMKIND_COUNT);
  ASSERT_ALL_SEEN(s.locality, VY_LOCALITY_COUNT);
  ASSERT_ALL_SEEN(s.linear, VY_LINEAR_COUNT);
  ASSERT_ALL_SEEN(s.qscale, VY_QSCALE_COUNT);
  ASSERT_ALL_SEEN(s.qzero, VY_QZERO_COUNT);
  ASSERT_ALL_SEEN(s.pred, VY_SHAPE_NOT + 1);
  unsigned features[] = {s.f32_nan,          s.f32_noncanon_nan, s.f32_neg_zero,   s.f32_subnormal, s.f32_inf,
                         s.name_empty,       s.name_nul,         s.name_long,      s.name_non_ascii, s.name_quote,
                         s.name_backslash,   s.output_range,     s.bytes_extraction, s.coalesce,    s.entry_op_id,
                         s.non_composable,   s.wg_zero,          s.empty_entry,    s.expected_present,
                         s.expected_absent,  s.region_source,    s.else_branch,    s.wide_literal, s.other_opaque};
  ASSERT_ALL_SEEN(features, sizeof features / sizeof features[0]);
  assert_int_equal(s.wire_violations, 0); /* the mode-independent checks */
}

static void wire_mode_restrictions(void **state) {
  (void)state;
  static seen s;
  vy_progen_options opt = {.wire_encodable = true};
  survey(&s, COVERAGE_SEEDS, &opt);
  assert_int_equal(s.wire_violations, 0);
  /* everything the wire can carry still appears */
  for (unsigned k = 0; k < VY_NODE_COUNT; k++) assert_true(k == VY_NODE_OPAQUE ? s.node[k] == 0 : s.node[k] > 0);
  ASSERT_ALL_SEEN(s.expr, VY_EXPR_COUNT);
  ASSERT_ALL_SEEN(s.binop, VY_BINOP_COUNT);
  ASSERT_ALL_SEEN(s.unop, VY_UNOP_COUNT);
  ASSERT_ALL_SEEN(s.atomic, VY_ATOMIC_COUNT);
  ASSERT_ALL_SEEN(s.cast_type, VY_TYPE_COUNT);
  for (unsigned k = 0; k < VY_TYPE_COUNT; k++) {
    bool barred = k == VY_TYPE_VEC || k == VY_TYPE_TENSOR_SHAPED || k == VY_TYPE_SPARSE_CSR ||
                  k == VY_TYPE_SPARSE_COO || k == VY_TYPE_SPARSE_BSR || k == VY_TYPE_DEVICE_MESH;
    if (!barred) assert_true(s.elem_type[k] > 0);
  }
  for (unsigned a = 0; a < VY_ACCESS_COUNT; a++) assert_true(a == VY_ACCESS_WRITE_ONLY || s.access[a] > 0);
  assert_true(s.f32_nan > 0 && s.f32_inf > 0 && s.output_range > 0 && s.wide_literal > 0 && s.name_nul > 0);
}

static void depth_limits(void **state) {
  (void)state;
  static const struct {
    bool wire;
    unsigned asked, limit;
  } CASES[] = {{true, 200, VY_PROGEN_WIRE_MAX_DEPTH}, {false, 100, 100}, {false, 6, 6}, {true, 1, 1}, {false, 2, 2}};
  for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
    vy_progen_options opt = {.wire_encodable = CASES[c].wire, .max_depth = CASES[c].asked, .max_stmts = 400};
    seen s;
    survey(&s, 120, &opt);
    assert_int_equal(s.max_level, CASES[c].limit); /* reached, never exceeded */
    assert_int_equal(s.wire_violations, 0);
  }
}

static void statement_budget(void **state) {
  (void)state;
  for (unsigned max = 1; max <= 64; max *= 4) {
    vy_progen_options opt = {.max_stmts = max};
    seen s;
    survey(&s, 200, &opt);
    assert_true(s.max_stmts <= max);
    assert_true(s.max_stmts >= (max + 1) / 2); /* the budget is actually used */
  }
}

static void bad_arguments(void **state) {
  (void)state;
  assert_int_equal(vy_progen_random(1, NULL, NULL, NULL), VY_E_INVALID_ARGUMENT);
  vy_program *a = NULL;
  assert_int_equal(vy_progen_random(7, NULL, NULL, &a), VY_OK); /* NULL options = defaults */
  vy_progen_options defaults = {0};
  vy_program *b = make(7, &defaults);
  assert_true(vy_program_equal(a, b));
  vy_program_destroy(a);
  vy_program_destroy(b);
}

typedef struct fault_case {
  uint64_t seed;
  vy_progen_options opt;
} fault_case;

static vy_status generate_and_free(const vy_allocator *alloc, void *ctx) {
  const fault_case *fc = ctx;
  vy_program *p = (vy_program *)1; /* must be reset to NULL on failure */
  vy_status st = vy_progen_random(fc->seed, &fc->opt, alloc, &p);
  if (st != VY_OK) assert_null(p);
  vy_program_destroy(p);
  return st;
}

static void fault_injection(void **state) {
  (void)state;
  fault_case cases[] = {{3, {.wire_encodable = false}}, {11, {.wire_encodable = true}},
                        {5, {.max_depth = 30, .max_stmts = 60}}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_true(vy_fault_run_all(generate_and_free, &cases[i]) > 0); /* allocation failures were injected */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_seed_same_program), cmocka_unit_test(different_seeds_differ),
      cmocka_unit_test(covers_every_construct), cmocka_unit_test(wire_mode_restrictions),
      cmocka_unit_test(depth_limits),           cmocka_unit_test(statement_budget),
      cmocka_unit_test(bad_arguments),          cmocka_unit_test(fault_injection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
