/* validate_expr.c - expression rules, static types, casts, atomics and calls
 * (vyre-ir.md §5.3, §2.2; vyre F/validate/expr_rules.rs, typecheck.rs,
 * uniformity.rs, atomic_rules.rs, cast.rs, bytes_rejection.rs::check_load).
 *
 * One recursive walk per statement expression computes, bottom-up, what vyre
 * gets from its separate expr_type / is_uniform / collect_expr_accesses
 * passes, and reports every rule in vyre's order. The recursion stops at the
 * depth limit (V033), so it is at most 130 frames deep whatever the input;
 * parts below the limit are not checked and have an unknown type, which only
 * affects programs that already have a V033 error.
 */
#include <stdio.h>
#include <string.h>

#include "program_int.h"
#include "validate_int.h"

#define NAMEF(s) (int)(s).len, (s).ptr

static const vy_vinfo UNKNOWN = {NULL, false};

static const vy_type *scalar(vy_type_kind k) { return vy_type_scalar(k); }
static bool is(const vy_type *t, vy_type_kind k) { return vy_vtype_is(t, k); }
static bool is_any(const vy_type *t, vy_type_kind a, vy_type_kind b) { return is(t, a) || is(t, b); }

vy_srcloc vy_vexpr_loc(const vy_vctx *c, const vy_expr *e) {
  return (e->loc.line || e->loc.col) ? e->loc : c->cur_node->loc;
}

static void access(vy_vctx *c, vy_str buffer, bool atomic) {
  uint32_t id = vy_vname_id(c, buffer.ptr, buffer.len);
  if (id == VY_VNONE || !vy_vgrow(c, (void **)&c->acc, &c->acc_cap, c->nacc + 1, sizeof *c->acc)) return;
  c->acc[c->nacc++] = (vy_vacc){id, atomic};
}

/* ---- casts (cast.rs; the legal set of vyre-ir.md §5.3) ------------------- */

static bool integer_like(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U8:
  case VY_TYPE_U16:
  case VY_TYPE_U32:
  case VY_TYPE_U64:
  case VY_TYPE_I8:
  case VY_TYPE_I16:
  case VY_TYPE_I32:
  case VY_TYPE_I64:
  case VY_TYPE_BOOL:
    return true;
  default:
    return false;
  }
}

static bool cast_is_valid(const vy_type *src, const vy_type *dst) {
  if (vy_type_equal(src, dst)) return true;
  vy_type_kind s = src->kind, d = dst->kind;
  if (integer_like(s) && integer_like(d)) return true;
  bool s_u32_i32_bool = s == VY_TYPE_U32 || s == VY_TYPE_I32 || s == VY_TYPE_BOOL;
  switch (d) {
  case VY_TYPE_VEC2U32:
    return s_u32_i32_bool || s == VY_TYPE_U64 || s == VY_TYPE_VEC4U32;
  case VY_TYPE_VEC4U32:
    return s_u32_i32_bool;
  case VY_TYPE_F32:
    return s_u32_i32_bool;
  case VY_TYPE_U32:
  case VY_TYPE_I32:
  case VY_TYPE_BOOL:
    return s == VY_TYPE_VEC2U32 || s == VY_TYPE_VEC4U32 || s == VY_TYPE_F32;
  case VY_TYPE_U64:
    return s == VY_TYPE_VEC2U32 || s == VY_TYPE_VEC4U32;
  default:
    return false;
  }
}

static unsigned int_bits(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U8:
  case VY_TYPE_I8:
    return 8;
  case VY_TYPE_U16:
  case VY_TYPE_I16:
    return 16;
  case VY_TYPE_U32:
  case VY_TYPE_I32:
    return 32;
  case VY_TYPE_U64:
  case VY_TYPE_I64:
    return 64;
  default:
    return 0;
  }
}

/* "[`u32`, `i32`, ...]": the legal targets of `src`, as vyre lists them. */
static const char *cast_targets_of(const vy_type *src, char *buf, size_t n) {
  static const vy_type_kind cand[] = {VY_TYPE_U8,      VY_TYPE_U16,     VY_TYPE_U32, VY_TYPE_U64,  VY_TYPE_I8,
                                      VY_TYPE_I16,     VY_TYPE_I32,     VY_TYPE_I64, VY_TYPE_BOOL, VY_TYPE_BYTES,
                                      VY_TYPE_VEC2U32, VY_TYPE_VEC4U32, VY_TYPE_F32};
  char t[64];
  size_t at = (size_t)snprintf(buf, n, "[`%s`", vy_vtype_name(src, t, sizeof t));
  for (size_t i = 0; i < sizeof cand / sizeof *cand && at < n; i++) {
    const vy_type *d = scalar(cand[i]);
    if (vy_type_equal(src, d) || !cast_is_valid(src, d)) continue;
    int w = snprintf(buf + at, n - at, ", `%s`", vy_type_kind_name(cand[i]));
    at += w < 0 ? 0 : (size_t)w;
  }
  if (at < n) snprintf(buf + at, n - at, "]");
  return buf;
}

static void check_cast(vy_vctx *c, const vy_expr *e, const vy_type *src) {
  const vy_type *dst = &e->u.cast.target;
  vy_srcloc loc = vy_vexpr_loc(c, e);
  char t1[64], t2[64], list[200];
  vy_vtype_name(dst, t2, sizeof t2);
  if (c->opts.cast_targets && ((unsigned)dst->kind >= VY_TYPE_COUNT || !c->opts.cast_targets[dst->kind]))
    vy_vdiag(c, false, "V034", loc,
             "the backend does not support cast target `%s`. Fix: cast to a type this backend supports, or "
             "validate for a backend that advertises `%s` casts",
             t2, t2);
  if (!src) return;
  vy_vtype_name(src, t1, sizeof t1);
  if (dst->kind == VY_TYPE_BYTES && src->kind != VY_TYPE_BYTES)
    vy_vdiag(c, false, "V023", loc,
             "cast from `%s` to bytes is unsupported. Fix: use buffer loads and stores directly for byte data", t1);
  else if (!cast_is_valid(src, dst))
    vy_vdiag(c, false, "V012", loc, "unsupported cast from `%s` to `%s`. Fix: cast `%s` to one of %s", t1, t2, t1,
             cast_targets_of(src, list, sizeof list));
  else if (int_bits(src->kind) && int_bits(dst->kind) && int_bits(dst->kind) < int_bits(src->kind))
    vy_vdiag(c, true, "V035", loc,
             "narrowing cast from `%s` to `%s` may truncate high bits. Fix: cast to a type at least as wide, or "
             "make sure the value fits first",
             t1, t2);
}

/* ---- operators (typecheck.rs) ------------------------------------------- */

/* LitU32(0), LitI32(0), LitF32(+-0), through any number of Casts. */
static bool static_zero(const vy_expr *e) {
  while (e->kind == VY_EXPR_CAST) e = e->u.cast.value;
  switch (e->kind) {
  case VY_EXPR_LIT_U32:
    return e->u.lit_u32 == 0;
  case VY_EXPR_LIT_I32:
    return e->u.lit_i32 == 0;
  case VY_EXPR_LIT_F32:
    return (e->u.lit_f32_bits & 0x7FFFFFFFu) == 0;
  default:
    return false;
  }
}

static bool arithmetic(vy_binop op) {
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_SUB:
  case VY_BINOP_MUL:
  case VY_BINOP_DIV:
  case VY_BINOP_SATURATING_ADD:
  case VY_BINOP_SATURATING_SUB:
  case VY_BINOP_SATURATING_MUL:
  case VY_BINOP_MIN:
  case VY_BINOP_MAX:
  case VY_BINOP_ABS_DIFF:
    return true;
  default:
    return false;
  }
}

static bool numeric(const vy_type *t) { return is(t, VY_TYPE_U32) || is(t, VY_TYPE_I32) || is(t, VY_TYPE_F32); }

static void check_arithmetic(vy_vctx *c, const vy_expr *e, const vy_type *l, const vy_type *r) {
  vy_binop op = e->u.bin.op;
  const char *on = vy_binop_name(op);
  vy_srcloc loc = vy_vexpr_loc(c, e);
  char tl[64], tr[64];
  vy_vtype_name(l, tl, sizeof tl);
  vy_vtype_name(r, tr, sizeof tr);
  if (l && r) {
    if (is_any(l, VY_TYPE_U64, VY_TYPE_I64) || is_any(r, VY_TYPE_U64, VY_TYPE_I64))
      vy_vdiag(c, false, "X028", loc,
               "`%s` received left `%s`, right `%s`: 64-bit integer arithmetic is not validated across backends. "
               "Fix: decompose it into a u32 pair with explicit carry",
               on, tl, tr);
    bool sat = op == VY_BINOP_SATURATING_ADD || op == VY_BINOP_SATURATING_SUB || op == VY_BINOP_SATURATING_MUL;
    if (sat && (!is(l, VY_TYPE_U32) || !is(r, VY_TYPE_U32)))
      vy_vdiag(c, false, "X030", loc,
               "saturating `%s` received left `%s`, right `%s`; it is defined for u32 only. Fix: cast both "
               "operands to u32, or clamp explicitly for i32/f32",
               on, tl, tr);
    if (op == VY_BINOP_ABS_DIFF && (is(l, VY_TYPE_I32) || is(r, VY_TYPE_I32)))
      vy_vdiag(c, false, "X031", loc,
               "abs_diff has left `%s`, right `%s` and can overflow on i32. Fix: cast the operands to u32 first, or "
               "rewrite it as an explicit branch",
               tl, tr);
  }
  const vy_type *side[2] = {l, r};
  for (int i = 0; i < 2; i++)
    if (is(side[i], VY_TYPE_BOOL))
      vy_vdiag(c, false, "X027", loc,
               "`%s` %s operand has type `bool`, but arithmetic needs `u32`, `i32` or `f32`. Fix: cast the operand "
               "to u32 or i32, or do not mix logical and arithmetic operators",
               on, i ? "right" : "left");
  if (numeric(l) && numeric(r) && !vy_type_equal(l, r))
    vy_vdiag(c, false, "X029", loc,
             "`%s` operands have different numeric types: left `%s`, right `%s`. Fix: cast one operand so both "
             "sides share a type (there is no implicit promotion)",
             on, tl, tr);
}

static void check_binop(vy_vctx *c, const vy_expr *e, const vy_type *l, const vy_type *r) {
  vy_binop op = e->u.bin.op;
  const char *on = vy_binop_name(op);
  vy_srcloc loc = vy_vexpr_loc(c, e);
  const vy_type *side[2] = {l, r};
  static const char *const sname[2] = {"left", "right"};
  char t[2][64];
  vy_vtype_name(l, t[0], sizeof t[0]);
  vy_vtype_name(r, t[1], sizeof t[1]);
  if ((op == VY_BINOP_DIV || op == VY_BINOP_MOD) && static_zero(e->u.bin.right))
    vy_vdiag(c, false, "V044", loc,
             "`%s` has a statically zero divisor. Fix: guard the divisor, use a select to substitute a non-zero "
             "value, or reject the input before building the program",
             on);
  if (arithmetic(op)) {
    check_arithmetic(c, e, l, r);
    return;
  }
  switch (op) {
  case VY_BINOP_MOD:
    for (int i = 0; i < 2; i++)
      if (side[i] && !is_any(side[i], VY_TYPE_U32, VY_TYPE_I32))
        vy_vdiag(c, false, "X032", loc,
                 "`mod` %s operand has type `%s`; mod is defined for `u32` and `i32` only. Fix: cast both operands "
                 "to the same integer type",
                 sname[i], t[i]);
    if (is_any(l, VY_TYPE_U32, VY_TYPE_I32) && is_any(r, VY_TYPE_U32, VY_TYPE_I32) && l->kind != r->kind)
      vy_vdiag(c, false, "X033", loc,
               "`mod` operands have different integer types: left `%s`, right `%s`. Fix: cast one operand so both "
               "sides share the type",
               t[0], t[1]);
    break;
  case VY_BINOP_BIT_AND:
  case VY_BINOP_BIT_OR:
  case VY_BINOP_BIT_XOR:
    if (!l || !r) break;
    for (int i = 0; i < 2; i++)
      if (!is_any(side[i], VY_TYPE_U32, VY_TYPE_I32))
        vy_vdiag(c, false, "X034", loc,
                 "`%s` %s operand has type `%s`; bitwise operands must be `u32` or `i32`. Fix: cast the operand to "
                 "u32 or i32",
                 on, sname[i], t[i]);
    if (!vy_type_equal(l, r))
      vy_vdiag(c, false, "X035", loc,
               "`%s` operands have different types: left `%s`, right `%s`. Fix: cast both operands to the same "
               "integer type",
               on, t[0], t[1]);
    break;
  case VY_BINOP_SHL:
  case VY_BINOP_SHR:
  case VY_BINOP_ROTATE_LEFT:
  case VY_BINOP_ROTATE_RIGHT:
    for (int i = 0; i < 2; i++)
      if (side[i] && !is(side[i], VY_TYPE_U32))
        vy_vdiag(c, false, "X036", loc,
                 "`%s` %s operand has type `%s`; shift and rotate operands must be `u32`. Fix: cast the operand to "
                 "u32",
                 on, sname[i], t[i]);
    break;
  case VY_BINOP_AND:
  case VY_BINOP_OR:
    for (int i = 0; i < 2; i++)
      if (side[i] && !is_any(side[i], VY_TYPE_U32, VY_TYPE_BOOL))
        vy_vdiag(c, false, "X037", loc,
                 "logical `%s` %s operand has type `%s`; it must be `u32` or `bool`. Fix: compare or cast the "
                 "operand to u32 or bool",
                 on, sname[i], t[i]);
    break;
  case VY_BINOP_EQ:
  case VY_BINOP_NE:
  case VY_BINOP_LT:
  case VY_BINOP_GT:
  case VY_BINOP_LE:
  case VY_BINOP_GE:
    if (l && r && !vy_type_equal(l, r))
      vy_vdiag(c, false, "X038", loc,
               "comparison `%s` has operands of different types: left `%s`, right `%s`. Fix: cast both operands to "
               "the same type before comparing",
               on, t[0], t[1]);
    break;
  case VY_BINOP_SHUFFLE:
  case VY_BINOP_BALLOT:
  case VY_BINOP_WAVE_REDUCE:
  case VY_BINOP_WAVE_BROADCAST:
    vy_vdiag(c, false, "X039", loc,
             "binary operation `%s` needs backend subgroup semantics that the validator cannot check. Fix: use the "
             "subgroup expressions (subgroup_add, subgroup_shuffle, subgroup_ballot) or remove it",
             on);
    break;
  default: /* wrapping ops, mul_high, opaque: no operand constraint */
    break;
  }
}

static const vy_type *binop_type(vy_binop op, const vy_type *l, const vy_type *r) {
  switch (vy_binop_result_rule(op)) {
  case VY_RT_SAME:
    return l && r && vy_type_equal(l, r) ? l : scalar(VY_TYPE_U32);
  case VY_RT_BOOL:
    return scalar(VY_TYPE_BOOL);
  default:
    return scalar(VY_TYPE_U32);
  }
}

static void check_unop(vy_vctx *c, const vy_expr *e, const vy_type *t) {
  if (!t) return;
  vy_unop op = e->u.un.op;
  const char *on = vy_unop_name(op);
  vy_srcloc loc = vy_vexpr_loc(c, e);
  char tn[64];
  vy_vtype_name(t, tn, sizeof tn);
  switch (op) {
  case VY_UNOP_NEGATE:
    if (is(t, VY_TYPE_I32))
      vy_vdiag(c, false, "X040", loc,
               "`negate` of an `i32` is rejected (i32::MIN has no negation). Fix: use `0 - x` for wrapping "
               "negation, cast to u32 first, or guard the minimum with a select");
    else if (!is_any(t, VY_TYPE_U32, VY_TYPE_F32))
      vy_vdiag(c, false, "X041", loc, "`negate` operand has type `%s`; it must be `u32` or `f32`. Fix: cast it", tn);
    break;
  case VY_UNOP_LOGICAL_NOT:
    if (!is_any(t, VY_TYPE_U32, VY_TYPE_BOOL))
      vy_vdiag(c, false, "X042", loc,
               "`logical_not` operand has type `%s`; it must be `u32` or `bool`. Fix: compare or cast the operand", tn);
    break;
  case VY_UNOP_BIT_NOT:
  case VY_UNOP_POPCOUNT:
  case VY_UNOP_CLZ:
  case VY_UNOP_CTZ:
  case VY_UNOP_REVERSE_BITS:
    if (!is_any(t, VY_TYPE_U32, VY_TYPE_I32) && !is(t, VY_TYPE_U64))
      vy_vdiag(c, false, "X043", loc,
               "`%s` operand has type `%s`; it must be `u32`, `i32` or `u64`. Fix: cast the operand to one of them", on,
               tn);
    break;
  case VY_UNOP_UNPACK4_LOW:
  case VY_UNOP_UNPACK4_HIGH:
  case VY_UNOP_UNPACK8_LOW:
  case VY_UNOP_UNPACK8_HIGH:
  case VY_UNOP_OPAQUE:
  case VY_UNOP_COUNT:
    vy_vdiag(c, false, "X045", loc,
             "unary operation `%s` is not recognized by the validator. Fix: use one of negate, logical_not, the "
             "bit-count ops or the f32 math ops",
             on);
    break;
  default: /* the f32 math ops, is_nan/is_inf/is_finite */
    if (!is(t, VY_TYPE_F32))
      vy_vdiag(c, false, "X044", loc, "`%s` operand has type `%s`; math ops take `f32`. Fix: cast the operand to f32",
               on, tn);
    break;
  }
}

static const vy_type *unop_type(vy_unop op, const vy_type *operand) {
  switch (vy_unop_result_rule(op)) {
  case VY_RT_SAME:
    return operand;
  case VY_RT_BOOL:
    return scalar(VY_TYPE_BOOL);
  case VY_RT_F32:
    return scalar(VY_TYPE_F32);
  default:
    return NULL;
  }
}

/* ---- atomics (atomic_rules.rs) ------------------------------------------ */

static void check_atomic(vy_vctx *c, const vy_expr *a, const vy_type *index, const vy_type *expected,
                         const vy_type *value) {
  vy_str name = a->u.atomic.buffer;
  const char *on = vy_atomic_op_name(a->u.atomic.op);
  vy_srcloc loc = vy_vexpr_loc(c, a);
  char t[64];
  if (a->u.atomic.ordering == VY_ORDERING_GRID_SYNC)
    vy_vdiag(c, false, "V042", loc,
             "atomic `%s` on buffer `%.*s` uses ordering `grid_sync`, which is for barriers only. Fix: use relaxed, "
             "acquire, release, acq_rel or seq_cst",
             on, NAMEF(name));
  if (index && !is(index, VY_TYPE_U32))
    vy_vdiag(c, false, "V027", loc, "atomic index on buffer `%.*s` has type `%s`, must be `u32`. Fix: cast it to u32",
             NAMEF(name), vy_vtype_name(index, t, sizeof t));
  const vy_buffer_decl *b = vy_vbuffer(c, name);
  if (!b) {
    vy_vdiag(c, false, "X025", loc, "atomic on unknown buffer `%.*s`. Fix: declare the buffer in the program",
             NAMEF(name));
    return;
  }
  if (b->access == VY_ACCESS_WORKGROUP)
    vy_vdiag(c, false, "V025", loc,
             "atomic `%s` on workgroup buffer `%.*s` is rejected by the memory model. Fix: use a read_write storage "
             "buffer for atomics",
             on, NAMEF(name));
  else if (b->access != VY_ACCESS_READ_WRITE)
    vy_vdiag(c, false, "V009", loc,
             "atomic `%s` targets `%s` buffer `%.*s`. Fix: declare `%.*s` read_write before issuing atomics on it", on,
             vy_access_name(b->access), NAMEF(name), NAMEF(name));
  if (b->element.kind == VY_TYPE_BYTES)
    vy_vdiag(c, false, "V013", loc,
             "atomic on buffer `%.*s` with element type `bytes` is not supported. Fix: use a typed u32 buffer",
             NAMEF(name));
  if (b->element.kind != VY_TYPE_U32)
    vy_vdiag(c, false, "V014", loc,
             "atomic on buffer `%.*s` with non-u32 element type `%s`. Fix: atomics support u32 elements only",
             NAMEF(name), vy_vtype_name(&b->element, t, sizeof t));
  if (value && !is(value, VY_TYPE_U32))
    vy_vdiag(c, false, "X046", loc, "atomic value has type `%s`, must be `u32`. Fix: cast the operand to u32",
             vy_vtype_name(value, t, sizeof t));
  bool cas = a->u.atomic.op == VY_ATOMIC_COMPARE_EXCHANGE;
  if (cas && !a->u.atomic.expected)
    vy_vdiag(c, false, "X047", loc,
             "compare_exchange atomic is missing its expected value. Fix: give the atomic an expected operand");
  else if (cas && expected && !is(expected, VY_TYPE_U32))
    vy_vdiag(c, false, "X048", loc, "compare_exchange expected value has type `%s`, must be `u32`. Fix: cast it to u32",
             vy_vtype_name(expected, t, sizeof t));
  else if (!cas && a->u.atomic.expected)
    vy_vdiag(c, false, "X049", loc,
             "atomic `%s` has an expected value, which only compare_exchange takes. Fix: drop the expected operand "
             "or use compare_exchange",
             on);
}

/* ---- calls (expr_rules.rs::validate_call) -------------------------------- */

static const vy_type *spelling_type(vy_str s) {
  static const struct {
    const char *a, *b;
    vy_type_kind k;
  } tab[] = {{"u8", "U8", VY_TYPE_U8},
             {"u16", "U16", VY_TYPE_U16},
             {"u32", "U32", VY_TYPE_U32},
             {"u64", "U64", VY_TYPE_U64},
             {"i8", "I8", VY_TYPE_I8},
             {"i16", "I16", VY_TYPE_I16},
             {"i32", "I32", VY_TYPE_I32},
             {"i64", "I64", VY_TYPE_I64},
             {"f32", "F32", VY_TYPE_F32},
             {"bool", "Bool", VY_TYPE_BOOL},
             {"bytes", "Bytes", VY_TYPE_BYTES},
             {"vec2<u32>", "Vec2U32", VY_TYPE_VEC2U32},
             {"vec4<u32>", "Vec4U32", VY_TYPE_VEC4U32}};
  for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
    if (vy_str_eq_c(s, tab[i].a, strlen(tab[i].a)) || vy_str_eq_c(s, tab[i].b, strlen(tab[i].b)))
      return scalar(tab[i].k);
  return NULL;
}

/* `args` are the static types of the call's arguments. */
static void check_call(vy_vctx *c, const vy_expr *e, const vy_type *const *args) {
  if (!c->lookup) return;
  vy_str id = e->u.call.op_id;
  vy_srcloc loc = vy_vexpr_loc(c, e);
  vy_op_signature sig;
  if (!c->lookup(c->opts.host_ops, id, &sig)) {
    vy_vdiag(c, false, "V016", loc,
             "call references unknown op `%.*s`. Fix: register the op in the host-op registry, or remove the call",
             NAMEF(id));
    return;
  }
  uint32_t argc = e->u.call.argc;
  if (argc != sig.ninputs) {
    vy_vdiag(c, false, "V020", loc,
             "call `%.*s` has %u arguments but its signature expects %u. Fix: pass exactly %u arguments in the order "
             "of the op signature",
             NAMEF(id), argc, sig.ninputs, sig.ninputs);
    return;
  }
  for (uint32_t i = 0; i < argc; i++) {
    vy_str pname = sig.input_names ? sig.input_names[i] : (vy_str){"?", 1};
    const vy_type *want = spelling_type(sig.input_types[i]);
    char t1[64], t2[64];
    if (!want)
      vy_vdiag(c, false, "V021", loc,
               "call `%.*s` signature input %u `%.*s` uses unknown type spelling `%.*s`. Fix: register the parameter "
               "with a known scalar or vector spelling (u8..u64, i8..i64, f32, bool, bytes, vec2<u32>, vec4<u32>)",
               NAMEF(id), i, NAMEF(pname), NAMEF(sig.input_types[i]));
    else if (args[i] && !vy_type_equal(args[i], want))
      vy_vdiag(c, false, "V022", loc,
               "call `%.*s` argument %u `%.*s` has type `%s` but the signature expects `%s`. Fix: cast the argument "
               "to `%s`",
               NAMEF(id), i, NAMEF(pname), vy_vtype_name(args[i], t1, sizeof t1), vy_vtype_name(want, t2, sizeof t2),
               t2);
  }
}

/* ---- opaque expressions ------------------------------------------------- */

static const vy_type *check_opaque(vy_vctx *c, const vy_expr *e) {
  static const struct {
    const char *kind;
    vy_type_kind ty;
  } builtin[] = {
      {"vyre.literal.u64", VY_TYPE_U64}, {"vyre.literal.i64", VY_TYPE_I64}, {"vyre.literal.f64", VY_TYPE_F64}};
  vy_str k = e->u.opaque.kind;
  vy_srcloc loc = vy_vexpr_loc(c, e);
  if (k.len == 0) {
    vy_vdiag(c, false, "V030", loc,
             "opaque expression has an empty extension kind. Fix: give the extension a stable non-empty namespace");
    return NULL;
  }
  for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
    if (!vy_str_eq_c(k, builtin[i].kind, strlen(builtin[i].kind))) continue;
    if (e->u.opaque.len != 8)
      vy_vdiag(c, false, "V030", loc,
               "opaque expression `%.*s` failed validation: its payload is %u bytes, not 8. Fix: encode the literal "
               "as exactly 8 little-endian bytes",
               NAMEF(k), e->u.opaque.len);
    return scalar(builtin[i].ty);
  }
  vy_vdiag(c, false, "V030", loc,
           "opaque expression `%.*s` has no static result type: no such extension is known. Fix: use a built-in "
           "expression or one of the vyre.literal.{u64,i64,f64} wide literals",
           NAMEF(k));
  return NULL;
}

/* ---- the walk ----------------------------------------------------------- */

static void check_subgroup(vy_vctx *c, const vy_expr *e) {
  if (!c->opts.supports_subgroup_ops)
    vy_vdiag(c, false, "V041", vy_vexpr_loc(c, e),
             "`%s` requires backend subgroup support. Fix: validate with supports_subgroup_ops for a backend that "
             "has subgroup operations, or avoid subgroup expressions",
             vy_expr_kind_name(e->kind));
}

static vy_vinfo walk(vy_vctx *c, const vy_expr *e, uint32_t depth);

static vy_vinfo walk_call(vy_vctx *c, const vy_expr *e, uint32_t depth) {
  size_t base = c->ntys;
  for (uint32_t i = 0; i < e->u.call.argc; i++) {
    vy_vinfo a = walk(c, e->u.call.args[i], depth + 1);
    if (!vy_vgrow(c, (void **)&c->tys, &c->tys_cap, c->ntys + 1, sizeof *c->tys)) return UNKNOWN;
    c->tys[c->ntys++] = a.ty;
  }
  check_call(c, e, c->tys ? c->tys + base : NULL); /* no argument seen yet: no array (NULL + 0 is undefined) */
  c->ntys = base;
  return UNKNOWN; /* a call's type is not known statically; never uniform */
}

static vy_vinfo walk(vy_vctx *c, const vy_expr *e, uint32_t depth) {
  if (c->oom) return UNKNOWN;
  if (depth > VY_V_MAX_EXPR_DEPTH) {
    vy_vdiag(c, false, "V033", vy_vexpr_loc(c, e),
             "expression nesting depth %u exceeds the maximum %u. Fix: split the expression into intermediate lets",
             depth, VY_V_MAX_EXPR_DEPTH);
    return UNKNOWN;
  }
  vy_srcloc loc = vy_vexpr_loc(c, e);
  switch (e->kind) {
  case VY_EXPR_LIT_U32:
    return (vy_vinfo){scalar(VY_TYPE_U32), true};
  case VY_EXPR_LIT_I32:
    return (vy_vinfo){scalar(VY_TYPE_I32), true};
  case VY_EXPR_LIT_BOOL:
    return (vy_vinfo){scalar(VY_TYPE_BOOL), true};
  case VY_EXPR_LIT_F32:
    return (vy_vinfo){scalar(VY_TYPE_F32), true};
  case VY_EXPR_VAR: {
    uint32_t id = vy_vname_id(c, e->u.var.ptr, e->u.var.len);
    const vy_vbinding *b = vy_vlookup(c, id);
    if (b) return (vy_vinfo){b->ty, b->uniform};
    if (id != VY_VNONE)
      vy_vdiag(c, false, "X022", loc, "reference to undeclared variable `%.*s`. Fix: declare it with a let first",
               NAMEF(e->u.var));
    return UNKNOWN;
  }
  case VY_EXPR_LOAD: {
    const vy_buffer_decl *b = vy_vbuffer(c, e->u.load.buffer);
    if (!b)
      vy_vdiag(c, false, "X023", loc, "load from unknown buffer `%.*s`. Fix: declare the buffer in the program",
               NAMEF(e->u.load.buffer));
    else if (b->element.kind == VY_TYPE_BYTES && !b->bytes_extraction)
      vy_vdiag(c, false, "V013", loc,
               "load from buffer `%.*s` with element type `bytes` is not supported. Fix: use a typed buffer, or set "
               "bytes_extraction on the buffer for a dedicated bytes-extraction op",
               NAMEF(e->u.load.buffer));
    access(c, e->u.load.buffer, false);
    walk(c, e->u.load.index, depth + 1);
    return (vy_vinfo){b ? &b->element : NULL, false};
  }
  case VY_EXPR_BUF_LEN:
    if (!vy_vbuffer(c, e->u.buf_len))
      vy_vdiag(c, false, "X024", loc, "buf_len of unknown buffer `%.*s`. Fix: declare the buffer in the program",
               NAMEF(e->u.buf_len));
    access(c, e->u.buf_len, false);
    return (vy_vinfo){scalar(VY_TYPE_U32), true};
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID:
    if (e->u.axis > 2)
      vy_vdiag(c, false, "X026", loc, "`%s` axis %u is out of range. Fix: use 0 (x), 1 (y) or 2 (z)",
               vy_expr_kind_name(e->kind), e->u.axis);
    return (vy_vinfo){scalar(VY_TYPE_U32), e->kind == VY_EXPR_WORKGROUP_ID};
  case VY_EXPR_BIN_OP: {
    vy_vinfo l = walk(c, e->u.bin.left, depth + 1);
    vy_vinfo r = walk(c, e->u.bin.right, depth + 1);
    check_binop(c, e, l.ty, r.ty);
    return (vy_vinfo){binop_type(e->u.bin.op, l.ty, r.ty), l.uniform && r.uniform};
  }
  case VY_EXPR_UN_OP: {
    vy_vinfo o = walk(c, e->u.un.operand, depth + 1);
    check_unop(c, e, o.ty);
    return (vy_vinfo){unop_type(e->u.un.op, o.ty), o.uniform};
  }
  case VY_EXPR_CALL:
    return walk_call(c, e, depth);
  case VY_EXPR_SELECT: {
    vy_vinfo k = walk(c, e->u.select.cond, depth + 1);
    vy_vinfo t = walk(c, e->u.select.if_true, depth + 1);
    vy_vinfo f = walk(c, e->u.select.if_false, depth + 1);
    bool same = t.ty && f.ty && vy_type_equal(t.ty, f.ty);
    char t1[64], t2[64];
    if (t.ty && f.ty && !same)
      vy_vdiag(c, false, "V029", loc,
               "select branches have different types: true `%s`, false `%s`. Fix: cast both branches to the same "
               "type",
               vy_vtype_name(t.ty, t1, sizeof t1), vy_vtype_name(f.ty, t2, sizeof t2));
    return (vy_vinfo){same ? t.ty : NULL, k.uniform && t.uniform && f.uniform};
  }
  case VY_EXPR_CAST: {
    vy_vinfo v = walk(c, e->u.cast.value, depth + 1);
    check_cast(c, e, v.ty);
    return (vy_vinfo){&e->u.cast.target, v.uniform};
  }
  case VY_EXPR_ATOMIC: {
    /* vyre checks the atomic before its operands; the operand types come
     * from walking them, so the atomic's errors are moved up front. */
    size_t mark = vy_vdiag_mark(c);
    access(c, e->u.atomic.buffer, true);
    vy_vinfo ix = walk(c, e->u.atomic.index, depth + 1);
    vy_vinfo ex = e->u.atomic.expected ? walk(c, e->u.atomic.expected, depth + 1) : UNKNOWN;
    vy_vinfo va = walk(c, e->u.atomic.value, depth + 1);
    size_t later = vy_vdiag_mark(c);
    check_atomic(c, e, ix.ty, ex.ty, va.ty);
    vy_vdiag_hoist(c, mark, later);
    return (vy_vinfo){scalar(VY_TYPE_U32), false};
  }
  case VY_EXPR_FMA: {
    const vy_expr *ops[3] = {e->u.fma.a, e->u.fma.b, e->u.fma.c};
    vy_vinfo v[3];
    for (int i = 0; i < 3; i++) v[i] = walk(c, ops[i], depth + 1);
    bool all_f32 = true;
    for (int i = 0; i < 3; i++) {
      char t[64];
      all_f32 &= is(v[i].ty, VY_TYPE_F32);
      if (v[i].ty && !is(v[i].ty, VY_TYPE_F32))
        vy_vdiag(c, false, "V028", loc,
                 "fma operand `%c` has type `%s`; fma takes three `f32` operands. Fix: cast the operand to f32, or "
                 "write the integer multiply-add explicitly",
                 "abc"[i], vy_vtype_name(v[i].ty, t, sizeof t));
    }
    return (vy_vinfo){all_f32 ? scalar(VY_TYPE_F32) : NULL, v[0].uniform && v[1].uniform && v[2].uniform};
  }
  case VY_EXPR_SUBGROUP_ADD:
    walk(c, e->u.subgroup_add, depth + 1);
    check_subgroup(c, e);
    return (vy_vinfo){scalar(VY_TYPE_U32), false};
  case VY_EXPR_SUBGROUP_SHUFFLE:
    walk(c, e->u.shuffle.value, depth + 1);
    walk(c, e->u.shuffle.lane, depth + 1);
    check_subgroup(c, e);
    return (vy_vinfo){scalar(VY_TYPE_U32), false};
  case VY_EXPR_SUBGROUP_BALLOT:
    walk(c, e->u.subgroup_ballot, depth + 1);
    check_subgroup(c, e);
    return (vy_vinfo){scalar(VY_TYPE_U32), false};
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    check_subgroup(c, e);
    return (vy_vinfo){scalar(VY_TYPE_U32), false};
  case VY_EXPR_OPAQUE:
    return (vy_vinfo){check_opaque(c, e), false};
  case VY_EXPR_COUNT:
    break;
  }
  return UNKNOWN;
}

vy_vinfo vy_vexpr_check(vy_vctx *c, const vy_expr *e, const char *slot) {
  c->slot = slot;
  return walk(c, e, 0);
}

/* Whether `e` reaches below the depth limit: a recursion that stops at the
 * limit, like the walk. */
static bool deeper_than_limit(const vy_expr *e, uint32_t depth) {
  if (depth > VY_V_MAX_EXPR_DEPTH) return true;
  for (uint32_t i = 0, n = vy_expr_child_count(e); i < n; i++) {
    const vy_expr *kid = vy_expr_child(e, i);
    if (kid && deeper_than_limit(kid, depth + 1)) return true;
  }
  return false;
}

void vy_vexpr_check_depth(vy_vctx *c, const vy_expr *e, const char *slot) {
  c->slot = slot;
  if (deeper_than_limit(e, 0))
    vy_vdiag(c, false, "V033", vy_vexpr_loc(c, e),
             "expression nesting depth exceeds the maximum %u. Fix: split the expression into intermediate lets",
             VY_V_MAX_EXPR_DEPTH);
}
