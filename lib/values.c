/* values.c - buffer contents as text (values.h): input specs and output
 * lines, typed by the buffer's element type. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_int.h"
#include "error_int.h"
#include "vyre/values.h"

#define MAX_RESULT_BYTES ((uint64_t)1 << 30) /* 1 GiB cap on a generated or listed buffer */
#define MAX_TOKEN 64u                        /* longest numeric token we copy for strtof */

typedef enum elem_class { EC_U32, EC_I32, EC_U64, EC_F32, EC_BOOL, EC_HEX } elem_class;

typedef struct elem_info {
  elem_class cls;
  size_t width; /* bytes per element (>= 1) */
} elem_info;

static elem_info classify(const vy_type *t) {
  elem_info e = {EC_HEX, 1};
  switch (t->kind) {
  case VY_TYPE_U32:
    e.cls = EC_U32, e.width = 4;
    break;
  case VY_TYPE_I32:
    e.cls = EC_I32, e.width = 4;
    break;
  case VY_TYPE_U64:
    e.cls = EC_U64, e.width = 8;
    break;
  case VY_TYPE_F32:
    e.cls = EC_F32, e.width = 4;
    break;
  case VY_TYPE_BOOL:
    e.cls = EC_BOOL, e.width = 4;
    break;
  default: {
    uint32_t mb = vy_type_min_bytes(t);
    e.width = mb ? mb : 1;
    break;
  }
  }
  return e;
}

/* ---- parse context ---- */

typedef struct pctx {
  const char *spec; /* the spec as given: columns count from here */
  elem_info e;
  vy_bytes *out;
  vy_error *err;
} pctx;

static size_t col_of(const pctx *c, const char *p) { return (size_t)(p - c->spec) + 1; }

static vy_status perr(const pctx *c, const char *at, const char *fmt_what, size_t tlen, const char *tok,
                      const char *fix) {
  return vy_error_set(c->err, VY_E_INVALID_ARGUMENT, "input spec, column %zu: %s `%.*s`. Fix: %s", col_of(c, at),
                      fmt_what, (int)(tlen > 40 ? 40 : tlen), tok, fix);
}

static vy_status put(pctx *c, const void *data, size_t n) {
  if ((uint64_t)c->out->len + n > MAX_RESULT_BYTES)
    return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                        "input spec gives more than 1 GiB of data. Fix: use a smaller buffer or an @file");
  return vy_bytes_append(c->out, data, n) ? vy_error_nomem(c->err) : VY_OK;
}

static vy_status put_le(pctx *c, uint64_t v, size_t width) {
  uint8_t b[8];
  for (size_t i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
  return put(c, b, width);
}

static bool is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Unsigned decimal or 0x-hex integer up to `max`. */
static bool parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out) {
  uint64_t v = 0;
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (size_t i = 2; i < n; i++) {
      int d = hexval(s[i]);
      if (d < 0 || v > (max >> 4)) return false;
      v = v << 4 | (uint64_t)d;
    }
  } else {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
      if (s[i] < '0' || s[i] > '9') return false;
      uint64_t d = (uint64_t)(s[i] - '0');
      if (v > (max - d) / 10) return false;
      v = v * 10 + d;
    }
  }
  if (v > max) return false;
  *out = v;
  return true;
}

static bool token_is(const char *s, size_t n, const char *word) { return strlen(word) == n && !memcmp(s, word, n); }

/* [+-] digits [. digits] [e [+-] digits] with at least one mantissa digit. */
static bool is_decimal_float(const char *s, size_t n) {
  size_t i = 0, digits = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  }
  if (!digits) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t ed = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, ed++;
    if (!ed) return false;
  }
  return i == n;
}

/* One f32 value: returns false when the token is not an f32. *range is set
 * when it is a decimal that overflows f32. */
static bool parse_f32(const char *s, size_t n, uint32_t *bits, bool *range) {
  *range = false;
  if (token_is(s, n, "nan")) {
    *bits = 0x7FC00000u;
    return true;
  }
  if (token_is(s, n, "inf") || token_is(s, n, "+inf")) {
    *bits = 0x7F800000u;
    return true;
  }
  if (token_is(s, n, "-inf")) {
    *bits = 0xFF800000u;
    return true;
  }
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint64_t v;
    if (n > 10 || !parse_uint(s, n, UINT32_MAX, &v)) return false;
    *bits = (uint32_t)v;
    return true;
  }
  if (n >= MAX_TOKEN || !is_decimal_float(s, n)) return false;
  char buf[MAX_TOKEN];
  memcpy(buf, s, n);
  buf[n] = 0;
  errno = 0;
  float f = strtof(buf, NULL);
  if (isinf(f)) {
    *range = true;
    return false;
  }
  memcpy(bits, &f, 4);
  return true;
}

/* Appends the bytes of a hex token (an even number of hex digits). */
static vy_status put_hex_token(pctx *c, const char *s, size_t n) {
  if (n % 2 || n == 0)
    return perr(c, s, "hex bytes need an even number of hex digits, got", n, s,
                "write two hex digits per byte, e.g. `de,ad` or `dead`");
  for (size_t i = 0; i < n; i += 2) {
    int hi = hexval(s[i]), lo = hexval(s[i + 1]);
    if (hi < 0 || lo < 0)
      return perr(c, s, "not a hex byte string:", n, s,
                  "write bytes as hex digits in memory order, without 0x, e.g. `deadbeef`");
    uint8_t b = (uint8_t)(hi << 4 | lo);
    vy_status st = put(c, &b, 1);
    if (st) return st;
  }
  return VY_OK;
}

/* One element token of the buffer's class. For the hex class, `exact` asks
 * for exactly one element's width (const:N:V). */
static vy_status put_element(pctx *c, const char *s, size_t n, bool exact) {
  uint64_t v;
  switch (c->e.cls) {
  case EC_U32:
    if (!parse_uint(s, n, UINT32_MAX, &v))
      return perr(c, s, "not a u32", n, s, "write a decimal 0..4294967295 or 0x hex");
    return put_le(c, v, 4);
  case EC_U64:
    if (!parse_uint(s, n, UINT64_MAX, &v))
      return perr(c, s, "not a u64", n, s, "write a decimal 0..18446744073709551615 or 0x hex");
    return put_le(c, v, 8);
  case EC_I32:
    if (n > 1 && s[0] == '-') {
      if (!parse_uint(s + 1, n - 1, 2147483648u, &v) || (s[1] == '0' && n > 2 && (s[2] == 'x' || s[2] == 'X')))
        return perr(c, s, "not an i32", n, s, "write a decimal -2147483648..2147483647 or 0x bits");
      return put_le(c, (uint64_t)(uint32_t)(0u - (uint32_t)v), 4);
    }
    if (!parse_uint(s, n, UINT32_MAX, &v) || (v > INT32_MAX && !(n > 2 && (s[1] == 'x' || s[1] == 'X'))))
      return perr(c, s, "not an i32", n, s, "write a decimal -2147483648..2147483647 or 0x bits");
    return put_le(c, v, 4);
  case EC_BOOL:
    if (token_is(s, n, "true"))
      v = 1;
    else if (token_is(s, n, "false"))
      v = 0;
    else if (!parse_uint(s, n, UINT32_MAX, &v))
      return perr(c, s, "not a bool", n, s, "write 0, 1, true or false (one 4-byte word each)");
    return put_le(c, v, 4);
  case EC_F32: {
    uint32_t bits;
    bool range;
    if (!parse_f32(s, n, &bits, &range))
      return range ? perr(c, s, "out of the f32 range:", n, s, "write inf or -inf, or a value below 3.4028235e38")
                   : perr(c, s, "not an f32", n, s, "write a decimal (1.5, -0.0, 1e-3), inf, -inf, nan or 0x bits");
    return put_le(c, bits, 4);
  }
  case EC_HEX:
    if (exact && n != 2 * c->e.width) {
      char fix[96];
      snprintf(fix, sizeof fix, "write exactly %zu hex digits (one %zu-byte element)", 2 * c->e.width, c->e.width);
      return perr(c, s, "wrong width for one element:", n, s, fix);
    }
    return put_hex_token(c, s, n);
  }
  return VY_OK;
}

/* ---- list form ---- */

static vy_status parse_list(pctx *c, const char *p, const char *end) {
  bool after_comma = false, any = false, raw = false;
  for (;;) {
    while (p < end && is_ws(*p)) p++;
    if (p == end) {
      if (after_comma)
        return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                            "input spec, column %zu: trailing comma. Fix: remove it or add a value", col_of(c, p));
      return VY_OK;
    }
    if (*p == ',') {
      if (!any || after_comma)
        return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                            "input spec, column %zu: empty value. Fix: write one value between commas", col_of(c, p));
      after_comma = true;
      p++;
      continue;
    }
    const char *t = p;
    while (p < end && !is_ws(*p) && *p != ',') p++;
    size_t n = (size_t)(p - t);
    after_comma = false;
    any = true;
    if (n == 1 && *t == '|') {
      if (raw)
        return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                            "input spec, column %zu: second `|`. Fix: write raw trailing bytes after one `|` only",
                            col_of(c, t));
      raw = true;
      any = false; /* a comma may not follow `|` directly */
      continue;
    }
    vy_status st = raw ? put_hex_token(c, t, n) : put_element(c, t, n, false);
    if (st) return st;
  }
}

/* ---- generators ---- */

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Reads the decimal field that starts at *p and ends at ':' or `end`. */
static vy_status gen_field(pctx *c, const char **p, const char *end, bool last, uint64_t max, const char *what,
                           uint64_t *out) {
  const char *t = *p, *q = t;
  while (q < end && *q != ':') q++;
  if (!last && q == end)
    return vy_error_set(c->err, VY_E_INVALID_ARGUMENT, "input spec, column %zu: %s is missing. Fix: %s", col_of(c, q),
                        what, "write the generator as seq:N, zeros:N, const:N:V or rand:N:SEED");
  if (last) q = end;
  if (!parse_uint(t, (size_t)(q - t), max, out))
    return perr(c, t, what, (size_t)(q - t), t, "write a decimal number in range");
  *p = q < end ? q + 1 : q;
  return VY_OK;
}

static vy_status check_count(pctx *c, const char *at, uint64_t n) {
  if (n > MAX_RESULT_BYTES / c->e.width)
    return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                        "input spec, column %zu: %" PRIu64 " elements exceed 1 GiB. Fix: use a smaller count",
                        col_of(c, at), n);
  return vy_bytes_reserve(c->out, (size_t)(n * c->e.width)) ? vy_error_nomem(c->err) : VY_OK;
}

static vy_status gen_seq(pctx *c, uint64_t n) {
  vy_status st = VY_OK;
  for (uint64_t i = 0; i < n && !st; i++) {
    switch (c->e.cls) {
    case EC_F32: {
      float f = (float)i;
      uint32_t bits;
      memcpy(&bits, &f, 4);
      st = put_le(c, bits, 4);
      break;
    }
    case EC_BOOL:
      st = put_le(c, i % 2, 4);
      break;
    case EC_U32:
    case EC_I32:
      st = put_le(c, i, 4);
      break;
    case EC_U64:
      st = put_le(c, i, 8);
      break;
    case EC_HEX: {
      uint8_t zero = 0;
      st = put_le(c, i, c->e.width < 8 ? c->e.width : 8);
      for (size_t k = 8; k < c->e.width && !st; k++) st = put(c, &zero, 1);
      break;
    }
    }
  }
  return st;
}

static vy_status gen_rand(pctx *c, uint64_t n, uint64_t seed) {
  vy_status st = VY_OK;
  uint64_t state = seed;
  for (uint64_t i = 0; i < n && !st; i++) {
    switch (c->e.cls) {
    case EC_U32:
    case EC_I32:
      st = put_le(c, splitmix64(&state) & 0xFFFFFFFFu, 4);
      break;
    case EC_U64:
      st = put_le(c, splitmix64(&state), 8);
      break;
    case EC_BOOL:
      st = put_le(c, splitmix64(&state) & 1u, 4);
      break;
    case EC_F32: {
      float f = (float)(splitmix64(&state) >> 40) * 0x1p-24f;
      uint32_t bits;
      memcpy(&bits, &f, 4);
      st = put_le(c, bits, 4);
      break;
    }
    case EC_HEX:
      for (size_t done = 0; done < c->e.width && !st; done += 8) {
        size_t k = c->e.width - done < 8 ? c->e.width - done : 8;
        st = put_le(c, splitmix64(&state), k);
      }
      break;
    }
  }
  return st;
}

static vy_status parse_generator(pctx *c, const char *p, const char *end, const char *kind) {
  const char *at = p;
  uint64_t n, extra = 0;
  bool more = !strcmp(kind, "const") || !strcmp(kind, "rand");
  vy_status st = gen_field(c, &p, end, !more, UINT64_MAX, "element count", &n);
  if (!st) st = check_count(c, at, n);
  if (st) return st;
  if (!strcmp(kind, "zeros")) {
    memset(c->out->data, 0, (size_t)(n * c->e.width));
    c->out->len = (size_t)(n * c->e.width);
    c->out->data[c->out->len] = 0;
    return VY_OK;
  }
  if (!strcmp(kind, "seq")) return gen_seq(c, n);
  if (!strcmp(kind, "rand")) {
    st = gen_field(c, &p, end, true, UINT64_MAX, "seed", &extra);
    return st ? st : gen_rand(c, n, extra);
  }
  /* const:N:V: the value is everything after the second ':' */
  const char *v = p;
  if (v == end || memchr(v, ':', (size_t)(end - v)))
    return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                        "input spec, column %zu: const needs exactly one value. Fix: write const:N:V", col_of(c, v));
  st = put_element(c, v, (size_t)(end - v), true);
  if (st) return st;
  size_t w = c->out->len;
  for (uint64_t i = 1; i < n && !st; i++) st = put(c, c->out->data, w);
  if (!st && n == 0) c->out->len = 0;
  return st;
}

/* ---- parse entry point ---- */

static vy_status load_file(pctx *c, const char *p, const char *end, const vy_values_loader *loader,
                           const vy_allocator *alloc) {
  size_t n = (size_t)(end - p);
  if (!loader || !loader->fn)
    return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                        "input spec, column %zu: `@%.*s` names a file but no file loader was given. Fix: pass a "
                        "vy_values_loader, or give the values inline",
                        col_of(c, p - 1), (int)(n > 200 ? 200 : n), p);
  if (n == 0 || memchr(p, 0, n))
    return vy_error_set(c->err, VY_E_INVALID_ARGUMENT,
                        "input spec, column %zu: `@` needs a file name. Fix: write @path/to/file", col_of(c, p));
  char *path = vy_mem_alloc(alloc, n + 1);
  if (!path) return vy_error_nomem(c->err);
  memcpy(path, p, n);
  path[n] = 0;
  vy_bytes_free(c->out);
  vy_status st = loader->fn(loader->ud, path, alloc, c->out, c->err);
  vy_mem_free(alloc, path, n + 1);
  if (st) vy_bytes_free(c->out);
  return st;
}

vy_status vy_values_parse(const vy_type *elem, const char *spec, size_t len, const vy_values_loader *loader,
                          const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_values_parse: NULL out. Fix: pass a vy_bytes");
  memset(out, 0, sizeof *out);
  out->alloc = alloc;
  if (!elem || (!spec && len))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_values_parse: NULL element type or spec. Fix: pass the buffer's element type and text");
  pctx c = {spec, classify(elem), out, err};
  const char *p = spec, *end = spec + len;
  while (p < end && is_ws(*p)) p++;
  while (end > p && is_ws(end[-1])) end--;
  vy_status st;
  if (p < end && *p == '@') {
    st = load_file(&c, p + 1, end, loader, alloc);
  } else {
    static const char *const gens[] = {"zeros", "seq", "const", "rand"};
    const char *gen = NULL;
    for (size_t i = 0; i < sizeof gens / sizeof *gens && !gen; i++) {
      size_t k = strlen(gens[i]);
      if ((size_t)(end - p) > k && !memcmp(p, gens[i], k) && p[k] == ':') gen = gens[i];
    }
    st = gen ? parse_generator(&c, p + strlen(gen) + 1, end, gen) : parse_list(&c, p, end);
    if (!st && !out->data && vy_bytes_reserve(out, 0)) st = vy_error_nomem(err);
  }
  if (st) vy_bytes_free(out);
  return st;
}

/* ---- formatting ---- */

size_t vy_values_format_f32(uint32_t bits, char buf[VY_VALUES_F32_MAX]) {
  float f;
  memcpy(&f, &bits, 4);
  if (isnan(f)) return (size_t)snprintf(buf, VY_VALUES_F32_MAX, bits == 0x7FC00000u ? "nan" : "0x%08" PRIx32, bits);
  if (isinf(f)) return (size_t)snprintf(buf, VY_VALUES_F32_MAX, "%s", f < 0 ? "-inf" : "inf");
  int n = 0;
  for (int prec = 1; prec <= 9; prec++) {
    n = snprintf(buf, VY_VALUES_F32_MAX, "%.*g", prec, (double)f);
    float back = strtof(buf, NULL);
    uint32_t bb;
    memcpy(&bb, &back, 4);
    if (bb == bits) break; /* precision 9 always round-trips an f32 */
  }
  return (size_t)n;
}

static uint64_t get_le(const uint8_t *d, size_t w) {
  uint64_t v = 0;
  for (size_t i = 0; i < w; i++) v |= (uint64_t)d[i] << (8 * i);
  return v;
}

static int format_values(vy_bytes *o, elem_info e, const uint8_t *data, size_t len) {
  size_t n = len / e.width;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *d = data + i * e.width;
    if (i && vy_bytes_putc(o, ' ')) return -1;
    uint64_t v = get_le(d, e.width < 8 ? e.width : 8);
    int r = 0;
    switch (e.cls) {
    case EC_U32:
    case EC_BOOL:
      r = vy_bytes_printf(o, "%" PRIu32, (uint32_t)v);
      break;
    case EC_I32:
      r = vy_bytes_printf(o, "%" PRId32, (int32_t)(uint32_t)v);
      break;
    case EC_U64:
      r = vy_bytes_printf(o, "%" PRIu64, v);
      break;
    case EC_F32: {
      char buf[VY_VALUES_F32_MAX];
      size_t k = vy_values_format_f32((uint32_t)v, buf);
      r = vy_bytes_append(o, buf, k);
      break;
    }
    case EC_HEX:
      for (size_t k = 0; k < e.width && !r; k++) r = vy_bytes_printf(o, "%02x", d[k]);
      break;
    }
    if (r) return -1;
  }
  if (len % e.width) {
    if (vy_bytes_append(o, n ? " |" : "|", n ? 2 : 1)) return -1;
    for (size_t k = n * e.width; k < len; k++)
      if (vy_bytes_printf(o, " %02x", data[k])) return -1;
  }
  return 0;
}

vy_status vy_values_format_line(const char *name, size_t name_len, const vy_type *elem, const uint8_t *data, size_t len,
                                const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_values_format: NULL out. Fix: pass a vy_bytes");
  memset(out, 0, sizeof *out);
  out->alloc = alloc;
  if (!elem || (!data && len) || (!name && name_len))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_values_format: NULL element type, data or name. Fix: pass the buffer's type and bytes");
  int r = vy_bytes_reserve(out, 0);
  if (!r && name) {
    r = vy_bytes_append(out, name, name_len);
    if (!r) r = vy_bytes_append(out, len ? ": " : ":", len ? 2 : 1);
  }
  if (!r) r = format_values(out, classify(elem), data, len);
  if (r) {
    vy_bytes_free(out);
    return vy_error_nomem(err);
  }
  return VY_OK;
}

vy_status vy_values_format(const vy_type *elem, const uint8_t *data, size_t len, const vy_allocator *alloc,
                           vy_bytes *out, vy_error *err) {
  return vy_values_format_line(NULL, 0, elem, data, len, alloc, out, err);
}

bool vy_values_split_line(const char *line, size_t len, const char **name, size_t *name_len, const char **values,
                          size_t *values_len) {
  if (!line) return false;
  size_t i = len;
  while (i > 0 && line[i - 1] != ':') i--;
  if (i == 0) return false;
  size_t v = i;
  while (v < len && is_ws(line[v])) v++;
  if (name) *name = line;
  if (name_len) *name_len = i - 1;
  if (values) *values = line + v;
  if (values_len) *values_len = len - v;
  return true;
}
