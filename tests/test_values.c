/* test_values.c - input specs and output lines (values.h).
 *
 * Expected bytes are written out by hand from the rules in values.h; the
 * splitmix64 draws are the published first outputs for seed 0
 * (0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f). Round trips
 * format -> split -> parse run over random byte strings of every class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "vyre/values.h"

static const vy_type *T(vy_type_kind k) { return vy_type_scalar(k); }

static void expect_bytes(const vy_type *t, const char *spec, const void *want, size_t n) {
  vy_bytes out;
  vy_error err;
  vy_status st = vy_values_parse(t, spec, strlen(spec), NULL, NULL, &out, &err);
  if (st != VY_OK) fail_msg("`%s`: %s", spec, err.message);
  if (out.len != n || (n && memcmp(out.data, want, n))) {
    fprintf(stderr, "`%s` gave %zu bytes:", spec, out.len);
    for (size_t i = 0; i < out.len; i++) fprintf(stderr, " %02x", out.data[i]);
    fprintf(stderr, "\n");
    fail_msg("`%s`: wrong bytes", spec);
  }
  vy_bytes_free(&out);
}

static void expect_error(const vy_type *t, const char *spec, const char *needle) {
  vy_bytes out;
  vy_error err;
  vy_status st = vy_values_parse(t, spec, strlen(spec), NULL, NULL, &out, &err);
  if (st != VY_E_INVALID_ARGUMENT) fail_msg("`%s`: expected an error, got %s", spec, vy_status_name(st));
  if (!strstr(err.message, needle)) fail_msg("`%s`: message lacks \"%s\": %s", spec, needle, err.message);
  assert_non_null(strstr(err.message, "Fix: "));
  assert_null(out.data);
  assert_int_equal(out.len, 0);
}

static void expect_line(const vy_type *t, const char *name, const void *data, size_t n, const char *want) {
  vy_bytes out;
  vy_error err;
  assert_int_equal(vy_values_format_line(name, strlen(name), t, data, n, NULL, &out, &err), VY_OK);
  if (strcmp((const char *)out.data, want)) fail_msg("got `%s`, want `%s`", (const char *)out.data, want);
  assert_int_equal(out.len, strlen(want));
  vy_bytes_free(&out);
}

/* ---- parsing lists ---- */

static void test_parse_integers(void **state) {
  (void)state;
  const uint8_t u[] = {1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0};
  expect_bytes(T(VY_TYPE_U32), "1,2,4294967295,0x10", u, sizeof u);
  expect_bytes(T(VY_TYPE_U32), "  1 2\t4294967295 ,\n0X10  ", u, sizeof u);
  expect_bytes(T(VY_TYPE_U32), "", NULL, 0);
  expect_bytes(T(VY_TYPE_U32), "   ", NULL, 0);
  const uint8_t i[] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80, 0, 0, 0, 0};
  expect_bytes(T(VY_TYPE_I32), "-1,-2147483648,2147483647,0x80000000,-0", i, sizeof i);
  const uint8_t w[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, 1, 0, 0, 0};
  expect_bytes(T(VY_TYPE_U64), "18446744073709551615 0x100000005", w, sizeof w);
  const uint8_t b[] = {0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0};
  expect_bytes(T(VY_TYPE_BOOL), "0,1,true,false,7", b, sizeof b);
}

static void test_parse_f32(void **state) {
  (void)state;
  /* 1.5 = 0x3FC00000, -0.0 = 0x80000000, nan 0x7FC00000, inf, -inf, exact bits,
   * 0.1 rounds to 0x3DCCCCCD, 1e-45 to the smallest subnormal 0x00000001 */
  const uint8_t f[] = {0, 0, 0xc0, 0x3f, 0, 0, 0,    0x80, 0,    0,    0xc0, 0x7f, 0, 0, 0x80, 0x7f,
                       0, 0, 0x80, 0xff, 1, 0, 0xc0, 0x7f, 0xcd, 0xcc, 0xcc, 0x3d, 1, 0, 0,    0};
  expect_bytes(T(VY_TYPE_F32), "1.5,-0.0,nan,inf,-inf,0x7fc00001,0.1,1e-45", f, sizeof f);
  const uint8_t g[] = {0, 0, 0x80, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0x20, 0x41, 0, 0, 0x7a, 0x44};
  expect_bytes(T(VY_TYPE_F32), "1 -1. 1e1 +1e3", g, sizeof g);
  const uint8_t h[] = {0xff, 0xff, 0x7f, 0x7f};
  expect_bytes(T(VY_TYPE_F32), "3.4028235e38", h, sizeof h);
}

static void test_parse_hex_types(void **state) {
  (void)state;
  const uint8_t d[] = {0xde, 0xad, 0xbe, 0xef};
  expect_bytes(T(VY_TYPE_U8), "de,ad,be,ef", d, 4);
  expect_bytes(T(VY_TYPE_U8), "deadbeef", d, 4);
  expect_bytes(T(VY_TYPE_BYTES), "DEAD beef", d, 4);
  expect_bytes(T(VY_TYPE_U16), "dead,beef", d, 4);
  expect_bytes(T(VY_TYPE_VEC2U32), "de ad be ef", d, 4); /* raw bytes: no element alignment */
  /* a partial trailing element after `|` */
  const uint8_t t[] = {1, 0, 0, 0, 2, 3};
  expect_bytes(T(VY_TYPE_U32), "1 | 02 03", t, sizeof t);
  expect_bytes(T(VY_TYPE_U32), "1 | 0203", t, sizeof t);
  expect_bytes(T(VY_TYPE_U32), "| 01 00 00 00 02 03", t, sizeof t);
}

static void test_parse_generators(void **state) {
  (void)state;
  const uint8_t s[] = {0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};
  expect_bytes(T(VY_TYPE_U32), "seq:4", s, sizeof s);
  expect_bytes(T(VY_TYPE_I32), " seq:4 ", s, sizeof s);
  const uint8_t sf[] = {0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40};
  expect_bytes(T(VY_TYPE_F32), "seq:3", sf, sizeof sf);
  const uint8_t sb[] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  expect_bytes(T(VY_TYPE_BOOL), "seq:3", sb, sizeof sb);
  const uint8_t su64[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  expect_bytes(T(VY_TYPE_U64), "seq:2", su64, sizeof su64);
  const uint8_t s8[] = {0, 1, 2};
  expect_bytes(T(VY_TYPE_U8), "seq:3", s8, 3);
  expect_bytes(T(VY_TYPE_BYTES), "seq:3", s8, 3);
  const uint8_t s16[] = {0, 0, 1, 0};
  expect_bytes(T(VY_TYPE_U16), "seq:2", s16, 4);
  const uint8_t v4[32] = {[16] = 1};
  expect_bytes(T(VY_TYPE_VEC4U32), "seq:2", v4, 32);
  uint8_t z[24] = {0};
  expect_bytes(T(VY_TYPE_U64), "zeros:3", z, 24);
  expect_bytes(T(VY_TYPE_U32), "zeros:0", NULL, 0);
  const uint8_t c[] = {7, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0};
  expect_bytes(T(VY_TYPE_U32), "const:3:7", c, sizeof c);
  const uint8_t ci[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  expect_bytes(T(VY_TYPE_I32), "const:2:-1", ci, sizeof ci);
  const uint8_t cf[] = {0, 0, 0xc0, 0x7f, 0, 0, 0xc0, 0x7f};
  expect_bytes(T(VY_TYPE_F32), "const:2:nan", cf, sizeof cf);
  const uint8_t ch[] = {0xab, 0xcd, 0xab, 0xcd};
  expect_bytes(T(VY_TYPE_U16), "const:2:abcd", ch, sizeof ch);
  expect_bytes(T(VY_TYPE_U32), "const:0:5", NULL, 0);
}

static void test_parse_rand(void **state) {
  (void)state;
  /* splitmix64, seed 0: e220a8397b1dcdaf 6e789e6aa1b965f4 06c45d188009454f */
  const uint8_t w[] = {0xaf, 0xcd, 0x1d, 0x7b, 0x39, 0xa8, 0x20, 0xe2, 0xf4, 0x65, 0xb9, 0xa1,
                       0x6a, 0x9e, 0x78, 0x6e, 0x4f, 0x45, 0x09, 0x80, 0x18, 0x5d, 0xc4, 0x06};
  expect_bytes(T(VY_TYPE_U64), "rand:3:0", w, sizeof w);
  const uint8_t u[] = {0xaf, 0xcd, 0x1d, 0x7b, 0xf4, 0x65, 0xb9, 0xa1, 0x4f, 0x45, 0x09, 0x80};
  expect_bytes(T(VY_TYPE_U32), "rand:3:0", u, sizeof u);
  expect_bytes(T(VY_TYPE_I32), "rand:3:0", u, sizeof u);
  const uint8_t b[] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
  expect_bytes(T(VY_TYPE_BOOL), "rand:3:0", b, sizeof b);
  /* f32: (draw >> 40) * 2^-24 is exact; with the top set bit of the 24-bit
   * draw at position k the value is 1.m * 2^(k-24): exponent field 103 + k,
   * mantissa = the bits below the top one, shifted up to 23 bits */
  uint32_t x0 = 0xe220a8u, x1 = 0x6e789eu, x2 = 0x06c45du; /* top bits at 23, 22, 18 */
  uint32_t f0 = (126u << 23) | (x0 & 0x7fffffu);
  uint32_t f1 = (125u << 23) | ((x1 << 1) & 0x7fffffu);
  uint32_t f2 = (121u << 23) | ((x2 << 5) & 0x7fffffu);
  uint8_t fb[12];
  uint32_t fw[3] = {f0, f1, f2};
  for (int i = 0; i < 12; i++) fb[i] = (uint8_t)(fw[i / 4] >> (8 * (i % 4)));
  expect_bytes(T(VY_TYPE_F32), "rand:3:0", fb, sizeof fb);
  /* hex classes: u16 keeps the 2 low bytes of one draw per element; vec4<u32>
   * concatenates two draws */
  const uint8_t h[] = {0xaf, 0xcd, 0xf4, 0x65};
  expect_bytes(T(VY_TYPE_U16), "rand:2:0", h, sizeof h);
  const uint8_t v[] = {0xaf, 0xcd, 0x1d, 0x7b, 0x39, 0xa8, 0x20, 0xe2, 0xf4, 0x65, 0xb9, 0xa1, 0x6a, 0x9e, 0x78, 0x6e};
  expect_bytes(T(VY_TYPE_VEC4U32), "rand:1:0", v, sizeof v);
}

static void test_parse_errors(void **state) {
  (void)state;
  expect_error(T(VY_TYPE_U32), "1,x,3", "column 3: not a u32 `x`");
  expect_error(T(VY_TYPE_U32), "1,,2", "column 3: empty value");
  expect_error(T(VY_TYPE_U32), ",1", "column 1: empty value");
  expect_error(T(VY_TYPE_U32), "1,2,", "trailing comma");
  expect_error(T(VY_TYPE_U32), "4294967296", "not a u32");
  expect_error(T(VY_TYPE_U32), "-1", "not a u32");
  expect_error(T(VY_TYPE_U32), "0x", "not a u32");
  expect_error(T(VY_TYPE_U32), "0x100000000", "not a u32");
  expect_error(T(VY_TYPE_I32), "2147483648", "not an i32");
  expect_error(T(VY_TYPE_I32), "-2147483649", "not an i32");
  expect_error(T(VY_TYPE_I32), "-0x1", "not an i32");
  expect_error(T(VY_TYPE_U64), "18446744073709551616", "not a u64");
  expect_error(T(VY_TYPE_BOOL), "yes", "not a bool");
  expect_error(T(VY_TYPE_F32), "1e39", "out of the f32 range");
  expect_error(T(VY_TYPE_F32), "1.5f", "not an f32");
  expect_error(T(VY_TYPE_F32), "0x1p3", "not an f32");
  expect_error(T(VY_TYPE_F32), "0x123456789", "not an f32");
  expect_error(T(VY_TYPE_F32), "infinity", "not an f32");
  expect_error(T(VY_TYPE_F32), ".", "not an f32");
  expect_error(T(VY_TYPE_F32), "1e", "not an f32");
  expect_error(T(VY_TYPE_U8), "abc", "even number of hex digits");
  expect_error(T(VY_TYPE_U8), "0xde", "not a hex byte string");
  expect_error(T(VY_TYPE_U8), "zz", "not a hex byte string");
  expect_error(T(VY_TYPE_U32), "1 | 02 | 03", "second `|`");
  expect_error(T(VY_TYPE_U32), "1 |, 02", "empty value");
  expect_error(T(VY_TYPE_U32), "1 | 2", "even number");
  expect_error(T(VY_TYPE_U32), "seq:", "element count");
  expect_error(T(VY_TYPE_U32), "seq:x", "element count");
  expect_error(T(VY_TYPE_U32), "seq:3:4", "element count");
  expect_error(T(VY_TYPE_U32), "const:3", "is missing");
  expect_error(T(VY_TYPE_U32), "const:3:", "exactly one value");
  expect_error(T(VY_TYPE_U32), "const:3:1:2", "exactly one value");
  expect_error(T(VY_TYPE_U32), "const:3:x", "column 9: not a u32");
  expect_error(T(VY_TYPE_U16), "const:2:ab", "wrong width for one element");
  expect_error(T(VY_TYPE_U32), "rand:3", "is missing");
  expect_error(T(VY_TYPE_U32), "rand:3:-1", "seed");
  expect_error(T(VY_TYPE_U32), "zeros:268435457", "exceed 1 GiB");
  expect_error(T(VY_TYPE_U32), "  @data.bin", "column 3: `@data.bin` names a file but no file loader");
  expect_error(T(VY_TYPE_U32), "seq", "not a u32"); /* no ':' : a plain (bad) value */
  /* API misuse */
  vy_bytes out;
  vy_error err;
  assert_int_equal(vy_values_parse(NULL, "1", 1, NULL, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_values_parse(T(VY_TYPE_U32), NULL, 1, NULL, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_values_parse(T(VY_TYPE_U32), "1", 1, NULL, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_values_format(NULL, NULL, 0, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_values_format(T(VY_TYPE_U32), NULL, 4, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
}

/* ---- files through the loader ---- */

typedef struct loader_state {
  char path[64];
  int calls;
  bool fail;
} loader_state;

static vy_status test_loader(void *ud, const char *path, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  loader_state *ls = ud;
  ls->calls++;
  snprintf(ls->path, sizeof ls->path, "%s", path);
  if (ls->fail) {
    snprintf(err->message, sizeof err->message, "cannot open %s. Fix: check the path", path);
    err->code = VY_E_IO;
    return VY_E_IO;
  }
  assert_ptr_equal(out->alloc, alloc);
  out->data = alloc ? alloc->fn(alloc->ud, NULL, 0, 4) : malloc(4);
  if (!out->data) return VY_E_NOMEM;
  memcpy(out->data, "\x01\x02\x03", 3);
  out->len = 3;
  out->cap = 4;
  return VY_OK;
}

static void test_loader_files(void **state) {
  (void)state;
  loader_state ls = {0};
  vy_values_loader ld = {test_loader, &ls};
  vy_bytes out;
  vy_error err;
  assert_int_equal(vy_values_parse(T(VY_TYPE_U32), " @dir/x.bin ", 12, &ld, NULL, &out, &err), VY_OK);
  assert_string_equal(ls.path, "dir/x.bin");
  assert_int_equal(out.len, 3); /* raw bytes, whatever the element type */
  assert_memory_equal(out.data, "\x01\x02\x03", 3);
  vy_bytes_free(&out);
  ls.fail = true;
  assert_int_equal(vy_values_parse(T(VY_TYPE_U32), "@missing", 8, &ld, NULL, &out, &err), VY_E_IO);
  assert_non_null(strstr(err.message, "cannot open missing"));
  assert_null(out.data);
  assert_int_equal(vy_values_parse(T(VY_TYPE_U32), "@", 1, &ld, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "needs a file name"));
  assert_int_equal(ls.calls, 2);
}

/* ---- formatting ---- */

static void test_format_lines(void **state) {
  (void)state;
  const uint32_t u[] = {0, 7, 4294967295u};
  expect_line(T(VY_TYPE_U32), "out", u, sizeof u, "out: 0 7 4294967295");
  const int32_t i[] = {-1, INT32_MIN, 5};
  expect_line(T(VY_TYPE_I32), "x", i, sizeof i, "x: -1 -2147483648 5");
  const uint64_t w[] = {UINT64_MAX, 1};
  expect_line(T(VY_TYPE_U64), "w", w, sizeof w, "w: 18446744073709551615 1");
  const uint32_t b[] = {0, 1, 7};
  expect_line(T(VY_TYPE_BOOL), "flags", b, sizeof b, "flags: 0 1 7");
  const uint32_t f[] = {0x3DCCCCCDu, 0x00000001u, 0x80000000u, 0x7FC00000u, 0x7FC00001u, 0xFF800000u,
                        0x7F7FFFFFu, 0x4B800000u, 0x3EAAAAABu, 0x3FC00000u, 0x00000000u, 0xFFFFFFFFu};
  expect_line(T(VY_TYPE_F32), "f", f, sizeof f,
              "f: 0.1 1e-45 -0 nan 0x7fc00001 -inf 3.4028235e+38 16777216 0.33333334 1.5 0 0xffffffff");
  const uint8_t h[] = {1, 0, 2, 0, 0xff};
  expect_line(T(VY_TYPE_U16), "h", h, sizeof h, "h: 0100 0200 | ff");
  expect_line(T(VY_TYPE_BYTES), "blob", h, sizeof h, "blob: 01 00 02 00 ff");
  const uint8_t t[] = {5, 0, 0, 0, 2, 3};
  expect_line(T(VY_TYPE_U32), "t", t, sizeof t, "t: 5 | 02 03");
  expect_line(T(VY_TYPE_U32), "t", t + 4, 2, "t: | 02 03");
  expect_line(T(VY_TYPE_U32), "empty", NULL, 0, "empty:");
  /* values only */
  vy_bytes out;
  vy_error err;
  assert_int_equal(vy_values_format(T(VY_TYPE_U32), (const uint8_t *)u, 8, NULL, &out, &err), VY_OK);
  assert_string_equal((const char *)out.data, "0 7");
  vy_bytes_free(&out);
  char buf[VY_VALUES_F32_MAX];
  assert_int_equal(vy_values_format_f32(0x7F800000u, buf), 3);
  assert_string_equal(buf, "inf");
  assert_int_equal(vy_values_format_f32(0x3F800000u, buf), 1);
  assert_string_equal(buf, "1");
}

static void test_split_line(void **state) {
  (void)state;
  const char *name, *vals;
  size_t nl, vl;
  const char *line = "a:b: 1 2";
  assert_true(vy_values_split_line(line, strlen(line), &name, &nl, &vals, &vl));
  assert_int_equal(nl, 3);
  assert_memory_equal(name, "a:b", 3);
  assert_int_equal(vl, 3);
  assert_memory_equal(vals, "1 2", 3);
  assert_true(vy_values_split_line("e:", 2, &name, &nl, &vals, &vl));
  assert_int_equal(nl, 1);
  assert_int_equal(vl, 0);
  assert_false(vy_values_split_line("no colon", 8, &name, &nl, &vals, &vl));
}

/* ---- round trips over random bytes ---- */

static uint32_t lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

static void roundtrip(const vy_type *t, const uint8_t *data, size_t n) {
  vy_bytes line, back;
  vy_error err;
  assert_int_equal(vy_values_format_line("buf", 3, t, data, n, NULL, &line, &err), VY_OK);
  const char *name, *vals;
  size_t nl, vl;
  assert_true(vy_values_split_line((const char *)line.data, line.len, &name, &nl, &vals, &vl));
  assert_int_equal(nl, 3);
  vy_status st = vy_values_parse(t, vals, vl, NULL, NULL, &back, &err);
  if (st != VY_OK) fail_msg("`%s` does not parse back: %s", (const char *)line.data, err.message);
  if (back.len != n || (n && memcmp(back.data, data, n))) fail_msg("`%s` parses back differently", line.data);
  vy_bytes_free(&line);
  vy_bytes_free(&back);
}

static void test_roundtrip_random(void **state) {
  (void)state;
  static const vy_type_kind kinds[] = {VY_TYPE_U32,  VY_TYPE_I32, VY_TYPE_U64,     VY_TYPE_F32,
                                       VY_TYPE_BOOL, VY_TYPE_U8,  VY_TYPE_U16,     VY_TYPE_BYTES,
                                       VY_TYPE_F16,  VY_TYPE_I64, VY_TYPE_VEC4U32, VY_TYPE_ARRAY};
  uint32_t s = 12345;
  uint8_t data[67];
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
    vy_type t = {.kind = kinds[k]};
    if (t.kind == VY_TYPE_ARRAY) t.u.array_element_size = 4;
    for (int iter = 0; iter < 200; iter++) {
      size_t n = lcg(&s) % sizeof data;
      for (size_t i = 0; i < n; i++) data[i] = (uint8_t)lcg(&s);
      roundtrip(&t, data, n);
    }
  }
  /* every f32 special and boundary pattern */
  static const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x00000001u, 0x807FFFFFu, 0x00800000u,
                                      0x7F7FFFFFu, 0xFF7FFFFFu, 0x7F800000u, 0xFF800000u, 0x7FC00000u,
                                      0xFFC00000u, 0x7F800001u, 0x7FFFFFFFu, 0x3F800001u, 0x4B7FFFFFu};
  roundtrip(T(VY_TYPE_F32), (const uint8_t *)specials, sizeof specials);
  /* a long stream of random f32 patterns */
  for (int iter = 0; iter < 20000; iter++) {
    uint32_t bits = lcg(&s) ^ (lcg(&s) << 24);
    roundtrip(T(VY_TYPE_F32), (const uint8_t *)&bits, 4);
  }
}

/* ---- allocation failures ---- */

static vy_status fault_parse(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  static const char *const specs[] = {"1,2,3", "seq:100", "rand:50:9", "const:40:7", "zeros:9", "1 | 0203"};
  for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
    vy_bytes out;
    vy_error err;
    vy_status st = vy_values_parse(T(VY_TYPE_U32), specs[i], strlen(specs[i]), NULL, alloc, &out, &err);
    if (st) return st;
    vy_bytes_free(&out);
  }
  return VY_OK;
}

static vy_status fault_format(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  uint32_t v[40];
  for (uint32_t i = 0; i < 40; i++) v[i] = i * 0x01010101u;
  vy_bytes out;
  vy_error err;
  vy_status st = vy_values_format_line("name", 4, T(VY_TYPE_F32), (const uint8_t *)v, sizeof v - 1, alloc, &out, &err);
  if (st) return st;
  vy_bytes_free(&out);
  return VY_OK;
}

static void test_allocation_failures(void **state) {
  (void)state;
  assert_true(vy_fault_run_all(fault_parse, NULL) > 0);
  assert_true(vy_fault_run_all(fault_format, NULL) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_integers),      cmocka_unit_test(test_parse_f32),
      cmocka_unit_test(test_parse_hex_types),     cmocka_unit_test(test_parse_generators),
      cmocka_unit_test(test_parse_rand),          cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_loader_files),        cmocka_unit_test(test_format_lines),
      cmocka_unit_test(test_split_line),          cmocka_unit_test(test_roundtrip_random),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
