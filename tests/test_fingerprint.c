/* test_fingerprint.c - canonicalization and the program fingerprint
 * (vyre-ir.md §6, vyre's canonical.rs and meta.rs::buffer_decl_canonical_key).
 *
 * Expectations come from the rules, not from the code under test: the
 * canonical blob is decoded and its buffer order and operand order are
 * compared with what the rules prescribe, programs that differ only by
 * authoring noise must share a fingerprint with a hand-written canonical
 * form, and programs that differ in any serialized field must not.
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

/* ---- helpers ---- */

typedef void (*build_fn)(vy_builder *b);

static vy_program *build_with(build_fn fn, vy_finish_mode mode) {
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  fn(b);
  vy_program *p = NULL;
  vy_error err;
  if (vy_builder_finish(b, mode, &p, &err) != VY_OK) fail_msg("builder: %s", err.message);
  vy_builder_destroy(b);
  return p;
}

static void fingerprint_of(const vy_program *p, uint8_t out[32]) {
  if (!vy_program_fingerprint(p, out)) fail_msg("program has no fingerprint");
}

/* decode(canonical blob of p): the canonical program itself. */
static vy_program *canonical_of(const vy_program *p) {
  vy_bytes blob;
  vy_error err;
  if (vy_wire_encode_canonical(p, NULL, &blob, &err) != VY_OK) fail_msg("canonical: %s", err.message);
  vy_program *c = NULL;
  if (vy_wire_decode(blob.data, blob.len, NULL, &c, &err) != VY_OK) fail_msg("decode: %s", err.message);
  /* the fingerprint is BLAKE3 of exactly this blob */
  uint8_t want[32], got[32];
  vy_blake3_hash(blob.data, blob.len, want);
  fingerprint_of(p, got);
  assert_memory_equal(got, want, 32);
  vy_bytes_free(&blob);
  return c;
}

/* ---- buffer order (§6 step 1) ---- */

static const char *g_names[8];
static uint32_t g_bindings[8];
static vy_access g_access[8];
static vy_memory_kind g_kinds[8];
static size_t g_nbuf;

static void build_buffers(vy_builder *b) {
  for (size_t i = 0; i < g_nbuf; i++) {
    vy_buffer_decl d = {.name = {g_names[i], (uint32_t)strlen(g_names[i])},
                        .binding = g_bindings[i],
                        .access = g_access[i],
                        .kind = g_kinds[i],
                        .element = {.kind = VY_TYPE_U32},
                        .count = 4,
                        .hints = {.cache_locality = VY_LOCALITY_TEMPORAL}};
    vy_b_buffer(b, &d);
  }
  vy_b_region(b, "vyre.program.root", NULL);
  vy_b_end(b);
}

/* Declares the buffers in `order` and checks the canonical order `want`. */
static void check_order(const size_t *order, const size_t *want) {
  const char *names[8];
  uint32_t bindings[8];
  vy_access access[8];
  vy_memory_kind kinds[8];
  memcpy(names, g_names, sizeof names), memcpy(bindings, g_bindings, sizeof bindings);
  memcpy(access, g_access, sizeof access), memcpy(kinds, g_kinds, sizeof kinds);
  for (size_t i = 0; i < g_nbuf; i++) {
    g_names[i] = names[order[i]], g_bindings[i] = bindings[order[i]];
    g_access[i] = access[order[i]], g_kinds[i] = kinds[order[i]];
  }
  vy_program *p = build_with(build_buffers, VY_FINISH_RAW);
  vy_program *c = canonical_of(p);
  for (size_t i = 0; i < g_nbuf; i++) {
    const vy_buffer_decl *d = vy_program_buffer(c, (uint32_t)i);
    const size_t w = want[i];
    if (d->name.len != strlen(names[w]) || memcmp(d->name.ptr, names[w], d->name.len) != 0 ||
        d->binding != bindings[w] || d->kind != kinds[w] || d->access != access[w])
      fail_msg("canonical buffer %zu is `%.*s`, expected `%s`", i, (int)d->name.len, d->name.ptr, names[w]);
  }
  vy_program_destroy(c);
  vy_program_destroy(p);
  memcpy(g_names, names, sizeof names), memcpy(g_bindings, bindings, sizeof bindings);
  memcpy(g_access, access, sizeof access), memcpy(g_kinds, kinds, sizeof kinds);
}

static void buffer_sort_key(void **state) {
  (void)state;
  static char long_name[257];
  memset(long_name, 'a', 256);
  /* Rows: the key starts with the u32-LE name length, so "b" (01 00 00 00)
   * precedes "aa" (02 ...), and a 256-byte name (00 01 00 00) precedes both.
   * Equal names order by LE binding: 256 (00 01 ..) before 1 (01 00 ..).
   * Then access tag, then the kind key: Persistent (5) before Push (6),
   * although their wire tags are Push 5 / Persistent 6. */
  static const struct {
    const char *name;
    uint32_t binding;
    vy_access access;
    vy_memory_kind kind;
  } rows[] = {
      {"aa", 0, VY_ACCESS_READ_ONLY, VY_MEMKIND_READONLY},    /* 0 */
      {"b", 0, VY_ACCESS_READ_ONLY, VY_MEMKIND_READONLY},     /* 1 */
      {long_name, 0, VY_ACCESS_READ_ONLY, VY_MEMKIND_READONLY}, /* 2 */
      {"c", 1, VY_ACCESS_READ_ONLY, VY_MEMKIND_READONLY},     /* 3 */
      {"c", 256, VY_ACCESS_READ_ONLY, VY_MEMKIND_READONLY},   /* 4 */
      {"d", 0, VY_ACCESS_READ_WRITE, VY_MEMKIND_PUSH},        /* 5 */
      {"d", 0, VY_ACCESS_READ_WRITE, VY_MEMKIND_PERSISTENT},  /* 6 */
      {"d", 0, VY_ACCESS_READ_ONLY, VY_MEMKIND_PUSH},         /* 7 */
  };
  g_nbuf = 8;
  for (size_t i = 0; i < g_nbuf; i++)
    g_names[i] = rows[i].name, g_bindings[i] = rows[i].binding, g_access[i] = rows[i].access,
    g_kinds[i] = rows[i].kind;
  /* expected: 256-byte name, then 1-byte names (b; c@256, c@1; d read (7), d rw persistent (6), d rw push (5)), aa */
  static const size_t want[8] = {2, 1, 4, 3, 7, 6, 5, 0};
  static const size_t orders[3][8] = {{0, 1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1, 0}, {3, 0, 6, 2, 7, 1, 5, 4}};
  for (int k = 0; k < 3; k++) check_order(orders[k], want);
}

/* Buffers identical in every field keep their declaration order (stable). */
static void declaration_order_is_noise(void **state) {
  (void)state;
  g_nbuf = 3;
  g_names[0] = "x", g_names[1] = "y", g_names[2] = "z";
  for (int i = 0; i < 3; i++) g_bindings[i] = (uint32_t)i, g_access[i] = VY_ACCESS_READ_ONLY, g_kinds[i] = VY_MEMKIND_READONLY;
  vy_program *a = build_with(build_buffers, VY_FINISH_RAW);
  g_names[0] = "z", g_names[2] = "x", g_bindings[0] = 2, g_bindings[2] = 0;
  vy_program *b = build_with(build_buffers, VY_FINISH_RAW);
  uint8_t fa[32], fb[32];
  fingerprint_of(a, fa), fingerprint_of(b, fb);
  assert_memory_equal(fa, fb, 32);
  /* but the plain encodings differ: only the fingerprint ignores the order */
  vy_bytes ea, eb;
  assert_int_equal(vy_wire_encode(a, NULL, &ea, NULL), VY_OK);
  assert_int_equal(vy_wire_encode(b, NULL, &eb, NULL), VY_OK);
  assert_true(ea.len == eb.len && memcmp(ea.data, eb.data, ea.len) != 0);
  vy_bytes_free(&ea), vy_bytes_free(&eb);
  vy_program_destroy(a), vy_program_destroy(b);
}

/* ---- commutative operands (§6 step 1, third bullet) ---- */

typedef enum { L_VAR_A, L_VAR_B, L_U32_1, L_U32_2, L_I32, L_F32, L_F32_NEG0, L_F32_POS0, L_BOOL, L_U64 } leaf;

static const vy_expr *mk_leaf(vy_builder *b, leaf l) {
  switch (l) {
  case L_VAR_A:
    return vy_b_var(b, "a");
  case L_VAR_B:
    return vy_b_var(b, "b");
  case L_U32_1:
    return vy_b_u32(b, 1);
  case L_U32_2:
    return vy_b_u32(b, 2);
  case L_I32:
    return vy_b_i32(b, -5);
  case L_F32:
    return vy_b_f32(b, 2.0f);
  case L_F32_NEG0:
    return vy_b_f32_bits(b, 0x80000000u);
  case L_F32_POS0:
    return vy_b_f32_bits(b, 0);
  case L_BOOL:
    return vy_b_bool(b, true);
  case L_U64:
    return vy_b_lit_u64(b, 1);
  }
  return NULL;
}

static vy_binop g_op;
static leaf g_l, g_r;

static void build_binop(vy_builder *b) {
  vy_b_region(b, "r", NULL);
  vy_b_let(b, "t", vy_b_bin(b, g_op, mk_leaf(b, g_l), mk_leaf(b, g_r)));
  vy_b_end(b);
}

/* op(l, r) canonicalizes to op(r, l) when `swapped`, else stays. */
static void expect_operands(vy_binop op, leaf l, leaf r, bool swapped) {
  g_op = op, g_l = l, g_r = r;
  vy_program *p = build_with(build_binop, VY_FINISH_RAW);
  g_l = swapped ? r : l, g_r = swapped ? l : r;
  vy_program *want = build_with(build_binop, VY_FINISH_RAW);
  vy_program *c = canonical_of(p);
  if (!vy_program_equal(c, want))
    fail_msg("%s(%d, %d): expected the operands %s", vy_binop_name(op), (int)l, (int)r,
             swapped ? "swapped" : "kept");
  vy_program_destroy(c), vy_program_destroy(want), vy_program_destroy(p);
}

static void commutative_operands(void **state) {
  (void)state;
  /* the 15 commutative ops: a lone literal moves right */
  static const vy_binop comm[] = {VY_BINOP_ADD,     VY_BINOP_WRAPPING_ADD, VY_BINOP_SATURATING_ADD, VY_BINOP_MUL,
                                  VY_BINOP_SATURATING_MUL, VY_BINOP_BIT_AND, VY_BINOP_BIT_OR, VY_BINOP_BIT_XOR,
                                  VY_BINOP_EQ,      VY_BINOP_NE,           VY_BINOP_AND,            VY_BINOP_OR,
                                  VY_BINOP_MIN,     VY_BINOP_MAX,          VY_BINOP_ABS_DIFF};
  /* of which these also order two non-literals by their wire bytes */
  static const vy_binop sorted[] = {VY_BINOP_WRAPPING_ADD, VY_BINOP_SATURATING_ADD, VY_BINOP_SATURATING_MUL,
                                    VY_BINOP_BIT_AND,      VY_BINOP_BIT_OR,         VY_BINOP_BIT_XOR,
                                    VY_BINOP_EQ,           VY_BINOP_NE,             VY_BINOP_AND,
                                    VY_BINOP_OR,           VY_BINOP_ABS_DIFF};
  for (size_t i = 0; i < sizeof comm / sizeof *comm; i++) {
    vy_binop op = comm[i];
    bool sorts = false;
    for (size_t k = 0; k < sizeof sorted / sizeof *sorted; k++) sorts |= sorted[k] == op;
    expect_operands(op, L_U32_1, L_VAR_A, true);
    expect_operands(op, L_VAR_A, L_U32_1, false);
    expect_operands(op, L_I32, L_VAR_A, true);
    expect_operands(op, L_F32, L_VAR_A, true);
    expect_operands(op, L_BOOL, L_VAR_A, true);
    /* two literals: ordered by bytes ("00 02.." > "00 01.."; LitU32 tag 0 < LitBool tag 2) */
    expect_operands(op, L_U32_2, L_U32_1, true);
    expect_operands(op, L_U32_1, L_U32_2, false);
    expect_operands(op, L_BOOL, L_U32_2, true);
    /* two non-literals: Var "b" > Var "a", only for the sorting ops */
    expect_operands(op, L_VAR_B, L_VAR_A, sorts);
    expect_operands(op, L_VAR_A, L_VAR_B, false);
    /* a wide literal is an Opaque expression, not a literal: 0x80 > Var's 0x03 */
    expect_operands(op, L_U64, L_VAR_A, sorts);
    expect_operands(op, L_VAR_A, L_U64, false);
  }
  /* non-commutative ops keep everything */
  static const vy_binop other[] = {VY_BINOP_SUB, VY_BINOP_DIV, VY_BINOP_MOD,       VY_BINOP_SHL,
                                   VY_BINOP_LT,  VY_BINOP_GE,  VY_BINOP_MUL_HIGH,  VY_BINOP_SATURATING_SUB,
                                   VY_BINOP_WRAPPING_SUB, VY_BINOP_ROTATE_LEFT, VY_BINOP_SHUFFLE};
  for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
    expect_operands(other[i], L_U32_1, L_VAR_A, false);
    expect_operands(other[i], L_U32_2, L_U32_1, false);
    expect_operands(other[i], L_VAR_B, L_VAR_A, false);
  }
  /* -0.0 and 0.0 both encode as 00000000: Add(-0.0, 0.0), Add(0.0, -0.0) and
   * Add(0.0, 0.0) are one canonical program */
  uint8_t fps[3][32];
  static const leaf pairs[3][2] = {{L_F32_NEG0, L_F32_POS0}, {L_F32_POS0, L_F32_NEG0}, {L_F32_POS0, L_F32_POS0}};
  for (int i = 0; i < 3; i++) {
    g_op = VY_BINOP_ADD, g_l = pairs[i][0], g_r = pairs[i][1];
    vy_program *p = build_with(build_binop, VY_FINISH_RAW);
    fingerprint_of(p, fps[i]);
    vy_program_destroy(p);
  }
  assert_memory_equal(fps[0], fps[2], 32);
  assert_memory_equal(fps[1], fps[2], 32);
}

static void build_opaque_binop(vy_builder *b) {
  vy_b_region(b, "r", NULL);
  vy_b_let(b, "t", vy_b_bin_ext(b, 0x80000001u, mk_leaf(b, g_l), mk_leaf(b, g_r)));
  vy_b_end(b);
}

static void opaque_binop_is_not_commutative(void **state) {
  (void)state;
  g_l = L_U32_1, g_r = L_VAR_A;
  vy_program *p = build_with(build_opaque_binop, VY_FINISH_RAW);
  vy_program *c = canonical_of(p);
  assert_true(vy_program_equal(p, c));
  vy_program_destroy(c), vy_program_destroy(p);
}

/* The swap rule compares the operands after they were canonicalized. */
static int g_variant;

static void build_nested_swap(vy_builder *b) {
  const vy_expr *a = vy_b_var(b, "a"), *bb = vy_b_var(b, "b"), *c = vy_b_var(b, "c");
  const vy_expr *l, *r;
  switch (g_variant) {
  case 0: /* xor(and(a, c), and(b, a)): raw "a.." < "b..", but and(b, a) -> and(a, b) < and(a, c) */
    l = vy_b_bin(b, VY_BINOP_BIT_AND, a, c), r = vy_b_bin(b, VY_BINOP_BIT_AND, bb, a);
    break;
  case 1: /* the canonical form written by hand */
    l = vy_b_bin(b, VY_BINOP_BIT_AND, a, bb), r = vy_b_bin(b, VY_BINOP_BIT_AND, a, c);
    break;
  case 2: /* xor(and(b, a), and(a, c)): raw order would swap, canonical order does not */
    l = vy_b_bin(b, VY_BINOP_BIT_AND, bb, a), r = vy_b_bin(b, VY_BINOP_BIT_AND, a, c);
    break;
  default: /* the wrong answer for 0 and 2 */
    l = vy_b_bin(b, VY_BINOP_BIT_AND, a, c), r = vy_b_bin(b, VY_BINOP_BIT_AND, a, bb);
    break;
  }
  vy_b_region(b, "r", NULL);
  vy_b_let(b, "t", vy_b_bin(b, VY_BINOP_BIT_XOR, l, r));
  vy_b_end(b);
}

static void swap_after_children(void **state) {
  (void)state;
  vy_program *p[4], *c[4];
  for (g_variant = 0; g_variant < 4; g_variant++) p[g_variant] = build_with(build_nested_swap, VY_FINISH_RAW);
  for (int i = 0; i < 4; i++) c[i] = canonical_of(p[i]);
  assert_true(vy_program_equal(c[0], p[1]));
  assert_true(vy_program_equal(c[2], p[1]));
  assert_true(vy_program_equal(c[1], p[1]));
  assert_false(vy_program_equal(c[0], p[3]));
  for (int i = 0; i < 4; i++) vy_program_destroy(c[i]), vy_program_destroy(p[i]);
}

/* ---- canonicalization reaches every expression position ---- */

static int g_pos;
static bool g_canon; /* write Add(x, 1u) instead of Add(1u, x) */

static const vy_expr *noisy(vy_builder *b) {
  return g_canon ? vy_b_bin(b, VY_BINOP_ADD, vy_b_var(b, "x"), vy_b_u32(b, 1))
                 : vy_b_bin(b, VY_BINOP_ADD, vy_b_u32(b, 1), vy_b_var(b, "x"));
}

static void build_position(vy_builder *b) {
  const vy_expr *z = vy_b_u32(b, 0);
  vy_b_region(b, "r", NULL);
  switch (g_pos) {
  case 0: vy_b_let(b, "t", noisy(b)); break;
  case 1: vy_b_assign(b, "t", noisy(b)); break;
  case 2: vy_b_store(b, "o", noisy(b), z); break;
  case 3: vy_b_store(b, "o", z, noisy(b)); break;
  case 4: vy_b_if(b, noisy(b)), vy_b_end(b); break;
  case 5: vy_b_if(b, z), vy_b_let(b, "t", noisy(b)), vy_b_end(b); break;
  case 6: vy_b_if(b, z), vy_b_else(b), vy_b_let(b, "t", noisy(b)), vy_b_end(b); break;
  case 7: vy_b_loop(b, "i", noisy(b), z), vy_b_end(b); break;
  case 8: vy_b_loop(b, "i", z, noisy(b)), vy_b_end(b); break;
  case 9: vy_b_loop(b, "i", z, z), vy_b_let(b, "t", noisy(b)), vy_b_end(b); break;
  case 10: vy_b_block(b), vy_b_let(b, "t", noisy(b)), vy_b_end(b); break;
  case 11: vy_b_region(b, "inner", "s"), vy_b_let(b, "t", noisy(b)), vy_b_end(b); break;
  case 12: vy_b_async_load(b, "s", "d", noisy(b), z, "g"); break;
  case 13: vy_b_async_store(b, "s", "d", z, noisy(b), "g"); break;
  case 14: vy_b_trap(b, noisy(b), "g"); break;
  case 15: vy_b_let(b, "t", vy_b_un(b, VY_UNOP_BIT_NOT, noisy(b))); break;
  case 16: vy_b_let(b, "t", vy_b_load(b, "o", noisy(b))); break;
  case 17: {
    const vy_expr *args[2] = {z, noisy(b)};
    vy_b_let(b, "t", vy_b_call(b, "f", 2, args));
    break;
  }
  case 18: vy_b_let(b, "t", vy_b_select(b, noisy(b), z, z)); break;
  case 19: vy_b_let(b, "t", vy_b_select(b, z, z, noisy(b))); break;
  case 20: vy_b_let(b, "t", vy_b_cast(b, vy_type_scalar(VY_TYPE_F32), noisy(b))); break;
  case 21: vy_b_let(b, "t", vy_b_fma(b, z, noisy(b), z)); break;
  case 22: vy_b_let(b, "t", vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_SEQ_CST, "o", noisy(b), NULL, z)); break;
  case 23: vy_b_let(b, "t", vy_b_atomic(b, VY_ATOMIC_COMPARE_EXCHANGE, 0, VY_ORDERING_SEQ_CST, "o", z, noisy(b), z)); break;
  case 24: vy_b_let(b, "t", vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_SEQ_CST, "o", z, NULL, noisy(b))); break;
  case 25: vy_b_let(b, "t", vy_b_subgroup_add(b, noisy(b))); break;
  case 26: vy_b_let(b, "t", vy_b_subgroup_shuffle(b, z, noisy(b))); break;
  case 27: vy_b_let(b, "t", vy_b_subgroup_ballot(b, noisy(b))); break;
  case 28: vy_b_let(b, "t", vy_b_bin(b, VY_BINOP_SUB, noisy(b), z)); break;
  case 29: vy_b_let(b, "t", vy_b_bin_ext(b, 0x80000002u, z, noisy(b))); break;
  default: vy_b_loop(b, "i", z, z), vy_b_if(b, z), vy_b_else(b), vy_b_block(b), vy_b_store(b, "o", z, noisy(b)),
           vy_b_end(b), vy_b_end(b), vy_b_end(b);
  }
  vy_b_end(b);
}

static void canonical_everywhere(void **state) {
  (void)state;
  for (g_pos = 0; g_pos <= 30; g_pos++) {
    g_canon = false;
    vy_program *p = build_with(build_position, VY_FINISH_RAW);
    g_canon = true;
    vy_program *q = build_with(build_position, VY_FINISH_RAW);
    uint8_t fp[32], fq[32];
    fingerprint_of(p, fp), fingerprint_of(q, fq);
    if (memcmp(fp, fq, 32) != 0) fail_msg("position %d was not canonicalized", g_pos);
    assert_false(vy_program_equal(p, q)); /* the programs themselves do differ */
    vy_program_destroy(p), vy_program_destroy(q);
  }
}

/* ---- Block splicing ---- */

static void build_splice(vy_builder *b) {
  const vy_expr *z = vy_b_u32(b, 0);
  switch (g_variant) {
  case 0: /* Block{Store} Let -> Store Let */
    vy_b_region(b, "r", NULL), vy_b_block(b), vy_b_store(b, "o", z, z), vy_b_end(b), vy_b_let(b, "y", z), vy_b_end(b);
    break;
  case 1:
    vy_b_region(b, "r", NULL), vy_b_store(b, "o", z, z), vy_b_let(b, "y", z), vy_b_end(b);
    break;
  case 2: /* Block{Let} stays */
    vy_b_region(b, "r", NULL), vy_b_block(b), vy_b_let(b, "x", z), vy_b_end(b), vy_b_end(b);
    break;
  case 3:
    vy_b_region(b, "r", NULL), vy_b_let(b, "x", z), vy_b_end(b);
    break;
  case 4: /* Block{Block{Let}}: only the outer one goes */
    vy_b_region(b, "r", NULL), vy_b_block(b), vy_b_block(b), vy_b_let(b, "x", z), vy_b_end(b), vy_b_end(b), vy_b_end(b);
    break;
  case 5: /* Block{Store, Block{Block{}}, Return}: every level spliced, the empty Block vanishes */
    vy_b_region(b, "r", NULL), vy_b_block(b), vy_b_store(b, "o", z, z), vy_b_block(b), vy_b_block(b), vy_b_end(b),
        vy_b_end(b), vy_b_return(b), vy_b_end(b), vy_b_end(b);
    break;
  case 6:
    vy_b_region(b, "r", NULL), vy_b_store(b, "o", z, z), vy_b_return(b), vy_b_end(b);
    break;
  case 7: /* a Let below an If is not a direct child: Block{If{Let}} -> If{Let} */
    vy_b_region(b, "r", NULL), vy_b_block(b), vy_b_if(b, z), vy_b_let(b, "x", z), vy_b_end(b), vy_b_end(b),
        vy_b_end(b);
    break;
  case 8:
    vy_b_region(b, "r", NULL), vy_b_if(b, z), vy_b_let(b, "x", z), vy_b_end(b), vy_b_end(b);
    break;
  case 9: /* in If branches and Loop bodies too */
    vy_b_region(b, "r", NULL), vy_b_if(b, z), vy_b_block(b), vy_b_return(b), vy_b_end(b), vy_b_else(b), vy_b_block(b),
        vy_b_return(b), vy_b_end(b), vy_b_end(b), vy_b_loop(b, "i", z, z), vy_b_block(b), vy_b_return(b), vy_b_end(b),
        vy_b_end(b), vy_b_end(b);
    break;
  case 10:
    vy_b_region(b, "r", NULL), vy_b_if(b, z), vy_b_return(b), vy_b_else(b), vy_b_return(b), vy_b_end(b),
        vy_b_loop(b, "i", z, z), vy_b_return(b), vy_b_end(b), vy_b_end(b);
    break;
  case 11: /* a top-level Block of Regions in a raw entry is spliced into the records */
    vy_b_block(b), vy_b_region(b, "a", NULL), vy_b_end(b), vy_b_region(b, "b", NULL), vy_b_end(b), vy_b_end(b);
    break;
  case 12:
    vy_b_region(b, "a", NULL), vy_b_end(b), vy_b_region(b, "b", NULL), vy_b_end(b);
    break;
  default: /* Regions are never spliced */
    vy_b_region(b, "r", NULL), vy_b_region(b, "s", NULL), vy_b_return(b), vy_b_end(b), vy_b_end(b);
    break;
  }
}

static void block_splicing(void **state) {
  (void)state;
  static const struct {
    int noisy, canonical;
  } pairs[] = {{0, 1}, {4, 2}, {5, 6}, {7, 8}, {9, 10}, {11, 12}};
  vy_program *p, *c, *w;
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
    g_variant = pairs[i].noisy;
    p = build_with(build_splice, VY_FINISH_RAW);
    g_variant = pairs[i].canonical;
    w = build_with(build_splice, VY_FINISH_RAW);
    c = canonical_of(p);
    if (!vy_program_equal(c, w)) fail_msg("splice case %d", pairs[i].noisy);
    vy_program_destroy(c), vy_program_destroy(w), vy_program_destroy(p);
  }
  /* a Block with a direct Let, and a nested Region, stay */
  for (g_variant = 2; g_variant <= 13; g_variant += 11) {
    p = build_with(build_splice, VY_FINISH_RAW);
    c = canonical_of(p);
    assert_true(vy_program_equal(c, p));
    vy_program_destroy(c), vy_program_destroy(p);
  }
  g_variant = 2;
  vy_program *blk = build_with(build_splice, VY_FINISH_RAW);
  g_variant = 3;
  vy_program *let = build_with(build_splice, VY_FINISH_RAW);
  uint8_t fa[32], fb[32];
  fingerprint_of(blk, fa), fingerprint_of(let, fb);
  assert_memory_not_equal(fa, fb, 32);
  vy_program_destroy(blk), vy_program_destroy(let);
}

/* ---- every serialized field counts, the others do not ---- */

#define NVARIANTS 40

static void build_field_variant(vy_builder *b) {
  int v = g_variant;
  vy_buffer_decl d = {.name = {"buf", 3}, .binding = 1, .access = VY_ACCESS_READ_WRITE, .kind = VY_MEMKIND_GLOBAL,
                      .element = {.kind = VY_TYPE_U32}, .count = 8, .hints = {.cache_locality = VY_LOCALITY_TEMPORAL}};
  vy_shape_pred pred = {.kind = VY_SHAPE_AT_LEAST, .u.n = 1};
  switch (v) {
  case 1: vy_b_entry_op_id(b, "op"); break;
  case 2: vy_b_entry_op_id(b, "oq"); break;
  case 3: vy_b_entry_op_id(b, ""); break;
  case 4: vy_b_workgroup_size(b, 2, 1, 1); break;
  case 5: vy_b_workgroup_size(b, 1, 2, 1); break;
  case 6: vy_b_workgroup_size(b, 1, 1, 2); break;
  case 7: vy_b_non_composable_with_self(b, true); break;
  case 8: d.name = (vy_str){"bug", 3}; break;
  case 9: d.binding = 2; break;
  case 10: d.access = VY_ACCESS_READ_ONLY; break;
  case 11: d.kind = VY_MEMKIND_PERSISTENT; break;
  case 12: d.element.kind = VY_TYPE_I32; break;
  case 13: d.count = 9; break;
  case 14: d.is_output = true; break;
  case 15: d.pipeline_live_out = true; break;
  case 16: d.has_output_range = true, d.range_start = 0, d.range_end = 8; break;
  case 17: d.has_output_range = true, d.range_start = 4, d.range_end = 8; break;
  case 18: d.hints.has_coalesce_axis = true; break;
  case 19: d.hints.has_coalesce_axis = true, d.hints.coalesce_axis = 1; break;
  case 20: d.hints.preferred_alignment = 16; break;
  case 21: d.hints.cache_locality = VY_LOCALITY_RANDOM; break;
  case 22: d.element = (vy_type){.kind = VY_TYPE_ARRAY, .u.array_element_size = 4}; break;
  case 23: d.element = (vy_type){.kind = VY_TYPE_ARRAY, .u.array_element_size = 5}; break;
  default: break;
  }
  /* not serialized: same fingerprint as variant 0 (checked separately) */
  if (v == 100) d.bytes_extraction = true;
  if (v == 101) d.linear_type = VY_LINEAR_AFFINE;
  if (v == 102) d.shape_predicate = &pred;
  vy_b_buffer(b, &d);
  vy_b_region(b, v == 24 ? "s" : "r", v == 25 ? "src" : NULL);
  const vy_expr *val = v == 26 ? vy_b_u32(b, 2)
                       : v == 27 ? vy_b_i32(b, 1)
                       : v == 28 ? vy_b_f32(b, 1.0f)
                       : v == 29 ? vy_b_bool(b, true)
                       : v == 30 ? vy_b_invocation_id(b, 1)
                       : v == 31 ? vy_b_local_id(b, 0)
                       : v == 32 ? vy_b_bin(b, VY_BINOP_SUB, vy_b_var(b, "x"), vy_b_u32(b, 1))
                       : v == 33 ? vy_b_bin(b, VY_BINOP_SUB, vy_b_u32(b, 1), vy_b_var(b, "x"))
                       : v == 34 ? vy_b_lit_u64(b, 1)
                       : v == 103 ? vy_b_f32_bits(b, 0x80000000u) /* -0.0 */
                       : v == 104 ? vy_b_f32_bits(b, 0x00000001u) /* subnormal */
                                  : vy_b_f32_bits(b, 0);
  if (v == 105 || v == 106) val = vy_b_f32_bits(b, v == 105 ? 0x7FC00001u : 0xFFFFFFFFu); /* NaNs */
  if (v == 107) val = vy_b_f32_bits(b, 0x7FC00000u);
  vy_b_let(b, v == 35 ? "u" : "t", val);
  if (v == 36) vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  if (v == 37) vy_b_barrier(b, VY_ORDERING_ACQ_REL);
  if (v == 38) vy_b_return(b);
  if (v == 39) vy_b_block(b), vy_b_let(b, "w", vy_b_u32(b, 0)), vy_b_end(b);
  vy_b_end(b);
}

static void every_field_counts(void **state) {
  (void)state;
  static uint8_t fps[NVARIANTS][32];
  for (g_variant = 0; g_variant < NVARIANTS; g_variant++) {
    vy_program *p = build_with(build_field_variant, VY_FINISH_RAW);
    fingerprint_of(p, fps[g_variant]);
    vy_program_destroy(p);
    for (int j = 0; j < g_variant; j++)
      if (memcmp(fps[j], fps[g_variant], 32) == 0) fail_msg("variants %d and %d share a fingerprint", j, g_variant);
  }
  /* bytes_extraction, linear_type, shape_predicate; -0.0 and subnormals (= 0.0) */
  for (g_variant = 100; g_variant <= 104; g_variant++) {
    vy_program *p = build_with(build_field_variant, VY_FINISH_RAW);
    uint8_t fp[32];
    fingerprint_of(p, fp);
    if (memcmp(fp, fps[0], 32) != 0) fail_msg("variant %d should share variant 0's fingerprint", g_variant);
    vy_program_destroy(p);
  }
  /* every NaN is 0x7FC00000 */
  uint8_t nan[3][32];
  for (g_variant = 105; g_variant <= 107; g_variant++) {
    vy_program *p = build_with(build_field_variant, VY_FINISH_RAW);
    fingerprint_of(p, nan[g_variant - 105]);
    vy_program_destroy(p);
  }
  assert_memory_equal(nan[0], nan[2], 32);
  assert_memory_equal(nan[1], nan[2], 32);
  assert_memory_not_equal(nan[2], fps[0], 32);
}

/* ---- no fingerprint where vyre's encoder refuses ---- */

static void build_unencodable(vy_builder *b) {
  vy_buffer_decl d = {.name = {"w", 1}, .access = VY_ACCESS_WRITE_ONLY, .kind = VY_MEMKIND_GLOBAL,
                      .element = {.kind = VY_TYPE_U32}, .count = 4, .hints = {.cache_locality = VY_LOCALITY_TEMPORAL}};
  if (g_variant == 1) d.access = VY_ACCESS_READ_WRITE, d.element = (vy_type){.kind = VY_TYPE_SPARSE_COO,
                                                                             .u.sparse = {vy_type_scalar(VY_TYPE_F32)}};
  if (g_variant == 2) d.access = VY_ACCESS_READ_WRITE;
  vy_b_buffer(b, &d);
  vy_b_region(b, "r", NULL);
  vy_type coo = {.kind = VY_TYPE_SPARSE_COO, .u.sparse = {vy_type_scalar(VY_TYPE_F32)}};
  vy_b_let(b, "t", vy_b_cast(b, &coo, vy_b_u32(b, 0))); /* fine as a Cast target */
  vy_b_end(b);
}

static void unencodable_has_no_fingerprint(void **state) {
  (void)state;
  for (g_variant = 0; g_variant <= 2; g_variant++) {
    vy_program *p = build_with(build_unencodable, VY_FINISH_RAW);
    uint8_t fp[32];
    assert_int_equal(vy_program_fingerprint(p, fp), g_variant == 2);
    vy_bytes out;
    vy_error err;
    assert_int_equal(vy_wire_encode_canonical(p, NULL, &out, &err), g_variant == 2 ? VY_OK : VY_E_ENCODE);
    if (g_variant == 2) vy_bytes_free(&out);
    vy_program_destroy(p);
  }
}

/* ---- random programs: canonicalization is idempotent ---- */

static void random_programs(void **state) {
  (void)state;
  vy_progen_options opt = {.wire_encodable = true};
  for (uint64_t seed = 1000; seed < 1200; seed++) {
    vy_program *p = NULL;
    assert_int_equal(vy_progen_random(seed, &opt, NULL, &p), VY_OK);
    vy_bytes c1, c2;
    assert_int_equal(vy_wire_encode_canonical(p, NULL, &c1, NULL), VY_OK);
    vy_program *c = NULL;
    assert_int_equal(vy_wire_decode(c1.data, c1.len, NULL, &c, NULL), VY_OK);
    assert_int_equal(vy_wire_encode_canonical(c, NULL, &c2, NULL), VY_OK);
    /* canonical(canonical(p)) == canonical(p), and a canonical program encodes as itself */
    if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) != 0)
      fail_msg("seed %llu: canonicalization is not idempotent", (unsigned long long)seed);
    vy_bytes plain;
    assert_int_equal(vy_wire_encode(c, NULL, &plain, NULL), VY_OK);
    assert_true(plain.len == c1.len && memcmp(plain.data, c1.data, c1.len) == 0);
    uint8_t f1[32], f2[32];
    fingerprint_of(p, f1), fingerprint_of(c, f2);
    assert_memory_equal(f1, f2, 32);
    vy_bytes_free(&plain), vy_bytes_free(&c2), vy_bytes_free(&c1);
    vy_program_destroy(c), vy_program_destroy(p);
  }
}

/* ---- allocation failures through the fingerprint paths ---- */

static vy_program *g_prog;

static vy_status fault_build(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_builder *b = NULL;
  vy_status st = vy_builder_create(a, &b);
  if (st != VY_OK) return st;
  g_variant = 0;
  build_nested_swap(b); /* swaps after canonical children */
  g_variant = 5;
  build_splice(b); /* nested splices */
  g_nbuf = 8;
  build_buffers(b); /* eight buffers to sort */
  vy_program *p = NULL;
  st = vy_builder_finish(b, VY_FINISH_RAW, &p, NULL); /* seals: computes the fingerprint */
  vy_builder_destroy(b);
  if (st == VY_OK) {
    uint8_t fp[32];
    assert_true(vy_program_fingerprint(p, fp));
    vy_program_destroy(p);
  }
  return st;
}

static vy_status fault_canonical(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_bytes out;
  vy_status st = vy_wire_encode_canonical(g_prog, a, &out, NULL);
  if (st == VY_OK) vy_bytes_free(&out);
  return st;
}

static vy_status fault_decode_and_seal(const vy_allocator *a, void *ctx) {
  const vy_bytes *blob = ctx;
  vy_program *p = NULL;
  vy_status st = vy_wire_decode(blob->data, blob->len, a, &p, NULL);
  vy_program_destroy(p);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  static const char *const names[8] = {"aa", "b", "e", "c", "c", "d", "d", "d"};
  for (int i = 0; i < 8; i++)
    g_names[i] = names[i], g_bindings[i] = (uint32_t)(8 - i), g_access[i] = VY_ACCESS_READ_ONLY,
    g_kinds[i] = VY_MEMKIND_READONLY;
  assert_true(vy_fault_run_all(fault_build, NULL) > 0);
  g_nbuf = 8;
  g_prog = build_with(build_buffers, VY_FINISH_RAW);
  assert_true(vy_fault_run_all(fault_canonical, NULL) > 0);
  vy_program_destroy(g_prog);
  g_variant = 9;
  g_prog = build_with(build_splice, VY_FINISH_RAW);
  assert_true(vy_fault_run_all(fault_canonical, NULL) > 0);
  vy_bytes blob;
  assert_int_equal(vy_wire_encode(g_prog, NULL, &blob, NULL), VY_OK);
  assert_true(vy_fault_run_all(fault_decode_and_seal, &blob) > 0);
  vy_bytes_free(&blob);
  vy_program_destroy(g_prog);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(buffer_sort_key),
      cmocka_unit_test(declaration_order_is_noise),
      cmocka_unit_test(commutative_operands),
      cmocka_unit_test(opaque_binop_is_not_commutative),
      cmocka_unit_test(swap_after_children),
      cmocka_unit_test(canonical_everywhere),
      cmocka_unit_test(block_splicing),
      cmocka_unit_test(every_field_counts),
      cmocka_unit_test(unencodable_has_no_fingerprint),
      cmocka_unit_test(random_programs),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
