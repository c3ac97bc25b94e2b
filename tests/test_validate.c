/* test_validate.c - the validator (vyre-ir.md §5).
 *
 * One table row per rule: a program that breaks exactly that rule, the code
 * and number of reports expected (worked out by hand from the spec and
 * docs/validation-rules.md), and no other error. Then valid programs (no
 * diagnostics), report order and paths, scoping, uniformity, fusion
 * hazards, the limits on 1,000,000-deep inputs, and fault injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "progen.h"
#include "program_int.h"
#include "validate_int.h"
#include "vyre/builder.h"
#include "vyre/host.h"
#include "vyre/validate.h"

/* ---- shorthand for building programs ----------------------------------- */

#define U(v) vy_b_u32(b, (v))
#define I(v) vy_b_i32(b, (v))
#define F(v) vy_b_f32(b, (v))
#define BOOL(v) vy_b_bool(b, (v))
#define VAR(n) vy_b_var(b, (n))
#define BIN(op, l, r) vy_b_bin(b, VY_BINOP_##op, (l), (r))
#define UN(op, x) vy_b_un(b, VY_UNOP_##op, (x))
#define LOAD(buf, i) vy_b_load(b, (buf), (i))
#define GID vy_b_invocation_id(b, 0)
#define LID vy_b_local_id(b, 0)
#define WGID vy_b_workgroup_id(b, 0)
#define CAST(k, v) vy_b_cast(b, vy_type_scalar(VY_TYPE_##k), (v))
#define ATOMIC(op, buf, i, exp, v) vy_b_atomic(b, VY_ATOMIC_##op, 0, VY_ORDERING_SEQ_CST, (buf), (i), (exp), (v))

enum {
  OPT_RAW = 1,         /* finish with VY_FINISH_RAW */
  OPT_LOOKUP = 2,      /* resolve Calls with fake_lookup */
  OPT_NO_F32_CAST = 4, /* cast_targets without f32 */
  OPT_COLLECTIVES = 8, /* supports_collectives */
  OPT_SHADOWING = 16,  /* allow_shadowing */
  OPT_SUBGROUPS = 32   /* supports_subgroup_ops */
};

/* A registry for Call checks: "known.op"(u32 a, f32 b) and "weird.op"(f64 x). */
static const vy_str known_types[] = {{"u32", 3}, {"F32", 3}};
static const vy_str known_names[] = {{"a", 1}, {"b", 1}};
static const vy_str weird_types[] = {{"f64", 3}};
static bool fake_lookup(const struct vy_host_registry *reg, vy_str op, vy_op_signature *out) {
  (void)reg;
  if (vy_str_eq_c(op, "known.op", 8)) {
    *out = (vy_op_signature){2, known_types, known_names};
    return true;
  }
  if (vy_str_eq_c(op, "weird.op", 8)) {
    *out = (vy_op_signature){1, weird_types, NULL};
    return true;
  }
  return false;
}
static const int fake_registry_storage = 0;
#define FAKE_REGISTRY ((const struct vy_host_registry *)&fake_registry_storage)

static bool all_but_f32[VY_TYPE_COUNT];

static void make_options(unsigned opts, vy_validate_options *o) {
  vy_validate_options_default(o);
  o->allow_shadowing = opts & OPT_SHADOWING;
  o->supports_collectives = opts & OPT_COLLECTIVES;
  o->supports_subgroup_ops = opts & OPT_SUBGROUPS;
  if (opts & OPT_LOOKUP) o->host_ops = FAKE_REGISTRY;
  if (opts & OPT_NO_F32_CAST) {
    for (int k = 0; k < VY_TYPE_COUNT; k++) all_but_f32[k] = k != VY_TYPE_F32;
    o->cast_targets = all_but_f32;
  }
}

typedef void (*build_fn)(vy_builder *b);

static vy_program *build(build_fn fn, unsigned opts) {
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  fn(b);
  vy_program *p = NULL;
  vy_error err;
  vy_status st = vy_builder_finish(b, (opts & OPT_RAW) ? VY_FINISH_RAW : VY_FINISH_WRAPPED, &p, &err);
  if (st != VY_OK) fail_msg("builder: %s", err.message);
  vy_builder_destroy(b);
  return p;
}

static vy_diagnostics *validate(const vy_program *p, unsigned opts) {
  vy_validate_options o;
  make_options(opts, &o);
  vy_diagnostics *d = NULL;
  vy_error err;
  vy_status st = vy_validate_with(p, &o, (opts & OPT_LOOKUP) ? fake_lookup : NULL, NULL, &d, &err);
  if (st != VY_OK) fail_msg("vy_validate: %s", err.message);
  assert_non_null(d);
  return d;
}

static void dump(const vy_diagnostics *d) {
  for (size_t i = 0; i < vy_diagnostics_count(d); i++) {
    const vy_diagnostic *g = vy_diagnostics_get(d, i);
    print_message("  %s %s at %s: %s\n", g->warning ? "warning" : "error", g->code, g->path, g->message);
  }
}

/* Every diagnostic says how to fix it. */
static void check_fix_hints(const vy_diagnostics *d) {
  for (size_t i = 0; i < vy_diagnostics_count(d); i++) {
    const vy_diagnostic *g = vy_diagnostics_get(d, i);
    const char *fix = strstr(g->message, "Fix: ");
    if (!fix || strlen(fix) <= 5) fail_msg("%s has no Fix hint: %s", g->code, g->message);
  }
}

/* ---- one row per rule --------------------------------------------------- */

typedef struct rule_case {
  const char *code; /* the only code reported */
  unsigned count;   /* how many times */
  bool warning;     /* a warning (and no error at all) */
  build_fn build;
  unsigned opts;
  const char *path; /* path of the first report, or NULL */
} rule_case;

/* program-level */
static void x001_let_at_top(vy_builder *b) { vy_b_let(b, "x", U(1)); }
static void x001_empty(vy_builder *b) { (void)b; }
static void x002(vy_builder *b) { vy_b_workgroup_size(b, 1, 0, 1); }
static void x003(vy_builder *b) {
  vy_b_read(b, "a", 0, VY_TYPE_U32);
  vy_b_read(b, "a", 1, VY_TYPE_U32);
}
static void x004(vy_builder *b) {
  vy_b_read(b, "a", 3, VY_TYPE_U32);
  vy_b_read(b, "b", 3, VY_TYPE_U32);
  vy_b_workgroup(b, "w", 4, VY_TYPE_U32); /* binding 0 too, but workgroup buffers have none */
  vy_b_workgroup(b, "v", 4, VY_TYPE_U32);
}
static void x005(vy_builder *b) { vy_b_workgroup(b, "w", 0, VY_TYPE_U32); }
static vy_buffer_decl decl(const char *name, uint32_t binding, vy_access acc, vy_type_kind elem) {
  vy_buffer_decl d;
  memset(&d, 0, sizeof d);
  d.name = (vy_str){name, (uint32_t)strlen(name)};
  d.binding = binding;
  d.access = acc;
  d.kind = acc == VY_ACCESS_READ_ONLY ? VY_MEMKIND_READONLY : VY_MEMKIND_GLOBAL;
  d.element.kind = elem;
  d.hints.cache_locality = VY_LOCALITY_TEMPORAL;
  return d;
}
static void x006(vy_builder *b) {
  vy_buffer_decl d = decl("out", 0, VY_ACCESS_READ_WRITE, VY_TYPE_ARRAY);
  d.element.u.array_element_size = 16;
  d.is_output = d.pipeline_live_out = true;
  vy_b_buffer(b, &d);
}
static void v022_outputs(vy_builder *b) {
  vy_b_output(b, "o1", 0, VY_TYPE_U32);
  vy_b_output(b, "o2", 1, VY_TYPE_U32);
}
static void x007(vy_builder *b) {
  vy_buffer_decl d = decl("lin", 0, VY_ACCESS_READ_ONLY, VY_TYPE_U32);
  d.linear_type = VY_LINEAR_LINEAR; /* used twice below: exactly once is required */
  vy_b_buffer(b, &d);
  vy_b_let(b, "a", LOAD("lin", U(0)));
  vy_b_let(b, "n", vy_b_buf_len(b, "lin"));
}
static void x008(vy_builder *b) {
  static const vy_shape_pred at_least = {.kind = VY_SHAPE_AT_LEAST, .u.n = 64};
  vy_buffer_decl d = decl("s", 0, VY_ACCESS_READ_ONLY, VY_TYPE_U32);
  d.count = 7;
  d.shape_predicate = &at_least;
  vy_b_buffer(b, &d);
}
static void x009(vy_builder *b) {
  vy_b_region(b, "tok#self-exclusive", NULL);
  vy_b_end(b);
  vy_b_region(b, "other", NULL);
  vy_b_end(b);
  vy_b_region(b, "tok#self-exclusive", NULL);
  vy_b_end(b);
}

/* statement-level */
static void v019(vy_builder *b) {
  for (int i = 0; i < 8200; i++) vy_b_barrier(b, VY_ORDERING_SEQ_CST); /* + the root Region: 8201 > 8192 */
}
static void v018(vy_builder *b) {
  for (int i = 0; i < 66; i++) vy_b_block(b); /* the root Region's body is depth 1: block k is at depth k */
  for (int i = 0; i < 66; i++) vy_b_end(b);
}
static void v032(vy_builder *b) {
  vy_b_let(b, "x", U(1));
  vy_b_let(b, "x", U(2));
}
static void v008(vy_builder *b) {
  vy_b_let(b, "x", U(1));
  vy_b_block(b);
  vy_b_let(b, "x", U(2));
  vy_b_end(b);
}
static void v008_loop_var(vy_builder *b) {
  vy_b_let(b, "i", U(1));
  vy_b_loop(b, "i", U(0), U(4));
  vy_b_end(b);
}
static void x010(vy_builder *b) { vy_b_assign(b, "y", U(1)); }
static void v011(vy_builder *b) {
  vy_b_loop(b, "i", U(0), U(4));
  vy_b_assign(b, "i", U(1));
  vy_b_end(b);
}
static void v045(vy_builder *b) {
  vy_b_let(b, "x", U(1));
  vy_b_assign(b, "x", I(1));
}
static void v045_buffer(vy_builder *b) {
  vy_b_read_write(b, "acc", 0, VY_TYPE_U32);
  vy_b_assign(b, "acc", F(1.0f));
}
static void x011(vy_builder *b) {
  vy_b_read(b, "a", 0, VY_TYPE_U32);
  vy_b_assign(b, "a", U(1));
}
static void x012(vy_builder *b) { vy_b_store(b, "nope", U(0), U(1)); }
static void x013(vy_builder *b) {
  vy_b_read(b, "a", 0, VY_TYPE_U32);
  vy_b_store(b, "a", U(0), U(1));
}
static void v013_store(vy_builder *b) {
  vy_b_read_write(b, "raw", 0, VY_TYPE_BYTES);
  vy_b_store(b, "raw", U(0), U(1)); /* u32 into bytes is an accepted value type */
}
static void v013_load(vy_builder *b) {
  vy_b_read(b, "raw", 0, VY_TYPE_BYTES);
  vy_b_let(b, "x", LOAD("raw", U(0)));
}
static void x014(vy_builder *b) {
  vy_b_read_write(b, "o", 0, VY_TYPE_U32);
  vy_b_store(b, "o", U(0), F(1.0f));
}
static void v036(vy_builder *b) {
  vy_b_count(b, vy_b_read_write(b, "o", 0, VY_TYPE_U32), 4);
  vy_b_store(b, "o", U(4), U(1));
}
static void v036_negative(vy_builder *b) {
  vy_b_count(b, vy_b_read_write(b, "o", 0, VY_TYPE_I32), 4);
  vy_b_store(b, "o", I(-1), I(1));
}
static void x015(vy_builder *b) {
  vy_b_if(b, F(1.0f));
  vy_b_end(b);
}
static void x016(vy_builder *b) {
  vy_b_loop(b, "i", I(0), U(4));
  vy_b_end(b);
}
static void v010_if(vy_builder *b) {
  vy_b_if(b, BIN(EQ, GID, U(0)));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_end(b);
}
static void v010_loop(vy_builder *b) {
  vy_b_loop(b, "i", U(0), LID);
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_end(b);
}
static void v010_let(vy_builder *b) {
  vy_b_let(b, "t", LID);
  vy_b_if(b, BIN(EQ, VAR("t"), U(0)));
  vy_b_barrier(b, VY_ORDERING_ACQ_REL);
  vy_b_end(b);
}
static void v010_tainted(vy_builder *b) {
  vy_b_let(b, "u", U(0));
  vy_b_assign(b, "u", GID);
  vy_b_if(b, BIN(EQ, VAR("u"), U(0)));
  vy_b_else(b);
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_end(b);
}
static void v010_nested(vy_builder *b) {
  vy_b_if(b, BIN(LT, GID, U(4)));
  vy_b_loop(b, "i", U(0), U(4)); /* uniform bounds, but inside a divergent branch */
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_end(b);
  vy_b_end(b);
}
static void v043(vy_builder *b) { vy_b_barrier(b, VY_ORDERING_RELAXED); }
static void x017(vy_builder *b) {
  vy_b_read(b, "cnt", 0, VY_TYPE_U32);
  vy_b_indirect_dispatch(b, "cnt", 2);
}
static void x018(vy_builder *b) { vy_b_indirect_dispatch(b, "cnt", 4); }
static void x019_wait(vy_builder *b) { vy_b_async_wait(b, ""); }
static void x019_load(vy_builder *b) {
  vy_b_read(b, "src", 0, VY_TYPE_U32);
  vy_b_workgroup(b, "dst", 16, VY_TYPE_U32);
  vy_b_async_load(b, "src", "dst", U(0), U(64), "");
}
static void v046_support(vy_builder *b) {
  vy_b_read_write(b, "g", 0, VY_TYPE_U32);
  vy_b_all_reduce(b, "g", VY_COLLECTIVE_SUM, 0);
}
static void v046_unknown(vy_builder *b) { vy_b_broadcast(b, "nope", 0, 0); }
static void v046_workgroup(vy_builder *b) {
  vy_b_workgroup(b, "w", 8, VY_TYPE_U32);
  vy_b_all_reduce(b, "w", VY_COLLECTIVE_MAX, 0);
}
static void v046_mismatch(vy_builder *b) {
  vy_b_read(b, "in", 0, VY_TYPE_U32);
  vy_b_read_write(b, "out", 1, VY_TYPE_F32);
  vy_b_all_gather(b, "in", "out", 0);
}
static void v031(vy_builder *b) { vy_b_opaque_node(b, "", NULL, 0); }
static void x020(vy_builder *b) {
  vy_b_return(b);
  vy_b_let(b, "x", U(1));
  vy_b_let(b, "y", U(2));
}
static void x021(vy_builder *b) {
  vy_b_read_write(b, "s", 0, VY_TYPE_U32);
  vy_b_let(b, "plain", LOAD("s", U(0)));
  vy_b_let(b, "old", ATOMIC(ADD, "s", U(0), NULL, U(1)));
}
static void x021_reverse(vy_builder *b) {
  vy_b_read_write(b, "s", 0, VY_TYPE_U32);
  vy_b_let(b, "old", ATOMIC(ADD, "s", U(0), NULL, U(1)));
  vy_b_store(b, "s", U(1), U(2)); /* a Store counts as a read of its target */
}
static void x021_cond(vy_builder *b) {
  vy_b_read_write(b, "s", 0, VY_TYPE_U32);
  vy_b_if(b, BIN(EQ, LOAD("s", U(0)), U(0)));
  vy_b_end(b);
  vy_b_let(b, "old", ATOMIC(OR, "s", U(0), NULL, U(1)));
}

/* expression-level */
static void v033(vy_builder *b) {
  const vy_expr *e = U(1); /* 129 negates over it: the literal sits at depth 129 */
  for (int i = 0; i < 129; i++) e = UN(NEGATE, e);
  vy_b_let(b, "x", e);
}
static void x022(vy_builder *b) { vy_b_let(b, "x", VAR("ghost")); }
static void x023(vy_builder *b) { vy_b_let(b, "x", LOAD("nope", U(0))); }
static void x024(vy_builder *b) { vy_b_let(b, "x", vy_b_buf_len(b, "nope")); }
static void x025(vy_builder *b) { vy_b_let(b, "x", ATOMIC(ADD, "nope", U(0), NULL, U(1))); }
static void x026(vy_builder *b) { vy_b_let(b, "x", vy_b_local_id(b, 3)); }
static void v044_div(vy_builder *b) { vy_b_let(b, "x", BIN(DIV, U(7), U(0))); }
static void v044_mod_cast(vy_builder *b) { vy_b_let(b, "x", BIN(MOD, U(7), CAST(U32, I(0)))); }
static void v044_neg_zero(vy_builder *b) { vy_b_let(b, "x", BIN(DIV, F(1.0f), F(-0.0f))); }
static void x027(vy_builder *b) { vy_b_let(b, "x", BIN(ADD, U(1), BOOL(true))); }
static void x028(vy_builder *b) { vy_b_let(b, "x", BIN(ADD, vy_b_lit_u64(b, 1), vy_b_lit_u64(b, 2))); }
static void x029(vy_builder *b) { vy_b_let(b, "x", BIN(MUL, U(1), I(1))); }
static void x030(vy_builder *b) { vy_b_let(b, "x", BIN(SATURATING_ADD, I(1), I(2))); }
static void x031(vy_builder *b) { vy_b_let(b, "x", BIN(ABS_DIFF, I(1), I(2))); }
static void x032(vy_builder *b) { vy_b_let(b, "x", BIN(MOD, U(1), F(2.0f))); }
static void x033(vy_builder *b) { vy_b_let(b, "x", BIN(MOD, U(1), I(2))); }
static void x034(vy_builder *b) { vy_b_let(b, "x", BIN(BIT_XOR, F(1.0f), F(2.0f))); }
static void x035(vy_builder *b) { vy_b_let(b, "x", BIN(BIT_AND, U(1), I(2))); }
static void x036(vy_builder *b) { vy_b_let(b, "x", BIN(SHL, I(1), U(2))); }
static void x037(vy_builder *b) { vy_b_let(b, "x", BIN(AND, F(1.0f), BOOL(true))); }
static void x038(vy_builder *b) { vy_b_let(b, "x", BIN(EQ, U(1), I(1))); }
static void x039(vy_builder *b) { vy_b_let(b, "x", BIN(SHUFFLE, U(1), U(1))); }
static void x040(vy_builder *b) { vy_b_let(b, "x", UN(NEGATE, I(1))); }
static void x041(vy_builder *b) { vy_b_let(b, "x", UN(NEGATE, BOOL(true))); }
static void x042(vy_builder *b) { vy_b_let(b, "x", UN(LOGICAL_NOT, F(1.0f))); }
static void x043(vy_builder *b) { vy_b_let(b, "x", UN(POPCOUNT, F(1.0f))); }
static void x044(vy_builder *b) { vy_b_let(b, "x", UN(SQRT, U(4))); }
static void x045(vy_builder *b) { vy_b_let(b, "x", UN(UNPACK4_LOW, U(4))); }
static void v016(vy_builder *b) { vy_b_let(b, "x", vy_b_call(b, "no.such.op", 0, NULL)); }
static void v020(vy_builder *b) {
  const vy_expr *args[] = {U(1)};
  vy_b_let(b, "x", vy_b_call(b, "known.op", 1, args));
}
static void v021(vy_builder *b) {
  const vy_expr *args[] = {U(1)};
  vy_b_let(b, "x", vy_b_call(b, "weird.op", 1, args));
}
static void v022_call(vy_builder *b) {
  const vy_expr *args[] = {U(1), U(2)}; /* b is declared F32 */
  vy_b_let(b, "x", vy_b_call(b, "known.op", 2, args));
}
static void v028(vy_builder *b) { vy_b_let(b, "x", vy_b_fma(b, U(1), F(1.0f), F(2.0f))); }
static void v029(vy_builder *b) { vy_b_let(b, "x", vy_b_select(b, BOOL(true), U(1), I(1))); }
static void v034(vy_builder *b) { vy_b_let(b, "x", CAST(F32, U(1))); }
static void v023(vy_builder *b) { vy_b_let(b, "x", CAST(BYTES, U(1))); }
static void v012(vy_builder *b) { vy_b_let(b, "x", CAST(F32, vy_b_lit_u64(b, 1))); }
static void v012_vec(vy_builder *b) { vy_b_let(b, "x", CAST(VEC4U32, vy_b_lit_u64(b, 1))); }
static void v035(vy_builder *b) { vy_b_let(b, "x", CAST(U8, U(300))); }
static void rw_u32(vy_builder *b) { vy_b_read_write(b, "c", 0, VY_TYPE_U32); }
static void v042(vy_builder *b) {
  rw_u32(b);
  vy_b_let(b, "x", vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_GRID_SYNC, "c", U(0), NULL, U(1)));
}
static void v027(vy_builder *b) {
  rw_u32(b);
  vy_b_let(b, "x", ATOMIC(ADD, "c", I(0), NULL, U(1)));
}
static void v025(vy_builder *b) {
  vy_b_workgroup(b, "w", 4, VY_TYPE_U32);
  vy_b_let(b, "x", ATOMIC(MAX, "w", U(0), NULL, U(1)));
}
static void v009(vy_builder *b) {
  vy_b_uniform(b, "c", 0, VY_TYPE_U32);
  vy_b_let(b, "x", ATOMIC(ADD, "c", U(0), NULL, U(1)));
}
static void v014(vy_builder *b) {
  vy_b_read_write(b, "c", 0, VY_TYPE_F32);
  vy_b_let(b, "x", ATOMIC(ADD, "c", U(0), NULL, U(1)));
}
static void x046(vy_builder *b) {
  rw_u32(b);
  vy_b_let(b, "x", ATOMIC(ADD, "c", U(0), NULL, I(1)));
}
static void x047(vy_builder *b) {
  rw_u32(b);
  vy_b_let(b, "x", ATOMIC(COMPARE_EXCHANGE, "c", U(0), NULL, U(1)));
}
static void x048(vy_builder *b) {
  rw_u32(b);
  vy_b_let(b, "x", ATOMIC(COMPARE_EXCHANGE, "c", U(0), I(0), U(1)));
}
static void x049(vy_builder *b) {
  rw_u32(b);
  vy_b_let(b, "x", ATOMIC(EXCHANGE, "c", U(0), U(0), U(1)));
}
static void v041(vy_builder *b) { vy_b_let(b, "x", vy_b_subgroup_add(b, GID)); }
static void v030_unknown(vy_builder *b) {
  static const uint8_t payload[4] = {1, 2, 3, 4};
  vy_b_let(b, "x", vy_b_opaque_expr(b, "acme.mystery", payload, 4));
}
static void v030_empty(vy_builder *b) { vy_b_let(b, "x", vy_b_opaque_expr(b, "", NULL, 0)); }
static void v030_width(vy_builder *b) {
  static const uint8_t payload[4] = {1, 0, 0, 0};
  vy_b_let(b, "x", vy_b_opaque_expr(b, "vyre.literal.u64", payload, 4));
}

static const rule_case rule_cases[] = {
    /* program-level */
    {"X001", 1, false, x001_let_at_top, OPT_RAW, "entry[0]"},
    {"X001", 1, false, x001_empty, OPT_RAW, "entry"},
    {"X002", 1, false, x002, 0, "workgroup_size[1]"},
    {"X003", 1, false, x003, 0, "buffers[1]"},
    {"X004", 1, false, x004, 0, "buffers[1]"},
    {"X005", 1, false, x005, 0, "buffers[0]"},
    {"X006", 1, false, x006, 0, "buffers[0]"},
    {"V022", 1, false, v022_outputs, 0, "buffers"},
    {"X007", 1, false, x007, 0, "buffers[0]"},
    {"X008", 1, false, x008, 0, "buffers[0]"},
    {"X009", 1, false, x009, OPT_RAW, "entry[2]"},
    /* statement-level */
    {"V019", 1, false, v019, 0, "entry[0].body[8191]"},
    {"V018", 1, false, v018, 0, NULL},
    {"V032", 1, false, v032, 0, "entry[0].body[1]"},
    {"V032", 1, false, v032, OPT_SHADOWING, "entry[0].body[1]"},
    {"V008", 1, false, v008, 0, "entry[0].body[1].body[0]"},
    {"V008", 1, false, v008_loop_var, 0, "entry[0].body[1]"},
    {"X010", 1, false, x010, 0, "entry[0].body[0]"},
    {"V011", 1, false, v011, 0, "entry[0].body[0].body[0]"},
    {"V045", 1, false, v045, 0, "entry[0].body[1]"},
    {"V045", 1, false, v045_buffer, 0, "entry[0].body[0]"},
    {"X011", 1, false, x011, 0, "entry[0].body[0]"},
    {"X012", 1, false, x012, 0, "entry[0].body[0]"},
    {"X013", 1, false, x013, 0, "entry[0].body[0]"},
    {"V013", 1, false, v013_store, 0, "entry[0].body[0]"},
    {"V013", 1, false, v013_load, 0, "entry[0].body[0].value"},
    {"X014", 1, false, x014, 0, "entry[0].body[0]"},
    {"V036", 1, false, v036, 0, "entry[0].body[0].index"},
    {"V036", 1, false, v036_negative, 0, "entry[0].body[0].index"},
    {"X015", 1, false, x015, 0, "entry[0].body[0].cond"},
    {"X016", 1, false, x016, 0, "entry[0].body[0].from"},
    {"V010", 1, false, v010_if, 0, "entry[0].body[0].then[0]"},
    {"V010", 1, false, v010_loop, 0, "entry[0].body[0].body[0]"},
    {"V010", 1, false, v010_let, 0, "entry[0].body[1].then[0]"},
    {"V010", 1, false, v010_tainted, 0, "entry[0].body[2].else[0]"},
    {"V010", 1, false, v010_nested, 0, "entry[0].body[0].then[0].body[0]"},
    {"V043", 1, false, v043, 0, "entry[0].body[0]"},
    {"X017", 1, false, x017, 0, "entry[0].body[0]"},
    {"X018", 1, false, x018, 0, "entry[0].body[0]"},
    {"X019", 1, false, x019_wait, 0, "entry[0].body[0]"},
    {"X019", 1, false, x019_load, 0, "entry[0].body[0]"},
    {"V046", 1, false, v046_support, 0, "entry[0].body[0]"},
    {"V046", 1, false, v046_unknown, OPT_COLLECTIVES, "entry[0].body[0]"},
    {"V046", 1, false, v046_workgroup, OPT_COLLECTIVES, "entry[0].body[0]"},
    {"V046", 1, false, v046_mismatch, OPT_COLLECTIVES, "entry[0].body[0]"},
    {"V031", 1, false, v031, 0, "entry[0].body[0]"},
    {"X020", 1, false, x020, 0, "entry[0].body[1]"},
    {"X021", 1, false, x021, 0, "entry[0].body[1]"},
    {"X021", 1, false, x021_reverse, 0, "entry[0].body[1]"},
    {"X021", 1, false, x021_cond, 0, "entry[0].body[1]"},
    /* expression-level */
    {"V033", 1, false, v033, 0, "entry[0].body[0].value"},
    {"X022", 1, false, x022, 0, "entry[0].body[0].value"},
    {"X023", 1, false, x023, 0, NULL},
    {"X024", 1, false, x024, 0, NULL},
    {"X025", 1, false, x025, 0, NULL},
    {"X026", 1, false, x026, 0, NULL},
    {"V044", 1, false, v044_div, 0, NULL},
    {"V044", 1, false, v044_mod_cast, 0, NULL},
    {"V044", 1, false, v044_neg_zero, 0, NULL},
    {"X027", 1, false, x027, 0, NULL},
    {"X028", 1, false, x028, 0, NULL},
    {"X029", 1, false, x029, 0, NULL},
    {"X030", 1, false, x030, 0, NULL},
    {"X031", 1, false, x031, 0, NULL},
    {"X032", 1, false, x032, 0, NULL},
    {"X033", 1, false, x033, 0, NULL},
    {"X034", 2, false, x034, 0, NULL},
    {"X035", 1, false, x035, 0, NULL},
    {"X036", 1, false, x036, 0, NULL},
    {"X037", 1, false, x037, 0, NULL},
    {"X038", 1, false, x038, 0, NULL},
    {"X039", 1, false, x039, 0, NULL},
    {"X040", 1, false, x040, 0, NULL},
    {"X041", 1, false, x041, 0, NULL},
    {"X042", 1, false, x042, 0, NULL},
    {"X043", 1, false, x043, 0, NULL},
    {"X044", 1, false, x044, 0, NULL},
    {"X045", 1, false, x045, 0, NULL},
    {"V016", 1, false, v016, OPT_LOOKUP, NULL},
    {"V020", 1, false, v020, OPT_LOOKUP, NULL},
    {"V021", 1, false, v021, OPT_LOOKUP, NULL},
    {"V022", 1, false, v022_call, OPT_LOOKUP, "entry[0].body[0].value"},
    {"V028", 1, false, v028, 0, NULL},
    {"V029", 1, false, v029, 0, NULL},
    {"V034", 1, false, v034, OPT_NO_F32_CAST, NULL},
    {"V023", 1, false, v023, 0, NULL},
    {"V012", 1, false, v012, 0, NULL},
    {"V012", 1, false, v012_vec, 0, NULL},
    {"V035", 1, true, v035, 0, "entry[0].body[0].value"},
    {"V042", 1, false, v042, 0, NULL},
    {"V027", 1, false, v027, 0, NULL},
    {"V025", 1, false, v025, 0, NULL},
    {"V009", 1, false, v009, 0, NULL},
    {"V014", 1, false, v014, 0, NULL},
    {"X046", 1, false, x046, 0, NULL},
    {"X047", 1, false, x047, 0, NULL},
    {"X048", 1, false, x048, 0, NULL},
    {"X049", 1, false, x049, 0, NULL},
    {"V041", 1, false, v041, 0, NULL},
    {"V030", 1, false, v030_unknown, 0, NULL},
    {"V030", 1, false, v030_empty, 0, NULL},
    {"V030", 1, false, v030_width, 0, NULL},
};

static void each_rule_alone(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rule_cases / sizeof *rule_cases; i++) {
    const rule_case *rc = &rule_cases[i];
    vy_program *p = build(rc->build, rc->opts);
    vy_diagnostics *d = validate(p, rc->opts);
    size_t hits = 0, others = 0;
    const vy_diagnostic *first = NULL;
    for (size_t k = 0; k < vy_diagnostics_count(d); k++) {
      const vy_diagnostic *g = vy_diagnostics_get(d, k);
      if (!strcmp(g->code, rc->code) && g->warning == rc->warning) {
        hits++;
        if (!first) first = g;
      } else {
        others++;
      }
    }
    if (hits != rc->count || others != 0) {
      dump(d);
      fail_msg("case %zu (%s): %zu hit(s), %zu other diagnostic(s)", i, rc->code, hits, others);
    }
    assert_int_equal(vy_diagnostics_error_count(d), rc->warning ? 0 : rc->count);
    assert_int_equal(vy_diagnostics_warning_count(d), rc->warning ? rc->count : 0);
    if (rc->path && strcmp(first->path, rc->path) != 0)
      fail_msg("case %zu (%s): path `%s`, expected `%s`", i, rc->code, first->path, rc->path);
    check_fix_hints(d);
    vy_diagnostics_destroy(d);
    vy_program_destroy(p);
  }
}

/* Every code of docs/validation-rules.md has a row above. */
static void every_code_is_covered(void **state) {
  (void)state;
  static const char *const codes[] = {"V008", "V009", "V010", "V011", "V012", "V013", "V014", "V016",
                                      "V018", "V019", "V020", "V021", "V022", "V023", "V025", "V027",
                                      "V028", "V029", "V030", "V031", "V032", "V033", "V034", "V035",
                                      "V036", "V041", "V042", "V043", "V044", "V045", "V046"};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    bool found = false;
    for (size_t k = 0; k < sizeof rule_cases / sizeof *rule_cases; k++) found |= !strcmp(rule_cases[k].code, codes[i]);
    if (!found) fail_msg("no test for %s", codes[i]);
  }
  for (int x = 1; x <= 49; x++) {
    char code[8];
    snprintf(code, sizeof code, "X%03d", x);
    bool found = false;
    for (size_t k = 0; k < sizeof rule_cases / sizeof *rule_cases; k++) found |= !strcmp(rule_cases[k].code, code);
    if (!found) fail_msg("no test for %s", code);
  }
}

/* ---- valid programs ----------------------------------------------------- */

static void expect_clean(build_fn fn, unsigned opts) {
  vy_program *p = build(fn, opts);
  vy_diagnostics *d = validate(p, opts);
  if (vy_diagnostics_count(d)) {
    dump(d);
    fail_msg("expected no diagnostics");
  }
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
}

/* y[i] = a[0] * x[i] + y[i] */
static void saxpy(vy_builder *b) {
  vy_b_read(b, "x", 0, VY_TYPE_F32);
  vy_b_read_write(b, "y", 1, VY_TYPE_F32);
  vy_b_count(b, vy_b_uniform(b, "a", 2, VY_TYPE_F32), 1);
  vy_b_region(b, "vyre.program.root", NULL);
  vy_b_let(b, "i", GID);
  vy_b_if(b, BIN(LT, VAR("i"), vy_b_buf_len(b, "y")));
  vy_b_store(b, "y", VAR("i"), vy_b_fma(b, LOAD("a", U(0)), LOAD("x", VAR("i")), LOAD("y", VAR("i"))));
  vy_b_end(b);
  vy_b_end(b);
}

/* Workgroup tree reduction: barriers in uniform control flow only. */
static void reduction(vy_builder *b) {
  vy_b_workgroup_size(b, 256, 1, 1);
  vy_b_read(b, "in", 0, VY_TYPE_U32);
  vy_b_output(b, "out", 1, VY_TYPE_U32);
  vy_b_workgroup(b, "sdata", 256, VY_TYPE_U32);
  vy_b_let(b, "lid", LID);
  vy_b_store(b, "sdata", VAR("lid"), LOAD("in", GID));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_loop(b, "s", U(0), U(8));
  vy_b_let(b, "stride", BIN(SHR, U(128), VAR("s")));
  vy_b_if(b, BIN(LT, VAR("lid"), VAR("stride")));
  vy_b_store(b, "sdata", VAR("lid"),
             BIN(ADD, LOAD("sdata", VAR("lid")), LOAD("sdata", BIN(ADD, VAR("lid"), VAR("stride")))));
  vy_b_end(b);
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_end(b);
  vy_b_if(b, BIN(EQ, VAR("lid"), U(0)));
  vy_b_store(b, "out", WGID, LOAD("sdata", U(0)));
  vy_b_end(b);
}

/* Scopes: lets die with their list, siblings may reuse a name afterwards,
 * Regions open scopes, Assign reaches outer lets, a uniform If may hold a
 * barrier, atomics after a barrier are fine, widening casts do not warn. */
static void scopes_and_friends(vy_builder *b) {
  vy_b_read_write(b, "hist", 0, VY_TYPE_U32);
  vy_b_read(b, "bytes", 1, VY_TYPE_U8);
  vy_b_region(b, "first", NULL);
  vy_b_let(b, "x", U(1));
  vy_b_block(b);
  vy_b_let(b, "y", VAR("x"));
  vy_b_assign(b, "x", BIN(ADD, VAR("y"), U(1)));
  vy_b_end(b);
  vy_b_let(b, "y", CAST(U32, LOAD("bytes", VAR("x")))); /* the block's y is gone */
  vy_b_if(b, BIN(EQ, WGID, U(0)));
  vy_b_barrier(b, VY_ORDERING_ACQUIRE);
  vy_b_end(b);
  vy_b_let(b, "seen", LOAD("hist", U(0)));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_let(b, "old", ATOMIC(ADD, "hist", VAR("y"), NULL, U(1)));
  vy_b_loop(b, "i", U(0), U(16)); /* buf_len(hist) here would be a read after the atomic: X021 */
  vy_b_if(b, BIN(EQ, VAR("i"), U(3)));
  vy_b_barrier(b, VY_ORDERING_RELEASE); /* loop var of uniform bounds is uniform */
  vy_b_end(b);
  vy_b_end(b);
  vy_b_let(b, "w", CAST(U64, VAR("old")));
  vy_b_return(b);
  vy_b_end(b);
  vy_b_region(b, "second", NULL); /* x and y of the first Region are not live here */
  vy_b_let(b, "x", F(2.0f));
  vy_b_let(b, "y", vy_b_select(b, BIN(GT, VAR("x"), F(1.0f)), VAR("x"), F(0.0f)));
  vy_b_end(b);
}

static void valid_programs_have_no_diagnostics(void **state) {
  (void)state;
  expect_clean(saxpy, 0);
  expect_clean(reduction, 0);
  expect_clean(scopes_and_friends, 0);
  expect_clean(x001_empty, 0); /* wrapped: one empty root Region, like Program::empty() */
}

/* A let-bound call of unknown type is typed u32 (vyre's placeholder) but
 * V045 is not checked against it. */
static void call_untyped(vy_builder *b) {
  const vy_expr *args[] = {U(1), F(2.0f)};
  vy_b_let(b, "r", vy_b_call(b, "known.op", 2, args));
  vy_b_assign(b, "r", F(3.0f));
  vy_b_let(b, "s", BIN(ADD, VAR("r"), U(1)));
}

static void options_relax_rules(void **state) {
  (void)state;
  expect_clean(v008, OPT_SHADOWING);
  expect_clean(v041, OPT_SUBGROUPS);
  expect_clean(v046_support, OPT_COLLECTIVES);
  expect_clean(v016, 0); /* no registry: Call checks are skipped */
  expect_clean(v034, 0); /* no cast table: every target is accepted */
  expect_clean(call_untyped, OPT_LOOKUP);
}

/* ---- order, paths, locations ------------------------------------------- */

static void order_program(vy_builder *b) {
  vy_b_let(b, "x", U(1));
  vy_b_if(b, BOOL(true));
  vy_b_let(b, "y", VAR("q"));
  vy_b_else(b);
  vy_b_assign(b, "y", U(2));
  vy_b_end(b);
  vy_b_loop(b, "i", U(0), U(4));
  vy_b_assign(b, "i", U(1));
  vy_b_end(b);
  vy_b_assign(b, "z", VAR("q")); /* X010 before its value's X022 */
  vy_b_read_write(b, "c", 0, VY_TYPE_U32);
  vy_b_let(b, "o", ATOMIC(ADD, "c", I(0), NULL, VAR("q"))); /* V027 before its operand's X022 */
}

static void reports_in_preorder_with_paths(void **state) {
  (void)state;
  static const struct {
    const char *code, *path;
  } want[] = {
      {"X022", "entry[0].body[1].then[0].value"}, {"X010", "entry[0].body[1].else[0]"},
      {"V011", "entry[0].body[2].body[0]"},       {"X010", "entry[0].body[3]"},
      {"X022", "entry[0].body[3].value"},         {"V027", "entry[0].body[4].value"},
      {"X022", "entry[0].body[4].value"},
  };
  vy_program *p = build(order_program, 0);
  vy_diagnostics *d = validate(p, 0);
  if (vy_diagnostics_count(d) != sizeof want / sizeof *want) dump(d);
  assert_int_equal(vy_diagnostics_count(d), sizeof want / sizeof *want);
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    const vy_diagnostic *g = vy_diagnostics_get(d, i);
    assert_string_equal(g->code, want[i].code);
    assert_string_equal(g->path, want[i].path);
  }
  assert_null(vy_diagnostics_get(d, 99));

  vy_error err;
  assert_int_equal(vy_diagnostics_first_error(d, &err), VY_E_INVALID_PROGRAM);
  assert_int_equal(err.code, VY_E_INVALID_PROGRAM);
  assert_string_equal(err.rule, "X022");
  assert_non_null(strstr(err.message, "X022 at entry[0].body[1].then[0].value (error 1 of 7): "));
  assert_non_null(strstr(err.message, "Fix: "));
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);

  p = build(v035, 0); /* warnings only: no first error */
  d = validate(p, 0);
  err.code = VY_E_UNKNOWN;
  assert_int_equal(vy_diagnostics_first_error(d, &err), VY_OK);
  assert_int_equal(err.code, VY_E_UNKNOWN); /* untouched */
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
}

/* ---- hand-built programs (no builder, no fingerprint) ------------------- */

static const vy_node *const *one(vy_program *p, const vy_node *n) {
  const vy_node **items = vy_arena_array(&p->arena, 1, sizeof *items);
  assert_non_null(items);
  items[0] = n;
  return items;
}

static vy_node *region_around(vy_program *p, const vy_node *body) {
  vy_node *r = vy_node_new(p, VY_NODE_REGION);
  assert_non_null(r);
  assert_true(vy_str_make(p, "vyre.program.root", 17, &r->u.region.generator));
  if (body) r->u.region.body = (vy_node_list){1, one(p, body)};
  return r;
}

static void set_entry(vy_program *p, const vy_node *n) { p->entry = (vy_node_list){1, one(p, n)}; }

static vy_node *let_node(vy_program *p, const char *name, const vy_expr *v) {
  vy_node *n = vy_node_new(p, VY_NODE_LET);
  assert_non_null(n);
  assert_true(vy_str_make(p, name, strlen(name), &n->u.let.name));
  n->u.let.value = v;
  return n;
}

/* Text locations travel into diagnostics: the expression's own, else its
 * statement's. */
static void locations_are_reported(void **state) {
  (void)state;
  vy_program *p = vy_program_new(NULL);
  vy_expr *ghost = vy_expr_new(p, VY_EXPR_VAR);
  assert_true(vy_str_make(p, "ghost", 5, &ghost->u.var));
  ghost->loc = (vy_srcloc){7, 13};
  vy_expr *neg = vy_expr_new(p, VY_EXPR_UN_OP);
  neg->u.un.op = VY_UNOP_NEGATE;
  neg->u.un.operand = vy_expr_new(p, VY_EXPR_LIT_I32);
  vy_node *l1 = let_node(p, "a", ghost);
  vy_node *l2 = let_node(p, "b", neg);
  l2->loc = (vy_srcloc){8, 3};
  vy_node *root = region_around(p, NULL);
  const vy_node **items = vy_arena_array(&p->arena, 2, sizeof *items);
  items[0] = l1;
  items[1] = l2;
  root->u.region.body = (vy_node_list){2, items};
  set_entry(p, root);
  vy_diagnostics *d = validate(p, 0);
  assert_int_equal(vy_diagnostics_count(d), 2);
  const vy_diagnostic *g = vy_diagnostics_get(d, 0);
  assert_string_equal(g->code, "X022");
  assert_int_equal(g->loc.line, 7);
  assert_int_equal(g->loc.col, 13);
  g = vy_diagnostics_get(d, 1);
  assert_string_equal(g->code, "X040"); /* negate of an i32 */
  assert_int_equal(g->loc.line, 8);
  assert_int_equal(g->loc.col, 3);
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
}

/* 1,000,000 nested Blocks: V018 and V019 once each, no crash. */
static void deep_statement_nesting(void **state) {
  (void)state;
  enum { DEPTH = 1000000 };
  vy_program *p = vy_program_new(NULL);
  vy_node *inner = vy_node_new(p, VY_NODE_BARRIER);
  inner->u.barrier = VY_ORDERING_SEQ_CST;
  const vy_node *cur = inner;
  for (int i = 0; i < DEPTH; i++) {
    vy_node *blk = vy_node_new(p, VY_NODE_BLOCK);
    assert_non_null(blk);
    blk->u.block = (vy_node_list){1, one(p, cur)};
    cur = blk;
  }
  set_entry(p, region_around(p, cur));
  vy_diagnostics *d = validate(p, 0);
  if (vy_diagnostics_count(d) != 2) dump(d);
  /* pre-order: the Region is statement 1 at depth 0, the block at depth k is
   * statement k+1, so depth 65 (statement 66) comes before statement 8193 */
  assert_int_equal(vy_diagnostics_count(d), 2);
  assert_string_equal(vy_diagnostics_get(d, 0)->code, "V018");
  assert_string_equal(vy_diagnostics_get(d, 1)->code, "V019");
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
}

/* A 1,000,000-deep expression: one V033 (at depth 129), no crash; also in
 * slots vyre does not otherwise validate (trap address). */
static void deep_expression(void **state) {
  (void)state;
  enum { DEPTH = 1000000 };
  vy_program *p = vy_program_new(NULL);
  const vy_expr *e = vy_expr_new(p, VY_EXPR_LIT_U32);
  for (int i = 0; i < DEPTH; i++) {
    vy_expr *n = vy_expr_new(p, VY_EXPR_BIN_OP);
    assert_non_null(n);
    n->u.bin.op = VY_BINOP_ADD;
    n->u.bin.left = e;
    n->u.bin.right = e; /* shared: the walk stops at the limit either way */
    e = n;
  }
  vy_node *trap = vy_node_new(p, VY_NODE_TRAP);
  trap->u.trap.address = e;
  assert_true(vy_str_make(p, "t", 1, &trap->u.trap.tag));
  vy_node *root = region_around(p, NULL);
  const vy_node **items = vy_arena_array(&p->arena, 2, sizeof *items);
  items[0] = let_node(p, "x", vy_expr_new(p, VY_EXPR_LIT_U32));
  items[1] = trap;
  root->u.region.body = (vy_node_list){2, items};
  set_entry(p, root);
  vy_diagnostics *d = validate(p, 0);
  assert_int_equal(vy_diagnostics_count(d), 1);
  assert_string_equal(vy_diagnostics_get(d, 0)->code, "V033");
  assert_string_equal(vy_diagnostics_get(d, 0)->path, "entry[0].body[1].address");
  vy_diagnostics_destroy(d);

  /* a let value: V033 once per expression node at depth 129; a chain of
   * negates has one there */
  const vy_expr *chain = vy_expr_new(p, VY_EXPR_LIT_U32);
  for (int i = 0; i < DEPTH; i++) {
    vy_expr *n = vy_expr_new(p, VY_EXPR_UN_OP);
    assert_non_null(n);
    n->u.un.op = VY_UNOP_NEGATE;
    n->u.un.operand = chain;
    chain = n;
  }
  items[0] = let_node(p, "y", chain);
  items[1] = let_node(p, "z", vy_expr_new(p, VY_EXPR_LIT_U32));
  d = validate(p, 0);
  assert_int_equal(vy_diagnostics_count(d), 1);
  assert_string_equal(vy_diagnostics_get(d, 0)->code, "V033");
  assert_string_equal(vy_diagnostics_get(d, 0)->path, "entry[0].body[0].value");
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
}

/* ---- scale -------------------------------------------------------------- */

/* 7900 lets, each reading the previous two, in 60 nested scopes. */
static void many_names(vy_builder *b) {
  char name[32], prev[32], prev2[32];
  vy_b_let(b, "v0", U(0));
  vy_b_let(b, "v1", U(1));
  int opened = 0;
  for (int i = 2; i < 7900; i++) {
    if (i % 130 == 0) {
      vy_b_block(b);
      opened++;
    }
    snprintf(name, sizeof name, "v%d", i);
    snprintf(prev, sizeof prev, "v%d", i - 1);
    snprintf(prev2, sizeof prev2, "v%d", i - 2);
    vy_b_let(b, name, BIN(ADD, VAR(prev), VAR(prev2)));
  }
  while (opened--) vy_b_end(b);
}

static void scales_linearly(void **state) {
  (void)state;
  vy_program *p = build(many_names, 0);
  struct timespec t0, t1;
  timespec_get(&t0, TIME_UTC);
  vy_diagnostics *d = validate(p, 0);
  timespec_get(&t1, TIME_UTC);
  if (vy_diagnostics_count(d)) dump(d);
  assert_int_equal(vy_diagnostics_count(d), 0);
  print_message("  7961 statements, 7900 names, 60 nested scopes: %.2f ms\n",
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
}

/* ---- the real host-op registry through the public entry point ----------- */

static float scale(uint32_t a, float x) { return (float)a * x; }
static double wide(double x) { return x; }

static void calls_through_host_registry(void **state) {
  (void)state;
  vy_host_registry *reg = NULL;
  assert_int_equal(vy_host_registry_create(NULL, &reg, NULL), VY_OK);
  assert_int_equal(vy_host_register(reg, "scale", "f32(u32, f32)", (vy_host_fn)scale, NULL), VY_OK);
  assert_int_equal(vy_host_register(reg, "wide", "f64(f64)", (vy_host_fn)wide, NULL), VY_OK);
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  const vy_expr *good[] = {U(2), F(1.5f)}, *bad[] = {U(2), U(3)}, *one_f[] = {F(1.0f)};
  vy_b_let(b, "a", vy_b_call(b, "scale", 2, good));   /* fine */
  vy_b_let(b, "c", vy_b_call(b, "scale", 2, bad));    /* V022: argument 1 is u32, not f32 */
  vy_b_let(b, "d", vy_b_call(b, "scale", 1, one_f));  /* V020 */
  vy_b_let(b, "e", vy_b_call(b, "wide", 1, one_f));   /* V021: vyre has no "f64" spelling */
  vy_b_let(b, "g", vy_b_call(b, "missing", 0, NULL)); /* V016 */
  vy_program *p = NULL;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL), VY_OK);
  vy_builder_destroy(b);
  vy_validate_options o;
  vy_validate_options_default(&o);
  o.host_ops = reg;
  vy_diagnostics *d = NULL;
  assert_int_equal(vy_validate(p, &o, NULL, &d, NULL), VY_OK);
  static const char *const want[] = {"V022", "V020", "V021", "V016"};
  if (vy_diagnostics_count(d) != 4) dump(d);
  assert_int_equal(vy_diagnostics_count(d), 4);
  for (size_t i = 0; i < 4; i++) assert_string_equal(vy_diagnostics_get(d, i)->code, want[i]);
  vy_diagnostics_destroy(d);
  o.host_ops = NULL; /* no registry: Call checks are skipped */
  assert_int_equal(vy_validate(p, &o, NULL, &d, NULL), VY_OK);
  assert_int_equal(vy_diagnostics_count(d), 0);
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
  vy_host_registry_destroy(reg);
}

/* ---- random programs (tests/support/progen.c) --------------------------- */

/* Every construct of the IR, odd strings, payload types, opaque parts: the
 * validator must not crash (the sanitizer build checks memory), must be
 * deterministic, and every report must be well-formed. */
static void random_programs(void **state) {
  (void)state;
  vy_progen_options po = {.max_depth = 12, .max_stmts = 60};
  for (uint64_t seed = 1; seed <= 400; seed++) {
    vy_program *p = NULL;
    assert_int_equal(vy_progen_random(seed, &po, NULL, &p), VY_OK);
    unsigned opts = (seed & 1) ? OPT_LOOKUP | OPT_COLLECTIVES | OPT_SUBGROUPS | OPT_NO_F32_CAST : 0;
    vy_diagnostics *d1 = validate(p, opts), *d2 = validate(p, opts);
    assert_int_equal(vy_diagnostics_count(d1), vy_diagnostics_count(d2));
    size_t errors = 0;
    for (size_t i = 0; i < vy_diagnostics_count(d1); i++) {
      const vy_diagnostic *g = vy_diagnostics_get(d1, i), *h = vy_diagnostics_get(d2, i);
      assert_memory_equal(g, h, sizeof *g);
      assert_true((g->code[0] == 'V' || g->code[0] == 'X') && strlen(g->code) == 4);
      assert_true(g->warning == !strcmp(g->code, "V035"));
      errors += !g->warning;
    }
    assert_int_equal(errors, vy_diagnostics_error_count(d1));
    check_fix_hints(d1);
    vy_diagnostics_destroy(d1);
    vy_diagnostics_destroy(d2);
    vy_program_destroy(p);
  }
}

/* ---- errors of the API -------------------------------------------------- */

static void bad_arguments(void **state) {
  (void)state;
  vy_diagnostics *d = (vy_diagnostics *)&d;
  vy_error err;
  assert_int_equal(vy_validate(NULL, NULL, NULL, &d, &err), VY_E_INVALID_ARGUMENT);
  assert_null(d);
  assert_non_null(strstr(err.message, "Fix: "));
  vy_program *p = build(saxpy, 0);
  assert_int_equal(vy_validate(p, NULL, NULL, NULL, NULL), VY_E_INVALID_ARGUMENT);
  vy_validate_options o;
  make_options(0, &o);
  assert_int_equal(vy_validate(p, &o, NULL, &d, NULL), VY_OK);
  assert_int_equal(vy_diagnostics_count(d), 0);
  vy_diagnostics_destroy(d);
  vy_program_destroy(p);
  vy_diagnostics_destroy(NULL);
  assert_int_equal(vy_diagnostics_count(NULL), 0);
}

/* ---- fault injection ---------------------------------------------------- */

static void busy_program(vy_builder *b) {
  order_program(b);
  vy_b_read(b, "lin", 1, VY_TYPE_U32);
  vy_b_region(b, "k#self-exclusive", NULL);
  vy_b_end(b);
  vy_b_region(b, "k#self-exclusive", NULL);
  vy_b_let(b, "h", LOAD("c", U(0)));
  vy_b_let(b, "g", ATOMIC(ADD, "c", U(0), NULL, U(1)));
  const vy_expr *args[] = {U(1), U(2)};
  vy_b_let(b, "call", vy_b_call(b, "known.op", 2, args));
  vy_b_let(b, "narrow", CAST(U16, U(1)));
  vy_b_end(b);
}

typedef struct fault_case {
  const vy_program *p;
  size_t errors; /* expected error count */
} fault_case;

static vy_status validate_under(const vy_allocator *alloc, void *ctx) {
  const fault_case *fc = ctx;
  const vy_program *p = fc->p;
  vy_validate_options o;
  make_options(OPT_LOOKUP, &o);
  vy_diagnostics *d = NULL;
  vy_error err;
  vy_status st = vy_validate_with(p, &o, fake_lookup, alloc, &d, &err);
  if (st == VY_OK) {
    assert_int_equal(vy_diagnostics_error_count(d), fc->errors);
    vy_diagnostics_destroy(d);
  } else {
    assert_null(d);
    assert_int_equal(err.code, VY_E_NOMEM);
  }
  return st;
}

static void survives_allocation_failures(void **state) {
  (void)state;
  /* busy_program: X001, the seven of order_program, X021 on c, V022, X009 */
  fault_case fc = {build(busy_program, OPT_RAW), 11};
  assert_true(vy_fault_run_all(validate_under, &fc) > 5);
  vy_program_destroy((vy_program *)fc.p);
  fc = (fault_case){build(many_names, 0), 0};
  assert_true(vy_fault_run_all(validate_under, &fc) > 5);
  vy_program_destroy((vy_program *)fc.p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_rule_alone),
      cmocka_unit_test(every_code_is_covered),
      cmocka_unit_test(valid_programs_have_no_diagnostics),
      cmocka_unit_test(options_relax_rules),
      cmocka_unit_test(reports_in_preorder_with_paths),
      cmocka_unit_test(locations_are_reported),
      cmocka_unit_test(deep_statement_nesting),
      cmocka_unit_test(deep_expression),
      cmocka_unit_test(scales_linearly),
      cmocka_unit_test(calls_through_host_registry),
      cmocka_unit_test(random_programs),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(survives_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
