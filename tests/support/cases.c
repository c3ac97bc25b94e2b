/* cases.c - loading and checking the case corpus (cases.h; format in
 * tests/cases/README.md). */
#define _POSIX_C_SOURCE 200809L /* opendir, stat */
#include "cases.h"
#include "ulp_compare.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "interp_int.h"
#include "vyre/text.h"
#include "vyre/values.h"
#include "vyre/wire.h"

#define DIRECTIVE "# >>>"

/* ---- small helpers ---- */

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

static void rep(char **report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rep(char **report, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t old = *report ? strlen(*report) : 0;
  char *r = realloc(*report, old + (size_t)n + 1);
  if (!r) return;
  va_start(ap, fmt);
  vsnprintf(r + old, (size_t)n + 1, fmt, ap);
  va_end(ap);
  *report = r;
}

static bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

static vy_status read_whole(const char *path, char **out, size_t *len, vy_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err->message, sizeof err->message, "%s: cannot open. Fix: check the path", path);
    err->code = VY_E_IO;
    return VY_E_IO;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) break;
    n += fread(buf + n, 1, cap - n - 1, f);
    if (n < cap - 1) break;
    char *b2 = realloc(buf, cap * 2);
    if (!b2) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = b2;
    cap *= 2;
  }
  bool bad = ferror(f);
  fclose(f);
  if (!buf || bad) {
    free(buf);
    snprintf(err->message, sizeof err->message, "%s: cannot read. Fix: check the file", path);
    err->code = buf ? VY_E_IO : VY_E_NOMEM;
    return err->code;
  }
  buf[n] = 0;
  *out = buf;
  *len = n;
  return VY_OK;
}

/* ---- the corpus host ops (directive `host`) ---- */

static uint32_t host_add_u32(uint32_t a, uint32_t b) { return a + b; }
static float host_mul_f32(float a, float b) { return a * b; }
static int32_t host_neg_i32(int32_t a) { return (int32_t)(0u - (uint32_t)a); }
static uint64_t host_pair_u64(uint32_t a) { return (uint64_t)a << 32 | a; }

static vy_status make_host(vy_host_registry **out, vy_error *err) {
  vy_status st = vy_host_registry_create(NULL, out, err);
  if (!st) st = vy_host_register(*out, "corpus.add_u32", "u32(u32, u32)", (vy_host_fn)host_add_u32, err);
  if (!st) st = vy_host_register(*out, "corpus.mul_f32", "f32(f32, f32)", (vy_host_fn)host_mul_f32, err);
  if (!st) st = vy_host_register(*out, "corpus.neg_i32", "i32(i32)", (vy_host_fn)host_neg_i32, err);
  if (!st) st = vy_host_register(*out, "corpus.pair_u64", "u64(u32)", (vy_host_fn)host_pair_u64, err);
  return st;
}

/* ---- loading ---- */

typedef struct loadctx {
  vy_case *c;
  vy_error *err;
  char *dir; /* directory of the case file, for @FILE */
} loadctx;

static vy_status lerr(loadctx *L, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static vy_status lerr(loadctx *L, uint32_t line, const char *fmt, ...) {
  char msg[VY_ERROR_MESSAGE_MAX - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  vy_error_clear(L->err);
  L->err->code = VY_E_PARSE;
  L->err->line = line;
  snprintf(L->err->message, sizeof L->err->message, "%s:%u: %s", L->c->path, line, msg);
  return VY_E_PARSE;
}

static vy_status push_value(loadctx *L, vy_case_value **arr, size_t *n, const char *name, size_t nlen, const char *spec,
                            size_t slen, uint32_t line) {
  vy_case_value *a = realloc(*arr, (*n + 1) * sizeof *a);
  if (!a) return lerr(L, line, "out of memory. Fix: free memory");
  *arr = a;
  vy_case_value *v = &a[(*n)++];
  memset(v, 0, sizeof *v);
  v->name = dup_n(name, nlen);
  v->spec = dup_n(spec, slen);
  v->line = line;
  return v->name && v->spec ? VY_OK : lerr(L, line, "out of memory. Fix: free memory");
}

static const struct {
  const char *name;
  vy_status code;
} status_names[] = {
    {"VY_E_RUNTIME", VY_E_RUNTIME},
    {"VY_E_INVALID_PROGRAM", VY_E_INVALID_PROGRAM},
    {"VY_E_TIMEOUT", VY_E_TIMEOUT},
    {"VY_E_NOMEM", VY_E_NOMEM},
    {"VY_E_UNSUPPORTED", VY_E_UNSUPPORTED},
    {"VY_E_INVALID_ARGUMENT", VY_E_INVALID_ARGUMENT},
    {"VY_E_DISPATCH_FAILED", VY_E_DISPATCH_FAILED},
};

static vy_status parse_expect_error(loadctx *L, const char *p, const char *end, uint32_t line) {
  const char *w = p;
  while (p < end && !is_blank(*p)) p++;
  bool found = false;
  for (size_t i = 0; i < sizeof status_names / sizeof *status_names; i++) {
    if (strlen(status_names[i].name) == (size_t)(p - w) && !memcmp(w, status_names[i].name, (size_t)(p - w))) {
      L->c->error_code = status_names[i].code;
      found = true;
    }
  }
  if (!found)
    return lerr(L, line, "unknown status `%.*s`. Fix: write VY_E_RUNTIME, VY_E_INVALID_PROGRAM, VY_E_TIMEOUT, ...",
                (int)(p - w), w);
  L->c->expect_error = true;
  while (p < end && is_blank(*p)) p++;
  if (p == end) return VY_OK;
  if (*p != '"') return lerr(L, line, "expected a quoted message substring. Fix: write \"text\"");
  char *text = malloc((size_t)(end - p) + 1);
  if (!text) return lerr(L, line, "out of memory. Fix: free memory");
  size_t n = 0;
  for (p++; p < end && *p != '"'; p++) {
    if (*p == '\\' && p + 1 < end) p++;
    text[n++] = *p;
  }
  text[n] = 0;
  L->c->error_text = text;
  if (p == end) return lerr(L, line, "unterminated message substring. Fix: close it with \"");
  for (p++; p < end && is_blank(*p); p++) {
  }
  if (p != end) return lerr(L, line, "text after the message substring. Fix: remove it");
  return VY_OK;
}

static vy_status parse_tags(loadctx *L, const char *p, const char *end, uint32_t line) {
  for (;;) {
    while (p < end && is_blank(*p)) p++;
    if (p == end) return VY_OK;
    const char *w = p;
    while (p < end && !is_blank(*p)) p++;
    char **t = realloc(L->c->tags, (L->c->ntags + 1) * sizeof *t);
    if (!t) return lerr(L, line, "out of memory. Fix: free memory");
    L->c->tags = t;
    t[L->c->ntags] = dup_n(w, (size_t)(p - w));
    if (!t[L->c->ntags++]) return lerr(L, line, "out of memory. Fix: free memory");
  }
}

/* One directive's text (after "# >>>", continuations joined, trimmed). */
static vy_status directive(loadctx *L, const char *p, size_t n, uint32_t line) {
  const char *end = p + n;
  const char *w = p;
  while (p < end && !is_blank(*p)) p++;
  size_t wl = (size_t)(p - w);
  while (p < end && is_blank(*p)) p++;
#define IS(s) (wl == strlen(s) && !memcmp(w, s, wl))
  vy_case *c = L->c;
  if (IS("input") || IS("expect")) {
    const char *nm = p;
    while (p < end && !is_blank(*p) && *p != '=') p++;
    size_t nl = (size_t)(p - nm);
    while (p < end && is_blank(*p)) p++;
    if (!nl || p == end || *p != '=')
      return lerr(L, line, "expected `%.*s NAME = VALUES`. Fix: name the buffer, then `=`", (int)wl, w);
    p++;
    while (p < end && is_blank(*p)) p++;
    return IS("input") ? push_value(L, &c->inputs, &c->ninputs, nm, nl, p, (size_t)(end - p), line)
                       : push_value(L, &c->expects, &c->nexpects, nm, nl, p, (size_t)(end - p), line);
  }
  if (IS("expect-error")) {
    if (c->expect_error) return lerr(L, line, "second expect-error. Fix: keep one");
    return parse_expect_error(L, p, end, line);
  }
  if (IS("tags:")) return parse_tags(L, p, end, line);
  if (IS("step-budget")) {
    char *e = NULL;
    char tmp[32];
    size_t k = (size_t)(end - p) < sizeof tmp - 1 ? (size_t)(end - p) : sizeof tmp - 1;
    memcpy(tmp, p, k);
    tmp[k] = 0;
    unsigned long long v = strtoull(tmp, &e, 10);
    if (!k || *e || v == 0) return lerr(L, line, "step-budget needs a positive count. Fix: write step-budget N");
    c->step_budget = v;
    return VY_OK;
  }
  bool *flag = IS("race")               ? &c->race
               : IS("no-validate")      ? &c->no_validate
               : IS("no-wire")          ? &c->no_wire
               : IS("inputs-unchecked") ? &c->inputs_unchecked
                                        : NULL;
  if (flag || IS("host")) {
    if (p != end) return lerr(L, line, "`%.*s` takes no argument. Fix: remove `%.*s`", (int)wl, w, (int)(end - p), p);
    if (flag) *flag = true;
    if (IS("host") && !c->host) {
      vy_error e2;
      if (make_host(&c->host, &e2)) return lerr(L, line, "host registry: %s", e2.message);
    }
    return VY_OK;
  }
#undef IS
  return lerr(L, line,
              "unknown directive `%.*s`. Fix: use input, expect, expect-error, race, tags:, no-validate, no-wire, "
              "inputs-unchecked, host or step-budget (tests/cases/README.md)",
              (int)wl, w);
}

/* Reads the leading comment block's directives. */
static vy_status scan_directives(loadctx *L) {
  const char *s = L->c->source, *end = s + L->c->source_len;
  bool header = true;
  char *joined = NULL; /* pending continuation */
  size_t jlen = 0;
  uint32_t jline = 0;
  vy_status st = VY_OK;
  for (uint32_t line = 1; s < end && !st; line++) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    const char *t = s;
    while (t < eol && is_blank(*t)) t++;
    const char *e = eol;
    while (e > t && is_blank(e[-1])) e--;
    bool is_dir = (size_t)(e - t) >= strlen(DIRECTIVE) && !memcmp(t, DIRECTIVE, strlen(DIRECTIVE));
    if (joined && !is_dir) {
      st = lerr(L, jline, "a directive ends with `\\` but the next line is no directive. Fix: remove the `\\`");
      break;
    }
    if (!header && is_dir) {
      st = lerr(L, line, "directive after the program text. Fix: move it into the leading comment block");
      break;
    }
    if (header && t < e && *t != '#') header = false;
    if (is_dir) {
      const char *d = t + strlen(DIRECTIVE);
      while (d < e && is_blank(*d)) d++;
      bool cont = d < e && e[-1] == '\\';
      const char *de = cont ? e - 1 : e;
      while (de > d && is_blank(de[-1])) de--;
      char *j = realloc(joined, jlen + (size_t)(de - d) + 2);
      if (!j) {
        st = lerr(L, line, "out of memory. Fix: free memory");
        break;
      }
      if (!joined) jline = line;
      joined = j;
      if (jlen) joined[jlen++] = ' ';
      memcpy(joined + jlen, d, (size_t)(de - d));
      jlen += (size_t)(de - d);
      joined[jlen] = 0;
      if (!cont) {
        st = directive(L, joined, jlen, jline);
        free(joined);
        joined = NULL;
        jlen = 0;
      }
    }
    s = eol < end ? eol + 1 : end;
  }
  if (!st && joined) st = lerr(L, jline, "the last directive ends with `\\`. Fix: remove the `\\`");
  free(joined);
  return st;
}

/* The file loader for `@FILE` specs: relative to the case directory. */
static vy_status case_file_loader(void *ud, const char *path, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  (void)alloc; /* NULL: malloc, as read_whole */
  const char *dir = ud;
  size_t n = strlen(dir) + strlen(path) + 2;
  char *full = malloc(n);
  if (!full) return VY_E_NOMEM;
  snprintf(full, n, "%s/%s", dir, path);
  char *data;
  size_t len;
  vy_status st = read_whole(full, &data, &len, err);
  free(full);
  if (st) return st;
  out->data = (uint8_t *)data;
  out->len = len;
  out->cap = len + 1;
  return VY_OK;
}

static bool backend_allocated(const vy_buffer_decl *d) {
  return d->is_output || d->access == VY_ACCESS_WRITE_ONLY ||
         (d->pipeline_live_out && d->access == VY_ACCESS_READ_WRITE);
}

/* Names of the buffers in `sel` order: 0 logical inputs, 1 every
 * non-workgroup buffer (legacy binding), 2 returned outputs. */
static size_t select_buffers(const vy_program *p, int sel, const vy_buffer_decl **out, size_t cap) {
  size_t n = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (d->access == VY_ACCESS_WORKGROUP) continue;
    bool take = sel == 1 || (sel == 0 && !backend_allocated(d)) ||
                (sel == 2 && (backend_allocated(d) || d->access == VY_ACCESS_READ_WRITE));
    if (take && n < cap) out[n] = d;
    n += take;
  }
  return n;
}

static bool names_match(const vy_case_value *v, size_t nv, const vy_buffer_decl **d, size_t nd) {
  if (nv != nd) return false;
  for (size_t i = 0; i < nv; i++)
    if (strlen(v[i].name) != d[i]->name.len || memcmp(v[i].name, d[i]->name.ptr, d[i]->name.len)) return false;
  return true;
}

static void list_names(char *buf, size_t cap, const vy_buffer_decl **d, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  for (size_t i = 0; i < n && used < cap; i++)
    used += (size_t)snprintf(buf + used, cap - used, "%s%.*s", i ? ", " : "", (int)d[i]->name.len, d[i]->name.ptr);
  if (!n) snprintf(buf, cap, "(none)");
}

static vy_status parse_value(loadctx *L, vy_case_value *v, const vy_type *t) {
  vy_values_loader ld = {case_file_loader, L->dir};
  vy_bytes b;
  vy_error e2;
  vy_status st = vy_values_parse(t, v->spec, strlen(v->spec), &ld, NULL, &b, &e2);
  if (st) return lerr(L, v->line, "`%s`: %s", v->name, e2.message);
  v->bytes = b.data;
  v->len = b.len;
  return VY_OK;
}

/* Checks the directives against the program's buffers and parses every spec. */
static vy_status bind_values(loadctx *L) {
  vy_case *c = L->c;
  const vy_program *p = c->program;
  enum { MAXB = 64 };
  const vy_buffer_decl *logical[MAXB], *all[MAXB], *outs[MAXB];
  size_t nl = select_buffers(p, 0, logical, MAXB), na = select_buffers(p, 1, all, MAXB),
         no = select_buffers(p, 2, outs, MAXB);
  if (nl > MAXB || na > MAXB || no > MAXB) return lerr(L, 1, "more than %d buffers. Fix: keep cases small", MAXB);
  char names[512];
  if (!c->inputs_unchecked) {
    const vy_buffer_decl **order = NULL;
    if (names_match(c->inputs, c->ninputs, logical, nl))
      order = logical;
    else if (names_match(c->inputs, c->ninputs, all, na))
      order = all;
    if (!order) {
      list_names(names, sizeof names, logical, nl);
      return lerr(L, c->ninputs ? c->inputs[0].line : 1,
                  "the inputs must name the logical input buffers in declaration order: %s (or, legacy binding, "
                  "every non-workgroup buffer). Fix: write one `input NAME = SPEC` per buffer, or `inputs-unchecked`",
                  names);
    }
    for (size_t i = 0; i < c->ninputs; i++) c->inputs[i].decl = order[i];
  } else {
    for (size_t i = 0; i < c->ninputs; i++)
      c->inputs[i].decl = vy_program_find_buffer(p, c->inputs[i].name, strlen(c->inputs[i].name));
  }
  for (size_t i = 0; i < c->ninputs; i++) {
    vy_status st =
        parse_value(L, &c->inputs[i], c->inputs[i].decl ? &c->inputs[i].decl->element : vy_type_scalar(VY_TYPE_BYTES));
    if (st) return st;
  }
  if (c->expect_error) {
    if (c->nexpects) return lerr(L, c->expects[0].line, "expect and expect-error together. Fix: keep one");
    return VY_OK;
  }
  if (!names_match(c->expects, c->nexpects, outs, no)) {
    list_names(names, sizeof names, outs, no);
    return lerr(L, c->nexpects ? c->expects[0].line : 1,
                "the expects must name every returned output buffer in declaration order: %s. Fix: write one "
                "`expect NAME = VALUES` per buffer, or `expect-error CODE \"text\"`",
                names);
  }
  if (no == 0) return lerr(L, 1, "the program returns no buffer, so the case checks nothing. Fix: add an output");
  for (size_t i = 0; i < c->nexpects; i++) {
    c->expects[i].decl = outs[i];
    vy_status st = parse_value(L, &c->expects[i], &outs[i]->element);
    if (st) return st;
  }
  return VY_OK;
}

vy_status vy_case_load(const char *path, vy_case **out, vy_error *err) {
  vy_error dummy;
  if (!err) err = &dummy;
  *out = NULL;
  vy_case *c = calloc(1, sizeof *c);
  if (!c || !(c->path = dup_n(path, strlen(path)))) {
    free(c);
    snprintf(err->message, sizeof err->message, "out of memory. Fix: free memory");
    return err->code = VY_E_NOMEM;
  }
  loadctx L = {c, err, NULL};
  vy_status st = read_whole(path, &c->source, &c->source_len, err);
  if (!st) {
    const char *slash = strrchr(path, '/');
    L.dir = slash ? dup_n(path, (size_t)(slash - path)) : dup_n(".", 1);
    if (!L.dir) st = lerr(&L, 1, "out of memory. Fix: free memory");
  }
  if (!st) st = scan_directives(&L);
  if (!st && !c->expect_error && !c->nexpects)
    st = lerr(&L, 1, "no expectation. Fix: add `# >>> expect NAME = VALUES` or `# >>> expect-error CODE`");
  if (!st) {
    vy_error pe;
    if (vy_text_parse(c->source, c->source_len, path, NULL, &c->program, &pe))
      st = lerr(&L, pe.line, "the program does not parse: %s", pe.message);
  }
  if (!st) st = bind_values(&L);
  free(L.dir);
  if (st) {
    vy_case_free(c);
    return st;
  }
  *out = c;
  return VY_OK;
}

static void free_values(vy_case_value *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].name);
    free(v[i].spec);
    free(v[i].bytes);
  }
  free(v);
}

void vy_case_free(vy_case *c) {
  if (!c) return;
  free(c->path);
  free(c->source);
  vy_program_destroy(c->program);
  free_values(c->inputs, c->ninputs);
  free_values(c->expects, c->nexpects);
  free(c->error_text);
  for (size_t i = 0; i < c->ntags; i++) free(c->tags[i]);
  free(c->tags);
  vy_host_registry_destroy(c->host);
  free(c);
}

bool vy_case_has_tag(const vy_case *c, const char *tag) {
  for (size_t i = 0; i < c->ntags; i++)
    if (!strcmp(c->tags[i], tag)) return true;
  return false;
}

/* ---- the reference backend ---- */

static vy_status reference_run(void *ud, const vy_case *c, const vy_interp_input *inputs, size_t n,
                               vy_interp_outputs *out, vy_error *err) {
  (void)ud;
  memset(out, 0, sizeof *out);
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare_ex(c->program, c->host, NULL, !c->no_validate, &pp, err);
  if (st) return st;
  vy_interp_options o;
  vy_interp_options_default(&o);
  o.step_budget = c->step_budget;
  st = vy_interp_execute(pp, inputs, n, &o, out, err);
  vy_interp_prepared_destroy(pp);
  return st;
}

const vy_case_backend *vy_case_reference_backend(void) {
  static const vy_case_backend ref = {"reference", false, 0, reference_run, NULL};
  return &ref;
}

/* ---- checking ---- */

static void rep_line(char **report, const char *label, const vy_buffer_decl *d, const uint8_t *data, size_t len) {
  vy_bytes line;
  vy_error e;
  if (vy_values_format_line(d->name.ptr, d->name.len, &d->element, data, len, NULL, &line, &e)) {
    rep(report, "  %s: (cannot format: %s)\n", label, e.message);
    return;
  }
  rep(report, "  %-9s %s\n", label, (const char *)line.data);
  vy_bytes_free(&line);
}

static bool compare_output(const vy_case *c, const vy_case_backend *be, const vy_case_value *want, const vy_bytes *got,
                           char **report) {
  if (got->len == want->len && !memcmp(got->data, want->bytes, want->len)) return true;
  const vy_buffer_decl *d = want->decl;
  if (got->len == want->len && d->element.kind == VY_TYPE_F32 && be->transcendental_ulp &&
      vy_case_has_tag(c, "transcendental") &&
      vy_ulp_within(got->data, want->bytes, want->len, d->has_output_range ? d->range_start : 0,
                    be->transcendental_ulp))
    return true;
  rep(report, "%s:%u: output `%s` differs on %s\n", c->path, want->line, want->name, be->name);
  rep_line(report, "expected:", d, want->bytes, want->len);
  rep_line(report, "actual:", d, got->data, got->len);
  uint32_t stride = vy_type_min_bytes(&d->element);
  size_t i = 0;
  while (i < want->len && i < got->len && want->bytes[i] == got->data[i]) i++;
  if (want->len != got->len) rep(report, "  lengths: expected %zu bytes, got %zu\n", want->len, got->len);
  if (i < want->len && i < got->len)
    rep(report, "  first difference at byte %zu (element %zu)\n", i, stride ? i / stride : i);
  return false;
}

bool vy_case_check(const vy_case *c, const vy_case_backend *be, char **report) {
  vy_interp_input *in = calloc(c->ninputs ? c->ninputs : 1, sizeof *in);
  if (!in) {
    rep(report, "%s: out of memory\n", c->path);
    return false;
  }
  for (size_t i = 0; i < c->ninputs; i++) in[i] = (vy_interp_input){c->inputs[i].bytes, c->inputs[i].len};
  vy_interp_outputs out;
  vy_error err;
  vy_error_clear(&err);
  vy_status st = be->run(be->ud, c, in, c->ninputs, &out, &err);
  free(in);
  bool ok = true;
  if (c->expect_error) {
    if (st == VY_OK) {
      rep(report, "%s: expected %s but the run on %s succeeded\n", c->path, vy_status_name(c->error_code), be->name);
      ok = false;
    } else if (st != c->error_code) {
      rep(report, "%s: expected %s, got %s on %s: %s\n", c->path, vy_status_name(c->error_code), vy_status_name(st),
          be->name, err.message);
      ok = false;
    } else if (c->error_text && !strstr(err.message, c->error_text)) {
      rep(report, "%s: the error message lacks \"%s\": %s\n", c->path, c->error_text, err.message);
      ok = false;
    } else if (!strstr(err.message, "Fix: ")) {
      rep(report, "%s: the error message has no \"Fix: \" hint: %s\n", c->path, err.message);
      ok = false;
    }
  } else if (st != VY_OK) {
    rep(report, "%s: the run on %s failed: %s: %s\n", c->path, be->name, vy_status_name(st), err.message);
    ok = false;
  } else if (out.count != c->nexpects) {
    rep(report, "%s: %zu outputs returned, the case expects %zu\n", c->path, out.count, c->nexpects);
    ok = false;
  } else if (!(be->compiled && c->race)) {
    for (size_t i = 0; i < c->nexpects; i++) ok &= compare_output(c, be, &c->expects[i], &out.items[i], report);
  }
  if (st == VY_OK) vy_interp_outputs_free(&out);
  return ok;
}

/* ---- round trips ---- */

static bool fp_equal(const vy_program *p, const uint8_t want[32]) {
  uint8_t f[32];
  return vy_program_fingerprint(p, f) && !memcmp(f, want, 32);
}

static bool print_prog(const vy_program *p, vy_bytes *out, const char *what, const vy_case *c, char **report) {
  vy_error e;
  if (vy_text_print(p, NULL, out, &e) == VY_OK) return true;
  rep(report, "%s: printing the %s program failed: %s\n", c->path, what, e.message);
  return false;
}

static vy_program *parse_prog(const vy_bytes *t, const char *what, const vy_case *c, char **report) {
  vy_program *p = NULL;
  vy_error e;
  if (vy_text_parse((const char *)t->data, t->len, what, NULL, &p, &e) == VY_OK) return p;
  rep(report, "%s: the printed %s program does not parse: %s\n", c->path, what, e.message);
  return NULL;
}

/* print(p) -> parse -> print is a fixed point; returns the reparsed program. */
static vy_program *text_cycle(const vy_program *p, const char *what, const vy_case *c, char **report) {
  vy_bytes t1 = {0}, t2 = {0};
  vy_program *q = NULL;
  bool ok = print_prog(p, &t1, what, c, report) && (q = parse_prog(&t1, what, c, report)) &&
            print_prog(q, &t2, what, c, report);
  if (ok && (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len))) {
    rep(report, "%s: printing the %s program is not a fixed point:\n%s\n---\n%s\n", c->path, what, t1.data, t2.data);
    ok = false;
  }
  vy_bytes_free(&t1);
  vy_bytes_free(&t2);
  if (!ok) {
    vy_program_destroy(q);
    return NULL;
  }
  return q;
}

bool vy_case_check_roundtrip(const vy_case *c, char **report) {
  const vy_program *p1 = c->program;
  uint8_t f1[32];
  bool has_fp = vy_program_fingerprint(p1, f1);
  vy_bytes enc = {0}, enc2 = {0};
  vy_error e;
  vy_status st = vy_wire_encode(p1, NULL, &enc, &e);
  if (c->no_wire) {
    /* vyre's encoder refuses it (no fingerprint either), or its decoder cannot
     * read the blob back (an extension kind with no registered resolver) */
    vy_program *back = NULL;
    vy_status dst = st ? VY_OK : vy_wire_decode(enc.data, enc.len, NULL, &back, &e);
    bool ok = st ? st == VY_E_ENCODE && !has_fp : dst == VY_E_DECODE;
    if (!ok)
      rep(report, "%s: marked no-wire, but encoding gave %s and decoding %s\n", c->path, vy_status_name(st),
          vy_status_name(dst));
    vy_program_destroy(back);
    vy_bytes_free(&enc);
    return ok;
  }
  if (st || !has_fp) {
    rep(report, "%s: cannot encode (%s: %s). Fix: mark the case `no-wire` if vyre's encoder refuses it\n", c->path,
        vy_status_name(st), st ? e.message : "no fingerprint");
    vy_bytes_free(&enc);
    return false;
  }
  bool ok = true;
  vy_program *p2 = NULL, *p3 = NULL, *p1b = NULL;
  /* the original text, printed and reparsed: equal to the original, same fingerprint */
  p1b = text_cycle(p1, "original", c, report);
  if (!p1b)
    ok = false;
  else if (!vy_program_equal(p1, p1b) || !fp_equal(p1b, f1)) {
    rep(report, "%s: print + parse of the original changes the program\n", c->path);
    ok = false;
  }
  /* through wire: same fingerprint, re-encodes byte-identically */
  if (ok && vy_wire_decode(enc.data, enc.len, NULL, &p2, &e)) {
    rep(report, "%s: the encoded program does not decode: %s\n", c->path, e.message);
    ok = false;
  }
  if (ok && !fp_equal(p2, f1)) {
    rep(report, "%s: the decoded program has another fingerprint\n", c->path);
    ok = false;
  }
  if (ok && (vy_wire_encode(p2, NULL, &enc2, &e) || enc2.len != enc.len || memcmp(enc.data, enc2.data, enc.len))) {
    rep(report, "%s: decode + encode does not give the same wire bytes\n", c->path);
    ok = false;
  }
  /* and back to text */
  if (ok && !(p3 = text_cycle(p2, "decoded", c, report))) ok = false;
  if (ok && !fp_equal(p3, f1)) {
    rep(report, "%s: text of the decoded program has another fingerprint\n", c->path);
    ok = false;
  }
  vy_program_destroy(p1b);
  vy_program_destroy(p2);
  vy_program_destroy(p3);
  vy_bytes_free(&enc);
  vy_bytes_free(&enc2);
  return ok;
}

/* ---- finding the cases ---- */

typedef struct pathvec {
  char **items;
  long n, cap;
  bool failed;
} pathvec;

static void pv_push(pathvec *v, char *s) {
  if (!s) {
    v->failed = true;
    return;
  }
  if (v->n == v->cap) {
    long cap = v->cap ? v->cap * 2 : 256;
    char **it = realloc(v->items, (size_t)cap * sizeof *it);
    if (!it) {
      free(s);
      v->failed = true;
      return;
    }
    v->items = it;
    v->cap = cap;
  }
  v->items[v->n++] = s;
}

static void walk(const char *dir, pathvec *v, int depth) {
  DIR *d = opendir(dir);
  if (!d || depth > 16) {
    if (d) closedir(d);
    v->failed = true;
    return;
  }
  struct dirent *ent;
  while ((ent = readdir(d))) {
    const char *nm = ent->d_name;
    if (nm[0] == '.') continue;
    size_t n = strlen(dir) + strlen(nm) + 2;
    char *full = malloc(n);
    if (!full) {
      v->failed = true;
      break;
    }
    snprintf(full, n, "%s/%s", dir, nm);
    struct stat sb;
    if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      walk(full, v, depth + 1);
      free(full);
    } else if (strlen(nm) > 3 && !strcmp(nm + strlen(nm) - 3, ".vy")) {
      pv_push(v, full);
    } else {
      free(full);
    }
  }
  closedir(d);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

long vy_case_find(const char *root, char ***paths) {
  pathvec v = {0};
  walk(root, &v, 0);
  if (v.failed) {
    vy_case_paths_free(v.items, v.n);
    *paths = NULL;
    return -1;
  }
  if (v.n) qsort(v.items, (size_t)v.n, sizeof *v.items, cmp_str);
  *paths = v.items;
  return v.n;
}

void vy_case_paths_free(char **paths, long n) {
  for (long i = 0; i < n; i++) free(paths[i]);
  free(paths);
}

const char *vy_case_root(char *buf, size_t cap) {
  const char *src = getenv("VY_SOURCE_DIR");
  if (src && *src)
    snprintf(buf, cap, "%s/tests/cases", src);
  else
    snprintf(buf, cap, "cases");
  return buf;
}
