/* manifest.c - suite programs: the .vy file, its `# bench:` directives
 * (grammar in bench/README.md) and the integer expressions they use. */
#define _POSIX_C_SOURCE 200809L /* strndup */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"
#include "error_int.h"

static const char *const size_names[VYB_NSIZES] = {"small", "medium", "large"};

const char *vyb_size_name(vyb_size s) { return s < VYB_NSIZES ? size_names[s] : "?"; }

bool vyb_size_parse(const char *s, vyb_size *out) {
  for (int i = 0; i < VYB_NSIZES; i++)
    if (strcmp(s, size_names[i]) == 0) {
      *out = (vyb_size)i;
      return true;
    }
  return false;
}

/* ---- integer expressions ---------------------------------------------- */

typedef struct expr_parser {
  const char *s, *end, *start;
  const vyb_params *ps;
  vy_error *err;
  int depth;
} expr_parser;

static void skip_space(expr_parser *e) {
  while (e->s < e->end && isspace((unsigned char)*e->s)) e->s++;
}

static vy_status expr_fail(expr_parser *e, const char *what) {
  return vy_error_set(e->err, VY_E_INVALID_ARGUMENT, "bad expression '%.*s' at column %d: %s. Fix: %s",
                      (int)(e->end - e->start), e->start, (int)(e->s - e->start) + 1, what,
                      "write decimal numbers and parameters of the size joined by + - * / and parentheses");
}

static vy_status parse_sum(expr_parser *e, uint64_t *out);

static vy_status parse_atom(expr_parser *e, uint64_t *out) {
  skip_space(e);
  if (e->s >= e->end) return expr_fail(e, "expected a number, a parameter or '('");
  if (*e->s == '(') {
    if (++e->depth > 64) return expr_fail(e, "parentheses nested more than 64 deep");
    e->s++;
    vy_status st = parse_sum(e, out);
    if (st != VY_OK) return st;
    skip_space(e);
    if (e->s >= e->end || *e->s != ')') return expr_fail(e, "expected ')'");
    e->s++;
    e->depth--;
    return VY_OK;
  }
  if (isdigit((unsigned char)*e->s)) {
    uint64_t v = 0;
    while (e->s < e->end && isdigit((unsigned char)*e->s)) {
      unsigned d = (unsigned)(*e->s - '0');
      if (v > (UINT64_MAX - d) / 10) return expr_fail(e, "number too large");
      v = v * 10 + d;
      e->s++;
    }
    *out = v;
    return VY_OK;
  }
  if (isalpha((unsigned char)*e->s) || *e->s == '_') {
    const char *name = e->s;
    while (e->s < e->end && (isalnum((unsigned char)*e->s) || *e->s == '_')) e->s++;
    size_t len = (size_t)(e->s - name);
    for (size_t i = 0; e->ps && i < e->ps->count; i++)
      if (strlen(e->ps->names[i]) == len && memcmp(e->ps->names[i], name, len) == 0) {
        *out = e->ps->values[i];
        return VY_OK;
      }
    e->s = name;
    return expr_fail(e, "unknown parameter");
  }
  return expr_fail(e, "expected a number, a parameter or '('");
}

static vy_status parse_product(expr_parser *e, uint64_t *out) {
  vy_status st = parse_atom(e, out);
  for (;;) {
    if (st != VY_OK) return st;
    skip_space(e);
    if (e->s >= e->end || (*e->s != '*' && *e->s != '/')) return VY_OK;
    char op = *e->s++;
    uint64_t rhs;
    const char *at = e->s;
    if ((st = parse_atom(e, &rhs)) != VY_OK) return st;
    if (op == '*') {
      if (rhs && *out > UINT64_MAX / rhs) return e->s = at, expr_fail(e, "the product overflows 64 bits");
      *out *= rhs;
    } else {
      if (rhs == 0) return e->s = at, expr_fail(e, "division by zero");
      *out /= rhs;
    }
  }
}

static vy_status parse_sum(expr_parser *e, uint64_t *out) {
  vy_status st = parse_product(e, out);
  for (;;) {
    if (st != VY_OK) return st;
    skip_space(e);
    if (e->s >= e->end || (*e->s != '+' && *e->s != '-')) return VY_OK;
    char op = *e->s++;
    uint64_t rhs;
    const char *at = e->s;
    if ((st = parse_product(e, &rhs)) != VY_OK) return st;
    if (op == '+') {
      if (*out > UINT64_MAX - rhs) return e->s = at, expr_fail(e, "the sum overflows 64 bits");
      *out += rhs;
    } else {
      if (rhs > *out) return e->s = at, expr_fail(e, "the difference is negative");
      *out -= rhs;
    }
  }
}

vy_status vyb_eval(const char *expr, size_t len, const vyb_params *ps, uint64_t *out, vy_error *err) {
  expr_parser e = {expr, expr + len, expr, ps, err, 0};
  vy_status st = parse_sum(&e, out);
  if (st != VY_OK) return st;
  skip_space(&e);
  return e.s == e.end ? VY_OK : expr_fail(&e, "unexpected text after the expression");
}

vy_status vyb_expand(const char *tmpl, const vyb_params *ps, char **out, vy_error *err) {
  *out = NULL;
  size_t cap = strlen(tmpl) + 64, len = 0;
  char *buf = malloc(cap);
  if (!buf) return vy_error_nomem(err);
  for (const char *s = tmpl; *s;) {
    char piece[24];
    const char *add = s;
    size_t n = 1;
    if (*s == '{') {
      const char *close = strchr(s, '}');
      if (!close) {
        free(buf);
        return vy_error_set(err, VY_E_INVALID_ARGUMENT, "'{' without '}' in '%s'. Fix: close the expression", tmpl);
      }
      uint64_t v;
      vy_status st = vyb_eval(s + 1, (size_t)(close - s - 1), ps, &v, err);
      if (st != VY_OK) {
        free(buf);
        return st;
      }
      n = (size_t)snprintf(piece, sizeof piece, "%llu", (unsigned long long)v);
      add = piece;
      s = close + 1;
    } else {
      s++;
    }
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *grown = realloc(buf, cap);
      if (!grown) {
        free(buf);
        return vy_error_nomem(err);
      }
      buf = grown;
    }
    memcpy(buf + len, add, n);
    len += n;
  }
  buf[len] = 0;
  *out = buf;
  return VY_OK;
}

void vyb_params_format(const vyb_params *ps, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = 0;
  for (size_t i = 0; i < ps->count && used < cap; i++) {
    int n =
        snprintf(buf + used, cap - used, "%s%s=%llu", i ? " " : "", ps->names[i], (unsigned long long)ps->values[i]);
    if (n < 0) break;
    used += (size_t)n;
  }
}

vy_status vyb_error_prefix(vy_error *err, vy_status st, const char *prefix) {
  char inner[VY_ERROR_MESSAGE_MAX];
  memcpy(inner, err->message, sizeof inner);
  uint32_t line = err->line, col = err->col;
  vy_error_set_at(err, st, line, col, "%s: %s", prefix, inner);
  return st;
}

/* ---- directives -------------------------------------------------------- */

typedef struct line_ctx {
  const char *path;
  uint32_t line;
  vy_error *err;
} line_ctx;

#define BAD(ctx, ...) vy_error_set_at((ctx)->err, VY_E_INVALID_ARGUMENT, (ctx)->line, 1, __VA_ARGS__)

/* Splits off the next whitespace-separated word of *s. */
static bool next_word(const char **s, const char **w, size_t *len) {
  while (isspace((unsigned char)**s)) (*s)++;
  if (!**s) return false;
  *w = *s;
  while (**s && !isspace((unsigned char)**s)) (*s)++;
  *len = (size_t)(*s - *w);
  return true;
}

static bool word_is(const char *w, size_t len, const char *lit) { return strlen(lit) == len && !memcmp(w, lit, len); }

static char *dup_trimmed(const char *s, size_t len) {
  while (len && isspace((unsigned char)*s)) s++, len--;
  while (len && isspace((unsigned char)s[len - 1])) len--;
  return strndup(s, len);
}

static vy_status parse_size(vyb_program *p, const char *rest, line_ctx *c) {
  const char *w;
  size_t wl;
  vyb_size sz;
  char name[16];
  if (!next_word(&rest, &w, &wl) || wl >= sizeof name)
    return BAD(c, "%s:%u: `size` needs a size name. Fix: write size small|medium|large NAME=EXPR ...", c->path,
               c->line);
  memcpy(name, w, wl);
  name[wl] = 0;
  if (!vyb_size_parse(name, &sz))
    return BAD(c, "%s:%u: unknown size '%s'. Fix: use small, medium or large", c->path, c->line, name);
  if (p->has_size[sz])
    return BAD(c, "%s:%u: size %s is given twice. Fix: keep one line per size", c->path, c->line, name);
  vyb_params *ps = &p->sizes[sz];
  while (next_word(&rest, &w, &wl)) {
    const char *eq = memchr(w, '=', wl);
    size_t nl = eq ? (size_t)(eq - w) : 0;
    if (!eq || nl == 0 || nl >= VYB_NAME_MAX || ps->count == VYB_MAX_PARAMS)
      return BAD(c, "%s:%u: '%.*s' is not NAME=EXPR (at most %d parameters, names under %d bytes). Fix: write n=4096",
                 c->path, c->line, (int)wl, w, VYB_MAX_PARAMS, VYB_NAME_MAX);
    bool ident = !isdigit((unsigned char)w[0]);
    for (size_t i = 0; i < nl; i++) ident = ident && (isalnum((unsigned char)w[i]) || w[i] == '_');
    if (!ident)
      return BAD(c, "%s:%u: '%.*s' is not a parameter name. Fix: use letters, digits and _", c->path, c->line, (int)nl,
                 w);
    uint64_t v;
    vy_status st = vyb_eval(eq + 1, wl - nl - 1, ps, &v, c->err);
    if (st != VY_OK) {
      char where[4096 + 16];
      snprintf(where, sizeof where, "%s:%u", c->path, c->line);
      return vyb_error_prefix(c->err, st, where);
    }
    for (size_t i = 0; i < ps->count; i++)
      if (strlen(ps->names[i]) == nl && !memcmp(ps->names[i], w, nl))
        return BAD(c, "%s:%u: parameter '%.*s' is given twice. Fix: name each once", c->path, c->line, (int)nl, w);
    memcpy(ps->names[ps->count], w, nl);
    ps->names[ps->count][nl] = 0;
    ps->values[ps->count++] = v;
  }
  p->has_size[sz] = true;
  return VY_OK;
}

/* `NAME = TEXT`: the buffer name and the rest. */
static vy_status split_assignment(const char *rest, line_ctx *c, const char *what, char **name, char **value) {
  const char *eq = strchr(rest, '=');
  *name = *value = NULL;
  if (!eq)
    return BAD(c, "%s:%u: `%s` needs BUFFER = VALUE. Fix: write %s x = rand:{n}:1", c->path, c->line, what, what);
  *name = dup_trimmed(rest, (size_t)(eq - rest));
  *value = dup_trimmed(eq + 1, strlen(eq + 1));
  if (!*name || !*value) return vy_error_nomem(c->err);
  return VY_OK;
}

static vy_status add_input(vyb_program *p, const char *rest, line_ctx *c) {
  vyb_input_rule *grown = realloc(p->inputs, (p->ninputs + 1) * sizeof *grown);
  if (!grown) return vy_error_nomem(c->err);
  p->inputs = grown;
  vyb_input_rule *r = &p->inputs[p->ninputs++];
  return split_assignment(rest, c, "input", &r->buffer, &r->spec);
}

static vy_status add_check(vyb_program *p, const char *rest, line_ctx *c) {
  const char *w, *m;
  size_t wl, ml;
  if (!next_word(&rest, &w, &wl) || !next_word(&rest, &m, &ml))
    return BAD(c, "%s:%u: `check` needs BUFFER MODE. Fix: write check out ulp:4 (or exact)", c->path, c->line);
  uint32_t ulp = 0;
  if (ml > 4 && !memcmp(m, "ulp:", 4)) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(m + 4, &end, 10);
    if (errno || end != m + ml || v == 0 || v > 1u << 22)
      return BAD(c, "%s:%u: bad ULP budget '%.*s'. Fix: write ulp:N with 0 < N <= 4194304", c->path, c->line, (int)ml,
                 m);
    ulp = (uint32_t)v;
  } else if (!word_is(m, ml, "exact")) {
    return BAD(c, "%s:%u: unknown check mode '%.*s'. Fix: use exact or ulp:N", c->path, c->line, (int)ml, m);
  }
  vyb_check_rule *grown = realloc(p->checks, (p->nchecks + 1) * sizeof *grown);
  if (!grown) return vy_error_nomem(c->err);
  p->checks = grown;
  p->checks[p->nchecks] = (vyb_check_rule){strndup(w, wl), ulp};
  if (!p->checks[p->nchecks++].buffer) return vy_error_nomem(c->err);
  return VY_OK;
}

static vy_status set_work(vyb_program *p, const char *rest, line_ctx *c) {
  const char *w;
  size_t wl;
  if (p->work_expr) return BAD(c, "%s:%u: `work` is given twice. Fix: keep one", c->path, c->line);
  if (!next_word(&rest, &w, &wl))
    return BAD(c, "%s:%u: `work` needs UNIT EXPR. Fix: write work bytes 12*n", c->path, c->line);
  if (word_is(w, wl, "bytes"))
    p->work_unit = VYB_WORK_BYTES;
  else if (word_is(w, wl, "flops"))
    p->work_unit = VYB_WORK_FLOPS;
  else if (word_is(w, wl, "elements"))
    p->work_unit = VYB_WORK_ELEMENTS;
  else
    return BAD(c, "%s:%u: unknown work unit '%.*s'. Fix: use bytes, flops or elements", c->path, c->line, (int)wl, w);
  p->work_expr = dup_trimmed(rest, strlen(rest));
  return p->work_expr ? VY_OK : vy_error_nomem(c->err);
}

static vy_status set_words(char **field, const char *rest, line_ctx *c, const char *what) {
  if (*field) return BAD(c, "%s:%u: `%s` is given twice. Fix: keep one", c->path, c->line, what);
  *field = dup_trimmed(rest, strlen(rest));
  return *field ? VY_OK : vy_error_nomem(c->err);
}

static vy_status parse_directive(vyb_program *p, const char *text, line_ctx *c) {
  const char *rest = text, *w;
  size_t wl;
  if (!next_word(&rest, &w, &wl)) return BAD(c, "%s:%u: empty directive. Fix: remove the line", c->path, c->line);
  if (word_is(w, wl, "size")) return parse_size(p, rest, c);
  if (word_is(w, wl, "input")) return add_input(p, rest, c);
  if (word_is(w, wl, "check")) return add_check(p, rest, c);
  if (word_is(w, wl, "work")) return set_work(p, rest, c);
  if (word_is(w, wl, "native")) return set_words(&p->native, rest, c, "native");
  if (word_is(w, wl, "tags")) return set_words(&p->tags, rest, c, "tags");
  return BAD(c, "%s:%u: unknown directive '%.*s'. Fix: use size, input, check, work, native or tags", c->path, c->line,
             (int)wl, w);
}

/* Reads the leading comment block of `src` for `# bench:` lines. */
static vy_status parse_directives(vyb_program *p, const char *src, vy_error *err) {
  line_ctx c = {p->path, 0, err};
  static const char tag[] = "# bench:";
  for (const char *s = src; *s;) {
    const char *eol = strchr(s, '\n');
    size_t len = eol ? (size_t)(eol - s) : strlen(s);
    c.line++;
    const char *t = s;
    while (t < s + len && (*t == ' ' || *t == '\t' || *t == '\r')) t++;
    if (t < s + len && *t != '#') break; /* the program starts: the block is over */
    if ((size_t)(s + len - t) >= sizeof tag - 1 && !memcmp(t, tag, sizeof tag - 1)) {
      char *text = strndup(t + sizeof tag - 1, (size_t)(s + len - t) - (sizeof tag - 1));
      if (!text) return vy_error_nomem(err);
      vy_status st = parse_directive(p, text, &c);
      free(text);
      if (st != VY_OK) return st;
    }
    if (!eol) break;
    s = eol + 1;
  }
  return VY_OK;
}

/* ---- checks against the program --------------------------------------- */

static const vy_buffer_decl *find_storage(const vyb_program *p, const char *name) {
  const vy_buffer_decl *d = vy_program_find_buffer(p->prog, name, strlen(name));
  return d && d->access != VY_ACCESS_WORKGROUP ? d : NULL;
}

static vy_status check_rules(vyb_program *p, vy_error *err) {
  for (int s = 0; s < VYB_NSIZES; s++)
    if (!p->has_size[s])
      return vy_error_set(err, VY_E_INVALID_ARGUMENT, "%s: no `# bench: size %s` line. Fix: give all three sizes",
                          p->path, vyb_size_name((vyb_size)s));
  if (!p->work_expr)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "%s: no `# bench: work` line. Fix: say what one dispatch does, e.g. work bytes 12*n", p->path);
  for (size_t i = 0; i < p->ninputs; i++) {
    const vy_buffer_decl *d = find_storage(p, p->inputs[i].buffer);
    if (!d || !vy_buffer_is_input(d))
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "%s: input `%s` %s. Fix: give inputs only for buffers that take one (not workgroup, not "
                          "`output`)",
                          p->path, p->inputs[i].buffer, d ? "names a buffer that takes no input" : "names no buffer");
    for (size_t j = 0; j < i; j++)
      if (strcmp(p->inputs[j].buffer, p->inputs[i].buffer) == 0)
        return vy_error_set(err, VY_E_INVALID_ARGUMENT, "%s: input `%s` is given twice. Fix: keep one", p->path,
                            p->inputs[i].buffer);
  }
  for (uint32_t b = 0; b < vy_program_buffer_count(p->prog); b++) {
    const vy_buffer_decl *d = vy_program_buffer(p->prog, b);
    if (!vy_buffer_is_input(d)) continue;
    bool found = false;
    for (size_t i = 0; i < p->ninputs && !found; i++)
      found = strlen(p->inputs[i].buffer) == d->name.len && !memcmp(p->inputs[i].buffer, d->name.ptr, d->name.len);
    if (!found)
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "%s: buffer `%.*s` takes an input but has no `# bench: input` line. Fix: add one, e.g. "
                          "# bench: input %.*s = zeros:{n}",
                          p->path, (int)d->name.len, d->name.ptr, (int)d->name.len, d->name.ptr);
  }
  for (size_t i = 0; i < p->nchecks; i++) {
    const vy_buffer_decl *d = find_storage(p, p->checks[i].buffer);
    if (!d || !vy_buffer_is_returned(d) || (p->checks[i].ulp && d->element.kind != VY_TYPE_F32))
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "%s: check `%s`: %s. Fix: check returned buffers; ulp:N only for f32 ones", p->path,
                          p->checks[i].buffer, !d ? "no such buffer" : "not a returned f32 buffer");
  }
  /* every expression must evaluate at every size */
  for (int s = 0; s < VYB_NSIZES; s++) {
    uint64_t v;
    vy_status st = vyb_eval(p->work_expr, strlen(p->work_expr), &p->sizes[s], &v, err);
    for (size_t i = 0; st == VY_OK && i < p->ninputs; i++) {
      char *spec;
      st = vyb_expand(p->inputs[i].spec, &p->sizes[s], &spec, err);
      free(spec);
    }
    if (st != VY_OK) {
      char where[4096 + 32];
      snprintf(where, sizeof where, "%s (size %s)", p->path, vyb_size_name((vyb_size)s));
      return vyb_error_prefix(err, st, where);
    }
  }
  return VY_OK;
}

static vy_status validate(const vyb_program *p, vy_error *err) {
  vy_validate_options o;
  vy_validate_options_default(&o);
  o.supports_subgroup_ops = true; /* as the reference interpreter validates (vyre-ir.md §4.1) */
  vy_diagnostics *d = NULL;
  vy_status st = vy_validate(p->prog, &o, NULL, &d, err);
  if (st == VY_OK && vy_diagnostics_first_error(d, err) != VY_OK)
    st = vyb_error_prefix(err, VY_E_INVALID_PROGRAM, p->path);
  vy_diagnostics_destroy(d);
  return st;
}

static vy_status read_text(const char *path, char **out, size_t *len, vy_error *err) {
  FILE *f = fopen(path, "rb");
  *out = NULL;
  if (!f) return vy_error_set(err, VY_E_IO, "cannot open '%s': %s. Fix: check the path", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  vy_status st = buf ? VY_OK : vy_error_nomem(err);
  while (st == VY_OK) {
    if (n + 1 >= cap) {
      char *grown = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
      if (!grown) {
        st = cap < (64u << 20) ? vy_error_nomem(err)
                               : vy_error_set(err, VY_E_IO, "'%s' is over 64 MiB. Fix: pass a program file", path);
        break;
      }
      buf = grown;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - 1 - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) st = vy_error_set(err, VY_E_IO, "cannot read '%s'. Fix: check the file", path);
      break;
    }
  }
  fclose(f);
  if (st != VY_OK) {
    free(buf);
    return st;
  }
  buf[n] = 0;
  *out = buf;
  *len = n;
  return VY_OK;
}

vy_status vyb_program_load(const char *path, vyb_program *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t blen = strlen(base);
  if (blen > 3 && !strcmp(base + blen - 3, ".vy")) blen -= 3;
  out->path = strdup(path);
  out->name = strndup(base, blen);
  if (!out->path || !out->name) {
    vyb_program_free(out);
    return vy_error_nomem(err);
  }
  char *src = NULL;
  size_t len = 0;
  vy_status st = read_text(path, &src, &len, err);
  if (st == VY_OK) st = vy_text_parse(src, len, path, NULL, &out->prog, err);
  if (st == VY_OK) st = parse_directives(out, src, err);
  free(src);
  if (st == VY_OK) st = validate(out, err);
  if (st == VY_OK && !out->native) out->native = strdup(out->name);
  if (st == VY_OK && !out->tags) out->tags = strdup("");
  if (st == VY_OK && (!out->native || !out->tags)) st = vy_error_nomem(err);
  if (st == VY_OK && !strcmp(out->native, "none")) {
    free(out->native);
    out->native = NULL;
  }
  if (st == VY_OK) st = check_rules(out, err);
  if (st != VY_OK) vyb_program_free(out);
  return st;
}

void vyb_program_free(vyb_program *p) {
  if (!p) return;
  for (size_t i = 0; i < p->ninputs; i++) free(p->inputs[i].buffer), free(p->inputs[i].spec);
  for (size_t i = 0; i < p->nchecks; i++) free(p->checks[i].buffer);
  free(p->inputs);
  free(p->checks);
  free(p->work_expr);
  free(p->native);
  free(p->tags);
  free(p->name);
  free(p->path);
  vy_program_destroy(p->prog);
  memset(p, 0, sizeof *p);
}

uint32_t vyb_program_ulp(const vyb_program *p, const char *name, size_t len) {
  for (size_t i = 0; i < p->nchecks; i++)
    if (strlen(p->checks[i].buffer) == len && !memcmp(p->checks[i].buffer, name, len)) return p->checks[i].ulp;
  return 0;
}

bool vyb_program_matches(const vyb_program *p, const char *word, size_t len) {
  if (strlen(p->name) == len && !memcmp(p->name, word, len)) return true;
  const char *s = p->tags, *w;
  size_t wl;
  while (next_word(&s, &w, &wl))
    if (wl == len && !memcmp(w, word, len)) return true;
  return false;
}
