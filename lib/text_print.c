/* text_print.c - the printer of the text format (.vy).
 *
 * The output is canonical: one spelling per construct, two-space
 * indentation, minimal parentheses, shortest round-tripping float digits,
 * names quoted only when they must be. print(parse(print(p))) therefore
 * equals print(p), and parse(print(p)) equals p.
 *
 * The printer counts nesting exactly as the parser does (VY_TEXT_MAX_DEPTH in
 * text_int.h) and refuses a program whose text would be deeper than the
 * parser accepts, so everything it prints parses.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "program_int.h"
#include "text_int.h"
#include "utf8_int.h"
#include "vyre/text.h"

typedef struct printer {
  vy_bytes *out;
  vy_error *err;
  vy_status status; /* VY_OK until the first error */
  unsigned depth;
  unsigned indent;
} printer;

/* ---- output ---- */

static void put_n(printer *pr, const char *s, size_t n) {
  if (pr->status == VY_OK && vy_bytes_append(pr->out, s, n)) pr->status = vy_error_nomem(pr->err);
}

static void put(printer *pr, const char *s) { put_n(pr, s, strlen(s)); }

static void putf(printer *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(printer *pr, const char *fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  put_n(pr, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static bool fail(printer *pr, const char *msg) {
  if (pr->status == VY_OK) pr->status = vy_error_set(pr->err, VY_E_INVALID_ARGUMENT, "%s", msg);
  return false;
}

static bool enter(printer *pr) {
  if (pr->depth >= VY_TEXT_MAX_DEPTH)
    return fail(pr, "vy_text_print: the program nests deeper than the 256 levels the text format reads. Fix: flatten "
                    "it (bind subexpressions with let) or use the wire format");
  pr->depth++;
  return true;
}

static void leave(printer *pr) { pr->depth--; }

/* A table name, or an error for an enum value outside its table. */
static void put_enum(printer *pr, const char *name) {
  if (name[0] == '?') fail(pr, "vy_text_print: the program holds an enum value outside its table. Fix: build it "
                               "with the builder, the parser or the wire decoder");
  else put(pr, name);
}

static void newline(printer *pr) {
  put(pr, "\n");
  for (unsigned i = 0; i < pr->indent; i++) put(pr, "  ");
}

/* ---- strings and names ---- */

/* "..." with \" \\ \n \t \r escaped, other control bytes and bytes that are
 * not well-formed UTF-8 as \xNN, and valid UTF-8 written as is. */
static void put_string(printer *pr, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  put(pr, "\"");
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\') run++;
    if (run > i) {
      put_n(pr, str + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = s[i];
    size_t u = c >= 0x80 ? vy_utf8_seq_len(s + i, n - i) : 0;
    if (u) {
      put_n(pr, str + i, u);
      i += u;
      continue;
    }
    if (c == '"') put(pr, "\\\"");
    else if (c == '\\') put(pr, "\\\\");
    else if (c == '\n') put(pr, "\\n");
    else if (c == '\t') put(pr, "\\t");
    else if (c == '\r') put(pr, "\\r");
    else putf(pr, "\\x%02X", c);
    i++;
  }
  put(pr, "\"");
}

static void put_name(printer *pr, vy_str s) {
  if (vy_text_is_ident(s.ptr, s.len, false) && !vy_text_is_reserved(s.ptr, s.len)) put_n(pr, s.ptr, s.len);
  else put_string(pr, s.ptr, s.len);
}

/* Op ids and generators: dotted names stay bare. */
static void put_path(printer *pr, vy_str s) {
  if (vy_text_is_ident(s.ptr, s.len, false) ? !vy_text_is_reserved(s.ptr, s.len)
                                             : vy_text_is_ident(s.ptr, s.len, true))
    put_n(pr, s.ptr, s.len);
  else put_string(pr, s.ptr, s.len);
}

/* ---- floats ---- */

/* Rewrites the locale's decimal point in buf back to '.'. */
static void c_decimal_point(char *buf) {
  const char *dp = localeconv()->decimal_point;
  if (!dp || !*dp || strcmp(dp, ".") == 0) return;
  char *at = strstr(buf, dp);
  if (!at) return;
  size_t dl = strlen(dp);
  *at = '.';
  memmove(at + 1, at + dl, strlen(at + dl) + 1);
}

static bool round_trips(const char *buf, bool is64, uint64_t want) {
  if (is64) {
    uint64_t b;
    return vy_text_parse_f64(buf, strlen(buf), &b) && b == want;
  }
  uint32_t b;
  return vy_text_parse_f32(buf, strlen(buf), &b) && b == want;
}

/* Shortest decimal text of a finite, non-negative value that reads back to
 * the same bits: plain notation ("100.0", "0.001") for decimal exponents in
 * [-5, 16), scientific ("1e+20", "1.5e-07") otherwise. */
static void shortest(double v, bool is64, uint64_t bits, char *buf, size_t cap) {
  int max_digits = is64 ? 17 : 9, prec = 1;
  for (; prec < max_digits; prec++) {
    snprintf(buf, cap, "%.*e", prec - 1, v);
    c_decimal_point(buf);
    if (round_trips(buf, is64, bits)) break;
  }
  snprintf(buf, cap, "%.*e", prec - 1, v);
  c_decimal_point(buf);
  int exp10 = atoi(strchr(buf, 'e') + 1);
  if (exp10 < -5 || exp10 >= 16) return;
  char plain[512];
  int decimals = prec - 1 - exp10 > 1 ? prec - 1 - exp10 : 1;
  snprintf(plain, sizeof plain, "%.*f", decimals, v);
  c_decimal_point(plain);
  if (round_trips(plain, is64, bits) && strlen(plain) < cap) memcpy(buf, plain, strlen(plain) + 1);
}

static void put_f32(printer *pr, uint32_t bits) {
  uint32_t mag = bits & 0x7FFFFFFFu;
  const char *sign = bits >> 31 ? "-" : "";
  if (mag > 0x7F800000u) {
    if (bits == 0x7FC00000u) put(pr, "nan");
    else putf(pr, "f32_bits(0x%08X)", bits);
    return;
  }
  if (mag == 0x7F800000u) {
    putf(pr, "%sinf", sign);
    return;
  }
  float f;
  memcpy(&f, &mag, 4);
  char buf[64];
  shortest(f, false, mag, buf, sizeof buf);
  putf(pr, "%s%sf", sign, buf);
}

/* ---- types and predicates ---- */

static void put_type(printer *pr, const vy_type *t);

static void put_inner(printer *pr, const vy_type *t) {
  if (!t) fail(pr, "vy_text_print: a parameterized type has no element type. Fix: give every vec, tensor, sparse and "
                   "quantized type its element");
  else put_type(pr, t);
}

static void put_u32_list(printer *pr, uint32_t n, const uint32_t *v) {
  put(pr, "[");
  for (uint32_t i = 0; i < n; i++) putf(pr, "%s%u", i ? ", " : "", v[i]);
  put(pr, "]");
}

static void put_type(printer *pr, const vy_type *t) {
  if (!enter(pr)) return;
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    putf(pr, "array<%u>", t->u.array_element_size);
    break;
  case VY_TYPE_HANDLE:
    putf(pr, "handle<0x%X>", t->u.handle_id);
    break;
  case VY_TYPE_OPAQUE:
    putf(pr, "opaque<0x%X>", t->u.opaque_id);
    break;
  case VY_TYPE_VEC:
    put(pr, "vec<");
    put_inner(pr, t->u.vec.element);
    putf(pr, ", %u>", t->u.vec.count);
    break;
  case VY_TYPE_TENSOR_SHAPED:
    put(pr, "tensor<");
    put_inner(pr, t->u.tensor.element);
    put(pr, ", ");
    put_u32_list(pr, t->u.tensor.rank, t->u.tensor.dims);
    put(pr, ">");
    break;
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    put(pr, t->kind == VY_TYPE_SPARSE_CSR ? "sparse_csr<" : "sparse_coo<");
    put_inner(pr, t->u.sparse.element);
    put(pr, ">");
    break;
  case VY_TYPE_SPARSE_BSR:
    put(pr, "sparse_bsr<");
    put_inner(pr, t->u.bsr.element);
    putf(pr, ", %u, %u>", t->u.bsr.block_rows, t->u.bsr.block_cols);
    break;
  case VY_TYPE_DEVICE_MESH:
    put(pr, "device_mesh<");
    put_u32_list(pr, t->u.mesh.naxes, t->u.mesh.axes);
    put(pr, ">");
    break;
  case VY_TYPE_QUANTIZED:
    put(pr, "quantized<");
    put_inner(pr, t->u.quant.storage);
    put(pr, ", ");
    put_enum(pr, vy_qscale_name(t->u.quant.scale));
    if (t->u.quant.scale_param || t->u.quant.scale != VY_QSCALE_PER_TENSOR) putf(pr, "(%u)", t->u.quant.scale_param);
    put(pr, ", ");
    put_enum(pr, vy_qzero_name(t->u.quant.zero_point));
    if (t->u.quant.zero_point_param || t->u.quant.zero_point == VY_QZERO_PER_CHANNEL ||
        t->u.quant.zero_point == VY_QZERO_PER_GROUP)
      putf(pr, "(%u)", t->u.quant.zero_point_param);
    put(pr, ">");
    break;
  default:
    put_enum(pr, vy_type_kind_name(t->kind));
    break;
  }
  leave(pr);
}

static void put_shape(printer *pr, const vy_shape_pred *s) {
  if (!enter(pr)) return;
  static const char *const names[] = {[VY_SHAPE_AT_LEAST] = "at_least",       [VY_SHAPE_AT_MOST] = "at_most",
                                      [VY_SHAPE_EXACTLY] = "exactly",         [VY_SHAPE_MULTIPLE_OF] = "multiple_of",
                                      [VY_SHAPE_MOD_EQUALS] = "mod_equals",   [VY_SHAPE_AFFINE_RANGE] = "affine_range",
                                      [VY_SHAPE_AND] = "and",                 [VY_SHAPE_OR] = "or",
                                      [VY_SHAPE_NOT] = "not"};
  if ((unsigned)s->kind > VY_SHAPE_NOT) {
    put_enum(pr, "?");
    leave(pr);
    return;
  }
  put(pr, names[s->kind]);
  put(pr, "(");
  switch (s->kind) {
  case VY_SHAPE_MOD_EQUALS:
    putf(pr, "%u, %u", s->u.mod.modulus, s->u.mod.remainder);
    break;
  case VY_SHAPE_AFFINE_RANGE:
    putf(pr, "%lld, %lld, %lld, %lld", (long long)s->u.affine.scale, (long long)s->u.affine.offset,
         (long long)s->u.affine.min, (long long)s->u.affine.max);
    break;
  case VY_SHAPE_AND:
  case VY_SHAPE_OR:
    put_shape(pr, s->u.both.left);
    put(pr, ", ");
    put_shape(pr, s->u.both.right);
    break;
  case VY_SHAPE_NOT:
    put_shape(pr, s->u.inner);
    break;
  default:
    putf(pr, "%u", s->u.n);
    break;
  }
  put(pr, ")");
  leave(pr);
}

/* ---- expressions ---- */

static void put_full(printer *pr, const vy_expr *e);

static uint64_t le64(const uint8_t *b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
  return v;
}

/* The wide-literal kind of an Opaque expr: 'u', 'i', 'f' (finite f64), or 0. */
static char wide_kind(const vy_expr *e) {
  if (e->kind != VY_EXPR_OPAQUE || e->u.opaque.len != 8) return 0;
  vy_str k = e->u.opaque.kind;
  if (vy_str_eq_c(k, "vyre.literal.u64", 16)) return 'u';
  if (vy_str_eq_c(k, "vyre.literal.i64", 16)) return 'i';
  if (!vy_str_eq_c(k, "vyre.literal.f64", 16)) return 0;
  uint64_t b = le64(e->u.opaque.payload);
  return (b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull ? 0 : 'f';
}

/* Literals that '-' in front would turn into a negative literal. */
static bool is_numeric_literal(const vy_expr *e) {
  return e->kind == VY_EXPR_LIT_U32 || e->kind == VY_EXPR_LIT_I32 || e->kind == VY_EXPR_LIT_F32 || wide_kind(e);
}

static bool is_negative_literal(const vy_expr *e) {
  switch (e->kind) {
  case VY_EXPR_LIT_I32:
    return e->u.lit_i32 < 0;
  case VY_EXPR_LIT_F32: /* NaNs other than the canonical one print as f32_bits(...) */
    return (e->u.lit_f32_bits >> 31) && (e->u.lit_f32_bits & 0x7FFFFFFFu) <= 0x7F800000u;
  default: {
    char w = wide_kind(e);
    return (w == 'i' || w == 'f') && (le64(e->u.opaque.payload) >> 63);
  }
  }
}

static int expr_prec(const vy_expr *e) {
  int prec;
  if (e->kind == VY_EXPR_BIN_OP && vy_text_binop_infix(e->u.bin.op, &prec)) return prec;
  if (e->kind == VY_EXPR_UN_OP && !vy_text_unop_is_named(e->u.un.op) && e->u.un.op != VY_UNOP_OPAQUE)
    return VY_PREC_UNARY;
  return is_negative_literal(e) ? VY_PREC_UNARY : VY_PREC_PRIMARY;
}

static void put_expr(printer *pr, const vy_expr *e);

/* e in a position that needs at least min_prec; parenthesized otherwise. */
static void put_prec(printer *pr, const vy_expr *e, int min_prec) {
  if (!e) {
    put_full(pr, e); /* reports the missing operand */
  } else if (expr_prec(e) < min_prec) {
    put(pr, "(");
    put_full(pr, e);
    put(pr, ")");
  } else {
    put_expr(pr, e);
  }
}

/* A full expression position (statement operand, argument, index, inside
 * parentheses): the parser's parse_expr. */
static void put_full(printer *pr, const vy_expr *e) {
  if (!e) {
    fail(pr, "vy_text_print: an expression operand is NULL. Fix: build programs with the builder, the parser or the "
             "wire decoder");
    return;
  }
  if (!enter(pr)) return;
  put_prec(pr, e, VY_PREC_OR);
  leave(pr);
}

/* name(a, b, ...) with full-expression arguments. */
static void put_call(printer *pr, const char *name, unsigned n, const vy_expr *const *args) {
  put(pr, name);
  put(pr, "(");
  for (unsigned i = 0; i < n; i++) {
    if (i) put(pr, ", ");
    put_full(pr, args[i]);
  }
  put(pr, ")");
}

static void put_wide(printer *pr, const vy_expr *e, char w) {
  uint64_t v = le64(e->u.opaque.payload);
  if (w == 'u') {
    putf(pr, "%lluu64", (unsigned long long)v);
  } else if (w == 'i') {
    putf(pr, "%lldi64", (long long)v);
  } else {
    double d;
    uint64_t mag = v & 0x7FFFFFFFFFFFFFFFull;
    memcpy(&d, &mag, 8);
    char buf[64];
    shortest(d, true, mag, buf, sizeof buf);
    putf(pr, "%s%sf64", v >> 63 ? "-" : "", buf);
  }
}

static void put_atomic(printer *pr, const vy_expr *e) {
  put(pr, "atomic_");
  put_enum(pr, vy_atomic_op_name(e->u.atomic.op));
  if (e->u.atomic.op == VY_ATOMIC_OPAQUE) putf(pr, "<0x%X>", e->u.atomic.ext_id);
  put(pr, "(");
  put_name(pr, e->u.atomic.buffer);
  put(pr, "[");
  put_full(pr, e->u.atomic.index);
  put(pr, "], ");
  if (e->u.atomic.expected) {
    put_full(pr, e->u.atomic.expected);
    put(pr, ", ");
  }
  put_full(pr, e->u.atomic.value);
  put(pr, ", ");
  put_enum(pr, vy_ordering_name(e->u.atomic.ordering));
  put(pr, ")");
}

static void put_expr(printer *pr, const vy_expr *e) {
  int prec;
  const char *sym;
  const vy_expr *a[3];
  switch (e->kind) {
  case VY_EXPR_LIT_U32:
    putf(pr, "%u", e->u.lit_u32);
    break;
  case VY_EXPR_LIT_I32:
    putf(pr, "%di", e->u.lit_i32);
    break;
  case VY_EXPR_LIT_BOOL:
    put(pr, e->u.lit_bool ? "true" : "false");
    break;
  case VY_EXPR_LIT_F32:
    put_f32(pr, e->u.lit_f32_bits);
    break;
  case VY_EXPR_VAR:
    put_name(pr, e->u.var);
    break;
  case VY_EXPR_LOAD:
    put_name(pr, e->u.load.buffer);
    put(pr, "[");
    put_full(pr, e->u.load.index);
    put(pr, "]");
    break;
  case VY_EXPR_BUF_LEN:
    put(pr, "len(");
    put_name(pr, e->u.buf_len);
    put(pr, ")");
    break;
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID:
    put(pr, e->kind == VY_EXPR_INVOCATION_ID ? "gid" : e->kind == VY_EXPR_WORKGROUP_ID ? "wgid" : "lid");
    if (e->u.axis < 3) putf(pr, ".%c", 'x' + e->u.axis);
    else putf(pr, "(%u)", e->u.axis);
    break;
  case VY_EXPR_BIN_OP:
    a[0] = e->u.bin.left, a[1] = e->u.bin.right;
    if ((sym = vy_text_binop_infix(e->u.bin.op, &prec))) {
      put_prec(pr, a[0], prec);
      putf(pr, " %s ", sym);
      put_prec(pr, a[1], prec + 1);
    } else if (e->u.bin.op == VY_BINOP_OPAQUE) {
      putf(pr, "opaque_binop<0x%X>", e->u.bin.ext_id);
      put_call(pr, "", 2, a);
    } else {
      put_enum(pr, vy_binop_name(e->u.bin.op));
      put_call(pr, "", 2, a);
    }
    break;
  case VY_EXPR_UN_OP:
    a[0] = e->u.un.operand;
    if (e->u.un.op == VY_UNOP_OPAQUE) {
      putf(pr, "opaque_unop<0x%X>", e->u.un.ext_id);
      put_call(pr, "", 1, a);
    } else if (vy_text_unop_is_named(e->u.un.op)) {
      put_enum(pr, vy_unop_name(e->u.un.op));
      put_call(pr, "", 1, a);
    } else {
      put(pr, e->u.un.op == VY_UNOP_NEGATE ? "-" : e->u.un.op == VY_UNOP_BIT_NOT ? "~" : "!");
      if (!enter(pr)) break;
      if (e->u.un.op == VY_UNOP_NEGATE && a[0] && is_numeric_literal(a[0])) {
        put(pr, "(");
        put_full(pr, a[0]);
        put(pr, ")");
      } else {
        put_prec(pr, a[0], VY_PREC_UNARY);
      }
      leave(pr);
    }
    break;
  case VY_EXPR_CALL:
    put(pr, "call ");
    put_path(pr, e->u.call.op_id);
    put_call(pr, "", e->u.call.argc, e->u.call.args);
    break;
  case VY_EXPR_SELECT:
    a[0] = e->u.select.cond, a[1] = e->u.select.if_true, a[2] = e->u.select.if_false;
    put_call(pr, "select", 3, a);
    break;
  case VY_EXPR_CAST:
    put(pr, "cast<");
    put_type(pr, &e->u.cast.target);
    put(pr, ">");
    a[0] = e->u.cast.value;
    put_call(pr, "", 1, a);
    break;
  case VY_EXPR_ATOMIC:
    put_atomic(pr, e);
    break;
  case VY_EXPR_FMA:
    a[0] = e->u.fma.a, a[1] = e->u.fma.b, a[2] = e->u.fma.c;
    put_call(pr, "fma", 3, a);
    break;
  case VY_EXPR_SUBGROUP_ADD:
    put_call(pr, "subgroup_add", 1, &e->u.subgroup_add);
    break;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    a[0] = e->u.shuffle.value, a[1] = e->u.shuffle.lane;
    put_call(pr, "subgroup_shuffle", 2, a);
    break;
  case VY_EXPR_SUBGROUP_BALLOT:
    put_call(pr, "subgroup_ballot", 1, &e->u.subgroup_ballot);
    break;
  case VY_EXPR_SUBGROUP_LOCAL_ID:
    put(pr, "subgroup_local_id()");
    break;
  case VY_EXPR_SUBGROUP_SIZE:
    put(pr, "subgroup_size()");
    break;
  case VY_EXPR_OPAQUE: {
    char w = wide_kind(e);
    if (w) {
      put_wide(pr, e, w);
      break;
    }
    put(pr, "opaque(");
    put_string(pr, e->u.opaque.kind.ptr, e->u.opaque.kind.len);
    put(pr, ", ");
    put_string(pr, (const char *)e->u.opaque.payload, e->u.opaque.len);
    put(pr, ")");
    break;
  }
  default:
    put_enum(pr, "?");
    break;
  }
}

/* ---- statements ---- */

static void put_stmts(printer *pr, const vy_node_list *l);

/* " {" stmts "}" */
static void put_body(printer *pr, const vy_node_list *l) {
  put(pr, " {");
  if (!enter(pr)) return;
  pr->indent++;
  put_stmts(pr, l);
  pr->indent--;
  leave(pr);
  newline(pr);
  put(pr, "}");
}

static void put_if(printer *pr, const vy_node *n) {
  put(pr, "if ");
  put_full(pr, n->u.if_.cond);
  put_body(pr, &n->u.if_.then_body);
  const vy_node_list *el = &n->u.if_.else_body;
  if (el->count == 1 && el->items[0]->kind == VY_NODE_IF) {
    put(pr, " else ");
    if (!enter(pr)) return;
    put_if(pr, el->items[0]);
    leave(pr);
  } else if (el->count) {
    put(pr, " else");
    put_body(pr, el);
  }
}

static void put_node(printer *pr, const vy_node *n) {
  switch (n->kind) {
  case VY_NODE_LET:
    put(pr, "let ");
    put_name(pr, n->u.let.name);
    put(pr, " = ");
    put_full(pr, n->u.let.value);
    break;
  case VY_NODE_ASSIGN:
    put_name(pr, n->u.assign.name);
    put(pr, " = ");
    put_full(pr, n->u.assign.value);
    break;
  case VY_NODE_STORE:
    put_name(pr, n->u.store.buffer);
    put(pr, "[");
    put_full(pr, n->u.store.index);
    put(pr, "] = ");
    put_full(pr, n->u.store.value);
    break;
  case VY_NODE_IF:
    put_if(pr, n);
    break;
  case VY_NODE_LOOP:
    put(pr, "loop ");
    put_name(pr, n->u.loop.var);
    put(pr, " in ");
    put_full(pr, n->u.loop.from);
    put(pr, "..");
    put_full(pr, n->u.loop.to);
    put_body(pr, &n->u.loop.body);
    break;
  case VY_NODE_RETURN:
    put(pr, "return");
    break;
  case VY_NODE_BLOCK:
    put(pr, "block");
    put_body(pr, &n->u.block);
    break;
  case VY_NODE_BARRIER:
    put(pr, "barrier");
    if (n->u.barrier != VY_ORDERING_SEQ_CST) {
      put(pr, "(");
      put_enum(pr, vy_ordering_name(n->u.barrier));
      put(pr, ")");
    }
    break;
  case VY_NODE_INDIRECT_DISPATCH:
    put(pr, "indirect_dispatch(");
    put_name(pr, n->u.indirect.count_buffer);
    putf(pr, ", %llu)", (unsigned long long)n->u.indirect.count_offset);
    break;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    put(pr, n->kind == VY_NODE_ASYNC_LOAD ? "async_load(" : "async_store(");
    put_name(pr, n->u.async_copy.source);
    put(pr, ", ");
    put_name(pr, n->u.async_copy.destination);
    put(pr, ", ");
    put_full(pr, n->u.async_copy.offset);
    put(pr, ", ");
    put_full(pr, n->u.async_copy.size);
    put(pr, ", ");
    put_name(pr, n->u.async_copy.tag);
    put(pr, ")");
    break;
  case VY_NODE_ASYNC_WAIT:
  case VY_NODE_RESUME:
    put(pr, n->kind == VY_NODE_ASYNC_WAIT ? "async_wait(" : "resume(");
    put_name(pr, n->u.tag);
    put(pr, ")");
    break;
  case VY_NODE_REGION:
    put(pr, "region ");
    put_path(pr, n->u.region.generator);
    if (n->u.region.has_source) {
      put(pr, " source ");
      put_path(pr, n->u.region.source);
    }
    put_body(pr, &n->u.region.body);
    break;
  case VY_NODE_TRAP:
    put(pr, "trap(");
    put_full(pr, n->u.trap.address);
    put(pr, ", ");
    put_name(pr, n->u.trap.tag);
    put(pr, ")");
    break;
  case VY_NODE_ALL_REDUCE:
    put(pr, "all_reduce(");
    put_name(pr, n->u.all_reduce.buffer);
    put(pr, ", ");
    put_enum(pr, vy_collective_op_name(n->u.all_reduce.op));
    putf(pr, ", %u)", n->u.all_reduce.group);
    break;
  case VY_NODE_ALL_GATHER:
    put(pr, "all_gather(");
    put_name(pr, n->u.all_gather.input);
    put(pr, ", ");
    put_name(pr, n->u.all_gather.output);
    putf(pr, ", %u)", n->u.all_gather.group);
    break;
  case VY_NODE_REDUCE_SCATTER:
    put(pr, "reduce_scatter(");
    put_name(pr, n->u.reduce_scatter.input);
    put(pr, ", ");
    put_name(pr, n->u.reduce_scatter.output);
    put(pr, ", ");
    put_enum(pr, vy_collective_op_name(n->u.reduce_scatter.op));
    putf(pr, ", %u)", n->u.reduce_scatter.group);
    break;
  case VY_NODE_BROADCAST:
    put(pr, "broadcast(");
    put_name(pr, n->u.broadcast.buffer);
    putf(pr, ", %u, %u)", n->u.broadcast.root, n->u.broadcast.group);
    break;
  case VY_NODE_OPAQUE:
    put(pr, "opaque(");
    put_string(pr, n->u.opaque.kind.ptr, n->u.opaque.kind.len);
    put(pr, ", ");
    put_string(pr, (const char *)n->u.opaque.payload, n->u.opaque.len);
    put(pr, ")");
    break;
  default:
    put_enum(pr, "?");
    break;
  }
}

static void put_stmts(printer *pr, const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count && pr->status == VY_OK; i++) {
    newline(pr);
    put_node(pr, l->items[i]);
  }
}

/* ---- buffers and the program ---- */

static void put_buffer(printer *pr, const vy_buffer_decl *b) {
  newline(pr);
  put(pr, "buffer ");
  put_name(pr, b->name);
  put(pr, ": ");
  put_type(pr, &b->element);
  put(pr, " ");
  put_enum(pr, vy_access_name(b->access));
  if (b->access != VY_ACCESS_WORKGROUP || b->binding) putf(pr, " @%u", b->binding);
  if (b->count) putf(pr, " count(%u)", b->count);
  if (b->kind != vy_memory_kind_default(b->access)) {
    put(pr, " kind(");
    put_enum(pr, vy_memory_kind_name(b->kind));
    put(pr, ")");
  }
  if (b->is_output) put(pr, " output");
  if (b->pipeline_live_out) put(pr, " live_out");
  if (b->has_output_range)
    putf(pr, " range(%llu, %llu)", (unsigned long long)b->range_start, (unsigned long long)b->range_end);
  if (b->hints.has_coalesce_axis) putf(pr, " coalesce(%u)", b->hints.coalesce_axis);
  if (b->hints.preferred_alignment) putf(pr, " align(%u)", b->hints.preferred_alignment);
  if (b->hints.cache_locality != VY_LOCALITY_TEMPORAL) {
    put(pr, " locality(");
    put_enum(pr, vy_cache_locality_name(b->hints.cache_locality));
    put(pr, ")");
  }
  if (b->bytes_extraction) put(pr, " bytes_extraction");
  if (b->linear_type != VY_LINEAR_UNRESTRICTED) {
    put(pr, " linear(");
    put_enum(pr, vy_linear_type_name(b->linear_type));
    put(pr, ")");
  }
  if (b->shape_predicate) {
    put(pr, " shape(");
    put_shape(pr, b->shape_predicate);
    put(pr, ")");
  }
}

static void put_program(printer *pr, const vy_program *p) {
  put(pr, "program ");
  if (p->has_entry_op_id) {
    vy_str id = p->entry_op_id;
    /* the header words would be read as clauses */
    if (vy_str_eq_c(id, "workgroup", 9) || vy_str_eq_c(id, "non_composable_with_self", 24))
      put_string(pr, id.ptr, id.len);
    else
      put_path(pr, id);
    put(pr, " ");
  }
  const uint32_t *wg = p->workgroup_size;
  if (wg[1] == 1 && wg[2] == 1) putf(pr, "workgroup(%u)", wg[0]);
  else if (wg[2] == 1) putf(pr, "workgroup(%u, %u)", wg[0], wg[1]);
  else putf(pr, "workgroup(%u, %u, %u)", wg[0], wg[1], wg[2]);
  if (p->non_composable_with_self) put(pr, " non_composable_with_self");
  put(pr, " {");
  if (!enter(pr)) return;
  pr->indent++;
  for (uint32_t i = 0; i < p->nbuffers && pr->status == VY_OK; i++) put_buffer(pr, &p->buffers[i]);
  if (p->nbuffers && p->entry.count) put(pr, "\n");
  put_stmts(pr, &p->entry);
  pr->indent--;
  leave(pr);
  put(pr, "\n}\n");
}

vy_status vy_text_print(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  vy_error_clear(err);
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_text_print: out is NULL. Fix: pass a vy_bytes *");
  *out = (vy_bytes){.alloc = alloc};
  if (!p) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_text_print: program is NULL. Fix: pass a program");
  printer pr = {.out = out, .err = err};
  put_program(&pr, p);
  if (pr.status != VY_OK) vy_bytes_free(out);
  return pr.status;
}
