/* test_wire.c - the wire format v4 (vyre-ir.md §7): the encoder against byte
 * strings typed from the spec's tables, the decoder's limits, check order and
 * error classes, round trips, the hex envelope, allocation failures, and
 * regressions found by tests/fuzz/fuzz_wire.c.
 *
 * Expected bytes come from the spec (§7.11 listing; hand-assembled records
 * for the small programs below), never from the encoder. Header digests of
 * hand-assembled bodies are computed with BLAKE3 (lib/blake3.c, checked
 * against b3sum in test_blake3.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blake3_int.h"
#include "fault_alloc.h"
#include "progen.h"
#include "vyre/builder.h"
#include "vyre/wire.h"

/* ---- a tiny byte assembler (the test's own reference, typed from §7) ---- */

typedef struct asm_buf {
  uint8_t b[4096];
  size_t n;
} asm_buf;

static void a_u8(asm_buf *a, uint8_t v) { a->b[a->n++] = v; }
static void a_u32(asm_buf *a, uint32_t v) {
  for (int i = 0; i < 4; i++) a_u8(a, (uint8_t)(v >> (8 * i)));
}
static void a_u64(asm_buf *a, uint64_t v) {
  for (int i = 0; i < 8; i++) a_u8(a, (uint8_t)(v >> (8 * i)));
}
static void a_leb(asm_buf *a, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    a_u8(a, (uint8_t)(byte | (v ? 0x80 : 0)));
  } while (v);
}
static void a_raw(asm_buf *a, const void *p, size_t n) {
  memcpy(a->b + a->n, p, n);
  a->n += n;
}
static void a_str(asm_buf *a, const char *s) { /* u32-len string */
  a_u32(a, (uint32_t)strlen(s));
  a_raw(a, s, strlen(s));
}
static void a_lstr(asm_buf *a, const char *s) { /* LEB-len string */
  a_leb(a, strlen(s));
  a_raw(a, s, strlen(s));
}
static void a_hex(asm_buf *a, const char *hex) { /* spaces ignored */
  for (const char *p = hex; *p;) {
    if (*p == ' ') {
      p++;
      continue;
    }
    unsigned v;
    assert_int_equal(sscanf(p, "%2x", &v), 1);
    a_u8(a, (uint8_t)v);
    p += 2;
  }
}
/* A record: LEB op id, LEB payload length, payload, LEB 0 operands. */
static void a_record(asm_buf *a, const char *op, const asm_buf *payload) {
  a_lstr(a, op);
  a_leb(a, payload->n);
  a_raw(a, payload->b, payload->n);
  a_leb(a, 0);
}
/* Default hints: no coalesce axis, alignment 0, Temporal. */
static void a_hints(asm_buf *a) { a_hex(a, "00 00000000 01"); }

/* Wraps a body in the 40-byte header (magic, v4, flags 4, BLAKE3 of body). */
static size_t blob_of(const asm_buf *body, uint8_t *out) {
  memcpy(out, "VYRE\x04\x00\x04\x00", 8);
  vy_blake3_hash(body->b, body->n, out + 8);
  memcpy(out + 40, body->b, body->n);
  return body->n + 40;
}

/* Recomputes the header digest after a test edits the body. */
static void reseal(uint8_t *blob, size_t len) { vy_blake3_hash(blob + 40, len - 40, blob + 8); }

/* ---- helpers ---- */

static vy_builder *new_builder(void) {
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  return b;
}

static vy_program *finish(vy_builder *b, vy_finish_mode mode) {
  vy_program *p = NULL;
  vy_error err;
  vy_status st = vy_builder_finish(b, mode, &p, &err);
  if (st != VY_OK) fail_msg("builder: %s", err.message);
  vy_builder_destroy(b);
  return p;
}

static void encode_ok(const vy_program *p, vy_bytes *out) {
  vy_error err;
  vy_status st = vy_wire_encode(p, NULL, out, &err);
  if (st != VY_OK) fail_msg("encode: %s", err.message);
}

static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len) {
  if (got_len != want_len) fail_msg("length %zu, expected %zu", got_len, want_len);
  for (size_t i = 0; i < want_len; i++)
    if (got[i] != want[i]) fail_msg("byte %zu is 0x%02x, expected 0x%02x", i, got[i], want[i]);
}

static vy_program *decode_ok(const uint8_t *data, size_t len) {
  vy_program *p = NULL;
  vy_error err;
  vy_status st = vy_wire_decode(data, len, NULL, &p, &err);
  if (st != VY_OK) fail_msg("decode: %s", err.message);
  return p;
}

/* Decoding must fail with `code` at byte `offset`, with a Fix: hint. */
static void decode_fails_at(const uint8_t *data, size_t len, vy_status code, uint64_t offset) {
  vy_program *p = (vy_program *)1;
  vy_error err;
  vy_status st = vy_wire_decode(data, len, NULL, &p, &err);
  if (st != code) fail_msg("status %s, expected %s (%s)", vy_status_name(st), vy_status_name(code), err.message);
  assert_null(p);
  assert_int_equal(err.code, code);
  assert_non_null(strstr(err.message, "Fix:"));
  if (offset != VY_NO_OFFSET && err.offset != offset)
    fail_msg("error offset %llu, expected %llu (%s)", (unsigned long long)err.offset, (unsigned long long)offset,
             err.message);
}

static void decode_fails(const uint8_t *data, size_t len) { decode_fails_at(data, len, VY_E_DECODE, VY_NO_OFFSET); }

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k) {
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(hay + i, needle, k) == 0) return true;
  return false;
}

/* ---- data files under tests/wire/ ---- */

static size_t read_file(const char *rel, uint8_t *buf, size_t cap) {
  char path[1024];
  const char *root = getenv("VY_SOURCE_DIR");
  snprintf(path, sizeof path, "%s%s%s", root ? root : ".", root ? "/tests/" : "/", rel);
  FILE *f = fopen(path, "rb");
  if (!f) fail_msg("cannot open %s", path);
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

/* A *.cases file: one case per line, fields separated by '|', '#' starts a
 * comment line; the expected error offset is a number or "ok" (decodes). */
typedef struct case_file {
  char buf[16384];
  char *cur;
  unsigned line; /* of the current case, 1-based */
} case_file;

static void cases_open(case_file *c, const char *rel) {
  size_t n = read_file(rel, (uint8_t *)c->buf, sizeof c->buf - 1);
  c->buf[n] = 0;
  c->cur = c->buf;
  c->line = 0;
}

/* The next case's fields (at most `max`); returns how many, 0 at the end. */
static int cases_next(case_file *c, char **f, int max) {
  while (*c->cur) {
    char *line = c->cur, *nl = strchr(line, '\n');
    c->cur = nl ? nl + 1 : line + strlen(line);
    if (nl) *nl = 0;
    c->line++;
    while (*line == ' ') line++;
    if (!*line || *line == '#') continue;
    int n = 0;
    for (char *q = line; n < max;) {
      char *bar = strchr(q, '|');
      f[n++] = q;
      if (!bar) break;
      *bar = 0;
      q = bar + 1;
    }
    return n;
  }
  return 0;
}

static uint64_t expected_offset(const char *s) {
  while (*s == ' ') s++;
  return strncmp(s, "ok", 2) == 0 ? VY_NO_OFFSET : strtoull(s, NULL, 0);
}

/* Decodes `blob`: OK when `want` is VY_NO_OFFSET, else VY_E_DECODE at `want`. */
static void expect_decode(const uint8_t *blob, size_t len, uint64_t want, const char *file, unsigned line) {
  vy_program *p = (vy_program *)1;
  vy_error err;
  vy_status st = vy_wire_decode(blob, len, NULL, &p, &err);
  if (want == VY_NO_OFFSET) {
    if (st != VY_OK) fail_msg("%s:%u: %s", file, line, err.message);
    vy_program_destroy(p);
    return;
  }
  if (st != VY_E_DECODE || err.offset != want)
    fail_msg("%s:%u: %s at %llu, expected VY_E_DECODE at %llu: %s", file, line, vy_status_name(st),
             (unsigned long long)err.offset, (unsigned long long)want, err.message);
  assert_null(p);
  assert_non_null(strstr(err.message, "Fix:"));
}

/* ---- the §7.11 worked example ---- */

static vy_program *build_example(void) {
  vy_builder *b = new_builder();
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 4);
  vy_b_workgroup_size(b, 64, 1, 1);
  vy_b_let(b, "idx", vy_b_invocation_id(b, 0));
  vy_b_if(b, vy_b_bin(b, VY_BINOP_LT, vy_b_var(b, "idx"), vy_b_buf_len(b, "out")));
  vy_b_store(b, "out", vy_b_var(b, "idx"),
             vy_b_bin(b, VY_BINOP_ADD, vy_b_load(b, "a", vy_b_var(b, "idx")), vy_b_u32(b, 1)));
  vy_b_end(b);
  return finish(b, VY_FINISH_WRAPPED);
}

/* The §7.11 listing, byte for byte (header digest included). */
static size_t example_blob(uint8_t *out) {
  asm_buf a = {.n = 0};
  a_hex(&a, "56595245 0400 0400");
  a_hex(&a, "35e17cac08005bd1c3f743a684f029de8bee7adb61f9c5d6f2931f4ce197caa3");
  a_hex(&a, "02");
  a_hex(&a, "15");
  a_raw(&a, "vyre.program.metadata", 21);
  a_hex(&a, "46");
  a_raw(&a, "VYRE-META", 9);
  a_hex(&a, "00 40000000 01000000 01000000 00 02");
  a_hex(&a, "01000000 61 00000000 04000000 00 00 00 00 00000000 01");
  a_hex(&a, "03000000 6f7574 01000000 04000000 01 01 00 00 00000000 01");
  a_hex(&a, "00");
  a_hex(&a, "10");
  a_raw(&a, "vyre.node.region", 16);
  a_hex(&a, "65");
  a_hex(&a, "0b 11000000");
  a_raw(&a, "vyre.program.root", 17);
  a_hex(&a, "00 02000000");
  a_hex(&a, "00 03000000 696478 06 00");
  a_hex(&a, "03 09 0d 03 03000000 696478 05 03000000 6f7574");
  a_hex(&a, "01000000 02 03000000 6f7574 03 03000000 696478");
  a_hex(&a, "09 01 04 01000000 61 03 03000000 696478 00 01000000");
  a_hex(&a, "00000000");
  a_hex(&a, "00");
  a_hex(&a, "02");
  a_hex(&a, "00 04 00 01 00 01 04 06 00 00000000 01");
  a_hex(&a, "01 00 01 01 00 01 04 06 00 00000000 01");
  a_hex(&a, "01 01");
  memcpy(out, a.b, a.n);
  return a.n;
}

static const char example_fingerprint[] = "0b0aa1053adb1df4b213733eb93b954483b0a7d02c97d5e48e221d7dc31bfb98";

static void hex32(const uint8_t d[32], char out[65]) {
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void worked_example_encodes_to_spec_bytes(void **state) {
  (void)state;
  uint8_t want[512];
  size_t want_len = example_blob(want);
  assert_int_equal(want_len, 286);
  vy_program *p = build_example();
  vy_bytes got;
  encode_ok(p, &got);
  assert_bytes(got.data, got.len, want, want_len);
  /* canonical form is the same blob here: buffers already sorted, literal right */
  vy_bytes canon;
  vy_error err;
  assert_int_equal(vy_wire_encode_canonical(p, NULL, &canon, &err), VY_OK);
  assert_bytes(canon.data, canon.len, want, want_len);
  uint8_t fp[32];
  char hex[65];
  assert_true(vy_program_fingerprint(p, fp));
  hex32(fp, hex);
  assert_string_equal(hex, example_fingerprint);
  vy_bytes_free(&canon);
  vy_bytes_free(&got);
  vy_program_destroy(p);
}

static void worked_example_decodes(void **state) {
  (void)state;
  uint8_t blob[512];
  size_t len = example_blob(blob);
  vy_program *d = decode_ok(blob, len);
  vy_program *p = build_example();
  assert_true(vy_program_equal(d, p));
  uint8_t fp[32];
  char hex[65];
  assert_true(vy_program_fingerprint(d, fp));
  hex32(fp, hex);
  assert_string_equal(hex, example_fingerprint);
  /* decoded buffers: the unserialized fields get vyre's defaults */
  const vy_buffer_decl *a = vy_program_buffer(d, 0);
  assert_false(a->bytes_extraction);
  assert_int_equal(a->linear_type, VY_LINEAR_UNRESTRICTED);
  assert_null(a->shape_predicate);
  vy_bytes again;
  encode_ok(d, &again);
  assert_bytes(again.data, again.len, blob, len);
  vy_bytes_free(&again);
  vy_program_destroy(p);
  vy_program_destroy(d);
}


/* ---- a program with every node kind, expression kind and buffer field ---- */

static const vy_type *t_vec(vy_builder *b, vy_type_kind e, uint8_t n) {
  vy_type t = {.kind = VY_TYPE_VEC, .u.vec = {vy_type_scalar(e), n}};
  return vy_b_type(b, &t);
}

static void sink_buffers(vy_builder *b) {
  vy_b_read(b, "in", 0, VY_TYPE_U32);
  vy_buffer_decl o = {.name = {"o", 1}, .binding = 1, .access = VY_ACCESS_READ_WRITE, .kind = VY_MEMKIND_GLOBAL,
                      .element = {.kind = VY_TYPE_F32}, .count = 16, .is_output = true, .pipeline_live_out = true,
                      .has_output_range = true, .range_start = 4, .range_end = 60,
                      .hints = {true, 1, 16, VY_LOCALITY_STREAMING}};
  vy_b_buffer(b, &o);
  vy_b_workgroup(b, "wg", 32, VY_TYPE_I32);
  vy_buffer_decl u = {.name = {"u", 1}, .binding = 2, .access = VY_ACCESS_UNIFORM, .kind = VY_MEMKIND_UNIFORM,
                      .element = {.kind = VY_TYPE_ARRAY, .u.array_element_size = 12}, .count = 1,
                      .hints = {false, 0, 0, VY_LOCALITY_RANDOM}};
  vy_b_buffer(b, &u);
  vy_buffer_decl h = {.name = {"h", 1}, .binding = 3, .access = VY_ACCESS_READ_WRITE, .kind = VY_MEMKIND_PERSISTENT,
                      .element = {.kind = VY_TYPE_HANDLE, .u.handle_id = 0x1234}, .count = 2,
                      .hints = {false, 0, 0, VY_LOCALITY_TEMPORAL}};
  vy_b_buffer(b, &h);
  vy_buffer_decl q = {.name = {"q", 1}, .binding = 4, .access = VY_ACCESS_READ_ONLY, .kind = VY_MEMKIND_PUSH,
                      .element = {.kind = VY_TYPE_QUANTIZED,
                                  .u.quant = {vy_type_scalar(VY_TYPE_I8), VY_QSCALE_PER_CHANNEL, 1, VY_QZERO_PER_GROUP,
                                              64}},
                      .count = 8, .hints = {false, 0, 0, VY_LOCALITY_TEMPORAL}};
  vy_b_buffer(b, &q);
  vy_buffer_decl x = {.name = {"x", 1}, .binding = 5, .access = VY_ACCESS_READ_ONLY, .kind = VY_MEMKIND_LOCAL,
                      .element = {.kind = VY_TYPE_OPAQUE, .u.opaque_id = 0x80000007},
                      .hints = {false, 0, 0, VY_LOCALITY_TEMPORAL}};
  vy_b_buffer(b, &x);
}

static void sink_region1(vy_builder *b) {
  vy_b_region(b, "gen", "src");
  vy_b_let(b, "i", vy_b_invocation_id(b, 0));
  vy_b_assign(b, "i", vy_b_workgroup_id(b, 1));
  vy_b_store(b, "o", vy_b_local_id(b, 2), vy_b_f32(b, 1.5f));
  vy_b_if(b, vy_b_bool(b, true));
  vy_b_return(b);
  vy_b_else(b);
  vy_b_barrier(b, VY_ORDERING_ACQ_REL);
  vy_b_end(b);
  vy_b_loop(b, "k", vy_b_u32(b, 0), vy_b_buf_len(b, "in"));
  vy_b_block(b);
  vy_b_indirect_dispatch(b, "in", 0x0102030405060708ull);
  vy_b_end(b);
  vy_b_end(b);
  vy_b_async_load(b, "in", "wg", vy_b_u32(b, 0), vy_b_u32(b, 4), "t");
  vy_b_async_wait(b, "t");
  vy_b_async_store(b, "wg", "o", vy_b_i32(b, -1), vy_b_u32(b, 4), "t2");
  vy_b_trap(b, vy_b_u32(b, 7), "trap");
  vy_b_resume(b, "r");
  vy_b_all_reduce(b, "o", VY_COLLECTIVE_SUM, 0);
  vy_b_all_gather(b, "in", "o", 1);
  vy_b_reduce_scatter(b, "in", "o", VY_COLLECTIVE_BIT_XOR, 2);
  vy_b_broadcast(b, "o", 3, 4);
  vy_b_end(b);
}

static void sink_region2(vy_builder *b) {
  vy_b_region(b, "g2", NULL);
  const vy_expr *args[2] = {vy_b_u32(b, 1), vy_b_var(b, "i")};
  vy_b_let(b, "e",
           vy_b_select(b, vy_b_bool(b, false), vy_b_call(b, "op.f", 2, args),
                       vy_b_cast(b, vy_type_scalar(VY_TYPE_U32), vy_b_f32(b, 2.0f))));
  vy_b_let(b, "f", vy_b_fma(b, vy_b_f32(b, 1.0f), vy_b_f32(b, -2.0f), vy_b_f32(b, 0.25f)));
  vy_b_let(b, "g", vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_SEQ_CST, "h", vy_b_u32(b, 0), NULL, vy_b_u32(b, 1)));
  vy_b_let(b, "g2", vy_b_atomic(b, VY_ATOMIC_COMPARE_EXCHANGE, 0, VY_ORDERING_RELAXED, "h", vy_b_u32(b, 1),
                                vy_b_u32(b, 0), vy_b_u32(b, 5)));
  vy_b_let(b, "g3", vy_b_atomic(b, VY_ATOMIC_OPAQUE, 0x80000003u, VY_ORDERING_GRID_SYNC, "h", vy_b_u32(b, 0), NULL,
                                vy_b_u32(b, 2)));
  vy_b_let(b, "s", vy_b_subgroup_add(b, vy_b_u32(b, 1)));
  vy_b_let(b, "s2", vy_b_subgroup_shuffle(b, vy_b_var(b, "s"), vy_b_subgroup_local_id(b)));
  vy_b_let(b, "s3", vy_b_subgroup_ballot(b, vy_b_bool(b, true)));
  vy_b_let(b, "s4", vy_b_subgroup_size(b));
  vy_b_let(b, "b1", vy_b_bin_ext(b, 0x80000001u, vy_b_var(b, "s"), vy_b_u32(b, 1)));
  vy_b_let(b, "b2", vy_b_un_ext(b, 0x80000002u, vy_b_var(b, "s")));
  vy_b_let(b, "b3", vy_b_un(b, VY_UNOP_NEGATE, vy_b_i32(b, 3)));
  vy_b_let(b, "b4", vy_b_bin(b, VY_BINOP_LE, vy_b_u32(b, 1), vy_b_u32(b, 2)));
  vy_b_let(b, "b5", vy_b_bin(b, VY_BINOP_ABS_DIFF, vy_b_u32(b, 1), vy_b_u32(b, 2)));
  vy_b_let(b, "b6", vy_b_un(b, VY_UNOP_RECIPROCAL, vy_b_f32(b, 4.0f)));
  vy_b_let(b, "w1", vy_b_lit_u64(b, 0x1122334455667788ull));
  vy_b_let(b, "w2", vy_b_lit_i64(b, -2));
  vy_b_let(b, "w3", vy_b_lit_f64(b, 1.0));
  uint32_t dims[2] = {2, 3}, axes[2] = {4, 8};
  vy_type ts = {.kind = VY_TYPE_TENSOR_SHAPED, .u.tensor = {vy_type_scalar(VY_TYPE_F32), 2, dims}};
  vy_type bsr = {.kind = VY_TYPE_SPARSE_BSR, .u.bsr = {vy_type_scalar(VY_TYPE_F32), 2, 3}};
  vy_type mesh = {.kind = VY_TYPE_DEVICE_MESH, .u.mesh = {2, axes}};
  vy_type qt = {.kind = VY_TYPE_QUANTIZED,
                .u.quant = {vy_type_scalar(VY_TYPE_I4), VY_QSCALE_PER_GROUP, 128, VY_QZERO_ABSENT, 0}};
  vy_type op = {.kind = VY_TYPE_OPAQUE, .u.opaque_id = 0x80000009u};
  vy_type hd = {.kind = VY_TYPE_HANDLE, .u.handle_id = 5};
  vy_type ar = {.kind = VY_TYPE_ARRAY, .u.array_element_size = 3};
  vy_type csr = {.kind = VY_TYPE_SPARSE_CSR, .u.sparse = {vy_type_scalar(VY_TYPE_BOOL)}};
  const vy_type *casts[] = {vy_b_type(b, &ts), vy_b_type(b, &bsr), vy_b_type(b, &mesh), vy_b_type(b, &qt),
                            vy_b_type(b, &op), vy_b_type(b, &hd), vy_b_type(b, &ar), t_vec(b, VY_TYPE_U8, 3),
                            vy_b_type(b, &csr)};
  for (size_t i = 0; i < sizeof casts / sizeof *casts; i++) vy_b_assign(b, "e", vy_b_cast(b, casts[i], vy_b_u32(b, 9)));
  vy_b_end(b);
}

static vy_program *build_sink(void) {
  vy_builder *b = new_builder();
  vy_b_entry_op_id(b, "op.sink");
  vy_b_workgroup_size(b, 8, 4, 2);
  vy_b_non_composable_with_self(b, true);
  sink_buffers(b);
  sink_region1(b);
  sink_region2(b);
  return finish(b, VY_FINISH_RAW);
}

/* §7.3 metadata payload of the sink's buffers, typed from the spec. */
static void sink_metadata(asm_buf *m) {
  a_raw(m, "VYRE-META", 9);
  a_u8(m, 1);
  a_str(m, "op.sink");
  a_u32(m, 8), a_u32(m, 4), a_u32(m, 2);
  a_u8(m, 1);  /* non_composable_with_self */
  a_leb(m, 7); /* buffers */
  /* name, binding, count, is_output, live_out, range, hints */
  a_str(m, "in"), a_u32(m, 0), a_u32(m, 0), a_hex(m, "00 00 00"), a_hints(m);
  a_str(m, "o"), a_u32(m, 1), a_u32(m, 16), a_hex(m, "01 01 01 04 3c"), a_hex(m, "01 01 10000000 00");
  a_str(m, "wg"), a_u32(m, 0), a_u32(m, 32), a_hex(m, "00 00 00"), a_hints(m);
  a_str(m, "u"), a_u32(m, 2), a_u32(m, 1), a_hex(m, "00 00 00"), a_hex(m, "00 00000000 02");
  a_str(m, "h"), a_u32(m, 3), a_u32(m, 2), a_hex(m, "00 00 00"), a_hints(m);
  a_str(m, "q"), a_u32(m, 4), a_u32(m, 8), a_hex(m, "00 00 00"), a_hints(m);
  a_str(m, "x"), a_u32(m, 5), a_u32(m, 0), a_hex(m, "00 00 00"), a_hints(m);
}

/* §7.4/§7.5 payload of region 1. */
static void sink_region1_payload(asm_buf *p) {
  a_u8(p, 11), a_str(p, "gen"), a_u8(p, 1), a_str(p, "src"), a_u32(p, 14);
  a_u8(p, 0), a_str(p, "i"), a_hex(p, "06 00");                                 /* let i = gid.x */
  a_u8(p, 1), a_str(p, "i"), a_hex(p, "07 01");                                 /* i = wgid.y */
  a_u8(p, 2), a_str(p, "o"), a_hex(p, "08 02"), a_u8(p, 15), a_u32(p, 0x3FC00000); /* o[lid.z] = 1.5 */
  a_u8(p, 3), a_hex(p, "02 01"), a_u32(p, 1), a_u8(p, 5), a_u32(p, 1), a_hex(p, "07 03"); /* if true return else barrier */
  a_u8(p, 4), a_str(p, "k"), a_hex(p, "00 00000000"), a_u8(p, 5), a_str(p, "in"), a_u32(p, 1);
  a_u8(p, 6), a_u32(p, 1), a_u8(p, 8), a_str(p, "in"), a_u64(p, 0x0102030405060708ull);
  a_u8(p, 9), a_str(p, "in"), a_str(p, "wg"), a_hex(p, "00 00000000 00 04000000"), a_str(p, "t");
  a_u8(p, 10), a_str(p, "t");
  a_u8(p, 12), a_str(p, "wg"), a_str(p, "o"), a_hex(p, "01 ffffffff 00 04000000"), a_str(p, "t2");
  a_u8(p, 13), a_hex(p, "00 07000000"), a_str(p, "trap");
  a_u8(p, 14), a_str(p, "r");
  a_u8(p, 15), a_str(p, "o"), a_u8(p, 1), a_u32(p, 0);
  a_u8(p, 16), a_str(p, "in"), a_str(p, "o"), a_u32(p, 1);
  a_u8(p, 17), a_str(p, "in"), a_str(p, "o"), a_u8(p, 6), a_u32(p, 2);
  a_u8(p, 18), a_str(p, "o"), a_u32(p, 3), a_u32(p, 4);
}

static void a_let(asm_buf *p, const char *name) { a_u8(p, 0), a_str(p, name); }

/* §7.4/§7.5/§7.6 payload of region 2. */
static void sink_region2_payload(asm_buf *p) {
  a_u8(p, 11), a_str(p, "g2"), a_u8(p, 0), a_u32(p, 27);
  a_let(p, "e"), a_hex(p, "0c 02 00 0b"), a_str(p, "op.f"), a_u32(p, 2), a_hex(p, "00 01000000 03"), a_str(p, "i");
  a_hex(p, "0d 01 0f 00000040");
  a_let(p, "f"), a_hex(p, "10 0f 0000803f 0f 000000c0 0f 0000803e");
  a_let(p, "g"), a_hex(p, "0e 01 04"), a_str(p, "h"), a_hex(p, "00 00000000 00 00 01000000");
  a_let(p, "g2"), a_hex(p, "0e 08 00"), a_str(p, "h"), a_hex(p, "00 01000000 01 00 00000000 00 05000000");
  a_let(p, "g3"), a_hex(p, "0e 80 03000080 05"), a_str(p, "h"), a_hex(p, "00 00000000 00 00 02000000");
  a_let(p, "s"), a_hex(p, "11 00 01000000");
  a_let(p, "s2"), a_hex(p, "12 03"), a_str(p, "s"), a_hex(p, "14");
  a_let(p, "s3"), a_hex(p, "13 02 01");
  a_let(p, "s4"), a_hex(p, "15");
  a_let(p, "b1"), a_hex(p, "09 80 01000080 03"), a_str(p, "s"), a_hex(p, "00 01000000");
  a_let(p, "b2"), a_hex(p, "0a 80 02000080 03"), a_str(p, "s");
  a_let(p, "b3"), a_hex(p, "0a 01 01 03000000");
  a_let(p, "b4"), a_hex(p, "09 0f 00 01000000 00 02000000");
  a_let(p, "b5"), a_hex(p, "09 13 00 01000000 00 02000000");
  a_let(p, "b6"), a_hex(p, "0a 24 0f 00008040");
  a_let(p, "w1"), a_u8(p, 0x80), a_str(p, "vyre.literal.u64"), a_u32(p, 8), a_hex(p, "8877665544332211");
  a_let(p, "w2"), a_u8(p, 0x80), a_str(p, "vyre.literal.i64"), a_u32(p, 8), a_hex(p, "feffffffffffffff");
  a_let(p, "w3"), a_u8(p, 0x80), a_str(p, "vyre.literal.f64"), a_u32(p, 8), a_hex(p, "000000000000f03f");
  static const char *const casts[] = {
      "15 0b 02000000 02000000 03000000", /* TensorShaped{f32, [2,3]} */
      "18 0b 02000000 03000000",          /* SparseBsr{f32, 2, 3} */
      "1e 02000000 04000000 08000000",    /* DeviceMesh{[4,8]} */
      "1f 1b 02 80000000 00 00000000",    /* Quantized{i4, PerGroup 128, Absent} */
      "80 09000080",                      /* Opaque(0x80000009) */
      "13 05000000",                      /* Handle(5) */
      "08 03000000",                      /* Array{3} */
      "14 0e 03",                         /* Vec{u8; 3} */
      "16 06",                            /* SparseCsr{bool} */
  };
  for (size_t i = 0; i < sizeof casts / sizeof *casts; i++) {
    a_u8(p, 1), a_str(p, "e"), a_u8(p, 13), a_hex(p, casts[i]), a_hex(p, "00 09000000");
  }
}

static size_t sink_blob(uint8_t *out) {
  asm_buf body = {.n = 0}, pl = {.n = 0};
  a_leb(&body, 3);
  sink_metadata(&pl);
  a_record(&body, "vyre.program.metadata", &pl);
  pl.n = 0;
  sink_region1_payload(&pl);
  a_record(&body, "vyre.node.region", &pl);
  pl.n = 0;
  sink_region2_payload(&pl);
  a_record(&body, "vyre.node.region", &pl);
  /* §7.8: id, kind, access, element, 0, shape, hints (each LEB-length-prefixed) */
  a_leb(&body, 7);
  a_hex(&body, "00 04 00 01 00 01 00 06 00 00000000 01");             /* in: readonly, read, u32, count 0 */
  a_hex(&body, "01 00 01 0b 00 01 10 07 01 01 10000000 00");          /* o: global, rw, f32, 16 */
  a_hex(&body, "02 01 03 02 00 01 20 06 00 00000000 01");             /* wg: shared, workgroup, i32, 32 */
  a_hex(&body, "03 02 02 08 00 02 01 0c 06 00 00000000 02");          /* u: uniform, array{12}, 1 */
  a_hex(&body, "04 06 01 13 00 03 02 b4 24 06 00 00000000 01");       /* h: persistent, rw, handle 0x1234, 2 */
  a_hex(&body, "05 05 00 1f 00 06 08 10 01 01 03 40 06 00 00000000 01"); /* q: push, quantized{i8,...}, 8 */
  a_hex(&body, "06 03 00 80 00 06 00 87 80 80 80 08 06 00 00000000 01"); /* x: local, opaque 0x80000007 */
  a_hex(&body, "02 01 04"); /* output set: o, h */
  return blob_of(&body, out);
}

static void sink_encodes_to_spec_bytes(void **state) {
  (void)state;
  static uint8_t want[4096];
  size_t want_len = sink_blob(want);
  vy_program *p = build_sink();
  vy_bytes got;
  encode_ok(p, &got);
  assert_bytes(got.data, got.len, want, want_len);
  vy_bytes_free(&got);
  vy_program_destroy(p);
}

static void sink_round_trips(void **state) {
  (void)state;
  vy_program *p = build_sink();
  vy_bytes blob;
  encode_ok(p, &blob);
  vy_program *d = decode_ok(blob.data, blob.len);
  assert_true(vy_program_equal(p, d));
  /* the entry is kept exactly as stored: two top-level Regions, no re-wrap */
  assert_int_equal(vy_program_entry(d)->count, 2);
  vy_str id;
  assert_true(vy_program_entry_op_id(d, &id));
  assert_memory_equal(id.ptr, "op.sink", 7);
  vy_bytes again;
  encode_ok(d, &again);
  assert_bytes(again.data, again.len, blob.data, blob.len);
  uint8_t f1[32], f2[32];
  assert_true(vy_program_fingerprint(p, f1));
  assert_true(vy_program_fingerprint(d, f2));
  assert_memory_equal(f1, f2, 32);
  vy_bytes_free(&again);
  vy_bytes_free(&blob);
  vy_program_destroy(d);
  vy_program_destroy(p);
}

/* Program::empty-like: no buffers, wg [1,1,1], one empty root Region. */
static void empty_program_bytes(void **state) {
  (void)state;
  asm_buf body = {.n = 0}, pl = {.n = 0};
  a_leb(&body, 2);
  a_raw(&pl, "VYRE-META", 9);
  a_hex(&pl, "00 01000000 01000000 01000000 00 00");
  a_record(&body, "vyre.program.metadata", &pl);
  pl.n = 0;
  a_u8(&pl, 11), a_str(&pl, "vyre.program.root"), a_u8(&pl, 0), a_u32(&pl, 0);
  a_record(&body, "vyre.node.region", &pl);
  a_hex(&body, "00 00");
  uint8_t want[256];
  size_t want_len = blob_of(&body, want);
  vy_program *p = finish(new_builder(), VY_FINISH_WRAPPED);
  vy_bytes got;
  encode_ok(p, &got);
  assert_bytes(got.data, got.len, want, want_len);
  vy_bytes_free(&got);
  vy_program_destroy(p);
}


/* ---- decoder: header and check order (§7.10) ---- */

static void header_errors(void **state) {
  (void)state;
  static uint8_t blob[512];
  size_t len = example_blob(blob);
  uint8_t b[512];
  /* bad magic, and blobs too short to hold it */
  memcpy(b, blob, len);
  b[3] = 'F';
  decode_fails_at(b, len, VY_E_DECODE, 0);
  decode_fails_at(blob, 3, VY_E_DECODE, 0);
  decode_fails_at(blob, 0, VY_E_DECODE, 0);
  /* version 5: the typed version error, checked before the header length */
  memcpy(b, blob, len);
  b[4] = 5;
  decode_fails_at(b, len, VY_E_VERSION_MISMATCH, 4);
  decode_fails_at(b, 6, VY_E_VERSION_MISMATCH, 4);
  b[4] = 4, b[5] = 1; /* 0x0104 */
  decode_fails_at(b, len, VY_E_VERSION_MISMATCH, 4);
  /* magic ok, too short for a version: header length error at the end */
  decode_fails_at(blob, 5, VY_E_DECODE, 5);
  decode_fails_at(blob, 39, VY_E_DECODE, 39);
  /* flags must be exactly 0x0004 */
  static const uint16_t bad_flags[] = {0x0000, 0x0005, 0x0006, 0x0007, 0x0104, 0x8004, 0x0008};
  for (size_t i = 0; i < sizeof bad_flags / sizeof *bad_flags; i++) {
    memcpy(b, blob, len);
    b[6] = (uint8_t)bad_flags[i], b[7] = (uint8_t)(bad_flags[i] >> 8);
    decode_fails_at(b, len, VY_E_DECODE, 6);
  }
  /* digest: a changed body byte, or a changed digest byte */
  memcpy(b, blob, len);
  b[285] ^= 1;
  decode_fails_at(b, len, VY_E_DECODE, 8);
  memcpy(b, blob, len);
  b[20] ^= 0x80;
  decode_fails_at(b, len, VY_E_DECODE, 8);
  /* the version is checked before the flags, the flags before the digest */
  memcpy(b, blob, len);
  b[4] = 3, b[6] = 0, b[285] ^= 1;
  decode_fails_at(b, len, VY_E_VERSION_MISMATCH, 4);
  b[4] = 4;
  decode_fails_at(b, len, VY_E_DECODE, 6);
}

static void size_cap(void **state) {
  (void)state;
  size_t len = (size_t)64 * 1024 * 1024 + 1;
  uint8_t *big = calloc(len, 1);
  assert_non_null(big);
  memcpy(big, "VYRE\x04\x00\x04\x00", 8);
  decode_fails_at(big, len, VY_E_DECODE, 0);
  free(big);
}

/* Every proper prefix fails (digest mismatch), and so does every prefix
 * given a correct digest of its own (the body parser's truncation checks). */
static void truncation_at_every_byte(void **state) {
  (void)state;
  static uint8_t full[4096], cut[4096];
  size_t lens[2];
  for (int which = 0; which < 2; which++) {
    size_t len = which ? sink_blob(full) : example_blob(full);
    lens[which] = len;
    for (size_t n = 0; n < len; n++) {
      decode_fails(full, n);
      if (n < 40) continue;
      memcpy(cut, full, n);
      reseal(cut, n);
      decode_fails(cut, n);
    }
  }
  assert_true(lens[1] > lens[0]);
}

/* Single-byte edits of the §7.11 blob (tests/wire/example-patches.cases),
 * resealed so that the body parser sees them. */
static void single_byte_edits(void **state) {
  (void)state;
  static uint8_t blob[512];
  static case_file c;
  size_t len = example_blob(blob);
  char *f[4];
  unsigned n = 0;
  cases_open(&c, "wire/example-patches.cases");
  while (cases_next(&c, f, 4) >= 3) {
    uint8_t b[512];
    size_t at = strtoul(f[0], NULL, 0);
    assert_true(at < len);
    memcpy(b, blob, len);
    b[at] = (uint8_t)strtoul(f[1], NULL, 0);
    reseal(b, len);
    uint64_t want = expected_offset(f[2]);
    expect_decode(b, len, want, "example-patches.cases", c.line);
    if (at == 269 && want == VY_NO_OFFSET) { /* vyre keeps the region's hints: Random, not Temporal */
      vy_program *p = decode_ok(b, len);
      assert_int_equal(vy_program_buffer(p, 0)->hints.cache_locality, VY_LOCALITY_RANDOM);
      vy_program_destroy(p);
    }
    n++;
  }
  assert_int_equal(n, 55);
}

/* ---- decoder: hand-assembled blobs for the remaining error classes ---- */

/* Metadata with no buffers, workgroup [1,1,1]. */
static void default_meta(asm_buf *m) {
  a_raw(m, "VYRE-META", 9);
  a_hex(m, "00 01000000 01000000 01000000 00 00");
}

/* A blob: metadata (`meta`, or the default), one record (`op`, `node`) unless
 * `node` is NULL, then `tail` (memory regions and output set; NULL = none). */
static size_t mk_blob(uint8_t *out, const asm_buf *meta, const char *op, const asm_buf *node, const char *tail) {
  static asm_buf body, dm;
  body.n = dm.n = 0;
  if (!meta) default_meta(&dm), meta = &dm;
  a_leb(&body, node ? 2 : 1);
  a_record(&body, "vyre.program.metadata", meta);
  if (node) a_record(&body, op, node);
  a_hex(&body, tail ? tail : "00 00");
  return blob_of(&body, out);
}

/* A Region record whose body is one statement given in hex. */
static size_t region_with(uint8_t *out, const char *stmt_hex) {
  asm_buf n = {.n = 0};
  a_u8(&n, 11), a_str(&n, "r"), a_u8(&n, 0), a_u32(&n, 1);
  a_hex(&n, stmt_hex);
  return mk_blob(out, NULL, "vyre.node.region", &n, NULL);
}

static uint8_t g_blob[1 << 16];

static void region_statement_errors(void **state) {
  (void)state;
  static case_file c;
  char *f[3];
  unsigned n = 0;
  cases_open(&c, "wire/statement-errors.cases");
  while (cases_next(&c, f, 3) >= 2) {
    size_t len = region_with(g_blob, f[0]);
    expect_decode(g_blob, len, expected_offset(f[1]), "statement-errors.cases", c.line);
    n++;
  }
  assert_int_equal(n, 45);
}

/* A Region record holding `blocks` nested Blocks (the Region is level 1). */
static void nested_blocks(asm_buf *n, unsigned blocks) {
  a_u8(n, 11), a_str(n, "r"), a_u8(n, 0), a_u32(n, blocks ? 1 : 0);
  for (unsigned i = 0; i < blocks; i++) a_u8(n, 6), a_u32(n, i + 1 < blocks ? 1 : 0);
}

/* A Region record holding `let x = -(-(...(1)))` with `levels` expression levels. */
static void nested_exprs(asm_buf *n, unsigned levels) {
  a_u8(n, 11), a_str(n, "r"), a_u8(n, 0), a_u32(n, 1);
  a_u8(n, 0), a_str(n, "x");
  for (unsigned i = 1; i < levels; i++) a_hex(n, "0a 01");
  a_hex(n, "00 01000000");
}

static void depth_limit(void **state) {
  (void)state;
  asm_buf n = {.n = 0};
  size_t len;
  /* 1 Region + 63 Blocks = 64 levels: decodes; one more level: fails */
  nested_blocks(&n, 63);
  len = mk_blob(g_blob, NULL, "vyre.node.region", &n, NULL);
  vy_program_destroy(decode_ok(g_blob, len));
  n.n = 0;
  nested_blocks(&n, 64);
  len = mk_blob(g_blob, NULL, "vyre.node.region", &n, NULL);
  /* the payload (its length is a 2-byte LEB now) starts at 108; the 64th Block
   * at payload offset 11 + 63 * 5 */
  decode_fails_at(g_blob, len, VY_E_DECODE, 108 + 11 + 63 * 5);
  /* Region (1) + Let (2) + 62 expression levels = 64: decodes; 63: fails */
  n.n = 0;
  nested_exprs(&n, 62);
  len = mk_blob(g_blob, NULL, "vyre.node.region", &n, NULL);
  vy_program_destroy(decode_ok(g_blob, len));
  n.n = 0;
  nested_exprs(&n, 63);
  len = mk_blob(g_blob, NULL, "vyre.node.region", &n, NULL);
  decode_fails_at(g_blob, len, VY_E_DECODE, 108 + 11 + 6 + 62 * 2);
  /* the count restarts with every top-level record: two records of 64 levels */
  asm_buf body = {.n = 0}, m = {.n = 0};
  default_meta(&m);
  n.n = 0;
  nested_blocks(&n, 63);
  a_leb(&body, 3);
  a_record(&body, "vyre.program.metadata", &m);
  a_record(&body, "vyre.node.region", &n);
  a_record(&body, "vyre.node.region", &n);
  a_hex(&body, "00 00");
  len = blob_of(&body, g_blob);
  vy_program *p = decode_ok(g_blob, len);
  assert_int_equal(vy_program_entry(p)->count, 2);
  vy_program_destroy(p);
}

static void leb_rules(void **state) {
  (void)state;
  asm_buf body = {.n = 0}, m = {.n = 0};
  default_meta(&m);
  /* non-minimal record counts are accepted, up to 10 bytes */
  static const char *const ok_counts[] = {"81 00", "81 80 80 80 80 80 80 80 80 00"};
  for (int i = 0; i < 2; i++) {
    body.n = 0;
    a_hex(&body, ok_counts[i]);
    a_record(&body, "vyre.program.metadata", &m);
    a_hex(&body, "00 00");
    size_t len = blob_of(&body, g_blob);
    vy_program_destroy(decode_ok(g_blob, len));
  }
  /* a 10th byte above 1 overflows u64 */
  body.n = 0;
  a_hex(&body, "81 80 80 80 80 80 80 80 80 02");
  a_record(&body, "vyre.program.metadata", &m);
  a_hex(&body, "00 00");
  size_t len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 40);
  /* 11 bytes: the 10th has its continuation bit, so it is above 1 */
  body.n = 0;
  a_hex(&body, "81 80 80 80 80 80 80 80 80 81 00");
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 40);
  /* record counts: 0, and 1,000,001 */
  body.n = 0;
  a_hex(&body, "00 00 00");
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 40);
  body.n = 0;
  a_leb(&body, 1000001);
  a_record(&body, "vyre.program.metadata", &m);
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 40);
  /* 1,000,000 records in a small blob: refused after the metadata, before allocating */
  body.n = 0;
  a_leb(&body, 1000000);
  a_record(&body, "vyre.program.metadata", &m);
  a_hex(&body, "00 00");
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 40);
  /* a memory-region id of 2^32 does not fit u32 */
  uint8_t blob[512];
  len = example_blob(blob);
  body.n = 0;
  a_raw(&body, blob + 40, 256 - 40);
  a_hex(&body, "80 80 80 80 10");
  a_raw(&body, blob + 257, len - 257);
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 256);
}

/* A var name of the given bytes, in `let <name> = 0u`. */
static size_t let_named(uint8_t *out, const char *bytes, size_t n) {
  asm_buf s = {.n = 0};
  a_u8(&s, 11), a_str(&s, "r"), a_u8(&s, 0), a_u32(&s, 1);
  a_u8(&s, 0), a_u32(&s, (uint32_t)n), a_raw(&s, bytes, n), a_hex(&s, "00 00000000");
  return mk_blob(out, NULL, "vyre.node.region", &s, NULL);
}

static void utf8_strings(void **state) {
  (void)state;
  static const struct {
    const char *s;
    size_t n;
    int bad; /* index of the first bad byte, -1 = valid */
  } cases[] = {
      {"", 0, -1},
      {"a\0b", 3, -1},
      {"\xc3\xa9", 2, -1},               /* U+00E9 */
      {"\xe2\x82\xac", 3, -1},           /* U+20AC */
      {"\xef\xbf\xbf", 3, -1},           /* U+FFFF */
      {"\xf0\x9f\x98\x80", 4, -1},       /* U+1F600 */
      {"\xf4\x8f\xbf\xbf", 4, -1},       /* U+10FFFF */
      {"\xc0\x80", 2, 0},                /* overlong NUL */
      {"\xc1\xbf", 2, 0},                /* overlong */
      {"a\xe0\x80\x80", 4, 1},           /* overlong 3-byte */
      {"\xf0\x80\x80\x80", 4, 0},        /* overlong 4-byte */
      {"\xed\xa0\x80", 3, 0},            /* surrogate U+D800 */
      {"\xed\xbf\xbf", 3, 0},            /* surrogate U+DFFF */
      {"\xf4\x90\x80\x80", 4, 0},        /* U+110000 */
      {"\xf5\x80\x80\x80", 4, 0},        /* F5 never starts a sequence */
      {"ab\xe2\x82", 4, 2},              /* truncated sequence */
      {"\x80", 1, 0},                    /* lone continuation byte */
      {"\xff", 1, 0},
      {"\xe2\x28\xa1", 3, 0},            /* bad continuation */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t len = let_named(g_blob, cases[i].s, cases[i].n);
    if (cases[i].bad < 0) {
      vy_program *p = decode_ok(g_blob, len);
      const vy_node *let = vy_program_entry(p)->items[0]->u.region.body.items[0];
      assert_int_equal(let->u.let.name.len, cases[i].n);
      assert_memory_equal(let->u.let.name.ptr, cases[i].s, cases[i].n);
      vy_program_destroy(p);
    } else {
      /* the name's bytes start at 118 + 1 + 4 */
      decode_fails_at(g_blob, len, VY_E_DECODE, 123 + (uint64_t)cases[i].bad);
    }
  }
}

static void record_errors(void **state) {
  (void)state;
  asm_buf body = {.n = 0}, m = {.n = 0}, n = {.n = 0};
  default_meta(&m);
  a_u8(&n, 11), a_str(&n, "r"), a_u8(&n, 0), a_u32(&n, 0);
  /* metadata record with one operand: no operand can name an earlier record */
  a_leb(&body, 1);
  a_lstr(&body, "vyre.program.metadata"), a_leb(&body, m.n), a_raw(&body, m.b, m.n), a_hex(&body, "01 00");
  a_hex(&body, "00 00");
  size_t len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 89); /* the operand, after its count at 88 */
  /* an entry record whose operand names record 0: refused as an operand-carrying node */
  body.n = 0;
  a_leb(&body, 2);
  a_record(&body, "vyre.program.metadata", &m);
  a_lstr(&body, "vyre.node.region"), a_leb(&body, n.n), a_raw(&body, n.b, n.n), a_hex(&body, "01 00");
  a_hex(&body, "00 00");
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 89);
  /* operand count over 1,000,000 */
  body.n = 0;
  a_leb(&body, 2);
  a_record(&body, "vyre.program.metadata", &m);
  a_lstr(&body, "vyre.node.region"), a_leb(&body, n.n), a_raw(&body, n.b, n.n), a_leb(&body, 1000001);
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 89 + 1 + 16 + 1 + n.n);
  /* first record not metadata */
  len = mk_blob(g_blob, &n, "vyre.node.region", NULL, NULL);
  body.n = 0;
  a_leb(&body, 1);
  a_record(&body, "vyre.node.region", &n);
  a_hex(&body, "00 00");
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 41);
  /* trailing byte in the metadata payload */
  asm_buf m2 = m;
  a_u8(&m2, 0);
  len = mk_blob(g_blob, &m2, NULL, NULL, NULL);
  decode_fails_at(g_blob, len, VY_E_DECODE, 40 + 1 + 1 + 21 + 1 + m.n);
  /* record op id longer than 1 MiB */
  body.n = 0;
  a_leb(&body, 1);
  a_leb(&body, (1u << 20) + 1);
  len = blob_of(&body, g_blob);
  decode_fails_at(g_blob, len, VY_E_DECODE, 41);
  /* trailing byte after the output set */
  len = mk_blob(g_blob, NULL, NULL, NULL, "00 00 00");
  decode_fails_at(g_blob, len, VY_E_DECODE, len - 1);
  /* a record op id that does not match its node */
  len = mk_blob(g_blob, NULL, "vyre.node.block", &n, NULL);
  decode_fails_at(g_blob, len, VY_E_DECODE, 89);
}

/* Metadata with one buffer `b`: binding 0, the given count, flags and range. */
static void one_buffer_meta(asm_buf *m, uint32_t count, const char *flags_range_hex) {
  a_raw(m, "VYRE-META", 9);
  a_hex(m, "00 01000000 01000000 01000000 00 01");
  a_str(m, "b"), a_u32(m, 0), a_u32(m, count), a_hex(m, flags_range_hex), a_hints(m);
}

static void buffer_invariants(void **state) {
  (void)state;
  static case_file c;
  char *f[5];
  unsigned n = 0;
  cases_open(&c, "wire/buffer-errors.cases");
  while (cases_next(&c, f, 5) >= 4) {
    asm_buf m = {.n = 0};
    one_buffer_meta(&m, (uint32_t)strtoul(f[0], NULL, 0), f[1]);
    size_t len = mk_blob(g_blob, &m, NULL, NULL, f[2]);
    expect_decode(g_blob, len, expected_offset(f[3]), "buffer-errors.cases", c.line);
    n++;
  }
  assert_int_equal(n, 25);
}

/* Allocations above 1 MiB fail: a blob that claims huge counts must still
 * fail as malformed, never as out of memory. */
static void *small_only(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud, (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return new_size > ((size_t)1 << 20) ? NULL : realloc(ptr, new_size);
}

static void counts_bounded_by_bytes(void **state) {
  (void)state;
  vy_allocator small = {small_only, NULL};
  static const char *const stmts[] = {
      "06 40420f00",                                  /* Block of 1,000,000 */
      "00 01000000 78 0b 01000000 66 00100000",       /* call with 4096 arguments */
      "00 01000000 78 0d 15 0b ffffffff 00 01000000", /* tensor of rank 2^32 - 1 */
      "00 01000000 78 0d 1e ffffffff",                /* mesh of 2^32 - 1 axes */
      "0a 00001000",                                  /* 1 MiB string */
  };
  for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++) {
    size_t len = region_with(g_blob, stmts[i]);
    vy_program *p = NULL;
    vy_error err;
    assert_int_equal(vy_wire_decode(g_blob, len, &small, &p, &err), VY_E_DECODE);
  }
  asm_buf m = {.n = 0};
  a_raw(&m, "VYRE-META", 9);
  a_hex(&m, "00 01000000 01000000 01000000 00");
  a_leb(&m, 16384); /* buffers */
  size_t len = mk_blob(g_blob, &m, NULL, NULL, NULL);
  vy_program *p = NULL;
  vy_error err;
  assert_int_equal(vy_wire_decode(g_blob, len, &small, &p, &err), VY_E_DECODE);
  assert_int_equal(err.offset, 64 + 23);
  m.n -= 3;
  a_leb(&m, 16385);
  len = mk_blob(g_blob, &m, NULL, NULL, NULL);
  decode_fails_at(g_blob, len, VY_E_DECODE, 64 + 23);
}


/* ---- encoder preconditions and quirks (§7.10) ---- */

static vy_program *one_buffer_program(const vy_buffer_decl *d, uint32_t wg_x) {
  vy_builder *b = new_builder();
  vy_b_buffer(b, d);
  vy_b_workgroup_size(b, wg_x, 1, 1);
  return finish(b, VY_FINISH_WRAPPED);
}

static void encode_fails(const vy_program *p) {
  vy_bytes out = {.data = (uint8_t *)1};
  vy_error err;
  assert_int_equal(vy_wire_encode(p, NULL, &out, &err), VY_E_ENCODE);
  assert_null(out.data);
  assert_non_null(strstr(err.message, "Fix:"));
  uint8_t fp[32];
  assert_false(vy_program_fingerprint(p, fp)); /* no portable identity either */
}

static void encoder_preconditions(void **state) {
  (void)state;
  uint32_t axes[1] = {2};
  static uint8_t big[(4u << 20) + 1];
  vy_buffer_decl base = {.name = {"b", 1}, .access = VY_ACCESS_READ_WRITE, .kind = VY_MEMKIND_GLOBAL,
                         .element = {.kind = VY_TYPE_U32}, .count = 4, .hints = {.cache_locality = VY_LOCALITY_TEMPORAL}};
  vy_buffer_decl d;
  d = base, d.access = VY_ACCESS_WRITE_ONLY;
  vy_program *p = one_buffer_program(&d, 1);
  encode_fails(p), vy_program_destroy(p);
  encode_fails(p = one_buffer_program(&base, 0)), vy_program_destroy(p); /* workgroup dimension 0 */
  d = base, d.access = VY_ACCESS_WORKGROUP, d.kind = VY_MEMKIND_SHARED, d.count = 0;
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.pipeline_live_out = true, d.count = 0;
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.has_output_range = true, d.range_start = 8, d.range_end = 4;
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.has_output_range = true, d.range_start = 0, d.range_end = 17; /* 4 x u32 = 16 bytes */
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.has_output_range = true, d.range_end = 4, d.element.kind = VY_TYPE_TENSOR;
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.element = (vy_type){.kind = VY_TYPE_SPARSE_CSR, .u.sparse = {vy_type_scalar(VY_TYPE_F32)}};
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.element = (vy_type){.kind = VY_TYPE_SPARSE_BSR, .u.bsr = {vy_type_scalar(VY_TYPE_F32), 2, 2}};
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.element = (vy_type){.kind = VY_TYPE_DEVICE_MESH, .u.mesh = {1, axes}};
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.element = (vy_type){.kind = VY_TYPE_QUANTIZED, .u.quant = {vy_type_scalar(VY_TYPE_F32)}};
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  d = base, d.element = (vy_type){.kind = VY_TYPE_QUANTIZED,
                                  .u.quant = {vy_type_scalar(VY_TYPE_I8), VY_QSCALE_PER_GROUP, 0, VY_QZERO_ABSENT, 0}};
  encode_fails(p = one_buffer_program(&d, 1)), vy_program_destroy(p);
  /* a string over 1 MiB, an opaque payload over 4 MiB */
  char *name = malloc((1u << 20) + 2);
  assert_non_null(name);
  memset(name, 'n', (1u << 20) + 1);
  name[(1u << 20) + 1] = 0;
  vy_builder *b = new_builder();
  vy_b_let(b, name, vy_b_u32(b, 0));
  encode_fails(p = finish(b, VY_FINISH_WRAPPED)), vy_program_destroy(p);
  name[1u << 20] = 0; /* exactly 1 MiB: fine */
  b = new_builder();
  vy_b_let(b, name, vy_b_u32(b, 0));
  p = finish(b, VY_FINISH_WRAPPED);
  vy_bytes out;
  encode_ok(p, &out);
  vy_program_destroy(decode_ok(out.data, out.len));
  vy_bytes_free(&out), vy_program_destroy(p), free(name);
  b = new_builder();
  vy_b_let(b, "x", vy_b_opaque_expr(b, "k", big, sizeof big));
  encode_fails(p = finish(b, VY_FINISH_WRAPPED)), vy_program_destroy(p);
  b = new_builder();
  vy_b_opaque_node(b, "k", big, sizeof big);
  encode_fails(p = finish(b, VY_FINISH_RAW)), vy_program_destroy(p);
  /* vyre strings are Rust Strings: invalid UTF-8 cannot be encoded */
  b = new_builder();
  vy_b_let(b, "bad\xc0\x80", vy_b_u32(b, 0));
  encode_fails(p = finish(b, VY_FINISH_WRAPPED)), vy_program_destroy(p);
  /* Cast targets use the expression encoding, where sparse types are fine */
  vy_type csr = {.kind = VY_TYPE_SPARSE_CSR, .u.sparse = {vy_type_scalar(VY_TYPE_F32)}};
  b = new_builder();
  vy_b_let(b, "x", vy_b_cast(b, &csr, vy_b_u32(b, 0)));
  p = finish(b, VY_FINISH_WRAPPED);
  encode_ok(p, &out);
  vy_bytes_free(&out), vy_program_destroy(p);
  /* ... but a quantized Cast target still needs quantized storage */
  vy_type bad_q = {.kind = VY_TYPE_QUANTIZED, .u.quant = {vy_type_scalar(VY_TYPE_U32)}};
  b = new_builder();
  vy_b_let(b, "x", vy_b_cast(b, &bad_q, vy_b_u32(b, 0)));
  encode_fails(p = finish(b, VY_FINISH_WRAPPED)), vy_program_destroy(p);
}

/* What vyre's encoder writes and its own decoder then refuses. */
static void encodable_but_undecodable(void **state) {
  (void)state;
  vy_buffer_decl base = {.name = {"b", 1}, .access = VY_ACCESS_READ_ONLY, .kind = VY_MEMKIND_READONLY,
                         .element = {.kind = VY_TYPE_U32}, .count = 4, .hints = {.cache_locality = VY_LOCALITY_TEMPORAL}};
  uint32_t dims[1] = {3};
  vy_buffer_decl cases[5];
  cases[0] = base, cases[0].element = (vy_type){.kind = VY_TYPE_VEC, .u.vec = {vy_type_scalar(VY_TYPE_U32), 2}};
  cases[1] = base,
  cases[1].element = (vy_type){.kind = VY_TYPE_TENSOR_SHAPED, .u.tensor = {vy_type_scalar(VY_TYPE_F32), 1, dims}};
  cases[2] = base, cases[2].is_output = true, cases[2].count = 0;                        /* without live-out */
  cases[3] = base, cases[3].count = 0, cases[3].has_output_range = true, cases[3].range_end = 8; /* count 0 */
  cases[4] = base, cases[4].element = (vy_type){.kind = VY_TYPE_OPAQUE, .u.opaque_id = 5};    /* no bit 31 */
  for (size_t i = 0; i < 5; i++) {
    vy_program *p = one_buffer_program(&cases[i], 1);
    vy_bytes out;
    encode_ok(p, &out);
    decode_fails(out.data, out.len);
    vy_bytes_free(&out);
    vy_program_destroy(p);
  }
  /* the Vec element is written as its bare tag: region "00 04 00 14 00 01 04 ..." */
  vy_program *p = one_buffer_program(&cases[0], 1);
  vy_bytes out;
  encode_ok(p, &out);
  static const uint8_t region[] = {0x01, 0x00, 0x04, 0x00, 0x14, 0x00, 0x01, 0x04, 0x06};
  assert_true(contains(out.data, out.len, region, sizeof region));
  vy_bytes_free(&out);
  vy_program_destroy(p);
  /* opaque nodes encode (vyre resolves none on decode) */
  vy_builder *b = new_builder();
  vy_b_opaque_node(b, "my.node", (const uint8_t *)"xy", 2);
  p = finish(b, VY_FINISH_RAW);
  encode_ok(p, &out);
  decode_fails(out.data, out.len);
  vy_bytes_free(&out);
  vy_program_destroy(p);
}

/* §7.5 tag 15: the encoder canonicalizes LitF32, the decoder keeps the bits. */
static void lit_f32_canonicalization(void **state) {
  (void)state;
  static const struct {
    uint32_t in, out;
  } cases[] = {
      {0x7FC00000u, 0x7FC00000u}, {0x7F800001u, 0x7FC00000u}, {0xFFC00001u, 0x7FC00000u}, /* NaNs */
      {0x80000000u, 0x00000000u},                                                        /* -0.0 */
      {0x00000001u, 0x00000000u}, {0x807FFFFFu, 0x00000000u},                            /* subnormals */
      {0x7F800000u, 0x7F800000u}, {0xFF800000u, 0xFF800000u},                            /* infinities */
      {0x00800000u, 0x00800000u}, {0xBF800000u, 0xBF800000u},                            /* normals */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    vy_builder *b = new_builder();
    vy_b_let(b, "f", vy_b_f32_bits(b, cases[i].in));
    vy_program *p = finish(b, VY_FINISH_RAW);
    vy_bytes out;
    encode_ok(p, &out);
    /* record payload: 00, str "f", 0f, bits; the bits are the last 4 payload bytes before the operand count */
    uint8_t want[4] = {(uint8_t)cases[i].out, (uint8_t)(cases[i].out >> 8), (uint8_t)(cases[i].out >> 16),
                       (uint8_t)(cases[i].out >> 24)};
    assert_memory_equal(out.data + out.len - 2 - 1 - 4, want, 4);
    vy_bytes_free(&out);
    vy_program_destroy(p);
  }
  /* decoding keeps a -0.0 literal as written */
  size_t len = region_with(g_blob, "00 01000000 66 0f 00000080");
  vy_program *p = decode_ok(g_blob, len);
  assert_int_equal(vy_program_entry(p)->items[0]->u.region.body.items[0]->u.let.value->u.lit_f32_bits, 0x80000000u);
  vy_program_destroy(p);
}


/* vyre's encoder has no depth limit (and recurses); ours refuses programs
 * nested past VY_WIRE_MAX_ENCODE_DEPTH (4096) instead of overflowing the stack. */
static vy_program *deep_program(unsigned exprs, unsigned blocks) {
  vy_builder *b = new_builder();
  for (unsigned i = 0; i < blocks; i++) vy_b_block(b);
  const vy_expr *e = vy_b_u32(b, 1);
  for (unsigned i = 1; i < exprs; i++) e = vy_b_un(b, VY_UNOP_NEGATE, e);
  vy_b_let(b, "x", e);
  for (unsigned i = 0; i < blocks; i++) vy_b_end(b);
  return finish(b, VY_FINISH_RAW);
}

static void deep_programs(void **state) {
  (void)state;
  static const struct {
    unsigned exprs, blocks;
    bool encodes;
  } cases[] = {{4000, 0, true}, {5000, 0, false}, {1, 4000, true}, {1, 5000, false}, {2000, 2000, true},
               {3000, 3000, false}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    vy_program *p = deep_program(cases[i].exprs, cases[i].blocks);
    uint8_t fp[32];
    assert_int_equal(vy_program_fingerprint(p, fp), cases[i].encodes);
    vy_bytes out;
    vy_error err;
    assert_int_equal(vy_wire_encode(p, NULL, &out, &err), cases[i].encodes ? VY_OK : VY_E_ENCODE);
    if (cases[i].encodes) {
      decode_fails(out.data, out.len); /* deeper than 64 */
      vy_bytes_free(&out);
    }
    vy_program_destroy(p);
  }
}

/* ---- round trips over random programs (tests/support/progen.h) ---- */

static void random_round_trips(void **state) {
  (void)state;
  vy_progen_options opt = {.wire_encodable = true, .max_depth = 0, .max_stmts = 0};
  for (uint64_t seed = 1; seed <= 300; seed++) {
    opt.max_depth = seed % 7 == 0 ? VY_PROGEN_WIRE_MAX_DEPTH : 0;
    vy_program *p = NULL;
    assert_int_equal(vy_progen_random(seed, &opt, NULL, &p), VY_OK);
    vy_bytes blob;
    vy_error err;
    if (vy_wire_encode(p, NULL, &blob, &err) != VY_OK) fail_msg("seed %llu: %s", (unsigned long long)seed, err.message);
    vy_program *d = NULL;
    if (vy_wire_decode(blob.data, blob.len, NULL, &d, &err) != VY_OK)
      fail_msg("seed %llu: %s", (unsigned long long)seed, err.message);
    if (!vy_program_equal(p, d)) fail_msg("seed %llu: decode(encode(p)) != p", (unsigned long long)seed);
    vy_bytes again;
    encode_ok(d, &again);
    assert_bytes(again.data, again.len, blob.data, blob.len);
    uint8_t f1[32], f2[32];
    assert_true(vy_program_fingerprint(p, f1));
    assert_true(vy_program_fingerprint(d, f2));
    assert_memory_equal(f1, f2, 32);
    vy_bytes_free(&again);
    vy_bytes_free(&blob);
    vy_program_destroy(d);
    vy_program_destroy(p);
  }
}

/* ---- the hex envelope (§7.12) ---- */

/* The test's own rendering of the envelope. */
static char *hex_reference(const uint8_t *d, size_t n) {
  char *s = malloc(64 + 3 * n);
  size_t k = (size_t)sprintf(s, "vyre_ir v0.1\nwire_bytes %zu\n", n);
  for (size_t i = 0; i < n; i++) {
    k += (size_t)sprintf(s + k, "%02x", d[i]);
    if (i % 32 == 31 || i + 1 == n) s[k++] = '\n';
  }
  s[k] = 0;
  return s;
}

static void hex_envelope(void **state) {
  (void)state;
  uint8_t blob[512];
  size_t len = example_blob(blob);
  vy_bytes text;
  vy_error err;
  assert_int_equal(vy_wire_to_hex(blob, len, NULL, &text, &err), VY_OK);
  char *want = hex_reference(blob, len);
  assert_string_equal((const char *)text.data, want);
  assert_int_equal(text.len, strlen(want));
  /* 286 bytes: 8 full lines of 64 digits and one of 60 */
  assert_int_equal(text.len, 13 + 15 + 8 * 65 + 61);
  assert_true(vy_wire_is_hex((const char *)text.data, text.len));
  assert_false(vy_wire_is_blob(text.data, text.len));
  assert_true(vy_wire_is_blob(blob, len));
  vy_bytes back;
  assert_int_equal(vy_wire_from_hex((const char *)text.data, text.len, NULL, &back, &err), VY_OK);
  assert_bytes(back.data, back.len, blob, len);
  vy_bytes_free(&back);
  vy_bytes_free(&text);
  free(want);
  /* the empty blob */
  assert_int_equal(vy_wire_to_hex(NULL, 0, NULL, &text, &err), VY_OK);
  assert_string_equal((const char *)text.data, "vyre_ir v0.1\nwire_bytes 0\n");
  vy_bytes_free(&text);
}

static void hex_parse(const char *text, vy_status want, const char *bytes, size_t n, uint32_t line) {
  vy_bytes out = {.data = (uint8_t *)1};
  vy_error err;
  vy_status st = vy_wire_from_hex(text, strlen(text), NULL, &out, &err);
  if (st != want) fail_msg("`%s`: %s, expected %s (%s)", text, vy_status_name(st), vy_status_name(want), err.message);
  if (want != VY_OK) {
    assert_null(out.data);
    assert_non_null(strstr(err.message, "Fix:"));
    if (line) assert_int_equal(err.line, line);
    return;
  }
  assert_bytes(out.data, out.len, (const uint8_t *)bytes, n);
  vy_bytes_free(&out);
}

static void hex_parsing_rules(void **state) {
  (void)state;
  hex_parse("vyre_ir v0.1\nwire_bytes 2\nabCD\n", VY_OK, "\xab\xcd", 2, 0);         /* either case */
  hex_parse("vyre_ir v0.1\r\nwire_bytes 2\r\nab\r\n\r\ncd\r\n", VY_OK, "\xab\xcd", 2, 0); /* CRLF, empty lines */
  hex_parse("vyre_ir v0.1\nwire_bytes 2\r\r\nab\r\r\ncd", VY_OK, "\xab\xcd", 2, 0); /* several \r, no final \n */
  hex_parse("vyre_ir v0.1\nwire_bytes +2\nabcd\n", VY_OK, "\xab\xcd", 2, 0);        /* Rust's usize parse takes '+' */
  hex_parse("vyre_ir v0.1\nwire_bytes 0\n", VY_OK, "", 0, 0);
  hex_parse("vyre_ir v0.1\nwire_bytes 0", VY_OK, "", 0, 0);
  hex_parse("", VY_E_DECODE, NULL, 0, 1);
  hex_parse("vyre_ir v0.2\nwire_bytes 0\n", VY_E_DECODE, NULL, 0, 1);
  hex_parse(" vyre_ir v0.1\nwire_bytes 0\n", VY_E_DECODE, NULL, 0, 1);
  hex_parse("vyre_ir v0.1\r\r\nwire_bytes 0\n", VY_E_DECODE, NULL, 0, 1); /* only one \r is a line ending */
  hex_parse("vyre_ir v0.1\n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes\n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes \n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes -1\n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes 1 \nab\n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes  1\nab\n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes 0x10\n", VY_E_DECODE, NULL, 0, 2);
  hex_parse("vyre_ir v0.1\nwire_bytes 18446744073709551616\n", VY_E_DECODE, NULL, 0, 2); /* usize overflow */
  hex_parse("vyre_ir v0.1\nwire_bytes 67108865\n", VY_E_DECODE, NULL, 0, 2);             /* > 64 MiB */
  hex_parse("vyre_ir v0.1\nwire_bytes 2\nabc\n", VY_E_DECODE, NULL, 0, 3);               /* odd */
  hex_parse("vyre_ir v0.1\nwire_bytes 2\nab\n cd\n", VY_E_DECODE, NULL, 0, 4);          /* odd (3 chars) */
  hex_parse("vyre_ir v0.1\nwire_bytes 2\nab\nc d \n", VY_E_DECODE, NULL, 0, 4);         /* space */
  hex_parse("vyre_ir v0.1\nwire_bytes 2\nabzz\n", VY_E_DECODE, NULL, 0, 3);
  hex_parse("vyre_ir v0.1\nwire_bytes 3\nabcd\n", VY_E_DECODE, NULL, 0, 0);  /* fewer bytes than declared */
  hex_parse("vyre_ir v0.1\nwire_bytes 1\nabcd\n", VY_E_DECODE, NULL, 0, 0);  /* more */
  /* a bad digit after the count is exceeded is still reported as a bad digit */
  hex_parse("vyre_ir v0.1\nwire_bytes 1\nabcd\nxx\n", VY_E_DECODE, NULL, 0, 4);
  vy_error err;
  vy_wire_from_hex("vyre_ir v0.1\nwire_bytes 2\nab\nc!\n", 31, NULL, &(vy_bytes){0}, &err);
  assert_int_equal(err.line, 4);
  assert_int_equal(err.col, 2);
  assert_true(vy_wire_is_hex("vyre_ir v0.1", 12));
  assert_true(vy_wire_is_hex("vyre_ir v0.1\r\n", 14));
  assert_false(vy_wire_is_hex("vyre_ir v0.10\n", 14));
  assert_false(vy_wire_is_hex("VYRE", 4));
  assert_false(vy_wire_is_blob((const uint8_t *)"VYR", 3));
}

/* tests/wire/: the §7.11 example as a blob file and as a hex envelope file
 * (written from the spec's listing), for the CLI and format tests too. */
static void example_files(void **state) {
  (void)state;
  static uint8_t vir[1024], hex[2048], want[512];
  size_t nv = read_file("wire/spec-7.11-example.vir", vir, sizeof vir);
  size_t nh = read_file("wire/spec-7.11-example.hex", hex, sizeof hex);
  size_t nw = example_blob(want);
  assert_bytes(vir, nv, want, nw);
  assert_true(vy_wire_is_hex((const char *)hex, nh));
  vy_bytes back;
  vy_error err;
  assert_int_equal(vy_wire_from_hex((const char *)hex, nh, NULL, &back, &err), VY_OK);
  assert_bytes(back.data, back.len, want, nw);
  vy_bytes_free(&back);
}

/* ---- bad arguments, allocation failures ---- */

static void null_arguments(void **state) {
  (void)state;
  vy_bytes out;
  vy_program *p = build_example();
  vy_program *d = (vy_program *)1;
  vy_error err;
  assert_int_equal(vy_wire_encode(NULL, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_wire_encode(p, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_wire_encode_canonical(NULL, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_wire_decode(NULL, 5, NULL, &d, &err), VY_E_INVALID_ARGUMENT);
  assert_null(d);
  assert_int_equal(vy_wire_decode((const uint8_t *)"x", 1, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_wire_to_hex(NULL, 3, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_wire_from_hex(NULL, 3, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_wire_from_hex("", 0, NULL, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_false(vy_wire_is_blob(NULL, 4));
  assert_false(vy_wire_is_hex(NULL, 4));
  /* a NULL vy_error is allowed everywhere */
  assert_int_equal(vy_wire_decode((const uint8_t *)"nope", 4, NULL, &d, NULL), VY_E_DECODE);
  vy_program_destroy(p);
}

static vy_program *g_prog;
static uint8_t g_example[4096];
static size_t g_example_len;

static vy_status fault_encode(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_bytes out;
  vy_status st = vy_wire_encode(g_prog, a, &out, NULL);
  if (st == VY_OK) vy_bytes_free(&out);
  return st;
}

static vy_status fault_canonical(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_bytes out;
  vy_status st = vy_wire_encode_canonical(g_prog, a, &out, NULL);
  if (st == VY_OK) vy_bytes_free(&out);
  return st;
}

static vy_status fault_decode(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_program *p;
  vy_status st = vy_wire_decode(g_example, g_example_len, a, &p, NULL);
  if (st == VY_OK) vy_program_destroy(p);
  return st;
}

static vy_status fault_to_hex(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_bytes out;
  vy_status st = vy_wire_to_hex(g_example, g_example_len, a, &out, NULL);
  if (st == VY_OK) vy_bytes_free(&out);
  return st;
}

static vy_status fault_from_hex(const vy_allocator *a, void *ctx) {
  const char *text = ctx;
  vy_bytes out;
  vy_status st = vy_wire_from_hex(text, strlen(text), a, &out, NULL);
  if (st == VY_OK) vy_bytes_free(&out);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  g_prog = build_sink();
  vy_bytes blob;
  encode_ok(g_prog, &blob);
  assert_true(blob.len < sizeof g_example);
  memcpy(g_example, blob.data, blob.len);
  g_example_len = blob.len;
  assert_true(vy_fault_run_all(fault_encode, NULL) > 0);
  assert_true(vy_fault_run_all(fault_canonical, NULL) > 0);
  assert_true(vy_fault_run_all(fault_decode, NULL) > 0);
  assert_true(vy_fault_run_all(fault_to_hex, NULL) > 0);
  vy_bytes text;
  assert_int_equal(vy_wire_to_hex(blob.data, blob.len, NULL, &text, NULL), VY_OK);
  assert_true(vy_fault_run_all(fault_from_hex, text.data) > 0);
  vy_bytes_free(&text);
  vy_bytes_free(&blob);
  vy_program_destroy(g_prog);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(worked_example_encodes_to_spec_bytes),
      cmocka_unit_test(worked_example_decodes),
      cmocka_unit_test(sink_encodes_to_spec_bytes),
      cmocka_unit_test(sink_round_trips),
      cmocka_unit_test(empty_program_bytes),
      cmocka_unit_test(header_errors),
      cmocka_unit_test(size_cap),
      cmocka_unit_test(truncation_at_every_byte),
      cmocka_unit_test(single_byte_edits),
      cmocka_unit_test(region_statement_errors),
      cmocka_unit_test(depth_limit),
      cmocka_unit_test(leb_rules),
      cmocka_unit_test(utf8_strings),
      cmocka_unit_test(record_errors),
      cmocka_unit_test(buffer_invariants),
      cmocka_unit_test(counts_bounded_by_bytes),
      cmocka_unit_test(encoder_preconditions),
      cmocka_unit_test(encodable_but_undecodable),
      cmocka_unit_test(lit_f32_canonicalization),
      cmocka_unit_test(deep_programs),
      cmocka_unit_test(random_round_trips),
      cmocka_unit_test(hex_envelope),
      cmocka_unit_test(hex_parsing_rules),
      cmocka_unit_test(example_files),
      cmocka_unit_test(null_arguments),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
