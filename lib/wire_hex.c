/* wire_hex.c - vyre's hex text envelope around a wire blob (vyre-ir.md §7.12,
 * F/serial/text.rs):
 *
 *   vyre_ir v0.1
 *   wire_bytes <N>
 *   <the blob in lowercase hex, 32 bytes (64 characters) per line, each line ending "\n">
 *
 * The parser follows Program::from_text: lines split as Rust's str::lines
 * (at "\n", dropping one "\r" before it), the header line compared exactly,
 * the wire_bytes line and body lines stripped of trailing "\r"s, empty body
 * lines skipped, an even number of hex digits (either case) per line, and
 * exactly N bytes in all. It stops there: decoding is vy_wire_decode's job.
 */
#include <string.h>

#include "error_int.h"
#include "vyre/wire.h"
#include "wire_int.h"

#define HEX_HEADER "vyre_ir v0.1"
#define HEX_HEADER_LEN 12u
#define HEX_BYTES_PER_LINE 32u

vy_status vy_wire_to_hex(const uint8_t *data, size_t len, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  if (!out || (!data && len))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_wire_to_hex: NULL %s. Fix: pass the blob and an output",
                        out ? "data" : "output");
  static const char digits[] = "0123456789abcdef";
  *out = (vy_bytes){.alloc = alloc};
  size_t lines = len / HEX_BYTES_PER_LINE + (len % HEX_BYTES_PER_LINE != 0);
  if (len > (SIZE_MAX - 64) / 3 || vy_bytes_reserve(out, 2 * len + lines + 48) ||
      vy_bytes_printf(out, HEX_HEADER "\nwire_bytes %zu\n", len))
    goto nomem;
  for (size_t i = 0; i < len; i++) {
    char pair[3] = {digits[data[i] >> 4], digits[data[i] & 15], '\n'};
    bool eol = i % HEX_BYTES_PER_LINE == HEX_BYTES_PER_LINE - 1 || i + 1 == len;
    if (vy_bytes_append(out, pair, eol ? 3 : 2)) goto nomem;
  }
  return VY_OK;
nomem:
  vy_bytes_free(out);
  return vy_error_nomem(err);
}

/* One line of `text` as Rust's str::lines yields it. */
typedef struct line {
  const char *p;
  size_t len;
  uint32_t number; /* 1-based */
} line;

static bool next_line(const char **cur, const char *end, line *l) {
  if (*cur >= end) return false;
  const char *nl = memchr(*cur, '\n', (size_t)(end - *cur));
  l->p = *cur;
  l->len = (size_t)((nl ? nl : end) - *cur);
  if (nl && l->len && l->p[l->len - 1] == '\r') l->len--;
  *cur = nl ? nl + 1 : end;
  l->number++;
  return true;
}

static size_t trim_cr(const line *l) {
  size_t n = l->len;
  while (n && l->p[n - 1] == '\r') n--;
  return n;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Rust's str::parse::<usize>: an optional '+', then decimal digits only. */
static bool parse_usize(const char *s, size_t n, uint64_t *v) {
  if (n && *s == '+') s++, n--;
  if (!n) return false;
  *v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    unsigned d = (unsigned)(s[i] - '0');
    if (*v > (SIZE_MAX - d) / 10) return false;
    *v = *v * 10 + d;
  }
  return true;
}

static vy_status parse_header(const char **cur, const char *end, line *l, uint64_t *declared, vy_error *err) {
  if (!next_line(cur, end, l) || l->len != HEX_HEADER_LEN || memcmp(l->p, HEX_HEADER, HEX_HEADER_LEN) != 0)
    return vy_error_set_at(err, VY_E_DECODE, 1, 1,
                           "line 1:1: expected the hex envelope header `vyre_ir v0.1`. Fix: re-emit the text with "
                           "vy_wire_to_hex or vyre's Program::to_text");
  static const char prefix[] = "wire_bytes ";
  bool have = next_line(cur, end, l);
  size_t n = have ? trim_cr(l) : 0;
  if (!have || n < sizeof prefix - 1 || memcmp(l->p, prefix, sizeof prefix - 1) != 0 ||
      !parse_usize(l->p + sizeof prefix - 1, n - (sizeof prefix - 1), declared))
    return vy_error_set_at(err, VY_E_DECODE, 2, 1,
                           "line 2:1: expected `wire_bytes <N>` with N a decimal byte count. Fix: re-emit the text "
                           "with vy_wire_to_hex");
  if (*declared > VY_WIRE_MAX_BLOB)
    return vy_error_set_at(err, VY_E_DECODE, 2, 12,
                           "line 2:12: wire_bytes %llu is over the %zu-byte cap. Fix: pass the blob itself, or split "
                           "the program",
                           (unsigned long long)*declared, VY_WIRE_MAX_BLOB);
  return VY_OK;
}

/* Decodes every body line; bytes past `declared` are counted, not stored
 * (the count check comes after every line was checked, as in vyre). */
static vy_status parse_body(const char **cur, const char *end, line *l, uint64_t declared, vy_bytes *out,
                            uint64_t *total, vy_error *err) {
  while (next_line(cur, end, l)) {
    size_t n = trim_cr(l);
    if (!n) continue;
    if (n % 2)
      return vy_error_set_at(err, VY_E_DECODE, l->number, 1,
                             "line %u:1: hex line has %zu characters; it must have an even number. Fix: re-emit the "
                             "text with vy_wire_to_hex",
                             l->number, n);
    for (size_t i = 0; i < n; i += 2) {
      int hi = nibble(l->p[i]), lo = nibble(l->p[i + 1]);
      if (hi < 0 || lo < 0) {
        size_t col = hi < 0 ? i : i + 1;
        unsigned char c = (unsigned char)l->p[col];
        return vy_error_set_at(err, VY_E_DECODE, l->number, (uint32_t)col + 1,
                               "line %u:%zu: byte 0x%02x is not a hex digit. Fix: the body must be hex, 64 digits "
                               "per line; re-emit it with vy_wire_to_hex",
                               l->number, col + 1, c);
      }
      if (*total < declared && vy_bytes_putc(out, (uint8_t)(hi << 4 | lo))) return vy_error_nomem(err);
      (*total)++;
    }
  }
  return VY_OK;
}

vy_status vy_wire_from_hex(const char *text, size_t len, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  if (!out || (!text && len))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_wire_from_hex: NULL %s. Fix: pass the text and an output",
                        out ? "text" : "output");
  *out = (vy_bytes){.alloc = alloc};
  const char *cur = text ? text : "", *end = cur + len;
  line l = {0};
  uint64_t declared = 0, total = 0;
  vy_status st = parse_header(&cur, end, &l, &declared, err);
  /* never reserve more than the text can hold */
  if (st == VY_OK && vy_bytes_reserve(out, (size_t)(declared < len / 2 ? declared : len / 2)))
    st = vy_error_nomem(err);
  if (st == VY_OK) st = parse_body(&cur, end, &l, declared, out, &total, err);
  if (st == VY_OK && total != declared)
    st = vy_error_set_at(err, VY_E_DECODE, l.number ? l.number : 1, 1,
                         "wire_bytes says %llu bytes but the body holds %llu. Fix: recompute wire_bytes or re-emit "
                         "the text with vy_wire_to_hex",
                         (unsigned long long)declared, (unsigned long long)total);
  if (st != VY_OK) vy_bytes_free(out);
  return st;
}

bool vy_wire_is_hex(const char *text, size_t len) {
  if (!text) return false;
  const char *cur = text;
  line l = {0};
  return next_line(&cur, text + len, &l) && l.len == HEX_HEADER_LEN && memcmp(l.p, HEX_HEADER, HEX_HEADER_LEN) == 0;
}
