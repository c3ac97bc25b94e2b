/* test_text.c - the text format (.vy): parser, printer and their contract.
 *
 *  - every program in tests/programs/ and ~1,000 random programs (progen.h):
 *    print(parse(t)) is a fixed point, parse(print(p)) equals p (every field)
 *    with the same fingerprint; the example programs validate, and run on the
 *    reference interpreter with the results of a plain C computation;
 *  - literal values, names, attributes, tree shapes and locations checked
 *    against values worked out by hand from the grammar (text.h);
 *  - the exact printed form of a builder-made program;
 *  - every syntax-error path: line:col and a message substring;
 *  - the nesting limit on both sides, allocation failures, API misuse, and
 *    mutated inputs (no crash; success implies a clean round trip).
 */
#include <dirent.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "program_int.h"
#include "progen.h"
#include "text_int.h"
#include "vyre/builder.h"
#include "vyre/interp.h"
#include "vyre/text.h"
#include "vyre/validate.h"

/* ---- helpers ---- */

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long n = ftell(f);
  assert_true(n >= 0);
  rewind(f);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static const char *programs_dir(char *buf, size_t cap) {
  const char *src = getenv("VY_SOURCE_DIR");
  snprintf(buf, cap, "%s/tests/programs", src ? src : "..");
  return buf;
}

static char *read_program(const char *name, size_t *len) {
  char dir[512], path[1024];
  snprintf(path, sizeof path, "%s/%s", programs_dir(dir, sizeof dir), name);
  return read_file(path, len);
}

static vy_program *parse_ok(const char *src, size_t len) {
  vy_program *p = NULL;
  vy_error err;
  vy_status st = vy_text_parse(src, len, "t.vy", NULL, &p, &err);
  if (st != VY_OK) fail_msg("parse failed: %s\n--- input ---\n%.*s", err.message, (int)len, src);
  return p;
}

static vy_program *parse_str(const char *src) { return parse_ok(src, strlen(src)); }

static char *print_ok(const vy_program *p, size_t *len) {
  vy_bytes out;
  vy_error err;
  vy_status st = vy_text_print(p, NULL, &out, &err);
  if (st != VY_OK) fail_msg("print failed: %s", err.message);
  assert_int_equal(out.data[out.len], 0);
  if (len) *len = out.len;
  return (char *)out.data; /* malloc'ed: alloc is NULL */
}

/* The contract for a program: its text parses back to an equal program with
 * the same fingerprint, and printing that gives the same text. Returns
 * whether the program has a fingerprint. */
static bool check_round_trip(const vy_program *p) {
  size_t n1, n2;
  char *t1 = print_ok(p, &n1);
  vy_program *q = parse_ok(t1, n1);
  char *t2 = print_ok(q, &n2);
  if (!vy_program_equal(p, q)) fail_msg("parse(print(p)) != p\n%s", t1);
  if (n1 != n2 || memcmp(t1, t2, n1) != 0) fail_msg("print is not a fixed point:\n%s\n---\n%s", t1, t2);
  uint8_t f1[32], f2[32];
  bool h1 = vy_program_fingerprint(p, f1), h2 = vy_program_fingerprint(q, f2);
  assert_int_equal(h1, h2);
  if (h1) assert_memory_equal(f1, f2, 32);
  free(t1);
  free(t2);
  vy_program_destroy(q);
  return h1;
}

static const vy_node *region_stmt(const vy_program *p, uint32_t region, uint32_t i) {
  const vy_node_list *e = vy_program_entry(p);
  assert_true(region < e->count);
  assert_int_equal(e->items[region]->kind, VY_NODE_REGION);
  assert_true(i < e->items[region]->u.region.body.count);
  return e->items[region]->u.region.body.items[i];
}

/* The value of `let v = <expr>`: the first statement of the first region. */
static const vy_expr *let_value(const vy_program *p) {
  const vy_node *n = region_stmt(p, 0, 0);
  assert_int_equal(n->kind, VY_NODE_LET);
  return n->u.let.value;
}

static vy_program *parse_expr_prog(const char *expr) {
  char src[512];
  snprintf(src, sizeof src, "program p {\n region r {\n  let v = %s\n }\n}\n", expr);
  return parse_str(src);
}

/* ---- the corpus ---- */

static void corpus_round_trips(void **state) {
  (void)state;
  char dirbuf[512];
  DIR *d = opendir(programs_dir(dirbuf, sizeof dirbuf));
  assert_non_null(d);
  unsigned files = 0, validated = 0;
  for (struct dirent *de; (de = readdir(d));) {
    size_t nl = strlen(de->d_name);
    if (nl < 4 || strcmp(de->d_name + nl - 3, ".vy") != 0) continue;
    size_t len;
    char *src = read_program(de->d_name, &len);
    vy_program *p = parse_ok(src, len);
    check_round_trip(p);
    /* example programs say "# expect-valid" (": subgroup-ops" for V041) */
    const char *mark = strstr(src, "# expect-valid");
    if (mark) {
      vy_validate_options o;
      vy_validate_options_default(&o);
      o.supports_subgroup_ops = strncmp(mark, "# expect-valid: subgroup-ops", 28) == 0;
      vy_diagnostics *diags = NULL;
      vy_error err;
      assert_int_equal(vy_validate(p, &o, NULL, &diags, &err), VY_OK);
      if (vy_diagnostics_error_count(diags)) {
        vy_diagnostics_first_error(diags, &err);
        fail_msg("%s does not validate: %s", de->d_name, err.message);
      }
      vy_diagnostics_destroy(diags);
      validated++;
    }
    vy_program_destroy(p);
    free(src);
    files++;
  }
  closedir(d);
  assert_true(files >= 13);
  assert_true(validated >= 7);
}

static void random_programs_round_trip(void **state) {
  (void)state;
  unsigned with_fingerprint = 0;
  for (uint64_t seed = 0; seed < 1000; seed++) {
    vy_progen_options o = {.wire_encodable = seed % 2 == 1, .max_depth = seed % 5 == 0 ? 40 : 0};
    vy_program *p = NULL;
    assert_int_equal(vy_progen_random(seed, &o, NULL, &p), VY_OK);
    with_fingerprint += check_round_trip(p);
    vy_program_destroy(p);
  }
  assert_true(with_fingerprint >= 400); /* the wire-encodable half has one */
}

/* ---- the examples run ---- */

static void run_file(const char *name, const vy_interp_input *in, size_t nin, vy_interp_outputs *out) {
  size_t len;
  char *src = read_program(name, &len);
  vy_program *p = parse_ok(src, len);
  vy_error err;
  vy_status st = vy_interp_run(p, in, nin, NULL, NULL, NULL, out, &err);
  if (st != VY_OK) fail_msg("%s: %s", name, err.message);
  vy_program_destroy(p);
  free(src);
}

static void example_saxpy_runs(void **state) {
  (void)state;
  enum { N = 1000 };
  static float x[N], y[N], want[N];
  float a = 1.25f;
  for (int i = 0; i < N; i++) {
    x[i] = (float)i * 0.5f;
    y[i] = 1000.0f - (float)i;
    want[i] = fmaf(a, x[i], y[i]);
  }
  vy_interp_input in[] = {{x, sizeof x}, {y, sizeof y}, {&a, sizeof a}};
  vy_interp_outputs out;
  run_file("saxpy.vy", in, 3, &out);
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, sizeof want);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_interp_outputs_free(&out);
}

static void example_reduce_sum_runs(void **state) {
  (void)state;
  enum { N = 1000, WG = 256 };
  static uint32_t input[N], partial[N], want[(N + WG - 1) / WG];
  for (uint32_t i = 0; i < N; i++) {
    input[i] = i * 2654435761u >> 7;
    want[i / WG] += input[i];
  }
  /* the grid comes from the largest output: pass `partial` as long as `input` */
  vy_interp_input in[] = {{input, sizeof input}, {partial, sizeof partial}};
  vy_interp_outputs out;
  run_file("reduce_sum.vy", in, 2, &out);
  assert_int_equal(out.count, 1);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_interp_outputs_free(&out);
}

static void example_histogram_runs(void **state) {
  (void)state;
  enum { N = 1000 };
  static uint32_t data[N], bins[256], want[256];
  for (uint32_t i = 0; i < N; i++) {
    data[i] = i * i + 7 * i;
    want[data[i] & 255]++;
  }
  vy_interp_input in[] = {{data, sizeof data}, {bins, sizeof bins}};
  vy_interp_outputs out;
  run_file("histogram.vy", in, 2, &out);
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, sizeof want);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_interp_outputs_free(&out);
}

static void example_stencil_runs(void **state) {
  (void)state;
  enum { N = 100 };
  static float src[N], dst[N], want[N];
  for (int i = 0; i < N; i++) src[i] = (float)((i * 37) % 11) - 3.0f;
  for (int i = 0; i < N; i++) {
    float left = src[i ? i - 1 : 0], right = src[i + 1 < N ? i + 1 : N - 1];
    want[i] = (left + src[i] + right) * 0.33333334f;
  }
  vy_interp_input in[] = {{src, sizeof src}, {dst, sizeof dst}};
  vy_interp_outputs out;
  run_file("stencil.vy", in, 2, &out);
  assert_int_equal(out.count, 1);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_interp_outputs_free(&out);
}

static void example_subgroup_runs(void **state) {
  (void)state;
  enum { N = 64 };
  static uint32_t flags[N], zero[N], votes[N], sums[N], rotated[N];
  for (uint32_t i = 0; i < N; i++) flags[i] = i % 3 == 0 ? i : 0;
  for (uint32_t base = 0; base < N; base += 32) {
    uint32_t mask = 0, total = 0;
    for (uint32_t l = 0; l < 32; l++) {
      mask |= flags[base + l] ? 1u << l : 0;
      total += flags[base + l];
    }
    for (uint32_t l = 0; l < 32; l++) {
      votes[base + l] = (uint32_t)__builtin_popcount(mask);
      sums[base + l] = total;
      rotated[base + l] = flags[base + ((l + 1) & 31)];
    }
  }
  vy_interp_input in[] = {{flags, sizeof flags}, {zero, sizeof zero}, {zero, sizeof zero}, {zero, sizeof zero}};
  vy_interp_outputs out;
  run_file("subgroup_vote.vy", in, 4, &out);
  assert_int_equal(out.count, 3);
  assert_memory_equal(out.items[0].data, votes, sizeof votes);
  assert_memory_equal(out.items[1].data, sums, sizeof sums);
  assert_memory_equal(out.items[2].data, rotated, sizeof rotated);
  vy_interp_outputs_free(&out);
}

static void example_transpose_runs(void **state) {
  (void)state;
  enum { R = 32, C = 48 };
  static float a[R * C], at[R * C], want[R * C];
  uint32_t dims[2] = {R, C};
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) {
      a[r * C + c] = (float)(r * 1000 + c);
      want[c * R + r] = a[r * C + c];
    }
  vy_interp_input in[] = {{a, sizeof a}, {at, sizeof at}, {dims, sizeof dims}};
  vy_interp_outputs out;
  run_file("transpose_2d.vy", in, 3, &out);
  assert_int_equal(out.count, 1);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_interp_outputs_free(&out);
}

static void example_volume_runs(void **state) {
  (void)state;
  enum { NX = 8, NY = 4, NZ = 6 };
  static uint32_t vol[NX * NY * NZ], want[NX * NY * NZ];
  uint32_t dims[3] = {NX, NY, NZ};
  for (uint32_t z = 0; z < NZ; z++)
    for (uint32_t y = 0; y < NY; y++)
      for (uint32_t x = 0; x < NX; x++) want[(z * NY + y) * NX + x] = z << 20 | y << 10 | x;
  vy_interp_input in[] = {{vol, sizeof vol}, {dims, sizeof dims}};
  vy_interp_outputs out;
  run_file("volume_3d.vy", in, 2, &out);
  assert_int_equal(out.count, 1);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_interp_outputs_free(&out);
}

/* ---- values worked out by hand ---- */

static void f32_literals(void **state) {
  (void)state;
  /* IEEE-754 binary32 encodings: sign | exponent+127 | fraction */
  static const struct {
    const char *text;
    uint32_t bits;
  } cases[] = {
      {"1.5f", 0x3FC00000},    {"1.5", 0x3FC00000},      {"2f", 0x40000000},      {"-0.0f", 0x80000000},
      {"0.0f", 0x00000000},    {"-2.5f", 0xC0200000},    {"0.1f", 0x3DCCCCCD},    {"1e-45f", 0x00000001},
      {"inf", 0x7F800000},     {"-inf", 0xFF800000},     {"nan", 0x7FC00000},     {"-nan", 0xFFC00000},
      {"3.4028235e+38f", 0x7F7FFFFF}, {"1.17549435e-38f", 0x00800000}, {"f32_bits(0x7FC00001)", 0x7FC00001},
      {"f32_bits(0xFF800001)", 0xFF800001}, {"100.0f", 0x42C80000}, {"1E2", 0x42C80000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vy_program *p = parse_expr_prog(cases[i].text);
    const vy_expr *e = let_value(p);
    assert_int_equal(e->kind, VY_EXPR_LIT_F32);
    if (e->u.lit_f32_bits != cases[i].bits) fail_msg("%s: 0x%08X", cases[i].text, e->u.lit_f32_bits);
    vy_program_destroy(p);
  }
}

static void int_literals(void **state) {
  (void)state;
  static const struct {
    const char *text;
    vy_expr_kind kind;
    int64_t value;
  } cases[] = {
      {"0", VY_EXPR_LIT_U32, 0},
      {"4294967295", VY_EXPR_LIT_U32, 4294967295},
      {"0xFFu", VY_EXPR_LIT_U32, 255},
      {"7u", VY_EXPR_LIT_U32, 7},
      {"007", VY_EXPR_LIT_U32, 7},
      {"-2147483648i", VY_EXPR_LIT_I32, INT32_MIN},
      {"2147483647i", VY_EXPR_LIT_I32, INT32_MAX},
      {"0x10i", VY_EXPR_LIT_I32, 16},
      {"-1i", VY_EXPR_LIT_I32, -1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vy_program *p = parse_expr_prog(cases[i].text);
    const vy_expr *e = let_value(p);
    assert_int_equal(e->kind, cases[i].kind);
    if (e->kind == VY_EXPR_LIT_U32) assert_int_equal(e->u.lit_u32, (uint32_t)cases[i].value);
    else assert_int_equal(e->u.lit_i32, (int32_t)cases[i].value);
    vy_program_destroy(p);
  }
  /* true / false */
  vy_program *p = parse_expr_prog("true");
  assert_int_equal(let_value(p)->kind, VY_EXPR_LIT_BOOL);
  assert_true(let_value(p)->u.lit_bool);
  vy_program_destroy(p);
}

static void wide_literals(void **state) {
  (void)state;
  static const struct {
    const char *text, *kind;
    uint8_t payload[8];
  } cases[] = {
      {"18446744073709551615u64", "vyre.literal.u64", {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
      {"0x0102030405060708u64", "vyre.literal.u64", {8, 7, 6, 5, 4, 3, 2, 1}},
      {"-9223372036854775808i64", "vyre.literal.i64", {0, 0, 0, 0, 0, 0, 0, 0x80}},
      {"-2i64", "vyre.literal.i64", {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
      /* 2.5 = 0x4004000000000000, -0.0 = 0x8000000000000000 */
      {"2.5f64", "vyre.literal.f64", {0, 0, 0, 0, 0, 0, 0x04, 0x40}},
      {"-0.0f64", "vyre.literal.f64", {0, 0, 0, 0, 0, 0, 0, 0x80}},
      {"3f64", "vyre.literal.f64", {0, 0, 0, 0, 0, 0, 0x08, 0x40}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vy_program *p = parse_expr_prog(cases[i].text);
    const vy_expr *e = let_value(p);
    assert_int_equal(e->kind, VY_EXPR_OPAQUE);
    assert_int_equal(e->u.opaque.kind.len, strlen(cases[i].kind));
    assert_memory_equal(e->u.opaque.kind.ptr, cases[i].kind, e->u.opaque.kind.len);
    assert_int_equal(e->u.opaque.len, 8);
    assert_memory_equal(e->u.opaque.payload, cases[i].payload, 8);
    check_round_trip(p);
    vy_program_destroy(p);
  }
}

/* Every f32 bit pattern survives print -> parse (a sweep of 2^16 patterns
 * spread over the whole range, plus the special ones). */
static void every_f32_round_trips(void **state) {
  (void)state;
  vy_builder *b;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_region(b, "r", NULL);
  uint32_t specials[] = {0, 0x80000000, 1, 0x80000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x7F800000, 0xFF800000,
                         0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FFFFFFF, 0xFFFFFFFF, 0x3F800000, 0x4B7FFFFF};
  for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) vy_b_let(b, "v", vy_b_f32_bits(b, specials[i]));
  for (uint32_t i = 0; i < 65536; i++) vy_b_let(b, "v", vy_b_f32_bits(b, i * 65537u + 12345u));
  vy_b_end(b);
  vy_program *p = NULL;
  vy_error err;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, &err), VY_OK);
  check_round_trip(p);
  vy_program_destroy(p);
  vy_builder_destroy(b);
}

static void printed_floats(void **state) {
  (void)state;
  static const struct {
    uint32_t bits;
    const char *text;
  } cases[] = {
      {0x3FC00000, "1.5f"},        {0x3F800000, "1.0f"},          {0x80000000, "-0.0f"},
      {0x00000000, "0.0f"},        {0x3DCCCCCD, "0.1f"},          {0x42C80000, "100.0f"},
      {0x3A83126F, "0.001f"},      {0x00000001, "1e-45f"},        {0x7F7FFFFF, "3.4028235e+38f"},
      {0xC0200000, "-2.5f"},       {0x7F800000, "inf"},           {0xFF800000, "-inf"},
      {0x7FC00000, "nan"},         {0xFFC00000, "f32_bits(0xFFC00000)"}, {0x7F800001, "f32_bits(0x7F800001)"},
      {0x4B189680, "10000000.0f"}, {0x3EAAAAAB, "0.33333334f"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vy_builder *b;
    assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
    vy_b_region(b, "r", NULL);
    vy_b_let(b, "v", vy_b_f32_bits(b, cases[i].bits));
    vy_b_end(b);
    vy_program *p = NULL;
    assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
    char *t = print_ok(p, NULL), want[128];
    snprintf(want, sizeof want, "let v = %s\n", cases[i].text);
    if (!strstr(t, want)) fail_msg("0x%08X printed as\n%s", cases[i].bits, t);
    free(t);
    vy_program_destroy(p);
    vy_builder_destroy(b);
  }
}

static void names_decode(void **state) {
  (void)state;
  size_t len;
  char *src = read_program("names.vy", &len);
  vy_program *p = parse_ok(src, len);
  static const struct {
    const char *bytes;
    size_t len;
  } want[] = {{"", 0},
              {"with space", 10},
              {"\xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9 \xE2\x9C\x93", 15},
              {"nul\0inside", 10},
              {"let", 3},
              {"count", 5},
              {"tab\there\x7F\xFF", 10},
              {"output", 6}};
  assert_int_equal(vy_program_buffer_count(p), 8);
  for (uint32_t i = 0; i < 8; i++) {
    const vy_buffer_decl *b = vy_program_buffer(p, i);
    assert_int_equal(b->name.len, want[i].len);
    assert_memory_equal(b->name.ptr, want[i].bytes, want[i].len);
  }
  vy_str id;
  assert_true(vy_program_entry_op_id(p, &id));
  assert_int_equal(id.len, 23);
  assert_memory_equal(id.ptr, "my program: \"odd\" names", 23);
  const vy_node *r = vy_program_entry(p)->items[0];
  assert_true(r->u.region.has_source);
  assert_int_equal(r->u.region.source.len, 13);
  assert_memory_equal(r->u.region.source.ptr, "source.region", 13);
  /* a buffer named "count" right after the attributes of another */
  assert_int_equal(vy_program_buffer(p, 7)->is_output, true);
  vy_program_destroy(p);
  free(src);
}

static void buffer_fields(void **state) {
  (void)state;
  size_t len;
  char *src = read_program("all_nodes.vy", &len);
  vy_program *p = parse_ok(src, len);
  assert_int_equal(vy_program_buffer_count(p), 10);
  const vy_buffer_decl *b = vy_program_buffer(p, 0); /* src: u32 read @0 count(64) align(16) locality(streaming) */
  assert_int_equal(b->access, VY_ACCESS_READ_ONLY);
  assert_int_equal(b->kind, VY_MEMKIND_READONLY);
  assert_int_equal(b->count, 64);
  assert_int_equal(b->hints.preferred_alignment, 16);
  assert_int_equal(b->hints.cache_locality, VY_LOCALITY_STREAMING);
  assert_false(b->hints.has_coalesce_axis);
  assert_int_equal(b->loc.line, 5);
  assert_int_equal(b->loc.col, 3);
  b = vy_program_buffer(p, 1); /* dst: ... output live_out range(0, 128) coalesce(0) */
  assert_int_equal(b->binding, 1);
  assert_int_equal(b->kind, VY_MEMKIND_GLOBAL);
  assert_true(b->is_output && b->pipeline_live_out && b->has_output_range && b->hints.has_coalesce_axis);
  assert_int_equal(b->range_start, 0);
  assert_int_equal(b->range_end, 128);
  assert_int_equal(b->hints.coalesce_axis, 0);
  assert_int_equal(b->hints.cache_locality, VY_LOCALITY_TEMPORAL);
  b = vy_program_buffer(p, 2); /* params: uniform, kind(push) */
  assert_int_equal(b->access, VY_ACCESS_UNIFORM);
  assert_int_equal(b->kind, VY_MEMKIND_PUSH);
  b = vy_program_buffer(p, 3); /* sink: write, persistent, affine, and(at_least(4), multiple_of(4)) */
  assert_int_equal(b->access, VY_ACCESS_WRITE_ONLY);
  assert_int_equal(b->kind, VY_MEMKIND_PERSISTENT);
  assert_int_equal(b->linear_type, VY_LINEAR_AFFINE);
  assert_int_equal(b->shape_predicate->kind, VY_SHAPE_AND);
  assert_int_equal(b->shape_predicate->u.both.left->kind, VY_SHAPE_AT_LEAST);
  assert_int_equal(b->shape_predicate->u.both.left->u.n, 4);
  assert_int_equal(b->shape_predicate->u.both.right->kind, VY_SHAPE_MULTIPLE_OF);
  b = vy_program_buffer(p, 4); /* blob: bytes, bytes_extraction, random */
  assert_int_equal(b->element.kind, VY_TYPE_BYTES);
  assert_true(b->bytes_extraction);
  assert_int_equal(b->hints.cache_locality, VY_LOCALITY_RANDOM);
  b = vy_program_buffer(p, 5); /* or(exactly(8), not(mod_equals(3, 1))) */
  assert_int_equal(b->linear_type, VY_LINEAR_RELEVANT);
  assert_int_equal(b->shape_predicate->kind, VY_SHAPE_OR);
  const vy_shape_pred *mod = b->shape_predicate->u.both.right->u.inner;
  assert_int_equal(mod->kind, VY_SHAPE_MOD_EQUALS);
  assert_int_equal(mod->u.mod.modulus, 3);
  assert_int_equal(mod->u.mod.remainder, 1);
  b = vy_program_buffer(p, 6); /* affine_range(2, -1, 0, 1000) */
  assert_int_equal(b->shape_predicate->u.affine.scale, 2);
  assert_int_equal(b->shape_predicate->u.affine.offset, -1);
  assert_int_equal(b->shape_predicate->u.affine.max, 1000);
  b = vy_program_buffer(p, 8); /* stage: workgroup count(32), no binding */
  assert_int_equal(b->access, VY_ACCESS_WORKGROUP);
  assert_int_equal(b->kind, VY_MEMKIND_SHARED);
  assert_int_equal(b->binding, 0);
  assert_int_equal(b->count, 32);
  b = vy_program_buffer(p, 9); /* stage2: workgroup @9 kind(local) */
  assert_int_equal(b->binding, 9);
  assert_int_equal(b->kind, VY_MEMKIND_LOCAL);
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  assert_int_equal(wg[0], 8);
  assert_int_equal(wg[1], 4);
  assert_int_equal(wg[2], 2);
  assert_true(vy_program_non_composable_with_self(p));
  vy_program_destroy(p);
  free(src);
}

static void types_parse(void **state) {
  (void)state;
  size_t len;
  char *src = read_program("types.vy", &len);
  vy_program *p = parse_ok(src, len);
  const vy_type *t = &vy_program_buffer(p, 26)->element; /* tensor<f32, [2, 3, 4]> */
  assert_int_equal(t->kind, VY_TYPE_TENSOR_SHAPED);
  assert_int_equal(t->u.tensor.element->kind, VY_TYPE_F32);
  assert_int_equal(t->u.tensor.rank, 3);
  assert_int_equal(t->u.tensor.dims[2], 4);
  t = &vy_program_buffer(p, 27)->element; /* tensor<i8, []> */
  assert_int_equal(t->u.tensor.rank, 0);
  t = &vy_program_buffer(p, 34)->element; /* quantized<u8, per_channel(1), per_group(32)> */
  assert_int_equal(t->kind, VY_TYPE_QUANTIZED);
  assert_int_equal(t->u.quant.storage->kind, VY_TYPE_U8);
  assert_int_equal(t->u.quant.scale, VY_QSCALE_PER_CHANNEL);
  assert_int_equal(t->u.quant.scale_param, 1);
  assert_int_equal(t->u.quant.zero_point, VY_QZERO_PER_GROUP);
  assert_int_equal(t->u.quant.zero_point_param, 32);
  t = &vy_program_buffer(p, 36)->element; /* sparse_csr<vec<vec4<u32>, 2>> */
  assert_int_equal(t->kind, VY_TYPE_SPARSE_CSR);
  assert_int_equal(t->u.sparse.element->kind, VY_TYPE_VEC);
  assert_int_equal(t->u.sparse.element->u.vec.count, 2);
  assert_int_equal(t->u.sparse.element->u.vec.element->kind, VY_TYPE_VEC4U32);
  assert_int_equal(vy_program_buffer(p, 23)->element.u.handle_id, 42);
  assert_int_equal(vy_program_buffer(p, 24)->element.u.opaque_id, 0x80000010u);
  assert_int_equal(vy_program_buffer(p, 31)->element.u.mesh.naxes, 2);
  /* every payload-free type by its name */
  for (uint32_t i = 0; i < 20; i++) assert_true(vy_type_scalar(vy_program_buffer(p, i)->element.kind) != NULL);
  vy_program_destroy(p);
  free(src);
}

/* Precedence, associativity, prefix operators and negative literals. */
static void expression_shapes(void **state) {
  (void)state;
  vy_program *p = parse_expr_prog("a - b - c"); /* (a - b) - c */
  const vy_expr *e = let_value(p);
  assert_int_equal(e->u.bin.op, VY_BINOP_SUB);
  assert_int_equal(e->u.bin.left->kind, VY_EXPR_BIN_OP);
  assert_int_equal(e->u.bin.right->kind, VY_EXPR_VAR);
  vy_program_destroy(p);

  p = parse_expr_prog("a || b && c | d ^ e & f == g < h << i + j * k");
  e = let_value(p);
  static const vy_binop chain[] = {VY_BINOP_OR,  VY_BINOP_AND, VY_BINOP_BIT_OR, VY_BINOP_BIT_XOR, VY_BINOP_BIT_AND,
                                   VY_BINOP_EQ,  VY_BINOP_LT,  VY_BINOP_SHL,    VY_BINOP_ADD,     VY_BINOP_MUL};
  for (size_t i = 0; i < 10; i++) { /* each operator is the right operand of the looser one */
    assert_int_equal(e->kind, VY_EXPR_BIN_OP);
    assert_int_equal(e->u.bin.op, chain[i]);
    assert_int_equal(e->u.bin.left->kind, VY_EXPR_VAR);
    e = e->u.bin.right;
  }
  vy_program_destroy(p);

  p = parse_expr_prog("-x * y"); /* (Negate x) * y */
  e = let_value(p);
  assert_int_equal(e->u.bin.op, VY_BINOP_MUL);
  assert_int_equal(e->u.bin.left->u.un.op, VY_UNOP_NEGATE);
  vy_program_destroy(p);

  p = parse_expr_prog("-5i * y"); /* a negative literal, not Negate */
  e = let_value(p)->u.bin.left;
  assert_int_equal(e->kind, VY_EXPR_LIT_I32);
  assert_int_equal(e->u.lit_i32, -5);
  vy_program_destroy(p);

  p = parse_expr_prog("-(5i)"); /* Negate of a literal */
  e = let_value(p);
  assert_int_equal(e->kind, VY_EXPR_UN_OP);
  assert_int_equal(e->u.un.operand->u.lit_i32, 5);
  check_round_trip(p);
  vy_program_destroy(p);

  p = parse_expr_prog("~-5i + !true - --x"); /* ((~(-5i)) + (!true)) - (-(-x)) */
  e = let_value(p);
  assert_int_equal(e->u.bin.op, VY_BINOP_SUB);
  assert_int_equal(e->u.bin.left->u.bin.left->u.un.op, VY_UNOP_BIT_NOT);
  assert_int_equal(e->u.bin.left->u.bin.left->u.un.operand->u.lit_i32, -5);
  assert_int_equal(e->u.bin.left->u.bin.right->u.un.op, VY_UNOP_LOGICAL_NOT);
  assert_int_equal(e->u.bin.right->u.un.operand->u.un.op, VY_UNOP_NEGATE);
  check_round_trip(p);
  vy_program_destroy(p);

  /* atomics: two values = expected, value; default ordering seq_cst */
  p = parse_expr_prog("atomic_compare_exchange(b[1], 2, 3)");
  e = let_value(p);
  assert_int_equal(e->u.atomic.op, VY_ATOMIC_COMPARE_EXCHANGE);
  assert_int_equal(e->u.atomic.expected->u.lit_u32, 2);
  assert_int_equal(e->u.atomic.value->u.lit_u32, 3);
  assert_int_equal(e->u.atomic.ordering, VY_ORDERING_SEQ_CST);
  vy_program_destroy(p);
  p = parse_expr_prog("atomic_opaque<0x80000005>(b[1], 3, release)");
  e = let_value(p);
  assert_int_equal(e->u.atomic.op, VY_ATOMIC_OPAQUE);
  assert_int_equal(e->u.atomic.ext_id, 0x80000005u);
  assert_null(e->u.atomic.expected);
  assert_int_equal(e->u.atomic.ordering, VY_ORDERING_RELEASE);
  vy_program_destroy(p);

  /* ids: axis 0..2 by letter, any u8 in parentheses */
  p = parse_expr_prog("gid.z + wgid(200) + lid.x");
  e = let_value(p);
  assert_int_equal(e->u.bin.left->u.bin.left->kind, VY_EXPR_INVOCATION_ID);
  assert_int_equal(e->u.bin.left->u.bin.left->u.axis, 2);
  assert_int_equal(e->u.bin.left->u.bin.right->kind, VY_EXPR_WORKGROUP_ID);
  assert_int_equal(e->u.bin.left->u.bin.right->u.axis, 200);
  check_round_trip(p);
  vy_program_destroy(p);
}

static void statements_and_entry(void **state) {
  (void)state;
  size_t len;
  char *src = read_program("raw_entry.vy", &len);
  vy_program *p = parse_ok(src, len);
  const vy_node_list *e = vy_program_entry(p);
  assert_int_equal(e->count, 3); /* kept exactly: no wrapping */
  assert_int_equal(e->items[0]->kind, VY_NODE_LET);
  assert_int_equal(e->items[1]->kind, VY_NODE_STORE);
  assert_int_equal(e->items[2]->kind, VY_NODE_REGION);
  assert_false(vy_program_is_region_wrapped(p));
  vy_program_destroy(p);
  free(src);

  src = read_program("empty.vy", &len);
  p = parse_ok(src, len);
  assert_int_equal(vy_program_entry(p)->count, 0);
  assert_false(vy_program_entry_op_id(p, NULL));
  assert_int_equal(vy_program_buffer_count(p), 0);
  vy_program_destroy(p);
  free(src);

  /* no workgroup clause: (1, 1, 1); an empty quoted name is an op id */
  p = parse_str("program \"\" { }");
  vy_str id;
  assert_true(vy_program_entry_op_id(p, &id));
  assert_int_equal(id.len, 0);
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  assert_true(wg[0] == 1 && wg[1] == 1 && wg[2] == 1);
  vy_program_destroy(p);

  /* else if = an else branch holding one If; barrier default seq_cst */
  p = parse_str("program p { region r { if a { } else if b { return } else { barrier } } }");
  const vy_node *n = region_stmt(p, 0, 0);
  assert_int_equal(n->u.if_.else_body.count, 1);
  const vy_node *inner = n->u.if_.else_body.items[0];
  assert_int_equal(inner->kind, VY_NODE_IF);
  assert_int_equal(inner->u.if_.then_body.items[0]->kind, VY_NODE_RETURN);
  assert_int_equal(inner->u.if_.else_body.items[0]->u.barrier, VY_ORDERING_SEQ_CST);
  vy_program_destroy(p);

  /* an attribute word followed by '=' starts a statement */
  p = parse_str("program p { buffer b: u32 read @0 count(1)\n count = 2 }");
  assert_int_equal(vy_program_buffer(p, 0)->count, 1);
  assert_int_equal(vy_program_entry(p)->items[0]->kind, VY_NODE_ASSIGN);
  vy_program_destroy(p);
}

static void locations(void **state) {
  (void)state;
  vy_program *p = parse_str("program p {\n"
                            "  buffer b: u32 read @0\n"
                            "  region r {\n"
                            "    let x = 1 + b[2]\n"
                            "  }\n"
                            "}\n");
  assert_int_equal(vy_program_buffer(p, 0)->loc.line, 2);
  assert_int_equal(vy_program_buffer(p, 0)->loc.col, 3);
  const vy_node *r = vy_program_entry(p)->items[0];
  assert_int_equal(r->loc.line, 3);
  assert_int_equal(r->loc.col, 3);
  const vy_node *let = r->u.region.body.items[0];
  assert_int_equal(let->loc.line, 4);
  assert_int_equal(let->loc.col, 5);
  const vy_expr *add = let->u.let.value;
  assert_int_equal(add->loc.line, 4);
  assert_int_equal(add->loc.col, 15); /* the operator */
  assert_int_equal(add->u.bin.left->loc.col, 13);
  assert_int_equal(add->u.bin.right->loc.col, 17);
  assert_int_equal(add->u.bin.right->u.load.index->loc.col, 19);
  vy_program_destroy(p);
}

/* The exact canonical text of a builder-made program (written by hand from
 * the printing rules at the end of text.h). */
static void printed_form(void **state) {
  (void)state;
  vy_builder *b;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_workgroup_size(b, 64, 1, 1);
  vy_b_read(b, "x", 0, VY_TYPE_F32);
  vy_b_read_write(b, "y", 1, VY_TYPE_F32);
  vy_b_workgroup(b, "t", 16, VY_TYPE_U32);
  vy_b_region(b, "vyre.program.root", NULL);
  vy_b_let(b, "i", vy_b_invocation_id(b, 0));
  vy_b_if(b, vy_b_bin(b, VY_BINOP_LT, vy_b_var(b, "i"), vy_b_buf_len(b, "y")));
  vy_b_store(b, "y", vy_b_var(b, "i"),
             vy_b_bin(b, VY_BINOP_MUL, vy_b_load(b, "x", vy_b_var(b, "i")), vy_b_f32(b, -2.5f)));
  vy_b_else(b);
  vy_b_return(b);
  vy_b_end(b);
  vy_b_barrier(b, VY_ORDERING_ACQ_REL);
  vy_b_let(b, "in", vy_b_bin(b, VY_BINOP_SUB, vy_b_var(b, "i"),
                             vy_b_bin(b, VY_BINOP_SUB, vy_b_u32(b, 1), vy_b_un(b, VY_UNOP_NEGATE, vy_b_u32(b, 2)))));
  vy_b_end(b);
  vy_program *p = NULL;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
  char *t = print_ok(p, NULL);
  assert_string_equal(t, "program workgroup(64) {\n"
                         "  buffer x: f32 read @0\n"
                         "  buffer y: f32 read_write @1\n"
                         "  buffer t: u32 workgroup count(16)\n"
                         "\n"
                         "  region vyre.program.root {\n"
                         "    let i = gid.x\n"
                         "    if i < len(y) {\n"
                         "      y[i] = x[i] * -2.5f\n"
                         "    } else {\n"
                         "      return\n"
                         "    }\n"
                         "    barrier(acq_rel)\n"
                         "    let in = i - (1 - -(2))\n"
                         "  }\n"
                         "}\n");
  free(t);
  vy_program_destroy(p);
  vy_builder_destroy(b);
}

/* ---- syntax errors ---- */

/* Contexts an error snippet is put in, and where the snippet starts. */
enum ctx { FULL, STMT, EXPR, BUF };
static const char *const ctx_prefix[] = {"", "program p {\n", "program p {\nlet v = ", "program p {\nbuffer "};
static const char *const ctx_suffix[] = {"", "\n}\n", "\n}\n", "\n}\n"};
enum { S = 1, E = 9, B = 8 }; /* first column of the snippet on line 2 */

typedef struct err_case {
  enum ctx ctx;
  const char *snippet;
  uint32_t line, col; /* absolute position in the whole text */
  const char *msg;    /* substring of the message */
} err_case;

static const err_case error_cases[] = {
    /* lexer */
    {EXPR, "0x", 2, E, "expected hex digits after '0x'"},
    {EXPR, "1q", 2, E, "invalid suffix 'q' on an integer"},
    {EXPR, "1.5u", 2, E, "invalid suffix 'u' on a float"},
    {EXPR, "1e39f", 2, E, "float literal '1e39' is out of range"},
    {EXPR, "1.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "00000000000000000000000001",
     2, E, "longer than 128 characters"},
    {EXPR, "18446744073709551616u64", 2, E, "does not fit in 64 bits"},
    {FULL, "program p { let v = \"abc", 1, 21, "unterminated string"},
    {EXPR, "\"abc\n\"", 2, E + 4, "line break inside a string"},
    {EXPR, "\"a\\xZ1\"", 2, E + 2, "'\\x' needs two hex digits"},
    {EXPR, "\"a\\q\"", 2, E + 2, "unknown escape '\\' followed by 'q'"},
    {FULL, "program p { let v = \"\\", 1, 22, "followed by end of input"},
    {EXPR, "a . b", 2, E + 2, "unexpected '.'"},
    {EXPR, "\xC3\xA9", 2, E, "unexpected byte 0xC3 outside a string"},
    {EXPR, "1 $ 2", 2, E + 2, "unexpected '$'"},
    {FULL, "program p {\n  \x01 }", 2, 3, "unexpected byte 0x01"},
    /* program header and body */
    {FULL, "", 1, 1, "expected 'program' at the start of the text, found end of input"},
    {FULL, "programme p {}", 1, 1, "expected 'program' at the start of the text, found 'programme'"},
    {FULL, "program let {}", 1, 9, "'let' is a reserved word and cannot be the program's op id"},
    {FULL, "program p workgroup 1 {}", 1, 21, "expected '(' after 'workgroup'"},
    {FULL, "program p workgroup(x) {}", 1, 21, "expected a workgroup dimension (a number), found 'x'"},
    {FULL, "program p workgroup(1u) {}", 1, 21, "a workgroup dimension takes a plain number"},
    {FULL, "program p workgroup(4294967296) {}", 1, 21, "a workgroup dimension 4294967296 is out of range"},
    {FULL, "program p workgroup(1, 2, 3, 4) {}", 1, 28, "expected ')' after at most 3 workgroup dimensions"},
    {FULL, "program p workgroup(1) x", 1, 24, "expected '{' to open the program body, found 'x'"},
    {FULL, "program p {", 1, 12, "end of input inside the '{' opened at line 1, column 11"},
    {FULL, "program p {} }", 1, 14, "expected end of input after the program, found '}'"},
    /* buffers */
    {BUF, "let: u32 read @0", 2, B, "'let' is a reserved word and cannot be a buffer name"},
    {BUF, "a.b: u32 read @0", 2, B, "'a.b' contains '.'"},
    {BUF, "5: u32 read @0", 2, B, "expected a buffer name (an identifier or a \"quoted string\"), found number '5'"},
    {BUF, "x u32 read @0", 2, B + 2, "expected ':' after the buffer name, found 'u32'"},
    {BUF, "x: 5 read @0", 2, B + 3, "expected a type, found number '5'"},
    {BUF, "x: u31 read @0", 2, B + 3, "unknown type 'u31'"},
    {BUF, "x: vec2 read @0", 2, B + 8, "expected '<' after 'vec2', found 'read'"},
    {BUF, "x: vec4<i32> read @0", 2, B + 8, "expected 'u32', found 'i32'"},
    {BUF, "x: vec2<u32 read @0", 2, B + 12, "expected '>', found 'read'"},
    {BUF, "x: array 4 read @0", 2, B + 9, "expected '<' after 'array'"},
    {BUF, "x: array<y> read @0", 2, B + 9, "expected the array element size (a number)"},
    {BUF, "x: handle<1u> read @0", 2, B + 10, "the handle type id takes a plain number"},
    {BUF, "x: opaque<-1> read @0", 2, B + 10, "expected the opaque type id (a number), found '-'"},
    {BUF, "x: vec<u32 4> read @0", 2, B + 11, "expected ',' after the element type of vec<...>"},
    {BUF, "x: vec<u32, 256> read @0", 2, B + 12, "the vec element count 256 is out of range"},
    {BUF, "x: vec<u32, 2 read @0", 2, B + 14, "expected '>' closing the type parameters"},
    {BUF, "x: vec<bad, 2> read @0", 2, B + 7, "unknown type 'bad'"},
    {BUF, "x: sparse_csr<f32, 2> read @0", 2, B + 17, "expected '>' closing the type parameters, found ','"},
    {BUF, "x: sparse_bsr<f32 2, 2> read @0", 2, B + 18, "expected ',' after the element type of sparse_bsr"},
    {BUF, "x: sparse_bsr<f32, 2 2> read @0", 2, B + 21, "expected ',' after the block rows"},
    {BUF, "x: sparse_bsr<f32, 2, x> read @0", 2, B + 22, "expected the block columns (a number)"},
    {BUF, "x: tensor<f32 [1]> read @0", 2, B + 14, "expected ',' after the element type of tensor"},
    {BUF, "x: tensor<f32, 1> read @0", 2, B + 15, "expected '[', found number '1'"},
    {BUF, "x: tensor<f32, [1 2]> read @0", 2, B + 18, "expected ',' or ']', found number '2'"},
    {BUF, "x: tensor<f32, [1, x]> read @0", 2, B + 19, "expected a tensor dimension (a number)"},
    {BUF, "x: tensor<f32, [1]] read @0", 2, B + 18, "expected '>' closing tensor<...>, found ']'"},
    {BUF, "x: device_mesh<[a]> read @0", 2, B + 16, "expected a mesh axis (a number)"},
    {BUF, "x: quantized<i8 per_tensor, absent> read @0", 2, B + 16, "expected ',' after the storage type"},
    {BUF, "x: quantized<i8, linear, absent> read @0", 2, B + 17, "expected a quantization scale, found 'linear'"},
    {BUF, "x: quantized<i8, per_group(x), absent> read @0", 2, B + 27, "expected the scale parameter (a number)"},
    {BUF, "x: quantized<i8, per_tensor absent> read @0", 2, B + 28, "expected ',' after the scale of quantized"},
    {BUF, "x: quantized<i8, per_tensor, none> read @0", 2, B + 29, "expected a zero point, found 'none'"},
    {BUF, "x: quantized<i8, per_tensor, per_group()> read @0", 2, B + 39, "expected the zero-point parameter"},
    {BUF, "x: quantized<i8, per_tensor, absent read @0", 2, B + 36, "expected '>' closing quantized<...>"},
    {BUF, "x: u32 readonly @0", 2, B + 7, "expected a buffer access, found 'readonly'"},
    {BUF, "x: u32 read 0", 2, B + 12, "expected '@binding' after the access mode, found number '0'"},
    {BUF, "x: u32 read @x", 2, B + 13, "expected the binding (a number), found 'x'"},
    {BUF, "x: u32 read @0 count(1) count(2)", 2, B + 24, "duplicate attribute 'count' on this buffer"},
    {BUF, "x: u32 read @0 count 1", 2, B + 21, "expected '(', found number '1'"},
    {BUF, "x: u32 read @0 count(1", 3, 1, "expected ')', found '}'"},
    {BUF, "x: u32 read @0 kind global", 2, B + 20, "expected '(' after 'kind'"},
    {BUF, "x: u32 read @0 kind(gpu)", 2, B + 20, "expected a memory kind, found 'gpu'"},
    {BUF, "x: u32 read @0 kind(global", 3, 1, "expected ')', found '}'"},
    {BUF, "x: u32 read @0 range 1", 2, B + 21, "expected '(' after 'range'"},
    {BUF, "x: u32 read @0 range(1 2)", 2, B + 23, "expected ',' between start and end"},
    {BUF, "x: u32 read @0 range(1, 18446744073709551616)", 2, B + 24, "does not fit in 64 bits"},
    {BUF, "x: u32 read @0 range(1, 2", 3, 1, "expected ')', found '}'"},
    {BUF, "x: u32 read @0 coalesce 0", 2, B + 24, "expected '(' after 'coalesce'"},
    {BUF, "x: u32 read @0 coalesce(256)", 2, B + 24, "the coalesce axis 256 is out of range"},
    {BUF, "x: u32 read @0 coalesce(0", 3, 1, "expected ')', found '}'"},
    {BUF, "x: u32 read @0 align(x)", 2, B + 21, "expected the alignment (a number)"},
    {BUF, "x: u32 read @0 locality streaming", 2, B + 24, "expected '(' after 'locality'"},
    {BUF, "x: u32 read @0 locality(hot)", 2, B + 24, "expected a cache locality, found 'hot'"},
    {BUF, "x: u32 read @0 locality(random", 3, 1, "expected ')', found '}'"},
    {BUF, "x: u32 read @0 linear affine", 2, B + 22, "expected '(' after 'linear'"},
    {BUF, "x: u32 read @0 linear(once)", 2, B + 22, "expected a linear type, found 'once'"},
    {BUF, "x: u32 read @0 linear(affine", 3, 1, "expected ')', found '}'"},
    {BUF, "x: u32 read @0 shape at_least(1)", 2, B + 21, "expected '(' after 'shape'"},
    {BUF, "x: u32 read @0 shape(big(1))", 2, B + 21, "expected a shape predicate, found 'big'"},
    {BUF, "x: u32 read @0 shape(at_least 1)", 2, B + 30, "expected '(' after the predicate name"},
    {BUF, "x: u32 read @0 shape(at_least(x))", 2, B + 30, "expected the predicate value (a number)"},
    {BUF, "x: u32 read @0 shape(mod_equals(3 1))", 2, B + 34, "expected ',' between the arguments"},
    {BUF, "x: u32 read @0 shape(mod_equals(3, x))", 2, B + 35, "expected the remainder (a number)"},
    {BUF, "x: u32 read @0 shape(affine_range(1, 2, 3 4))", 2, B + 42, "expected ',' between the arguments"},
    {BUF, "x: u32 read @0 shape(affine_range(1, -x, 3, 4))", 2, B + 38, "expected the offset (a number)"},
    {BUF, "x: u32 read @0 shape(affine_range(-9223372036854775809, 0, 0, 0))", 2, B + 35,
     "the scale 9223372036854775809 is out of range"},
    {BUF, "x: u32 read @0 shape(and(exactly(1) exactly(2)))", 2, B + 36, "expected ',' between the predicates"},
    {BUF, "x: u32 read @0 shape(not(exactly(1), 2))", 2, B + 35, "expected ')' closing the predicate, found ','"},
    {BUF, "x: u32 read @0 shape(exactly(1)", 3, 1, "expected ')', found '}'"},
    /* statements */
    {STMT, "len = 1", 2, S, "'len' is a reserved word and cannot start a statement"},
    {STMT, "let a = 1\nbuffer b: u32 read @0", 3, 1, "buffer declarations must come before the statements"},
    {STMT, "else { }", 2, S, "'else' without an 'if'"},
    {STMT, "5 = 1", 2, S, "expected a statement or '}', found number '5'"},
    {STMT, "a.b = 1", 2, S, "'a.b' contains '.', which a plain name cannot; expected a statement's target"},
    {STMT, "x + 1", 2, S + 2, "expected '=' or '[' after 'x', found '+'"},
    {STMT, "x[1 = 2", 2, S + 4, "expected ']' after the index, found '='"},
    {STMT, "x[1] 2", 2, S + 5, "expected '=' after the store target, found number '2'"},
    {STMT, "let 5 = 1", 2, S + 4, "expected the name of a let"},
    {STMT, "let if = 1", 2, S + 4, "'if' is a reserved word and cannot be the name of a let"},
    {STMT, "let a 1", 2, S + 6, "expected '=' after the let name, found number '1'"},
    {STMT, "let a = ", 3, 1, "expected an expression, found '}'"},
    {STMT, "if a return", 2, S + 5, "expected '{' to open the if branch, found 'return'"},
    {STMT, "if a { } else return", 2, S + 14, "expected '{' to open the else branch, found 'return'"},
    {STMT, "if a { } else if { }", 2, S + 17, "expected an expression, found '{'"},
    {STMT, "loop 1 in 0..2 { }", 2, S + 5, "expected the loop variable"},
    {STMT, "loop i of 0..2 { }", 2, S + 7, "expected 'in' after the loop variable, found 'of'"},
    {STMT, "loop i in 0...2 { }", 2, S + 13, "unexpected '.'"},
    {STMT, "loop i in 0, 2 { }", 2, S + 11, "expected '..' between the loop bounds, found ','"},
    {STMT, "loop i in 0..2 return", 2, S + 15, "expected '{' to open the loop body"},
    {STMT, "block return", 2, S + 6, "expected '{' to open the block"},
    {STMT, "barrier(strong)", 2, S + 8, "expected a memory ordering, found 'strong'"},
    {STMT, "barrier(relaxed", 3, 1, "expected ')' closing 'barrier', found '}'"},
    {STMT, "indirect_dispatch counts", 2, S + 18, "expected '(' after 'indirect_dispatch'"},
    {STMT, "indirect_dispatch(7, 0)", 2, S + 18, "expected the count buffer"},
    {STMT, "indirect_dispatch(c 0)", 2, S + 20, "expected ',' after the count buffer"},
    {STMT, "indirect_dispatch(c, -1)", 2, S + 21, "expected the count offset (a number), found '-'"},
    {STMT, "indirect_dispatch(c, 0, 1)", 2, S + 22, "expected ')' closing 'indirect_dispatch', found ','"},
    {STMT, "async_load a, b, 0, 4, t", 2, S + 11, "expected '(' after 'async_load'"},
    {STMT, "async_store(1, b, 0, 4, t)", 2, S + 12, "expected the source buffer"},
    {STMT, "async_load(a b, 0, 4, t)", 2, S + 13, "expected ',' after the source"},
    {STMT, "async_load(a, 2, 0, 4, t)", 2, S + 14, "expected the destination buffer"},
    {STMT, "async_load(a, b 0, 4, t)", 2, S + 16, "expected ',' after the destination"},
    {STMT, "async_load(a, b, , 4, t)", 2, S + 17, "expected an expression, found ','"},
    {STMT, "async_load(a, b, 0 4, t)", 2, S + 19, "expected ',' after the offset"},
    {STMT, "async_load(a, b, 0, 4 t)", 2, S + 22, "expected ',' after the size"},
    {STMT, "async_load(a, b, 0, 4, 5)", 2, S + 23, "expected the tag"},
    {STMT, "async_load(a, b, 0, 4, t, u)", 2, S + 24, "expected ')' after the tag"},
    {STMT, "async_wait t", 2, S + 11, "expected '(' after 'async_wait'"},
    {STMT, "resume(1)", 2, S + 7, "expected the tag"},
    {STMT, "async_wait(t u)", 2, S + 13, "expected ')' closing 'async_wait'"},
    {STMT, "region 5 { }", 2, S + 7, "expected the region's generator"},
    {STMT, "region r source 5 { }", 2, S + 16, "expected the source region"},
    {STMT, "region r source s", 3, 1, "expected '{' to open the region body, found '}'"},
    {STMT, "trap 1, t", 2, S + 5, "expected '(' after 'trap'"},
    {STMT, "trap(1 t)", 2, S + 7, "expected ',' after the trap address"},
    {STMT, "trap(1, 2)", 2, S + 8, "expected the tag"},
    {STMT, "trap(1, t", 3, 1, "expected ')' closing 'trap'"},
    {STMT, "all_reduce(b, avg, 0)", 2, S + 14, "expected a collective op, found 'avg'"},
    {STMT, "all_reduce(b sum, 0)", 2, S + 13, "expected ',' after the buffer"},
    {STMT, "all_reduce(b, sum 0)", 2, S + 18, "expected ',' after the op"},
    {STMT, "all_reduce(b, sum, g)", 2, S + 19, "expected the group (a number)"},
    {STMT, "all_gather(a b, 0)", 2, S + 13, "expected ',' after the input"},
    {STMT, "all_gather(a, 1, 0)", 2, S + 14, "expected the output buffer"},
    {STMT, "reduce_scatter(a, b 0)", 2, S + 20, "expected ',' after the output"},
    {STMT, "reduce_scatter(a, b, sum, 0, 1)", 2, S + 27, "expected ')' closing 'reduce_scatter'"},
    {STMT, "broadcast(b, r, 0)", 2, S + 13, "expected the root (a number)"},
    {STMT, "broadcast(b, 0 0)", 2, S + 15, "expected ',' after the root"},
    {STMT, "opaque(kind, \"\")", 2, S + 7, "expected the extension kind (a string), found 'kind'"},
    {STMT, "opaque(\"k\" \"\")", 2, S + 11, "expected ',' after the extension kind"},
    {STMT, "opaque(\"k\", 1)", 2, S + 12, "expected the payload (a string), found number '1'"},
    {STMT, "opaque(\"k\", \"\"", 3, 1, "expected ')' closing 'opaque'"},
    /* expressions */
    {EXPR, ")", 2, E, "expected an expression, found ')'"},
    {EXPR, "foo(1)", 2, E, "unknown function 'foo'. Fix: call a registered op with call foo(...)"},
    {EXPR, "region", 2, E, "'region' is a reserved word and cannot be used in an expression"},
    {EXPR, "a.b", 2, E, "unexpected dotted name 'a.b' in an expression"},
    {EXPR, "gid.w", 2, E, "unexpected dotted name 'gid.w'"},
    {EXPR, "gid.x.y", 2, E, "unexpected dotted name 'gid.x.y'"},
    {EXPR, "gid + 1", 2, E + 4, "expected '.x', '.y', '.z' or '(axis)' after 'gid'"},
    {EXPR, "lid(3", 3, 1, "expected ')' after the axis"},
    {EXPR, "wgid(256)", 2, E + 5, "the axis 256 is out of range"},
    {EXPR, "(1 + 2", 3, 1, "expected ')', found '}'"},
    {EXPR, "-5", 2, E, "a u32 literal cannot be negative. Fix: write 5i for a negative i32, or -(5) to negate"},
    {EXPR, "-1u64", 2, E, "a u64 literal cannot be negative"},
    {EXPR, "4294967296", 2, E, "integer literal 4294967296 does not fit in u32"},
    {EXPR, "2147483648i", 2, E, "integer literal 2147483648 does not fit in i32"},
    {EXPR, "-2147483649i", 2, E, "integer literal -2147483649 does not fit in i32"},
    {EXPR, "9223372036854775808i64", 2, E, "does not fit in i64"},
    {EXPR, "1 + )", 2, E + 4, "expected an expression, found ')'"},
    {EXPR, "-)", 2, E + 1, "expected an expression, found ')'"},
    {EXPR, "select 1", 2, E + 7, "expected '(' after 'select'"},
    {EXPR, "select(1 2, 3)", 2, E + 9, "expected ',' before argument 2 of 'select' (it takes 3)"},
    {EXPR, "select(1, 2, 3, 4)", 2, E + 14, "expected ')' after the 3 arguments of 'select'"},
    {EXPR, "subgroup_size(1)", 2, E + 14, "expected ')' after the 0 arguments of 'subgroup_size'"},
    {EXPR, "abs_diff(1)", 2, E + 10, "expected ',' before argument 2 of 'abs_diff' (it takes 2)"},
    {EXPR, "sqrt(1, 2)", 2, E + 6, "expected ')' after the 1 argument of 'sqrt'"},
    {EXPR, "f32_bits(1.5)", 2, E + 9, "expected the f32 bit pattern (a number), found number '1.5'"},
    {EXPR, "f32_bits(1i)", 2, E + 9, "the f32 bit pattern takes a plain number"},
    {EXPR, "f32_bits 1", 2, E + 9, "expected '(', found number '1'"},
    {EXPR, "f32_bits(1", 3, 1, "expected ')', found '}'"},
    {EXPR, "len b", 2, E + 4, "expected '(' after 'len'"},
    {EXPR, "len(1)", 2, E + 4, "expected the buffer of len()"},
    {EXPR, "len(b, c)", 2, E + 5, "expected ')' after the buffer name"},
    {EXPR, "cast(x)", 2, E + 4, "expected '<' after 'cast'"},
    {EXPR, "cast<5>(x)", 2, E + 5, "expected a type"},
    {EXPR, "cast<u32(x)", 2, E + 8, "expected '>' after the cast's type, found '('"},
    {EXPR, "cast<u32> x", 2, E + 10, "expected '(' after 'cast'"},
    {EXPR, "call 5()", 2, E + 5, "expected the op id of a call"},
    {EXPR, "call f", 3, 1, "expected '(' after the op id, found '}'"},
    {EXPR, "call f(1 2)", 2, E + 9, "expected ',' or ')' in the call's arguments, found number '2'"},
    {EXPR, "call f(1,)", 2, E + 9, "expected an expression, found ')'"},
    {EXPR, "opaque \"k\"", 2, E + 7, "expected '(' after 'opaque'"},
    {EXPR, "opaque(k, \"\")", 2, E + 7, "expected the extension kind (a string), found 'k'"},
    {EXPR, "opaque(\"k\" \"\")", 2, E + 11, "expected ',' after the extension kind"},
    {EXPR, "opaque(\"k\", k)", 2, E + 12, "expected the payload (a string), found 'k'"},
    {EXPR, "opaque(\"k\", \"\"", 3, 1, "expected ')' after the payload"},
    {EXPR, "opaque_binop(1, 2)", 2, E + 12, "expected '<' after 'opaque_binop'"},
    {EXPR, "opaque_unop<x>(1)", 2, E + 12, "expected the extension id (a number)"},
    {EXPR, "opaque_unop<1(1)", 2, E + 13, "expected '>' after the extension id"},
    {EXPR, "opaque_binop<1>(1)", 2, E + 17, "expected ',' before argument 2 of 'opaque_binop'"},
    {EXPR, "atomic_add b[0], 1", 2, E + 11, "expected '(' after 'atomic_add'"},
    {EXPR, "atomic_add(1, 1)", 2, E + 11, "expected an atomic's buffer"},
    {EXPR, "atomic_add(b, 1)", 2, E + 12, "expected '[' after the atomic's buffer, found ','"},
    {EXPR, "atomic_add(b[0, 1)", 2, E + 14, "expected ']' after the atomic's index, found ','"},
    {EXPR, "atomic_add(b[0])", 2, E + 15, "expected ',' before the atomic's value, found ')'"},
    {EXPR, "atomic_add(b[0], )", 2, E + 17, "expected an expression, found ')'"},
    {EXPR, "atomic_add(b[0], 1, )", 2, E + 20, "expected an expression, found ')'"},
    {EXPR, "atomic_add(b[0], 1, 2, 3)", 2, E + 23, "expected a memory ordering, found number '3'"},
    {EXPR, "atomic_add(b[0], 1, relaxed, 2)", 2, E + 27, "expected ')' closing the atomic, found ','"},
    {EXPR, "atomic_opaque(b[0], 1)", 2, E + 13, "expected '<' after 'atomic_opaque'"},
    {EXPR, "b[1", 3, 1, "expected ']' after the index, found '}'"},
    {EXPR, "\"v\"[1", 3, 1, "expected ']' after the index"},
};

static void syntax_errors(void **state) {
  (void)state;
  unsigned bad = 0;
  for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
    const err_case *c = &error_cases[i];
    char src[1024], prefix[64];
    snprintf(src, sizeof src, "%s%s%s", ctx_prefix[c->ctx], c->snippet, ctx_suffix[c->ctx]);
    vy_program *p = (vy_program *)1;
    vy_error err;
    vy_status st = vy_text_parse(src, strlen(src), "t.vy", NULL, &p, &err);
    if (st != VY_E_PARSE) fail_msg("case %zu (%s): status %d", i, c->snippet, st);
    assert_null(p);
    snprintf(prefix, sizeof prefix, "t.vy:%u:%u: ", c->line, c->col);
    if (err.line != c->line || err.col != c->col || strncmp(err.message, prefix, strlen(prefix)) != 0 ||
        !strstr(err.message, c->msg) || !strstr(err.message, ". Fix: ")) {
      print_error("case %zu (%s):\n  want %u:%u \"%s\"\n  got  %u:%u \"%s\"\n", i, c->snippet, c->line, c->col,
                  c->msg, err.line, err.col, err.message);
      bad++;
    }
  }
  assert_int_equal(bad, 0);
}

/* ---- nesting limits ---- */

static char *repeat(const char *head, const char *unit, size_t n, const char *mid, const char *close, size_t m,
                    const char *tail) {
  size_t len = strlen(head) + strlen(unit) * n + strlen(mid) + strlen(close) * m + strlen(tail) + 1;
  char *s = malloc(len), *o = s;
  assert_non_null(s);
  o += sprintf(o, "%s", head);
  for (size_t i = 0; i < n; i++) o += sprintf(o, "%s", unit);
  o += sprintf(o, "%s", mid);
  for (size_t i = 0; i < m; i++) o += sprintf(o, "%s", close);
  sprintf(o, "%s", tail);
  return s;
}

/* Parses nested text with `n` levels: ok_n must parse (and round-trip),
 * ok_n + 1 must fail with the nesting error at line 1 or 2. */
static void nesting_case(const char *head, const char *unit, const char *mid, const char *close, const char *tail,
                         size_t ok_n) {
  for (size_t n = ok_n; n <= ok_n + 1; n++) {
    char *s = repeat(head, unit, n, mid, close, n, tail);
    vy_program *p = NULL;
    vy_error err;
    vy_status st = vy_text_parse(s, strlen(s), "t.vy", NULL, &p, &err);
    if (n == ok_n) {
      if (st != VY_OK) fail_msg("%s x %zu: %s", unit, n, err.message);
      check_round_trip(p);
      vy_program_destroy(p);
    } else {
      assert_int_equal(st, VY_E_PARSE);
      if (!strstr(err.message, "nesting deeper than 256 levels")) fail_msg("%s x %zu: %s", unit, n, err.message);
    }
    free(s);
  }
}

static void nesting_limit(void **state) {
  (void)state;
  /* the program body is level 1 */
  nesting_case("program p {", "block {", "", "}", "}", 255);
  /* + the let value (a full expression) */
  nesting_case("program p {\nlet v = ", "(", "1", ")", "\n}", 254);
  nesting_case("program p {\nlet v = ", "-", "x", "", "\n}", 254);
  nesting_case("program p {\nlet v = ", "x - (", "x", ")", "\n}", 254);
  nesting_case("program p {\nlet v = ", "call f(", "1", ")", "\n}", 254);
  nesting_case("program p {\nlet v = ", "b[", "1", "]", "\n}", 254);
  nesting_case("program p {\nlet v = ", "-(", "5", ")", "\n}", 127); /* two levels per Negate of a literal */
  /* + the buffer's type */
  nesting_case("program p {\nbuffer b: ", "vec<", "u32", ", 2>", " read @0\n}", 254);
  nesting_case("program p {\nbuffer b: u32 read @0 shape(", "not(", "exactly(1)", ")", ")\n}", 254);
  /* else if: one level per else, and the last condition is a full expression */
  nesting_case("program p {\nif c { } ", "else if c { } ", "", "", "\n}", 254);

  /* far deeper input fails cleanly (no stack overflow) */
  static const char *const units[] = {"(", "-", "block {", "vec<", "not(", "if c { } else ", "!", "call f("};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    const char *head = i == 3 ? "program p {\nbuffer b: " : i == 4 ? "program p {\nbuffer b: u32 read @0 shape(" :
                       i == 2 || i == 5 ? "program p {\n" : "program p {\nlet v = ";
    char *s = repeat(head, units[i], 200000, "", "", 0, "");
    vy_program *p = NULL;
    vy_error err;
    assert_int_equal(vy_text_parse(s, strlen(s), NULL, NULL, &p, &err), VY_E_PARSE);
    assert_non_null(strstr(err.message, "nesting deeper than 256 levels"));
    assert_non_null(strstr(err.message, "<input>:"));
    free(s);
  }
}

/* The printer refuses exactly what the parser would: a builder-made program
 * one level deeper than the parser reads. */
static void printer_nesting_limit(void **state) {
  (void)state;
  for (unsigned k = 253; k <= 254; k++) {
    vy_builder *b;
    assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
    vy_b_region(b, "r", NULL); /* program 1 + region body 2 + let value 3 + k prefix operators */
    const vy_expr *e = vy_b_var(b, "x");
    for (unsigned i = 0; i < k; i++) e = vy_b_un(b, VY_UNOP_BIT_NOT, e);
    vy_b_let(b, "v", e);
    vy_b_end(b);
    vy_program *p = NULL;
    assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
    if (k == 253) {
      check_round_trip(p);
    } else {
      vy_bytes out;
      vy_error err;
      assert_int_equal(vy_text_print(p, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
      assert_null(out.data);
      assert_non_null(strstr(err.message, "deeper than the 256 levels"));
    }
    vy_program_destroy(p);
    vy_builder_destroy(b);
  }
  /* statements too: 255 nested blocks print, 256 do not */
  for (unsigned k = 255; k <= 256; k++) {
    vy_builder *b;
    assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
    for (unsigned i = 0; i < k; i++) vy_b_block(b);
    for (unsigned i = 0; i < k; i++) vy_b_end(b);
    vy_program *p = NULL;
    assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
    vy_bytes out;
    vy_status st = vy_text_print(p, NULL, &out, NULL);
    assert_int_equal(st, k == 255 ? VY_OK : VY_E_INVALID_ARGUMENT);
    vy_bytes_free(&out);
    vy_program_destroy(p);
    vy_builder_destroy(b);
  }
}

/* ---- allocation failures, API misuse ---- */

typedef struct fault_ctx {
  const char *src;
  size_t len;
  const vy_program *prog;
} fault_ctx;

static vy_status fault_parse(const vy_allocator *alloc, void *ctx) {
  fault_ctx *c = ctx;
  vy_program *p = NULL;
  vy_status st = vy_text_parse(c->src, c->len, "t.vy", alloc, &p, NULL);
  if (st == VY_OK) {
    assert_true(vy_program_equal(p, c->prog));
    vy_program_destroy(p);
  } else {
    assert_null(p);
  }
  return st;
}

static vy_status fault_print(const vy_allocator *alloc, void *ctx) {
  fault_ctx *c = ctx;
  vy_bytes out;
  vy_status st = vy_text_print(c->prog, alloc, &out, NULL);
  if (st == VY_OK) assert_int_equal(out.len, c->len);
  else assert_null(out.data);
  vy_bytes_free(&out);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  static const char *const files[] = {"all_nodes.vy", "all_exprs.vy", "types.vy", "names.vy"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    size_t len;
    char *src = read_program(files[i], &len);
    vy_program *p = parse_ok(src, len);
    fault_ctx c = {src, len, p};
    assert_true(vy_fault_run_all(fault_parse, &c) > 10);
    size_t tlen;
    char *text = print_ok(p, &tlen);
    c.len = tlen;
    assert_true(vy_fault_run_all(fault_print, &c) > 0);
    free(text);
    vy_program_destroy(p);
    free(src);
  }
}

static void api_misuse(void **state) {
  (void)state;
  vy_program *p = (vy_program *)1;
  vy_error err;
  assert_int_equal(vy_text_parse("x", 1, NULL, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_text_parse(NULL, 5, NULL, NULL, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_null(p);
  /* the size is checked before anything is read */
  assert_int_equal(vy_text_parse("program", (size_t)UINT32_MAX, NULL, NULL, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "larger than 4 GiB"));
  /* NULL with length 0 is empty text */
  assert_int_equal(vy_text_parse(NULL, 0, NULL, NULL, &p, &err), VY_E_PARSE);
  assert_int_equal(err.line, 1);
  vy_bytes out;
  assert_int_equal(vy_text_print(NULL, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_null(out.data);
  vy_program *q = parse_str("program p { }");
  assert_int_equal(vy_text_print(q, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  /* err may be NULL */
  assert_int_equal(vy_text_parse("program", 7, NULL, NULL, &p, NULL), VY_E_PARSE);
  vy_program_destroy(q);
}

/* ---- mutated inputs ---- */

/* Mutations of the corpus never crash; whatever parses round-trips. */
static void mutated_inputs(void **state) {
  (void)state;
  static const char *const files[] = {"all_nodes.vy", "all_exprs.vy", "types.vy", "names.vy", "saxpy.vy"};
  static const char bytes[] = "{}()[]<>,:@.=\"\\#-!~ 0x1fiu9e\n\x00\xFF";
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  unsigned parsed = 0;
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    size_t len;
    char *src = read_program(files[f], &len);
    for (int round = 0; round < 400; round++) {
      char *m = malloc(len + 8);
      assert_non_null(m);
      memcpy(m, src, len);
      size_t mlen = len;
      for (int k = 0; k < 1 + round % 4; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t at = (size_t)(rng >> 33) % mlen;
        char c = bytes[(rng >> 17) % (sizeof bytes - 1)];
        switch ((rng >> 8) % 3) {
        case 0: /* replace */
          m[at] = c;
          break;
        case 1: /* delete */
          memmove(m + at, m + at + 1, mlen - at - 1);
          mlen--;
          break;
        default: /* truncate */
          mlen = at;
          break;
        }
        if (mlen == 0) break;
      }
      vy_program *p = NULL;
      vy_error err;
      if (vy_text_parse(m, mlen, "m.vy", NULL, &p, &err) == VY_OK) {
        check_round_trip(p);
        vy_program_destroy(p);
        parsed++;
      } else {
        assert_true(err.line >= 1 && err.col >= 1);
        assert_non_null(strstr(err.message, "Fix: "));
      }
      free(m);
    }
    free(src);
  }
  assert_true(parsed > 0);
}

/* ---- the lexer itself ---- */

static void lexer_tokens(void **state) {
  (void)state;
  static const char src[] = "a.b 0x1Fu 7i64 2.5f64 \"q\\x41\" >> # c\n..$ x";
  vy_lexer lx;
  vy_text_lex_init(&lx, src, sizeof src - 1);
  assert_int_equal(lx.cur.kind, VY_TOK_DOTTED);
  assert_int_equal(lx.cur.len, 3);
  assert_int_equal(vy_text_lex_peek(&lx)->kind, VY_TOK_INT); /* peek does not consume */
  assert_int_equal(lx.cur.kind, VY_TOK_DOTTED);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.ival, 31);
  assert_int_equal(lx.cur.suffix, VY_SUF_U);
  assert_int_equal(lx.cur.col, 5);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.ival, 7);
  assert_int_equal(lx.cur.suffix, VY_SUF_I64);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.kind, VY_TOK_FLOAT);
  assert_int_equal(lx.cur.fbits, 0x4004000000000000ull);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.kind, VY_TOK_STRING);
  assert_int_equal(lx.cur.str_len, 2);
  char decoded[2];
  vy_text_decode_string(&lx.cur, decoded);
  assert_memory_equal(decoded, "qA", 2);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.kind, VY_TOK_SHR);
  vy_text_lex_split_shr(&lx); /* one '>' consumed, one left at the next column */
  assert_int_equal(lx.cur.kind, VY_TOK_GT);
  assert_int_equal(lx.cur.col, 32);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.kind, VY_TOK_DOTDOT); /* the comment was skipped */
  assert_int_equal(lx.cur.line, 2);
  assert_int_equal(lx.cur.col, 1);
  vy_text_lex_advance(&lx);
  assert_int_equal(lx.cur.kind, VY_TOK_ERROR);
  assert_int_equal(lx.err_col, 3);
  vy_text_lex_advance(&lx); /* every token after an error is the error */
  assert_int_equal(lx.cur.kind, VY_TOK_ERROR);
  assert_int_equal(lx.cur.col, 3);
  assert_true(vy_text_is_reserved("atomic_fetch_nand", 17));
  assert_false(vy_text_is_reserved("atomic_", 7));
  assert_false(vy_text_is_reserved("count", 5));
  assert_true(vy_text_is_ident("a.b_1", 5, true));
  assert_false(vy_text_is_ident("a..b", 4, true));
  assert_false(vy_text_is_ident("a.", 2, true));
  assert_false(vy_text_is_ident("", 0, false));
}

/* Text reads and prints the same whatever the C locale's decimal point. */
static void locale_independent(void **state) {
  (void)state;
  static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8", "de_DE"};
  const char *set = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !set; i++) set = setlocale(LC_NUMERIC, names[i]);
  if (!set || strcmp(localeconv()->decimal_point, ".") == 0) {
    setlocale(LC_NUMERIC, "C");
    skip(); /* no locale with a decimal comma is installed */
  }
  vy_program *p = parse_expr_prog("1.5f");
  assert_int_equal(let_value(p)->u.lit_f32_bits, 0x3FC00000);
  char *t = print_ok(p, NULL);
  assert_non_null(strstr(t, "let v = 1.5f\n"));
  free(t);
  vy_program_destroy(p);
  setlocale(LC_NUMERIC, "C");
}

/* Programs that only hand-made IR can hold are refused, not printed wrong. */
static void printer_refuses_malformed(void **state) {
  (void)state;
  for (int which = 0; which < 6; which++) {
    vy_program *p = vy_program_new(NULL);
    assert_non_null(p);
    vy_node *region = vy_node_new(p, VY_NODE_REGION), *let = vy_node_new(p, VY_NODE_LET);
    const vy_node **items = vy_arena_alloc(&p->arena, 2 * sizeof *items);
    assert_true(region && let && items);
    assert_true(vy_str_make(p, "v", 1, &let->u.let.name));
    vy_expr *bin = vy_expr_new(p, VY_EXPR_BIN_OP), *var = vy_expr_new(p, VY_EXPR_VAR);
    assert_true(bin && var);
    bin->u.bin.op = VY_BINOP_ADD;
    bin->u.bin.left = var;
    bin->u.bin.right = var;
    let->u.let.value = bin;
    items[0] = let;
    region->u.region.body.items = items;
    region->u.region.body.count = 1;
    p->entry.items = (const vy_node *const *)&items[1];
    items[1] = region;
    p->entry.count = 1;
    static vy_buffer_decl buf;
    static vy_shape_pred pred;
    switch (which) {
    case 0: /* NULL operand of a binary operator */
      bin->u.bin.right = NULL;
      break;
    case 1: /* NULL statement operand */
      let->u.let.value = NULL;
      break;
    case 2: /* expression kind outside its table */
      var->kind = (vy_expr_kind)99;
      break;
    case 3: /* node kind outside its table */
      let->kind = (vy_node_kind)99;
      break;
    case 4: /* binop outside its table */
      bin->u.bin.op = (vy_binop)99;
      break;
    default: /* shape predicate kind outside its table */
      memset(&buf, 0, sizeof buf);
      buf.element.kind = VY_TYPE_U32;
      pred.kind = (vy_shape_pred_kind)99;
      buf.shape_predicate = &pred;
      p->buffers = &buf;
      p->nbuffers = 1;
      break;
    }
    vy_bytes out;
    vy_error err;
    assert_int_equal(vy_text_print(p, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
    assert_null(out.data);
    assert_non_null(strstr(err.message, "Fix: "));
    p->nbuffers = 0;
    vy_program_destroy(p);
  }
}

/* Program names that the header would read as clauses are quoted. */
static void header_words_as_names(void **state) {
  (void)state;
  static const char *const names[] = {"workgroup", "non_composable_with_self", "program", "source", "gid.x"};
  static const char *const printed[] = {"program \"workgroup\" workgroup(1) {", "program \"non_composable_with_self\"",
                                        "program \"program\" workgroup", "program source workgroup",
                                        "program gid.x workgroup"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    vy_builder *b;
    assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
    vy_b_entry_op_id(b, names[i]);
    vy_program *p = NULL;
    assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
    char *t = print_ok(p, NULL);
    if (strncmp(t, printed[i], strlen(printed[i])) != 0) fail_msg("%s printed as %s", names[i], t);
    check_round_trip(p);
    free(t);
    vy_program_destroy(p);
    vy_builder_destroy(b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(corpus_round_trips),
      cmocka_unit_test(random_programs_round_trip),
      cmocka_unit_test(example_saxpy_runs),
      cmocka_unit_test(example_reduce_sum_runs),
      cmocka_unit_test(example_histogram_runs),
      cmocka_unit_test(example_stencil_runs),
      cmocka_unit_test(example_subgroup_runs),
      cmocka_unit_test(example_transpose_runs),
      cmocka_unit_test(example_volume_runs),
      cmocka_unit_test(f32_literals),
      cmocka_unit_test(int_literals),
      cmocka_unit_test(wide_literals),
      cmocka_unit_test(every_f32_round_trips),
      cmocka_unit_test(printed_floats),
      cmocka_unit_test(names_decode),
      cmocka_unit_test(buffer_fields),
      cmocka_unit_test(types_parse),
      cmocka_unit_test(expression_shapes),
      cmocka_unit_test(statements_and_entry),
      cmocka_unit_test(locations),
      cmocka_unit_test(printed_form),
      cmocka_unit_test(syntax_errors),
      cmocka_unit_test(nesting_limit),
      cmocka_unit_test(printer_nesting_limit),
      cmocka_unit_test(allocation_failures),
      cmocka_unit_test(api_misuse),
      cmocka_unit_test(mutated_inputs),
      cmocka_unit_test(lexer_tokens),
      cmocka_unit_test(locale_independent),
      cmocka_unit_test(printer_refuses_malformed),
      cmocka_unit_test(header_words_as_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
