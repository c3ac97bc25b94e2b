/* text_parse.c - the parser of the text format (.vy): recursive descent over
 * the tokens of text_lex.c, building the program directly in its arena with
 * the constructors of program_int.h. The grammar is at the end of
 * include/vyre/text.h.
 *
 * Every function returns NULL/false on failure after recording the first
 * error in the parser (later errors never overwrite it). Nesting is bounded
 * by VY_TEXT_MAX_DEPTH, so no input can exhaust the stack. Heap scratch
 * (statement vectors, argument vectors, number lists) is freed on every path;
 * everything else lives in the program arena and goes with it on failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "program_int.h"
#include "text_int.h"
#include "vyre/text.h"

typedef struct parser {
  vy_lexer lx;
  vy_program *prog;
  const vy_allocator *alloc;
  const char *file;
  vy_error *err;
  vy_status status; /* VY_OK until the first error */
  unsigned depth;   /* current nesting, see VY_TEXT_MAX_DEPTH */
} parser;

#define CUR(p) (&(p)->lx.cur)

/* ---- errors ---- */

static void describe(const vy_token *t, char *buf, size_t cap) {
  switch (t->kind) {
  case VY_TOK_IDENT:
  case VY_TOK_DOTTED:
  case VY_TOK_INT:
  case VY_TOK_FLOAT:
  case VY_TOK_STRING: {
    static const char *const what[] = {[VY_TOK_IDENT] = "'", [VY_TOK_DOTTED] = "'", [VY_TOK_INT] = "number '",
                                       [VY_TOK_FLOAT] = "number '", [VY_TOK_STRING] = "string '"};
    size_t o = (size_t)snprintf(buf, cap, "%s", what[t->kind]);
    size_t n = t->len > 40 ? 40 : t->len;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
      unsigned char c = (unsigned char)t->start[i];
      o += (size_t)snprintf(buf + o, cap - o, c >= 0x20 && c < 0x7F ? "%c" : "\\x%02X", c);
    }
    snprintf(buf + o, cap - o, "%s'", t->len > n ? "..." : "");
    break;
  }
  default:
    snprintf(buf, cap, "%s", vy_text_tok_name(t->kind));
    break;
  }
}

static bool fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...) {
  if (p->status != VY_OK) return false;
  char msg[VY_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  p->status = vy_error_set_at(p->err, VY_E_PARSE, line, col, "%s:%u:%u: %s", p->file, line, col, msg);
  return false;
}

/* Reports an error at token t, or the lexer's error if t is where it failed. */
static bool fail_tok(parser *p, const vy_token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail_tok(parser *p, const vy_token *t, const char *fmt, ...) {
  if (t->kind == VY_TOK_ERROR) return fail_at(p, p->lx.err_line, p->lx.err_col, "%s", p->lx.err_msg);
  char msg[VY_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fail_at(p, t->line, t->col, "%s", msg);
}

/* "expected WHAT, found <current token>. Fix: FIX" */
static bool expected(parser *p, const char *what, const char *fix) {
  char found[96];
  describe(CUR(p), found, sizeof found);
  return fail_tok(p, CUR(p), "expected %s, found %s. Fix: %s", what, found, fix);
}

static bool nomem(parser *p) {
  if (p->status == VY_OK) p->status = vy_error_nomem(p->err);
  return false;
}

/* ---- token helpers ---- */

static void advance(parser *p) { vy_text_lex_advance(&p->lx); }

static bool accept(parser *p, vy_tok_kind k) {
  if (CUR(p)->kind != k) return false;
  advance(p);
  return true;
}

static bool expect(parser *p, vy_tok_kind k, const char *what, const char *fix) {
  return accept(p, k) || expected(p, what, fix);
}

static bool expect_word(parser *p, const char *word, const char *what, const char *fix) {
  if (!vy_text_tok_is(CUR(p), word)) return expected(p, what, fix);
  advance(p);
  return true;
}

/* '>' closing type arguments; splits a '>>' that closes two at once. */
static bool expect_gt(parser *p, const char *what) {
  if (CUR(p)->kind == VY_TOK_SHR) {
    vy_text_lex_split_shr(&p->lx);
    return true;
  }
  return expect(p, VY_TOK_GT, what, "close the type arguments with '>'");
}

static bool enter(parser *p, const vy_token *at) {
  if (p->depth >= VY_TEXT_MAX_DEPTH)
    return fail_tok(p, at, "nesting deeper than %u levels. Fix: flatten the program (bind subexpressions with let)",
                    VY_TEXT_MAX_DEPTH);
  p->depth++;
  return true;
}

static void leave(parser *p) { p->depth--; }

/* ---- names and numbers ---- */

static bool str_from_tok(parser *p, const vy_token *t, vy_str *out) {
  if (t->kind != VY_TOK_STRING) return vy_str_make(p->prog, t->start, t->len, out) || nomem(p);
  char *d = vy_arena_alloc(&p->prog->arena, t->str_len + 1);
  if (!d) return nomem(p);
  vy_text_decode_string(t, d);
  out->ptr = d;
  out->len = (uint32_t)t->str_len;
  return true;
}

/* NAME := IDENT (not reserved) | STRING */
static bool parse_name(parser *p, const char *what, vy_str *out) {
  const vy_token *t = CUR(p);
  if (t->kind == VY_TOK_IDENT && vy_text_is_reserved(t->start, t->len))
    return fail_tok(p, t, "'%.*s' is a reserved word and cannot be %s. Fix: quote it: \"%.*s\"", (int)t->len, t->start,
                    what, (int)t->len, t->start);
  if (t->kind == VY_TOK_DOTTED)
    return fail_tok(p, t, "'%.*s' contains '.', which a plain name cannot; expected %s. Fix: quote it: \"%.*s\"",
                    (int)(t->len > 64 ? 64 : t->len), t->start, what, (int)(t->len > 64 ? 64 : t->len), t->start);
  if (t->kind != VY_TOK_IDENT && t->kind != VY_TOK_STRING) {
    char w[96];
    snprintf(w, sizeof w, "%s (an identifier or a \"quoted string\")", what);
    return expected(p, w, "write a name here");
  }
  if (!str_from_tok(p, t, out)) return false;
  advance(p);
  return true;
}

/* PATH := IDENT (not reserved) | DOTTED | STRING  (op ids, generators) */
static bool parse_path(parser *p, const char *what, vy_str *out) {
  const vy_token *t = CUR(p);
  if (t->kind == VY_TOK_DOTTED) {
    if (!str_from_tok(p, t, out)) return false;
    advance(p);
    return true;
  }
  return parse_name(p, what, out);
}

static bool parse_u64(parser *p, const char *what, uint64_t max, uint64_t *out) {
  const vy_token *t = CUR(p);
  if (t->kind != VY_TOK_INT) {
    char w[96];
    snprintf(w, sizeof w, "%s (a number)", what);
    return expected(p, w, "write a plain integer such as 0, 16 or 0x10");
  }
  if (t->suffix != VY_SUF_NONE)
    return fail_tok(p, t, "%s takes a plain number, found '%.*s' with a type suffix. Fix: drop the suffix", what,
                    (int)t->len, t->start);
  if (t->ival > max)
    return fail_tok(p, t, "%s %llu is out of range. Fix: use a value from 0 to %llu", what,
                    (unsigned long long)t->ival, (unsigned long long)max);
  *out = t->ival;
  advance(p);
  return true;
}

static bool parse_u32(parser *p, const char *what, uint32_t *out) {
  uint64_t v = 0;
  if (!parse_u64(p, what, UINT32_MAX, &v)) return false;
  *out = (uint32_t)v;
  return true;
}

static bool parse_u8(parser *p, const char *what, uint8_t *out) {
  uint64_t v = 0;
  if (!parse_u64(p, what, UINT8_MAX, &v)) return false;
  *out = (uint8_t)v;
  return true;
}

static bool parse_i64(parser *p, const char *what, int64_t *out) {
  bool neg = accept(p, VY_TOK_MINUS);
  uint64_t v = 0;
  if (!parse_u64(p, what, (uint64_t)INT64_MAX + (neg ? 1u : 0u), &v)) return false;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

/* '(' u32 ')' after an attribute or keyword. */
static bool parse_paren_u32(parser *p, const char *what, uint32_t *out) {
  return expect(p, VY_TOK_LPAREN, "'('", "write the value in parentheses, e.g. count(16)") && parse_u32(p, what, out) &&
         expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
}

/* One of the names of an enum table: returns the index or -1 after an error. */
typedef const char *(*name_fn)(unsigned i);
static int parse_enum(parser *p, const char *what, unsigned count, name_fn name, const char *choices) {
  const vy_token *t = CUR(p);
  if (t->kind == VY_TOK_IDENT)
    for (unsigned i = 0; i < count; i++)
      if (vy_text_tok_is(t, name(i))) {
        advance(p);
        return (int)i;
      }
  char fix[256];
  snprintf(fix, sizeof fix, "use one of: %s", choices);
  expected(p, what, fix);
  return -1;
}

static const char *access_name(unsigned i) { return vy_access_name((vy_access)i); }
static const char *memkind_name(unsigned i) { return vy_memory_kind_name((vy_memory_kind)i); }
static const char *ordering_name(unsigned i) { return vy_ordering_name((vy_ordering)i); }
static const char *collective_name(unsigned i) { return vy_collective_op_name((vy_collective_op)i); }
static const char *locality_name(unsigned i) { return vy_cache_locality_name((vy_cache_locality)i); }
static const char *linear_name(unsigned i) { return vy_linear_type_name((vy_linear_type)i); }
static const char *qscale_name(unsigned i) { return vy_qscale_name((vy_qscale)i); }
static const char *qzero_name(unsigned i) { return vy_qzero_name((vy_qzero)i); }

#define ORDERINGS "relaxed, acquire, release, acq_rel, seq_cst, grid_sync"

static bool is_ordering(const vy_token *t) {
  for (unsigned i = 0; i < VY_ORDERING_COUNT; i++)
    if (vy_text_tok_is(t, ordering_name(i))) return true;
  return false;
}

/* '[' u32 (',' u32)* ']' into an arena array (tensor dims, mesh axes). */
static bool parse_u32_list(parser *p, const char *what, uint32_t *count, const uint32_t **out) {
  if (!expect(p, VY_TOK_LBRACKET, "'['", "write the list as [a, b, ...]")) return false;
  vy_bytes buf = {.alloc = p->alloc};
  bool ok = true;
  while (ok && CUR(p)->kind != VY_TOK_RBRACKET) {
    uint32_t v;
    if (buf.len && !expect(p, VY_TOK_COMMA, "',' or ']'", "separate list items with ','")) ok = false;
    else if (!parse_u32(p, what, &v)) ok = false;
    else if (vy_bytes_append(&buf, &v, sizeof v)) ok = nomem(p);
  }
  if (ok && buf.len / 4 > UINT32_MAX) ok = nomem(p);
  uint32_t *arr = NULL;
  if (ok && buf.len) {
    arr = vy_arena_alloc(&p->prog->arena, buf.len);
    if (!arr) ok = nomem(p);
    else memcpy(arr, buf.data, buf.len);
  }
  *count = (uint32_t)(buf.len / 4);
  *out = arr;
  vy_bytes_free(&buf);
  if (ok) advance(p); /* the loop stopped at ']' */
  return ok;
}

/* ---- types ---- */

static bool parse_type(parser *p, vy_type *out);

static const vy_type *parse_inner_type(parser *p) {
  vy_type *t = vy_arena_alloc(&p->prog->arena, sizeof *t);
  if (!t) return nomem(p), NULL;
  return parse_type(p, t) ? t : NULL;
}

static bool open_angle(parser *p, const char *type) {
  char w[64];
  snprintf(w, sizeof w, "'<' after '%.40s'", type);
  return expect(p, VY_TOK_LT, w, "write the type's parameters in angle brackets, e.g. vec<u32, 4>");
}

static bool comma(parser *p, const char *ctx) {
  char w[96];
  snprintf(w, sizeof w, "',' %s", ctx);
  return expect(p, VY_TOK_COMMA, w, "separate the parameters with ','");
}

static bool parse_quant(parser *p, vy_type *out) {
  out->u.quant.storage = parse_inner_type(p);
  if (!out->u.quant.storage || !comma(p, "after the storage type of quantized<...>")) return false;
  int s = parse_enum(p, "a quantization scale", VY_QSCALE_COUNT, qscale_name, "per_tensor, per_channel(N), per_group(N)");
  if (s < 0) return false;
  out->u.quant.scale = (vy_qscale)s;
  if (CUR(p)->kind == VY_TOK_LPAREN && !parse_paren_u32(p, "the scale parameter", &out->u.quant.scale_param))
    return false;
  if (!comma(p, "after the scale of quantized<...>")) return false;
  int z = parse_enum(p, "a zero point", VY_QZERO_COUNT, qzero_name, "absent, per_tensor, per_channel(N), per_group(N)");
  if (z < 0) return false;
  out->u.quant.zero_point = (vy_qzero)z;
  if (CUR(p)->kind == VY_TOK_LPAREN && !parse_paren_u32(p, "the zero-point parameter", &out->u.quant.zero_point_param))
    return false;
  return expect_gt(p, "'>' closing quantized<...>");
}

static bool parse_type_body(parser *p, vy_type *out) {
  const vy_token *t = CUR(p);
  if (t->kind != VY_TOK_IDENT) return expected(p, "a type", "write a type such as u32, f32 or vec<u32, 4>");
  memset(out, 0, sizeof *out);
  if (vy_text_tok_is(t, "vec2") || vy_text_tok_is(t, "vec4")) {
    out->kind = vy_text_tok_is(t, "vec2") ? VY_TYPE_VEC2U32 : VY_TYPE_VEC4U32;
    advance(p);
    return open_angle(p, out->kind == VY_TYPE_VEC2U32 ? "vec2" : "vec4") &&
           expect_word(p, "u32", "'u32'", "these vector types are written vec2<u32> and vec4<u32>") &&
           expect_gt(p, "'>'");
  }
  static const struct {
    const char *word;
    vy_type_kind kind;
  } payload[] = {{"array", VY_TYPE_ARRAY},           {"handle", VY_TYPE_HANDLE},         {"opaque", VY_TYPE_OPAQUE},
                 {"vec", VY_TYPE_VEC},               {"sparse_csr", VY_TYPE_SPARSE_CSR}, {"sparse_coo", VY_TYPE_SPARSE_COO},
                 {"sparse_bsr", VY_TYPE_SPARSE_BSR}, {"device_mesh", VY_TYPE_DEVICE_MESH}, {"quantized", VY_TYPE_QUANTIZED}};
  for (size_t i = 0; i < sizeof payload / sizeof payload[0]; i++) {
    if (!vy_text_tok_is(t, payload[i].word)) continue;
    out->kind = payload[i].kind;
    advance(p);
    if (!open_angle(p, payload[i].word)) return false;
    switch (out->kind) {
    case VY_TYPE_ARRAY:
      if (!parse_u32(p, "the array element size", &out->u.array_element_size)) return false;
      break;
    case VY_TYPE_HANDLE:
      if (!parse_u32(p, "the handle type id", &out->u.handle_id)) return false;
      break;
    case VY_TYPE_OPAQUE:
      if (!parse_u32(p, "the opaque type id", &out->u.opaque_id)) return false;
      break;
    case VY_TYPE_VEC:
      if (!(out->u.vec.element = parse_inner_type(p)) || !comma(p, "after the element type of vec<...>") ||
          !parse_u8(p, "the vec element count", &out->u.vec.count))
        return false;
      break;
    case VY_TYPE_SPARSE_CSR:
    case VY_TYPE_SPARSE_COO:
      if (!(out->u.sparse.element = parse_inner_type(p))) return false;
      break;
    case VY_TYPE_SPARSE_BSR:
      if (!(out->u.bsr.element = parse_inner_type(p)) || !comma(p, "after the element type of sparse_bsr<...>") ||
          !parse_u32(p, "the block rows", &out->u.bsr.block_rows) || !comma(p, "after the block rows") ||
          !parse_u32(p, "the block columns", &out->u.bsr.block_cols))
        return false;
      break;
    case VY_TYPE_DEVICE_MESH:
      if (!parse_u32_list(p, "a mesh axis", &out->u.mesh.naxes, &out->u.mesh.axes)) return false;
      break;
    default: /* QUANTIZED */
      return parse_quant(p, out);
    }
    return expect_gt(p, "'>' closing the type parameters");
  }
  if (vy_text_tok_is(t, "tensor") && vy_text_lex_peek(&p->lx)->kind == VY_TOK_LT) {
    out->kind = VY_TYPE_TENSOR_SHAPED;
    advance(p);
    advance(p);
    return (out->u.tensor.element = parse_inner_type(p)) && comma(p, "after the element type of tensor<...>") &&
           parse_u32_list(p, "a tensor dimension", &out->u.tensor.rank, &out->u.tensor.dims) &&
           expect_gt(p, "'>' closing tensor<...>");
  }
  for (unsigned k = 0; k < VY_TYPE_COUNT; k++) {
    const char *name = vy_type_kind_name((vy_type_kind)k);
    if (vy_type_scalar((vy_type_kind)k) && !strchr(name, '<') && vy_text_tok_is(t, name)) {
      out->kind = (vy_type_kind)k;
      advance(p);
      return true;
    }
  }
  return fail_tok(p, t,
                  "unknown type '%.*s'. Fix: use u32, i32, u64, i64, f32, bool, bytes, ... or a parameterized type "
                  "(see docs/text-format.md)",
                  (int)(t->len > 64 ? 64 : t->len), t->start);
}

static bool parse_type(parser *p, vy_type *out) {
  if (!enter(p, CUR(p))) return false;
  bool ok = parse_type_body(p, out);
  leave(p);
  return ok;
}

/* ---- shape predicates ---- */

static const vy_shape_pred *parse_shape(parser *p);

static const vy_shape_pred *parse_shape_body(parser *p) {
  const vy_token *t = CUR(p);
  static const struct {
    const char *word;
    vy_shape_pred_kind kind;
  } preds[] = {{"at_least", VY_SHAPE_AT_LEAST},   {"at_most", VY_SHAPE_AT_MOST},         {"exactly", VY_SHAPE_EXACTLY},
               {"multiple_of", VY_SHAPE_MULTIPLE_OF}, {"mod_equals", VY_SHAPE_MOD_EQUALS}, {"affine_range", VY_SHAPE_AFFINE_RANGE},
               {"and", VY_SHAPE_AND},             {"or", VY_SHAPE_OR},                   {"not", VY_SHAPE_NOT}};
  size_t i = 0;
  while (i < sizeof preds / sizeof preds[0] && !vy_text_tok_is(t, preds[i].word)) i++;
  if (i == sizeof preds / sizeof preds[0]) {
    expected(p, "a shape predicate",
             "use at_least(n), at_most(n), exactly(n), multiple_of(n), mod_equals(m, r), affine_range(scale, offset, "
             "min, max), and(p, q), or(p, q) or not(p)");
    return NULL;
  }
  vy_shape_pred *s = vy_arena_alloc(&p->prog->arena, sizeof *s);
  if (!s) return nomem(p), NULL;
  s->kind = preds[i].kind;
  advance(p);
  if (!expect(p, VY_TOK_LPAREN, "'(' after the predicate name", "write the arguments in parentheses")) return NULL;
  bool ok;
  switch (s->kind) {
  case VY_SHAPE_MOD_EQUALS:
    ok = parse_u32(p, "the modulus", &s->u.mod.modulus) && comma(p, "between the arguments") &&
         parse_u32(p, "the remainder", &s->u.mod.remainder);
    break;
  case VY_SHAPE_AFFINE_RANGE:
    ok = parse_i64(p, "the scale", &s->u.affine.scale) && comma(p, "between the arguments") &&
         parse_i64(p, "the offset", &s->u.affine.offset) && comma(p, "between the arguments") &&
         parse_i64(p, "the minimum", &s->u.affine.min) && comma(p, "between the arguments") &&
         parse_i64(p, "the maximum", &s->u.affine.max);
    break;
  case VY_SHAPE_AND:
  case VY_SHAPE_OR:
    ok = (s->u.both.left = parse_shape(p)) && comma(p, "between the predicates") &&
         (s->u.both.right = parse_shape(p));
    break;
  case VY_SHAPE_NOT:
    ok = (s->u.inner = parse_shape(p)) != NULL;
    break;
  default:
    ok = parse_u32(p, "the predicate value", &s->u.n);
    break;
  }
  return ok && expect(p, VY_TOK_RPAREN, "')' closing the predicate", "close the parentheses") ? s : NULL;
}

static const vy_shape_pred *parse_shape(parser *p) {
  if (!enter(p, CUR(p))) return NULL;
  const vy_shape_pred *s = parse_shape_body(p);
  leave(p);
  return s;
}

/* ---- expressions ---- */

static const vy_expr *parse_expr(parser *p);
static const vy_expr *parse_unary(parser *p);

static vy_expr *new_expr(parser *p, vy_expr_kind kind, const vy_token *at) {
  vy_expr *e = vy_expr_new(p->prog, kind);
  if (!e) return nomem(p), NULL;
  e->loc.line = at->line;
  e->loc.col = at->col;
  return e;
}

/* Opaque wide literal "vyre.literal.<kind>" with an 8-byte LE payload. */
static const vy_expr *wide_literal(parser *p, const vy_token *at, const char *kind, uint64_t v) {
  vy_expr *e = new_expr(p, VY_EXPR_OPAQUE, at);
  uint8_t *payload = e ? vy_arena_alloc(&p->prog->arena, 8) : NULL;
  if (!e || !payload || !vy_str_make(p->prog, kind, strlen(kind), &e->u.opaque.kind)) return nomem(p), NULL;
  for (int i = 0; i < 8; i++) payload[i] = (uint8_t)(v >> (8 * i));
  e->u.opaque.payload = payload;
  e->u.opaque.len = 8;
  return e;
}

/* A numeric literal (INT, FLOAT, inf, nan) at the current token; `minus` is
 * the '-' token in front of it, or NULL. */
static const vy_expr *parse_literal(parser *p, const vy_token *minus) {
  vy_token t = *CUR(p);
  const vy_token *at = minus ? minus : &t;
  bool neg = minus != NULL;
  advance(p);
  if (t.kind == VY_TOK_IDENT || t.kind == VY_TOK_FLOAT) { /* inf, nan or a float */
    if (t.kind == VY_TOK_FLOAT && t.suffix == VY_SUF_F64)
      return wide_literal(p, at, "vyre.literal.f64", t.fbits ^ (neg ? 0x8000000000000000ull : 0));
    vy_expr *e = new_expr(p, VY_EXPR_LIT_F32, at);
    if (!e) return NULL;
    uint32_t bits = t.kind == VY_TOK_FLOAT ? (uint32_t)t.fbits : vy_text_tok_is(&t, "inf") ? 0x7F800000u : 0x7FC00000u;
    e->u.lit_f32_bits = bits ^ (neg ? 0x80000000u : 0);
    return e;
  }
  const char *type = t.suffix == VY_SUF_I ? "i32" : t.suffix == VY_SUF_I64 ? "i64" : t.suffix == VY_SUF_U64 ? "u64" : "u32";
  bool is_signed = t.suffix == VY_SUF_I || t.suffix == VY_SUF_I64;
  if (neg && !is_signed) {
    fail_tok(p, at, "a %s literal cannot be negative. Fix: write %.*si for a negative i32, or -(%.*s) to negate", type,
             (int)t.len, t.start, (int)t.len, t.start);
    return NULL;
  }
  uint64_t max = t.suffix == VY_SUF_I ? (uint64_t)INT32_MAX + neg
               : t.suffix == VY_SUF_I64 ? (uint64_t)INT64_MAX + neg
               : t.suffix == VY_SUF_U64 ? UINT64_MAX
                                        : UINT32_MAX;
  if (t.ival > max) {
    fail_tok(p, at, "integer literal %s%llu does not fit in %s. Fix: use a value in range, or a wider suffix (u64, i64)",
             neg ? "-" : "", (unsigned long long)t.ival, type);
    return NULL;
  }
  uint64_t v = neg ? 0 - t.ival : t.ival;
  if (t.suffix == VY_SUF_U64) return wide_literal(p, at, "vyre.literal.u64", v);
  if (t.suffix == VY_SUF_I64) return wide_literal(p, at, "vyre.literal.i64", v);
  vy_expr *e = new_expr(p, t.suffix == VY_SUF_I ? VY_EXPR_LIT_I32 : VY_EXPR_LIT_U32, at);
  if (!e) return NULL;
  if (t.suffix == VY_SUF_I)
    e->u.lit_i32 = (int32_t)(uint32_t)v;
  else
    e->u.lit_u32 = (uint32_t)v;
  return e;
}

/* '(' e1, ..., en ')' with exactly n arguments. */
static bool parse_args(parser *p, const char *fn, unsigned n, const vy_expr **out) {
  char w[96];
  snprintf(w, sizeof w, "'(' after '%s'", fn);
  if (!expect(p, VY_TOK_LPAREN, w, "write the arguments in parentheses")) return false;
  for (unsigned i = 0; i < n; i++) {
    snprintf(w, sizeof w, "',' before argument %u of '%s' (it takes %u)", i + 1, fn, n);
    if (i > 0 && !expect(p, VY_TOK_COMMA, w, "separate the arguments with ','")) return false;
    if (!(out[i] = parse_expr(p))) return false;
  }
  snprintf(w, sizeof w, "')' after the %u argument%s of '%s'", n, n == 1 ? "" : "s", fn);
  return expect(p, VY_TOK_RPAREN, w, "close the argument list (check the argument count)");
}

/* '<' u32 '>' : the extension id of an opaque operator. */
static bool parse_ext_id(parser *p, const char *fn, uint32_t *id) {
  return open_angle(p, fn) && parse_u32(p, "the extension id", id) && expect_gt(p, "'>' after the extension id");
}

/* atomic_<op>(buf[index], [expected,] value [, ordering]) */
static const vy_expr *parse_atomic(parser *p, const vy_token *at, vy_atomic_op op, const char *fn) {
  vy_expr *e = new_expr(p, VY_EXPR_ATOMIC, at);
  if (!e) return NULL;
  e->u.atomic.op = op;
  e->u.atomic.ordering = VY_ORDERING_SEQ_CST;
  if (op == VY_ATOMIC_OPAQUE && !parse_ext_id(p, fn, &e->u.atomic.ext_id)) return NULL;
  char w[96];
  snprintf(w, sizeof w, "'(' after '%s'", fn);
  if (!expect(p, VY_TOK_LPAREN, w, "write atomic_add(buf[i], value, seq_cst)") ||
      !parse_name(p, "an atomic's buffer", &e->u.atomic.buffer) ||
      !expect(p, VY_TOK_LBRACKET, "'[' after the atomic's buffer", "address the element as buf[index]") ||
      !(e->u.atomic.index = parse_expr(p)) ||
      !expect(p, VY_TOK_RBRACKET, "']' after the atomic's index", "close the index with ']'") ||
      !expect(p, VY_TOK_COMMA, "',' before the atomic's value", "write atomic_add(buf[i], value, seq_cst)") ||
      !(e->u.atomic.value = parse_expr(p)))
    return NULL;
  if (accept(p, VY_TOK_COMMA)) {
    bool have_ordering = is_ordering(CUR(p));
    if (!have_ordering) {
      e->u.atomic.expected = e->u.atomic.value;
      if (!(e->u.atomic.value = parse_expr(p))) return NULL;
      if (accept(p, VY_TOK_COMMA)) have_ordering = true;
    }
    if (have_ordering) {
      int o = parse_enum(p, "a memory ordering", VY_ORDERING_COUNT, ordering_name, ORDERINGS);
      if (o < 0) return NULL;
      e->u.atomic.ordering = (vy_ordering)o;
    }
  }
  return expect(p, VY_TOK_RPAREN, "')' closing the atomic",
                "an atomic takes buf[index], an optional expected value, the value and an optional ordering")
             ? e
             : NULL;
}

/* call PATH(args...) */
static const vy_expr *parse_call(parser *p, const vy_token *at) {
  vy_expr *e = new_expr(p, VY_EXPR_CALL, at);
  if (!e || !parse_path(p, "the op id of a call", &e->u.call.op_id) ||
      !expect(p, VY_TOK_LPAREN, "'(' after the op id", "write call op.id(arg, ...)"))
    return NULL;
  vy_ptrvec args;
  vy_ptrvec_init(&args, p->alloc);
  bool ok = true;
  while (ok && CUR(p)->kind != VY_TOK_RPAREN) {
    const vy_expr *a = NULL;
    if (args.count && !expect(p, VY_TOK_COMMA, "',' or ')' in the call's arguments", "separate arguments with ','"))
      ok = false;
    else if (!(a = parse_expr(p)))
      ok = false;
    else if (vy_ptrvec_push(&args, (void *)a))
      ok = nomem(p);
  }
  if (ok && args.count) {
    const vy_expr **arr = vy_arena_array(&p->prog->arena, args.count, sizeof *arr);
    if (!arr || args.count > UINT32_MAX) ok = nomem(p);
    else {
      memcpy(arr, args.items, args.count * sizeof *arr);
      e->u.call.args = arr;
      e->u.call.argc = (uint32_t)args.count;
    }
  }
  vy_ptrvec_free(&args);
  if (!ok) return NULL;
  advance(p); /* the loop stopped at ')' */
  return e;
}

/* gid.x / gid(N) and the workgroup / local variants. */
static const vy_expr *parse_id(parser *p, const vy_token *t) {
  static const struct {
    const char *word;
    vy_expr_kind kind;
  } ids[] = {{"gid", VY_EXPR_INVOCATION_ID}, {"wgid", VY_EXPR_WORKGROUP_ID}, {"lid", VY_EXPR_LOCAL_ID}};
  size_t base = t->len;
  if (t->kind == VY_TOK_DOTTED) base = (size_t)((const char *)memchr(t->start, '.', t->len) - t->start);
  for (size_t i = 0; i < 3; i++) {
    if (strlen(ids[i].word) != base || memcmp(t->start, ids[i].word, base) != 0) continue;
    vy_token at = *t;
    vy_expr *e = new_expr(p, ids[i].kind, &at);
    if (!e) return NULL;
    if (t->kind == VY_TOK_DOTTED) {
      const char *axis = t->start + base + 1;
      if (t->len - base - 1 != 1 || (*axis != 'x' && *axis != 'y' && *axis != 'z')) break;
      e->u.axis = (uint8_t)(*axis - 'x');
      advance(p);
      return e;
    }
    advance(p);
    if (CUR(p)->kind != VY_TOK_LPAREN) {
      char w[64];
      snprintf(w, sizeof w, "'.x', '.y', '.z' or '(axis)' after '%s'", ids[i].word);
      expected(p, w, "write the axis without spaces, e.g. gid.x");
      return NULL;
    }
    advance(p);
    return parse_u8(p, "the axis", &e->u.axis) && expect(p, VY_TOK_RPAREN, "')' after the axis", "close the parentheses")
               ? e
               : NULL;
  }
  fail_tok(p, t,
           "unexpected dotted name '%.*s' in an expression. Fix: ids are gid.x, wgid.y, lid.z (x, y or z); quote "
           "a variable or buffer whose name contains '.'",
           (int)(t->len > 64 ? 64 : t->len), t->start);
  return NULL;
}

/* A variable, or a load name[index]. */
static const vy_expr *parse_var_or_load(parser *p) {
  vy_token at = *CUR(p);
  vy_str name;
  if (!parse_name(p, "a variable or buffer", &name)) return NULL;
  if (!accept(p, VY_TOK_LBRACKET)) {
    vy_expr *e = new_expr(p, VY_EXPR_VAR, &at);
    if (e) e->u.var = name;
    return e;
  }
  vy_expr *e = new_expr(p, VY_EXPR_LOAD, &at);
  if (!e) return NULL;
  e->u.load.buffer = name;
  return (e->u.load.index = parse_expr(p)) && expect(p, VY_TOK_RBRACKET, "']' after the index", "close the index with ']'")
             ? e
             : NULL;
}

/* Builtins that are reserved words: returns NULL with no error recorded if
 * `t` is not one (the caller reports it). */
static const vy_expr *parse_builtin(parser *p, bool *matched) {
  vy_token t = *CUR(p);
  *matched = true;
  const vy_expr *a[3];
  vy_expr *e;
  if (vy_text_tok_is(&t, "true") || vy_text_tok_is(&t, "false")) {
    advance(p);
    if ((e = new_expr(p, VY_EXPR_LIT_BOOL, &t))) e->u.lit_bool = vy_text_tok_is(&t, "true");
    return e;
  }
  if (vy_text_tok_is(&t, "inf") || vy_text_tok_is(&t, "nan")) return parse_literal(p, NULL);
  if (vy_text_tok_is(&t, "gid") || vy_text_tok_is(&t, "wgid") || vy_text_tok_is(&t, "lid")) return parse_id(p, &t);
  static const struct {
    const char *word;
    vy_expr_kind kind;
    unsigned argc;
  } fixed[] = {{"select", VY_EXPR_SELECT, 3},           {"fma", VY_EXPR_FMA, 3},
               {"subgroup_add", VY_EXPR_SUBGROUP_ADD, 1}, {"subgroup_shuffle", VY_EXPR_SUBGROUP_SHUFFLE, 2},
               {"subgroup_ballot", VY_EXPR_SUBGROUP_BALLOT, 1}, {"subgroup_local_id", VY_EXPR_SUBGROUP_LOCAL_ID, 0},
               {"subgroup_size", VY_EXPR_SUBGROUP_SIZE, 0}};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    if (!vy_text_tok_is(&t, fixed[i].word)) continue;
    advance(p);
    if (!(e = new_expr(p, fixed[i].kind, &t)) || !parse_args(p, fixed[i].word, fixed[i].argc, a)) return NULL;
    switch (fixed[i].kind) {
    case VY_EXPR_SELECT:
      e->u.select.cond = a[0], e->u.select.if_true = a[1], e->u.select.if_false = a[2];
      break;
    case VY_EXPR_FMA:
      e->u.fma.a = a[0], e->u.fma.b = a[1], e->u.fma.c = a[2];
      break;
    case VY_EXPR_SUBGROUP_ADD:
      e->u.subgroup_add = a[0];
      break;
    case VY_EXPR_SUBGROUP_SHUFFLE:
      e->u.shuffle.value = a[0], e->u.shuffle.lane = a[1];
      break;
    case VY_EXPR_SUBGROUP_BALLOT:
      e->u.subgroup_ballot = a[0];
      break;
    default:
      break;
    }
    return e;
  }
  if (vy_text_tok_is(&t, "f32_bits")) {
    advance(p);
    if (!(e = new_expr(p, VY_EXPR_LIT_F32, &t))) return NULL;
    return parse_paren_u32(p, "the f32 bit pattern", &e->u.lit_f32_bits) ? e : NULL;
  }
  if (vy_text_tok_is(&t, "len")) {
    advance(p);
    if (!(e = new_expr(p, VY_EXPR_BUF_LEN, &t))) return NULL;
    return expect(p, VY_TOK_LPAREN, "'(' after 'len'", "write len(buffer)") &&
                   parse_name(p, "the buffer of len()", &e->u.buf_len) &&
                   expect(p, VY_TOK_RPAREN, "')' after the buffer name", "len() takes one buffer name")
               ? e
               : NULL;
  }
  if (vy_text_tok_is(&t, "cast")) {
    advance(p);
    if (!(e = new_expr(p, VY_EXPR_CAST, &t))) return NULL;
    return open_angle(p, "cast") && parse_type(p, &e->u.cast.target) && expect_gt(p, "'>' after the cast's type") &&
                   parse_args(p, "cast", 1, a) && (e->u.cast.value = a[0])
               ? e
               : NULL;
  }
  if (vy_text_tok_is(&t, "call")) {
    advance(p);
    return parse_call(p, &t);
  }
  if (vy_text_tok_is(&t, "opaque")) {
    advance(p);
    vy_token kind, payload;
    if (!(e = new_expr(p, VY_EXPR_OPAQUE, &t)) ||
        !expect(p, VY_TOK_LPAREN, "'(' after 'opaque'", "write opaque(\"kind\", \"payload\")"))
      return NULL;
    kind = *CUR(p);
    if (!expect(p, VY_TOK_STRING, "the extension kind (a string)", "write opaque(\"kind\", \"payload\")") ||
        !str_from_tok(p, &kind, &e->u.opaque.kind) || !comma(p, "after the extension kind"))
      return NULL;
    payload = *CUR(p);
    vy_str bytes;
    if (!expect(p, VY_TOK_STRING, "the payload (a string)", "write the payload bytes as a string, e.g. \"\\x01\\x02\"") ||
        !str_from_tok(p, &payload, &bytes) || !expect(p, VY_TOK_RPAREN, "')' after the payload", "close the parentheses"))
      return NULL;
    e->u.opaque.payload = (const uint8_t *)bytes.ptr;
    e->u.opaque.len = bytes.len;
    return e;
  }
  if (vy_text_tok_is(&t, "opaque_binop") || vy_text_tok_is(&t, "opaque_unop")) {
    bool bin = vy_text_tok_is(&t, "opaque_binop");
    const char *fn = bin ? "opaque_binop" : "opaque_unop";
    advance(p);
    if (!(e = new_expr(p, bin ? VY_EXPR_BIN_OP : VY_EXPR_UN_OP, &t))) return NULL;
    uint32_t id;
    if (!parse_ext_id(p, fn, &id) || !parse_args(p, fn, bin ? 2 : 1, a)) return NULL;
    if (bin)
      e->u.bin.op = VY_BINOP_OPAQUE, e->u.bin.ext_id = id, e->u.bin.left = a[0], e->u.bin.right = a[1];
    else
      e->u.un.op = VY_UNOP_OPAQUE, e->u.un.ext_id = id, e->u.un.operand = a[0];
    return e;
  }
  if (t.len > 7 && memcmp(t.start, "atomic_", 7) == 0)
    for (unsigned i = 0; i < VY_ATOMIC_COUNT; i++) {
      const char *n = vy_atomic_op_name((vy_atomic_op)i);
      if (strlen(n) != t.len - 7 || memcmp(t.start + 7, n, t.len - 7) != 0) continue;
      char fn[64];
      snprintf(fn, sizeof fn, "atomic_%s", n);
      advance(p);
      return parse_atomic(p, &t, (vy_atomic_op)i, fn);
    }
  for (unsigned i = 0; i < VY_BINOP_COUNT; i++) {
    if (!vy_text_binop_is_named((vy_binop)i) || !vy_text_tok_is(&t, vy_binop_name((vy_binop)i))) continue;
    advance(p);
    if (!(e = new_expr(p, VY_EXPR_BIN_OP, &t)) || !parse_args(p, vy_binop_name((vy_binop)i), 2, a)) return NULL;
    e->u.bin.op = (vy_binop)i, e->u.bin.left = a[0], e->u.bin.right = a[1];
    return e;
  }
  for (unsigned i = 0; i < VY_UNOP_COUNT; i++) {
    if (!vy_text_unop_is_named((vy_unop)i) || !vy_text_tok_is(&t, vy_unop_name((vy_unop)i))) continue;
    advance(p);
    if (!(e = new_expr(p, VY_EXPR_UN_OP, &t)) || !parse_args(p, vy_unop_name((vy_unop)i), 1, a)) return NULL;
    e->u.un.op = (vy_unop)i, e->u.un.operand = a[0];
    return e;
  }
  *matched = false;
  return NULL;
}

static const vy_expr *parse_primary(parser *p) {
  const vy_token *t = CUR(p);
  switch (t->kind) {
  case VY_TOK_INT:
  case VY_TOK_FLOAT:
    return parse_literal(p, NULL);
  case VY_TOK_LPAREN: {
    advance(p);
    const vy_expr *e = parse_expr(p);
    return e && expect(p, VY_TOK_RPAREN, "')'", "close the parenthesis") ? e : NULL;
  }
  case VY_TOK_STRING:
    return parse_var_or_load(p);
  case VY_TOK_DOTTED:
    return parse_id(p, t);
  case VY_TOK_IDENT: {
    if (!vy_text_is_reserved(t->start, t->len)) {
      if (vy_text_lex_peek(&p->lx)->kind == VY_TOK_LPAREN) {
        fail_tok(p, t,
                 "unknown function '%.*s'. Fix: call a registered op with call %.*s(...); builtins are listed in "
                 "docs/text-format.md",
                 (int)t->len, t->start, (int)t->len, t->start);
        return NULL;
      }
      return parse_var_or_load(p);
    }
    bool matched;
    const vy_expr *e = parse_builtin(p, &matched);
    if (matched) return e;
    fail_tok(p, t,
             "'%.*s' is a reserved word and cannot be used in an expression. Fix: quote a variable or buffer of "
             "that name: \"%.*s\"",
             (int)t->len, t->start, (int)t->len, t->start);
    return NULL;
  }
  default:
    expected(p, "an expression", "write a literal, a name, a call or a parenthesized expression");
    return NULL;
  }
}

static const vy_expr *parse_unary(parser *p) {
  vy_token t = *CUR(p);
  vy_unop op;
  switch (t.kind) {
  case VY_TOK_MINUS: {
    const vy_token *n = vy_text_lex_peek(&p->lx);
    if (n->kind == VY_TOK_INT || n->kind == VY_TOK_FLOAT || vy_text_tok_is(n, "inf") || vy_text_tok_is(n, "nan")) {
      advance(p);
      return parse_literal(p, &t);
    }
    op = VY_UNOP_NEGATE;
    break;
  }
  case VY_TOK_BANG:
    op = VY_UNOP_LOGICAL_NOT;
    break;
  case VY_TOK_TILDE:
    op = VY_UNOP_BIT_NOT;
    break;
  default:
    return parse_primary(p);
  }
  advance(p);
  if (!enter(p, &t)) return NULL;
  const vy_expr *operand = parse_unary(p);
  leave(p);
  vy_expr *e = operand ? new_expr(p, VY_EXPR_UN_OP, &t) : NULL;
  if (!e) return NULL;
  e->u.un.op = op;
  e->u.un.operand = operand;
  return e;
}

/* Precedence climbing: each recursion raises min_prec, so at most
 * VY_PREC_MULTIPLICATIVE frames per parse_expr. */
static const vy_expr *parse_binary(parser *p, int min_prec) {
  const vy_expr *lhs = parse_unary(p);
  for (;;) {
    vy_binop op;
    int prec;
    if (!lhs || !vy_text_binop_from_tok(CUR(p)->kind, &op, &prec) || prec < min_prec) return lhs;
    vy_token at = *CUR(p);
    advance(p);
    const vy_expr *rhs = parse_binary(p, prec + 1);
    vy_expr *e = rhs ? new_expr(p, VY_EXPR_BIN_OP, &at) : NULL;
    if (!e) return NULL;
    e->u.bin.op = op;
    e->u.bin.left = lhs;
    e->u.bin.right = rhs;
    lhs = e;
  }
}

static const vy_expr *parse_expr(parser *p) {
  if (!enter(p, CUR(p))) return NULL;
  const vy_expr *e = parse_binary(p, VY_PREC_OR);
  leave(p);
  return e;
}

/* ---- statements ---- */

static bool parse_stmts(parser *p, const vy_token *open, vy_node_list *out);

/* '{' stmt* '}' */
static bool parse_body(parser *p, const char *what, vy_node_list *out) {
  vy_token open = *CUR(p);
  char w[96];
  snprintf(w, sizeof w, "'{' to open %s", what);
  if (!expect(p, VY_TOK_LBRACE, w, "write the statements in braces { ... }") || !enter(p, &open)) return false;
  bool ok = parse_stmts(p, &open, out);
  leave(p);
  return ok && expect(p, VY_TOK_RBRACE, "'}'", "close the block");
}

static vy_node *new_node(parser *p, vy_node_kind kind, const vy_token *at) {
  vy_node *n = vy_node_new(p->prog, kind);
  if (!n) return nomem(p), NULL;
  n->loc.line = at->line;
  n->loc.col = at->col;
  return n;
}

static const vy_node *parse_if(parser *p, const vy_token *at) {
  vy_node *n = new_node(p, VY_NODE_IF, at);
  if (!n || !(n->u.if_.cond = parse_expr(p)) || !parse_body(p, "the if branch", &n->u.if_.then_body)) return NULL;
  if (!vy_text_tok_is(CUR(p), "else")) return n;
  advance(p);
  if (!vy_text_tok_is(CUR(p), "if")) return parse_body(p, "the else branch", &n->u.if_.else_body) ? n : NULL;
  vy_token at2 = *CUR(p);
  advance(p);
  const vy_node **items = vy_arena_alloc(&p->prog->arena, sizeof *items);
  if (!items) return nomem(p), NULL;
  if (!enter(p, &at2)) return NULL;
  items[0] = parse_if(p, &at2);
  leave(p);
  if (!items[0]) return NULL;
  n->u.if_.else_body.items = items;
  n->u.if_.else_body.count = 1;
  return n;
}

/* async_load / async_store (src, dst, offset, size, tag) */
static bool parse_async(parser *p, vy_node *n, const char *kw) {
  char w[64];
  snprintf(w, sizeof w, "'(' after '%s'", kw);
  return expect(p, VY_TOK_LPAREN, w, "write async_load(src, dst, offset, size, tag)") &&
         parse_name(p, "the source buffer", &n->u.async_copy.source) && comma(p, "after the source") &&
         parse_name(p, "the destination buffer", &n->u.async_copy.destination) &&
         comma(p, "after the destination") && (n->u.async_copy.offset = parse_expr(p)) &&
         comma(p, "after the offset") && (n->u.async_copy.size = parse_expr(p)) && comma(p, "after the size") &&
         parse_name(p, "the tag", &n->u.async_copy.tag) &&
         expect(p, VY_TOK_RPAREN, "')' after the tag", "async copies take 5 arguments");
}

static bool open_args(parser *p, const char *kw) {
  char w[64];
  snprintf(w, sizeof w, "'(' after '%s'", kw);
  return expect(p, VY_TOK_LPAREN, w, "write the statement's arguments in parentheses");
}

static bool close_args(parser *p, const char *kw) {
  char w[64];
  snprintf(w, sizeof w, "')' closing '%s'", kw);
  return expect(p, VY_TOK_RPAREN, w, "close the argument list (check the argument count)");
}

static bool parse_collective(parser *p, vy_collective_op *op) {
  int c = parse_enum(p, "a collective op", VY_COLLECTIVE_COUNT, collective_name, "sum, min, max, bit_and, bit_or, bit_xor");
  if (c < 0) return false;
  *op = (vy_collective_op)c;
  return true;
}

/* Statements introduced by a keyword; *matched is false if `kw` is not one. */
static const vy_node *parse_keyword_stmt(parser *p, bool *matched) {
  vy_token t = *CUR(p);
  *matched = true;
  for (unsigned k = 0; k < VY_NODE_COUNT; k++) {
    const char *kw = vy_node_kind_name((vy_node_kind)k);
    if (k == VY_NODE_ASSIGN || k == VY_NODE_STORE || !vy_text_tok_is(&t, kw)) continue;
    advance(p);
    if (k == VY_NODE_IF) return parse_if(p, &t);
    vy_node *n = new_node(p, (vy_node_kind)k, &t);
    if (!n) return NULL;
    bool ok = true;
    switch ((vy_node_kind)k) {
    case VY_NODE_LET:
      ok = parse_name(p, "the name of a let", &n->u.let.name) &&
           expect(p, VY_TOK_ASSIGN, "'=' after the let name", "write let name = value") &&
           (n->u.let.value = parse_expr(p));
      break;
    case VY_NODE_LOOP:
      ok = parse_name(p, "the loop variable", &n->u.loop.var) &&
           expect_word(p, "in", "'in' after the loop variable", "write loop i in from..to { ... }") &&
           (n->u.loop.from = parse_expr(p)) &&
           expect(p, VY_TOK_DOTDOT, "'..' between the loop bounds", "write loop i in from..to { ... }") &&
           (n->u.loop.to = parse_expr(p)) && parse_body(p, "the loop body", &n->u.loop.body);
      break;
    case VY_NODE_BLOCK:
      ok = parse_body(p, "the block", &n->u.block);
      break;
    case VY_NODE_BARRIER: {
      n->u.barrier = VY_ORDERING_SEQ_CST;
      if (!accept(p, VY_TOK_LPAREN)) break;
      int o = parse_enum(p, "a memory ordering", VY_ORDERING_COUNT, ordering_name, ORDERINGS);
      ok = o >= 0 && close_args(p, kw);
      if (ok) n->u.barrier = (vy_ordering)o;
      break;
    }
    case VY_NODE_INDIRECT_DISPATCH:
      ok = open_args(p, kw) && parse_name(p, "the count buffer", &n->u.indirect.count_buffer) &&
           comma(p, "after the count buffer") &&
           parse_u64(p, "the count offset", UINT64_MAX, &n->u.indirect.count_offset) && close_args(p, kw);
      break;
    case VY_NODE_ASYNC_LOAD:
    case VY_NODE_ASYNC_STORE:
      ok = parse_async(p, n, kw);
      break;
    case VY_NODE_ASYNC_WAIT:
    case VY_NODE_RESUME:
      ok = open_args(p, kw) && parse_name(p, "the tag", &n->u.tag) && close_args(p, kw);
      break;
    case VY_NODE_REGION:
      ok = parse_path(p, "the region's generator", &n->u.region.generator);
      if (ok && vy_text_tok_is(CUR(p), "source")) {
        advance(p);
        n->u.region.has_source = true;
        ok = parse_path(p, "the source region", &n->u.region.source);
      }
      ok = ok && parse_body(p, "the region body", &n->u.region.body);
      break;
    case VY_NODE_TRAP:
      ok = open_args(p, kw) && (n->u.trap.address = parse_expr(p)) && comma(p, "after the trap address") &&
           parse_name(p, "the tag", &n->u.trap.tag) && close_args(p, kw);
      break;
    case VY_NODE_ALL_REDUCE:
      ok = open_args(p, kw) && parse_name(p, "the buffer", &n->u.all_reduce.buffer) && comma(p, "after the buffer") &&
           parse_collective(p, &n->u.all_reduce.op) && comma(p, "after the op") &&
           parse_u32(p, "the group", &n->u.all_reduce.group) && close_args(p, kw);
      break;
    case VY_NODE_ALL_GATHER:
      ok = open_args(p, kw) && parse_name(p, "the input buffer", &n->u.all_gather.input) &&
           comma(p, "after the input") && parse_name(p, "the output buffer", &n->u.all_gather.output) &&
           comma(p, "after the output") && parse_u32(p, "the group", &n->u.all_gather.group) && close_args(p, kw);
      break;
    case VY_NODE_REDUCE_SCATTER:
      ok = open_args(p, kw) && parse_name(p, "the input buffer", &n->u.reduce_scatter.input) &&
           comma(p, "after the input") && parse_name(p, "the output buffer", &n->u.reduce_scatter.output) &&
           comma(p, "after the output") && parse_collective(p, &n->u.reduce_scatter.op) &&
           comma(p, "after the op") && parse_u32(p, "the group", &n->u.reduce_scatter.group) && close_args(p, kw);
      break;
    case VY_NODE_BROADCAST:
      ok = open_args(p, kw) && parse_name(p, "the buffer", &n->u.broadcast.buffer) && comma(p, "after the buffer") &&
           parse_u32(p, "the root", &n->u.broadcast.root) && comma(p, "after the root") &&
           parse_u32(p, "the group", &n->u.broadcast.group) && close_args(p, kw);
      break;
    case VY_NODE_OPAQUE: {
      vy_token kind, payload;
      vy_str bytes;
      ok = open_args(p, kw);
      kind = *CUR(p);
      ok = ok && expect(p, VY_TOK_STRING, "the extension kind (a string)", "write opaque(\"kind\", \"payload\")") &&
           str_from_tok(p, &kind, &n->u.opaque.kind) && comma(p, "after the extension kind");
      payload = *CUR(p);
      ok = ok && expect(p, VY_TOK_STRING, "the payload (a string)", "write the payload bytes as a string") &&
           str_from_tok(p, &payload, &bytes) && close_args(p, kw);
      if (ok) n->u.opaque.payload = (const uint8_t *)bytes.ptr, n->u.opaque.len = bytes.len;
      break;
    }
    default: /* RETURN */
      break;
    }
    return ok ? n : NULL;
  }
  *matched = false;
  return NULL;
}

/* name = value | name[index] = value */
static const vy_node *parse_name_stmt(parser *p) {
  vy_token at = *CUR(p);
  vy_str name;
  if (!parse_name(p, "a statement's target", &name)) return NULL;
  if (accept(p, VY_TOK_LBRACKET)) {
    vy_node *n = new_node(p, VY_NODE_STORE, &at);
    if (!n) return NULL;
    n->u.store.buffer = name;
    return (n->u.store.index = parse_expr(p)) &&
                   expect(p, VY_TOK_RBRACKET, "']' after the index", "close the index with ']'") &&
                   expect(p, VY_TOK_ASSIGN, "'=' after the store target", "write buf[index] = value") &&
                   (n->u.store.value = parse_expr(p))
               ? n
               : NULL;
  }
  if (CUR(p)->kind != VY_TOK_ASSIGN) {
    char w[160];
    snprintf(w, sizeof w, "'=' or '[' after '%.*s'", (int)(at.len > 64 ? 64 : at.len), at.start);
    expected(p, w, "a statement is let x = v, x = v, buf[i] = v or starts with a keyword");
    return NULL;
  }
  advance(p);
  vy_node *n = new_node(p, VY_NODE_ASSIGN, &at);
  if (!n) return NULL;
  n->u.assign.name = name;
  return (n->u.assign.value = parse_expr(p)) ? n : NULL;
}

static const vy_node *parse_stmt(parser *p) {
  const vy_token *t = CUR(p);
  if (t->kind == VY_TOK_IDENT && vy_text_is_reserved(t->start, t->len)) {
    bool matched;
    const vy_node *n = parse_keyword_stmt(p, &matched);
    if (matched) return n;
    if (vy_text_tok_is(t, "buffer"))
      fail_tok(p, t, "buffer declarations must come before the statements. Fix: move this declaration up");
    else if (vy_text_tok_is(t, "else"))
      fail_tok(p, t, "'else' without an 'if'. Fix: write else right after the closing '}' of an if");
    else
      fail_tok(p, t,
               "'%.*s' is a reserved word and cannot start a statement. Fix: quote a variable or buffer of that "
               "name: \"%.*s\" = ...",
               (int)t->len, t->start, (int)t->len, t->start);
    return NULL;
  }
  if (t->kind == VY_TOK_IDENT || t->kind == VY_TOK_STRING || t->kind == VY_TOK_DOTTED) return parse_name_stmt(p);
  expected(p, "a statement or '}'", "statements are let, if, loop, region, block, return, barrier, x = v, buf[i] = v, ...");
  return NULL;
}

static bool parse_stmts(parser *p, const vy_token *open, vy_node_list *out) {
  vy_ptrvec v;
  vy_ptrvec_init(&v, p->alloc);
  bool ok = true;
  while (ok && CUR(p)->kind != VY_TOK_RBRACE) {
    if (CUR(p)->kind == VY_TOK_EOF) {
      ok = fail_tok(p, CUR(p), "end of input inside the '{' opened at line %u, column %u. Fix: add the missing '}'",
                    open->line, open->col);
      break;
    }
    const vy_node *n = parse_stmt(p);
    if (!n) ok = false;
    else if (vy_ptrvec_push(&v, (void *)n)) ok = nomem(p);
  }
  if (ok && !vy_node_list_from_vec(p->prog, &v, out)) ok = nomem(p);
  vy_ptrvec_free(&v);
  return ok;
}

/* ---- buffers ---- */

enum { ATTR_COUNT, ATTR_KIND, ATTR_OUTPUT, ATTR_LIVE_OUT, ATTR_RANGE, ATTR_COALESCE, ATTR_ALIGN, ATTR_LOCALITY,
       ATTR_BYTES, ATTR_LINEAR, ATTR_SHAPE, ATTR_N };
static const char *const attr_words[ATTR_N] = {"count", "kind", "output", "live_out", "range", "coalesce", "align",
                                               "locality", "bytes_extraction", "linear", "shape"};

/* The attribute at the current token, or -1. An attribute word followed by
 * '=' or '[' starts a statement instead (a variable or buffer of that name). */
static int attr_at(parser *p) {
  for (int i = 0; i < ATTR_N; i++)
    if (vy_text_tok_is(CUR(p), attr_words[i])) {
      vy_tok_kind next = vy_text_lex_peek(&p->lx)->kind;
      return next == VY_TOK_ASSIGN || next == VY_TOK_LBRACKET ? -1 : i;
    }
  return -1;
}

static bool parse_attr(parser *p, vy_buffer_decl *b, int a) {
  int v;
  switch (a) {
  case ATTR_COUNT:
    return parse_paren_u32(p, "the count", &b->count);
  case ATTR_KIND:
    if (!expect(p, VY_TOK_LPAREN, "'(' after 'kind'", "write kind(global)")) return false;
    v = parse_enum(p, "a memory kind", VY_MEMKIND_COUNT, memkind_name,
                   "global, shared, uniform, local, readonly, push, persistent");
    b->kind = (vy_memory_kind)v;
    return v >= 0 && expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
  case ATTR_OUTPUT:
    b->is_output = true;
    return true;
  case ATTR_LIVE_OUT:
    b->pipeline_live_out = true;
    return true;
  case ATTR_RANGE:
    b->has_output_range = true;
    return expect(p, VY_TOK_LPAREN, "'(' after 'range'", "write range(start, end)") &&
           parse_u64(p, "the range start", UINT64_MAX, &b->range_start) && comma(p, "between start and end") &&
           parse_u64(p, "the range end", UINT64_MAX, &b->range_end) &&
           expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
  case ATTR_COALESCE:
    b->hints.has_coalesce_axis = true;
    return expect(p, VY_TOK_LPAREN, "'(' after 'coalesce'", "write coalesce(0)") &&
           parse_u8(p, "the coalesce axis", &b->hints.coalesce_axis) &&
           expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
  case ATTR_ALIGN:
    return parse_paren_u32(p, "the alignment", &b->hints.preferred_alignment);
  case ATTR_LOCALITY:
    if (!expect(p, VY_TOK_LPAREN, "'(' after 'locality'", "write locality(streaming)")) return false;
    v = parse_enum(p, "a cache locality", VY_LOCALITY_COUNT, locality_name, "streaming, temporal, random");
    b->hints.cache_locality = (vy_cache_locality)v;
    return v >= 0 && expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
  case ATTR_BYTES:
    b->bytes_extraction = true;
    return true;
  case ATTR_LINEAR:
    if (!expect(p, VY_TOK_LPAREN, "'(' after 'linear'", "write linear(affine)")) return false;
    v = parse_enum(p, "a linear type", VY_LINEAR_COUNT, linear_name, "unrestricted, linear, affine, relevant");
    b->linear_type = (vy_linear_type)v;
    return v >= 0 && expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
  default: /* ATTR_SHAPE */
    return expect(p, VY_TOK_LPAREN, "'(' after 'shape'", "write shape(at_least(4))") &&
           (b->shape_predicate = parse_shape(p)) && expect(p, VY_TOK_RPAREN, "')'", "close the parentheses");
  }
}

/* buffer NAME ':' TYPE ACCESS ['@' N] attr* */
static vy_buffer_decl *parse_buffer(parser *p) {
  vy_token at = *CUR(p);
  advance(p);
  vy_buffer_decl *b = vy_arena_alloc(&p->prog->arena, sizeof *b);
  if (!b) return nomem(p), NULL;
  b->loc.line = at.line;
  b->loc.col = at.col;
  b->hints.cache_locality = VY_LOCALITY_TEMPORAL;
  b->linear_type = VY_LINEAR_UNRESTRICTED;
  if (!parse_name(p, "a buffer name", &b->name) ||
      !expect(p, VY_TOK_COLON, "':' after the buffer name", "write buffer name: type access @binding") ||
      !parse_type(p, &b->element))
    return NULL;
  int a = parse_enum(p, "a buffer access", VY_ACCESS_COUNT, access_name, "read, read_write, uniform, workgroup, write");
  if (a < 0) return NULL;
  b->access = (vy_access)a;
  b->kind = vy_memory_kind_default(b->access);
  if (CUR(p)->kind == VY_TOK_AT || b->access != VY_ACCESS_WORKGROUP) {
    if (!expect(p, VY_TOK_AT, "'@binding' after the access mode", "storage buffers need a binding, e.g. @0") ||
        !parse_u32(p, "the binding", &b->binding))
      return NULL;
  }
  bool seen[ATTR_N] = {false};
  for (int i; (i = attr_at(p)) >= 0;) {
    if (seen[i])
      return fail_tok(p, CUR(p), "duplicate attribute '%s' on this buffer. Fix: give each attribute once",
                      attr_words[i]),
             NULL;
    seen[i] = true;
    advance(p);
    if (!parse_attr(p, b, i)) return NULL;
  }
  return b;
}

/* ---- program ---- */

static bool parse_workgroup(parser *p) {
  if (!expect(p, VY_TOK_LPAREN, "'(' after 'workgroup'", "write workgroup(x), workgroup(x, y) or workgroup(x, y, z)"))
    return false;
  for (int i = 0; i < 3; i++) {
    if (i > 0 && !accept(p, VY_TOK_COMMA)) break;
    if (!parse_u32(p, "a workgroup dimension", &p->prog->workgroup_size[i])) return false;
  }
  return expect(p, VY_TOK_RPAREN, "')' after at most 3 workgroup dimensions", "close the parentheses");
}

static bool parse_program(parser *p) {
  if (!expect_word(p, "program", "'program' at the start of the text", "start with: program name workgroup(64) {"))
    return false;
  const vy_token *t = CUR(p);
  if (t->kind == VY_TOK_STRING || t->kind == VY_TOK_DOTTED ||
      (t->kind == VY_TOK_IDENT && !vy_text_tok_is(t, "workgroup") && !vy_text_tok_is(t, "non_composable_with_self"))) {
    if (!parse_path(p, "the program's op id", &p->prog->entry_op_id)) return false;
    p->prog->has_entry_op_id = true;
  }
  if (vy_text_tok_is(CUR(p), "workgroup")) {
    advance(p);
    if (!parse_workgroup(p)) return false;
  }
  if (vy_text_tok_is(CUR(p), "non_composable_with_self")) {
    advance(p);
    p->prog->non_composable_with_self = true;
  }
  vy_token open = *CUR(p);
  if (!expect(p, VY_TOK_LBRACE, "'{' to open the program body", "write program name workgroup(64) { ... }") ||
      !enter(p, &open))
    return false;
  vy_ptrvec bufs;
  vy_ptrvec_init(&bufs, p->alloc);
  bool ok = true;
  while (ok && vy_text_tok_is(CUR(p), "buffer")) {
    vy_buffer_decl *b = parse_buffer(p);
    if (!b) ok = false;
    else if (vy_ptrvec_push(&bufs, b)) ok = nomem(p);
  }
  if (ok && bufs.count) {
    vy_buffer_decl *arr = vy_arena_array(&p->prog->arena, bufs.count, sizeof *arr);
    if (!arr || bufs.count > UINT32_MAX) ok = nomem(p);
    else {
      for (size_t i = 0; i < bufs.count; i++) arr[i] = *(const vy_buffer_decl *)bufs.items[i];
      p->prog->buffers = arr;
      p->prog->nbuffers = (uint32_t)bufs.count;
    }
  }
  vy_ptrvec_free(&bufs);
  ok = ok && parse_stmts(p, &open, &p->prog->entry);
  leave(p);
  return ok && expect(p, VY_TOK_RBRACE, "'}' closing the program", "close the program body") &&
         expect(p, VY_TOK_EOF, "end of input after the program", "a file holds exactly one program");
}

vy_status vy_text_parse(const char *src, size_t len, const char *filename, const vy_allocator *alloc,
                        vy_program **out, vy_error *err) {
  vy_error_clear(err);
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_text_parse: out is NULL. Fix: pass a vy_program **");
  *out = NULL;
  if (!src && len)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_text_parse: src is NULL with len %zu. Fix: pass the text", len);
  if (len > UINT32_MAX - 1u)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_text_parse: input of %zu bytes is larger than 4 GiB. Fix: split the program", len);
  parser p = {.alloc = alloc, .file = filename ? filename : "<input>", .err = err};
  p.prog = vy_program_new(alloc);
  if (!p.prog) return vy_error_nomem(err);
  vy_text_lex_init(&p.lx, src, len);
  if (!parse_program(&p) || (p.status = vy_program_seal(p.prog, err)) != VY_OK) {
    vy_program_destroy(p.prog);
    return p.status;
  }
  *out = p.prog;
  return VY_OK;
}
