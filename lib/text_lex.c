/* text_lex.c - the lexer of the text format (.vy), its word lists and
 * operator table, and locale-independent float conversion.
 *
 * The lexer works byte-wise: identifiers, numbers and punctuation are ASCII;
 * any byte is allowed inside strings (escaped or raw, except a line break)
 * and comments. It never reads outside the input and reports its first
 * error as a VY_TOK_ERROR token, which the parser turns into the message.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_int.h"

/* ---- character classes (ASCII only, locale-independent) ---- */

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha_(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_alnum_(int c) { return is_alpha_(c) || is_digit(c); }
static int hex_value(int c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* ---- errors ---- */

static void lex_fail(vy_lexer *lx, vy_token *t, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void lex_fail(vy_lexer *lx, vy_token *t, uint32_t line, uint32_t col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(lx->err_msg, sizeof lx->err_msg, fmt, ap);
  va_end(ap);
  lx->failed = true;
  lx->err_line = line;
  lx->err_col = col;
  t->kind = VY_TOK_ERROR;
  t->line = line;
  t->col = col;
}

/* Describes byte c for a message: 'c' when printable, else 0xNN. */
static const char *byte_desc(int c, char buf[16]) {
  if (c > 0x20 && c < 0x7F)
    snprintf(buf, 16, "'%c'", c);
  else
    snprintf(buf, 16, "byte 0x%02X", (unsigned)c);
  return buf;
}

/* ---- scanning ---- */

static int at(const vy_lexer *lx, size_t off) {
  return lx->pos + off < lx->len ? (unsigned char)lx->src[lx->pos + off] : -1;
}

/* Consumes n bytes that are not line breaks. */
static void skip(vy_lexer *lx, size_t n) {
  lx->pos += n;
  lx->col += (uint32_t)n; /* inputs are < 4 GiB (checked by the parser) */
}

static void skip_space(vy_lexer *lx) {
  for (;;) {
    int c = at(lx, 0);
    if (c == ' ' || c == '\t' || c == '\r') {
      skip(lx, 1);
    } else if (c == '\n') {
      lx->pos++;
      lx->line++;
      lx->col = 1;
    } else if (c == '#') {
      while (at(lx, 0) != -1 && at(lx, 0) != '\n') skip(lx, 1);
    } else {
      return;
    }
  }
}

static void scan_ident(vy_lexer *lx, vy_token *t) {
  t->kind = VY_TOK_IDENT;
  while (is_alnum_(at(lx, 0))) skip(lx, 1);
  while (at(lx, 0) == '.' && is_alpha_(at(lx, 1))) {
    t->kind = VY_TOK_DOTTED;
    skip(lx, 1);
    while (is_alnum_(at(lx, 0))) skip(lx, 1);
  }
}

static bool suffix_is(const char *s, size_t n, const char *word) { return strlen(word) == n && memcmp(s, word, n) == 0; }

static void scan_number(vy_lexer *lx, vy_token *t) {
  bool hex = at(lx, 0) == '0' && (at(lx, 1) == 'x' || at(lx, 1) == 'X');
  bool overflow = false, is_float = false;
  uint64_t v = 0;
  if (hex) {
    skip(lx, 2);
    if (hex_value(at(lx, 0)) < 0) {
      lex_fail(lx, t, t->line, t->col, "expected hex digits after '0x'. Fix: write a hex number like 0x1F");
      return;
    }
    for (int d; (d = hex_value(at(lx, 0))) >= 0; skip(lx, 1)) {
      if (v > (UINT64_MAX >> 4)) overflow = true;
      v = (v << 4) | (uint64_t)d;
    }
  } else {
    for (; is_digit(at(lx, 0)); skip(lx, 1)) {
      unsigned d = (unsigned)(at(lx, 0) - '0');
      if (v > (UINT64_MAX - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    if (at(lx, 0) == '.' && is_digit(at(lx, 1))) {
      is_float = true;
      skip(lx, 1);
      while (is_digit(at(lx, 0))) skip(lx, 1);
    }
    int e1 = at(lx, 1);
    if ((at(lx, 0) == 'e' || at(lx, 0) == 'E') &&
        (is_digit(e1) || ((e1 == '+' || e1 == '-') && is_digit(at(lx, 2))))) {
      is_float = true;
      skip(lx, 2);
      while (is_digit(at(lx, 0))) skip(lx, 1);
    }
  }
  size_t num_end = lx->pos;
  while (is_alnum_(at(lx, 0))) skip(lx, 1);
  const char *suf = lx->src + num_end;
  size_t suf_len = lx->pos - num_end;
  t->suffix = VY_SUF_NONE;
  static const struct {
    const char *word;
    vy_suffix suffix;
  } suffixes[] = {{"u", VY_SUF_U}, {"i", VY_SUF_I}, {"f", VY_SUF_F}, {"u64", VY_SUF_U64}, {"i64", VY_SUF_I64}, {"f64", VY_SUF_F64}};
  bool known = suf_len == 0;
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0] && !known; i++)
    if (suffix_is(suf, suf_len, suffixes[i].word)) {
      t->suffix = suffixes[i].suffix;
      known = true;
    }
  bool float_suffix = t->suffix == VY_SUF_F || t->suffix == VY_SUF_F64;
  if (!known || (is_float && t->suffix != VY_SUF_NONE && !float_suffix)) {
    lex_fail(lx, t, t->line, t->col,
             "invalid suffix '%.*s' on %s literal. Fix: integers take u, i, u64, i64 (or f, f64 for a float); floats "
             "take f or f64",
             (int)(suf_len > 32 ? 32 : suf_len), suf, is_float ? "a float" : "an integer");
    return;
  }
  if (is_float || float_suffix) {
    t->kind = VY_TOK_FLOAT;
    const char *text = t->start;
    size_t n = num_end - (size_t)(t->start - lx->src);
    bool ok;
    if (t->suffix == VY_SUF_F64) {
      ok = vy_text_parse_f64(text, n, &t->fbits);
    } else {
      uint32_t b = 0;
      ok = vy_text_parse_f32(text, n, &b);
      t->fbits = b;
      t->suffix = VY_SUF_F;
    }
    if (!ok)
      lex_fail(lx, t, t->line, t->col,
               "float literal '%.*s' is out of range or longer than %u characters. Fix: write inf, or fewer digits",
               (int)(n > 40 ? 40 : n), text, VY_TEXT_MAX_FLOAT_CHARS);
    return;
  }
  if (overflow) {
    lex_fail(lx, t, t->line, t->col,
             "integer literal does not fit in 64 bits. Fix: integers go up to 18446744073709551615");
    return;
  }
  t->kind = VY_TOK_INT;
  t->ival = v;
}

static void scan_string(vy_lexer *lx, vy_token *t) {
  skip(lx, 1); /* opening quote */
  size_t n = 0;
  for (;;) {
    int c = at(lx, 0);
    if (c == -1) {
      lex_fail(lx, t, t->line, t->col, "unterminated string. Fix: close the string with '\"'");
      return;
    }
    if (c == '"') break;
    if (c == '\n') {
      lex_fail(lx, t, lx->line, lx->col,
               "line break inside a string. Fix: close the string with '\"' before the line ends, or write \\n");
      return;
    }
    if (c == '\\') {
      uint32_t ecol = lx->col;
      int e = at(lx, 1);
      if (e == 'x') {
        if (hex_value(at(lx, 2)) < 0 || hex_value(at(lx, 3)) < 0) {
          lex_fail(lx, t, lx->line, ecol, "'\\x' needs two hex digits. Fix: write a byte as \\x00 .. \\xFF");
          return;
        }
        skip(lx, 4);
      } else if (e == '"' || e == '\\' || e == 'n' || e == 't' || e == 'r' || e == '0') {
        skip(lx, 2);
      } else {
        char b[16];
        lex_fail(lx, t, lx->line, ecol,
                 "unknown escape '\\' followed by %s in a string. Fix: use \\\" \\\\ \\n \\t \\r \\0 or \\xNN",
                 e == -1 ? "end of input" : byte_desc(e, b));
        return;
      }
    } else {
      skip(lx, 1);
    }
    n++;
  }
  skip(lx, 1); /* closing quote */
  t->kind = VY_TOK_STRING;
  t->str_len = n;
}

static void scan(vy_lexer *lx, vy_token *t) {
  memset(t, 0, sizeof *t);
  if (lx->failed) {
    t->kind = VY_TOK_ERROR;
    t->line = lx->err_line;
    t->col = lx->err_col;
    return;
  }
  skip_space(lx);
  t->line = lx->line;
  t->col = lx->col;
  t->start = lx->src + lx->pos;
  int c = at(lx, 0), c1 = at(lx, 1);
  if (c == -1) {
    t->kind = VY_TOK_EOF;
  } else if (is_alpha_(c)) {
    scan_ident(lx, t);
  } else if (is_digit(c)) {
    scan_number(lx, t);
  } else if (c == '"') {
    scan_string(lx, t);
  } else {
    /* punctuation: two-byte forms first */
    static const struct {
      char a, b;
      vy_tok_kind k;
    } two[] = {{'.', '.', VY_TOK_DOTDOT}, {'=', '=', VY_TOK_EQ},      {'!', '=', VY_TOK_NE},
               {'<', '=', VY_TOK_LE},     {'>', '=', VY_TOK_GE},      {'<', '<', VY_TOK_SHL},
               {'>', '>', VY_TOK_SHR},    {'&', '&', VY_TOK_AMPAMP},  {'|', '|', VY_TOK_PIPEPIPE}};
    static const struct {
      char a;
      vy_tok_kind k;
    } one[] = {{'{', VY_TOK_LBRACE},   {'}', VY_TOK_RBRACE},   {'(', VY_TOK_LPAREN}, {')', VY_TOK_RPAREN},
               {'[', VY_TOK_LBRACKET}, {']', VY_TOK_RBRACKET}, {',', VY_TOK_COMMA},  {':', VY_TOK_COLON},
               {'@', VY_TOK_AT},       {'=', VY_TOK_ASSIGN},   {'<', VY_TOK_LT},     {'>', VY_TOK_GT},
               {'+', VY_TOK_PLUS},     {'-', VY_TOK_MINUS},    {'*', VY_TOK_STAR},   {'/', VY_TOK_SLASH},
               {'%', VY_TOK_PERCENT},  {'&', VY_TOK_AMP},      {'|', VY_TOK_PIPE},   {'^', VY_TOK_CARET},
               {'~', VY_TOK_TILDE},    {'!', VY_TOK_BANG}};
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
      if (c == two[i].a && c1 == two[i].b) {
        t->kind = two[i].k;
        skip(lx, 2);
        t->len = 2;
        return;
      }
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
      if (c == one[i].a) {
        t->kind = one[i].k;
        skip(lx, 1);
        t->len = 1;
        return;
      }
    char b[16];
    if (c == '.')
      lex_fail(lx, t, t->line, t->col,
               "unexpected '.'. Fix: '.' only joins name parts without spaces (gid.x, vyre.program.root) or forms a "
               "range 'a..b'");
    else if (c >= 0x80)
      lex_fail(lx, t, t->line, t->col,
               "unexpected %s outside a string. Fix: non-ASCII text is only allowed inside \"strings\" and # comments",
               byte_desc(c, b));
    else
      lex_fail(lx, t, t->line, t->col, "unexpected %s. Fix: remove it (see the grammar in vyre/text.h)",
               byte_desc(c, b));
    return;
  }
  if (t->kind != VY_TOK_ERROR) t->len = (size_t)(lx->src + lx->pos - t->start);
}

void vy_text_lex_init(vy_lexer *lx, const char *src, size_t len) {
  memset(lx, 0, sizeof *lx);
  lx->src = src ? src : "";
  lx->len = src ? len : 0;
  lx->line = lx->col = 1;
  scan(lx, &lx->cur);
}

void vy_text_lex_advance(vy_lexer *lx) {
  if (lx->has_next) {
    lx->cur = lx->next;
    lx->has_next = false;
  } else {
    scan(lx, &lx->cur);
  }
}

const vy_token *vy_text_lex_peek(vy_lexer *lx) {
  if (!lx->has_next) {
    scan(lx, &lx->next);
    lx->has_next = true;
  }
  return &lx->next;
}

void vy_text_lex_split_shr(vy_lexer *lx) {
  lx->cur.kind = VY_TOK_GT;
  lx->cur.start++;
  lx->cur.len = 1;
  lx->cur.col++;
}

void vy_text_decode_string(const vy_token *tok, char *dst) {
  const char *s = tok->start + 1;
  const char *end = tok->start + tok->len - 1;
  while (s < end) {
    if (*s != '\\') {
      *dst++ = *s++;
      continue;
    }
    char e = s[1];
    s += 2;
    switch (e) {
    case 'n':
      *dst++ = '\n';
      break;
    case 't':
      *dst++ = '\t';
      break;
    case 'r':
      *dst++ = '\r';
      break;
    case '0':
      *dst++ = '\0';
      break;
    case 'x':
      *dst++ = (char)(hex_value((unsigned char)s[0]) * 16 + hex_value((unsigned char)s[1]));
      s += 2;
      break;
    default: /* '"' or '\\' */
      *dst++ = e;
      break;
    }
  }
}

const char *vy_text_tok_name(vy_tok_kind k) {
  static const char *const names[VY_TOK_COUNT] = {
      [VY_TOK_EOF] = "end of input", [VY_TOK_ERROR] = "invalid input", [VY_TOK_IDENT] = "identifier",
      [VY_TOK_DOTTED] = "dotted name", [VY_TOK_INT] = "integer",       [VY_TOK_FLOAT] = "float",
      [VY_TOK_STRING] = "string",      [VY_TOK_LBRACE] = "'{'",         [VY_TOK_RBRACE] = "'}'",
      [VY_TOK_LPAREN] = "'('",         [VY_TOK_RPAREN] = "')'",         [VY_TOK_LBRACKET] = "'['",
      [VY_TOK_RBRACKET] = "']'",       [VY_TOK_COMMA] = "','",          [VY_TOK_COLON] = "':'",
      [VY_TOK_AT] = "'@'",             [VY_TOK_DOTDOT] = "'..'",        [VY_TOK_ASSIGN] = "'='",
      [VY_TOK_EQ] = "'=='",            [VY_TOK_NE] = "'!='",            [VY_TOK_LT] = "'<'",
      [VY_TOK_GT] = "'>'",             [VY_TOK_LE] = "'<='",            [VY_TOK_GE] = "'>='",
      [VY_TOK_SHL] = "'<<'",           [VY_TOK_SHR] = "'>>'",           [VY_TOK_PLUS] = "'+'",
      [VY_TOK_MINUS] = "'-'",          [VY_TOK_STAR] = "'*'",           [VY_TOK_SLASH] = "'/'",
      [VY_TOK_PERCENT] = "'%'",        [VY_TOK_AMP] = "'&'",            [VY_TOK_AMPAMP] = "'&&'",
      [VY_TOK_PIPE] = "'|'",           [VY_TOK_PIPEPIPE] = "'||'",      [VY_TOK_CARET] = "'^'",
      [VY_TOK_TILDE] = "'~'",          [VY_TOK_BANG] = "'!'"};
  return (unsigned)k < VY_TOK_COUNT ? names[k] : "?";
}

bool vy_text_tok_is(const vy_token *tok, const char *word) {
  return tok->kind == VY_TOK_IDENT && strlen(word) == tok->len && memcmp(tok->start, word, tok->len) == 0;
}

/* ---- words ---- */

static bool word_eq(const char *s, size_t n, const char *w) { return strlen(w) == n && memcmp(s, w, n) == 0; }

static bool in_list(const char *s, size_t n, const char *const *list, size_t count) {
  for (size_t i = 0; i < count; i++)
    if (word_eq(s, n, list[i])) return true;
  return false;
}

static const char *const stmt_words[] = {"let",       "if",         "else",          "loop",       "return",
                                         "block",     "barrier",    "indirect_dispatch", "async_load", "async_store",
                                         "async_wait", "region",    "trap",          "resume",     "all_reduce",
                                         "all_gather", "reduce_scatter", "broadcast", "opaque",    "buffer",
                                         "program"};

static const char *const expr_words[] = {"true",          "false",           "inf",
                                         "nan",           "f32_bits",        "gid",
                                         "wgid",          "lid",             "len",
                                         "select",        "cast",            "fma",
                                         "call",          "subgroup_add",    "subgroup_shuffle",
                                         "subgroup_ballot", "subgroup_local_id", "subgroup_size",
                                         "opaque_binop",  "opaque_unop"};

static bool is_stmt_keyword(const char *s, size_t n) {
  return in_list(s, n, stmt_words, sizeof stmt_words / sizeof stmt_words[0]);
}

bool vy_text_is_reserved(const char *s, size_t n) {
  if (is_stmt_keyword(s, n) || in_list(s, n, expr_words, sizeof expr_words / sizeof expr_words[0]))
    return true;
  for (unsigned i = 0; i < VY_BINOP_COUNT; i++)
    if (vy_text_binop_is_named((vy_binop)i) && word_eq(s, n, vy_binop_name((vy_binop)i))) return true;
  for (unsigned i = 0; i < VY_UNOP_COUNT; i++)
    if (vy_text_unop_is_named((vy_unop)i) && word_eq(s, n, vy_unop_name((vy_unop)i))) return true;
  for (unsigned i = 0; i < VY_ORDERING_COUNT; i++)
    if (word_eq(s, n, vy_ordering_name((vy_ordering)i))) return true;
  if (n > 7 && memcmp(s, "atomic_", 7) == 0)
    for (unsigned i = 0; i < VY_ATOMIC_COUNT; i++)
      if (word_eq(s + 7, n - 7, vy_atomic_op_name((vy_atomic_op)i))) return true;
  return false;
}

bool vy_text_is_ident(const char *s, size_t n, bool dotted) {
  size_t i = 0;
  for (;;) {
    if (i >= n || !is_alpha_((unsigned char)s[i])) return false;
    while (i < n && is_alnum_((unsigned char)s[i])) i++;
    if (i == n) return true;
    if (!dotted || s[i] != '.') return false;
    i++;
  }
}

/* ---- operators ---- */

static const struct {
  vy_binop op;
  vy_tok_kind tok;
  const char *sym;
  int prec;
} infix_ops[] = {
    {VY_BINOP_OR, VY_TOK_PIPEPIPE, "||", VY_PREC_OR},
    {VY_BINOP_AND, VY_TOK_AMPAMP, "&&", VY_PREC_AND},
    {VY_BINOP_BIT_OR, VY_TOK_PIPE, "|", VY_PREC_BITOR},
    {VY_BINOP_BIT_XOR, VY_TOK_CARET, "^", VY_PREC_BITXOR},
    {VY_BINOP_BIT_AND, VY_TOK_AMP, "&", VY_PREC_BITAND},
    {VY_BINOP_EQ, VY_TOK_EQ, "==", VY_PREC_EQUALITY},
    {VY_BINOP_NE, VY_TOK_NE, "!=", VY_PREC_EQUALITY},
    {VY_BINOP_LT, VY_TOK_LT, "<", VY_PREC_RELATIONAL},
    {VY_BINOP_GT, VY_TOK_GT, ">", VY_PREC_RELATIONAL},
    {VY_BINOP_LE, VY_TOK_LE, "<=", VY_PREC_RELATIONAL},
    {VY_BINOP_GE, VY_TOK_GE, ">=", VY_PREC_RELATIONAL},
    {VY_BINOP_SHL, VY_TOK_SHL, "<<", VY_PREC_SHIFT},
    {VY_BINOP_SHR, VY_TOK_SHR, ">>", VY_PREC_SHIFT},
    {VY_BINOP_ADD, VY_TOK_PLUS, "+", VY_PREC_ADDITIVE},
    {VY_BINOP_SUB, VY_TOK_MINUS, "-", VY_PREC_ADDITIVE},
    {VY_BINOP_MUL, VY_TOK_STAR, "*", VY_PREC_MULTIPLICATIVE},
    {VY_BINOP_DIV, VY_TOK_SLASH, "/", VY_PREC_MULTIPLICATIVE},
    {VY_BINOP_MOD, VY_TOK_PERCENT, "%", VY_PREC_MULTIPLICATIVE},
};

const char *vy_text_binop_infix(vy_binop op, int *prec) {
  for (size_t i = 0; i < sizeof infix_ops / sizeof infix_ops[0]; i++)
    if (infix_ops[i].op == op) {
      *prec = infix_ops[i].prec;
      return infix_ops[i].sym;
    }
  return NULL;
}

bool vy_text_binop_from_tok(vy_tok_kind k, vy_binop *op, int *prec) {
  for (size_t i = 0; i < sizeof infix_ops / sizeof infix_ops[0]; i++)
    if (infix_ops[i].tok == k) {
      *op = infix_ops[i].op;
      *prec = infix_ops[i].prec;
      return true;
    }
  return false;
}

bool vy_text_binop_is_named(vy_binop op) {
  int prec;
  return op != VY_BINOP_OPAQUE && !vy_text_binop_infix(op, &prec);
}

bool vy_text_unop_is_named(vy_unop op) {
  return op != VY_UNOP_NEGATE && op != VY_UNOP_BIT_NOT && op != VY_UNOP_LOGICAL_NOT && op != VY_UNOP_OPAQUE;
}

/* ---- floats ---- */

/* Copies decimal text into buf (NUL-terminated), replacing '.' by the
 * current locale's decimal point so that strtof/strtod read it the same in
 * every locale. */
static bool float_text(const char *s, size_t n, char *buf, size_t cap) {
  if (n > VY_TEXT_MAX_FLOAT_CHARS) return false;
  const char *dp = localeconv()->decimal_point;
  size_t dpl = dp && *dp ? strlen(dp) : 1;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '.' && dp && *dp && strcmp(dp, ".") != 0) {
      if (o + dpl >= cap) return false;
      memcpy(buf + o, dp, dpl);
      o += dpl;
    } else {
      if (o + 1 >= cap) return false;
      buf[o++] = s[i];
    }
  }
  buf[o] = 0;
  return true;
}

bool vy_text_parse_f32(const char *s, size_t n, uint32_t *bits) {
  char buf[VY_TEXT_MAX_FLOAT_CHARS * 4 + 8];
  if (!float_text(s, n, buf, sizeof buf)) return false;
  char *end = NULL;
  float f = strtof(buf, &end);
  if (end != buf + strlen(buf) || isinf(f)) return false;
  memcpy(bits, &f, 4);
  return true;
}

bool vy_text_parse_f64(const char *s, size_t n, uint64_t *bits) {
  char buf[VY_TEXT_MAX_FLOAT_CHARS * 4 + 8];
  if (!float_text(s, n, buf, sizeof buf)) return false;
  char *end = NULL;
  double d = strtod(buf, &end);
  if (end != buf + strlen(buf) || isinf(d)) return false;
  memcpy(bits, &d, 8);
  return true;
}
