/* test_interp_exec.c - the reference interpreter on small programs whose
 * outputs were computed by hand from vyre-ir.md §2-§4 (binding, grid,
 * scheduling, barriers, workgroup memory, atomics, subgroups, async, every
 * runtime error) and a fault-injection run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "interp_int.h"
#include "vyre/builder.h"
#include "vyre/interp.h"

/* ---- helpers ---- */

#define U(v) vy_b_u32(b, (v))
#define I(v) vy_b_i32(b, (v))
#define V(n) vy_b_var(b, (n))
#define BIN(op, l, r) vy_b_bin(b, VY_BINOP_##op, (l), (r))
#define LID vy_b_local_id(b, 0)
#define GID vy_b_invocation_id(b, 0)

static vy_builder *new_builder(uint32_t wx, uint32_t wy, uint32_t wz) {
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_workgroup_size(b, wx, wy, wz);
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

/* Runs with or without validation. */
static vy_status run_p(const vy_program *p, bool validate, const vy_interp_input *in, size_t n,
                       const vy_interp_options *o, vy_interp_outputs *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare_ex(p, NULL, NULL, validate, &pp, err);
  if (st != VY_OK) return st;
  st = vy_interp_execute(pp, in, n, o, out, err);
  vy_interp_prepared_destroy(pp);
  return st;
}

static uint32_t word(const vy_bytes *b, size_t i) {
  assert_true(b->len >= 4 * (i + 1));
  return (uint32_t)b->data[4 * i] | (uint32_t)b->data[4 * i + 1] << 8 | (uint32_t)b->data[4 * i + 2] << 16 |
         (uint32_t)b->data[4 * i + 3] << 24;
}

static void expect_words(const vy_bytes *b, const uint32_t *w, size_t n) {
  assert_int_equal(b->len, 4 * n);
  for (size_t i = 0; i < n; i++) {
    if (word(b, i) != w[i]) fail_msg("word %zu: got %u, expected %u", i, word(b, i), w[i]);
  }
}

static void expect_runtime_error(const vy_program *p, bool validate, const vy_interp_input *in, size_t n,
                                 vy_status code, const char *needle) {
  vy_interp_outputs out;
  vy_error err;
  vy_status st = run_p(p, validate, in, n, NULL, &out, &err);
  if (st != code) fail_msg("expected %s, got %s: %s", vy_status_name(code), vy_status_name(st), err.message);
  if (!strstr(err.message, needle)) fail_msg("message lacks \"%s\": %s", needle, err.message);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(out.count, 0);
}

/* ---- programs ---- */

/* out[i] = a[i] + 1 (spec §7.11), wg 64, 4 elements. */
static void test_spec_example(void **state) {
  (void)state;
  vy_builder *b = new_builder(64, 1, 1);
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 4);
  vy_b_let(b, "idx", GID);
  vy_b_if(b, BIN(LT, V("idx"), vy_b_buf_len(b, "out")));
  vy_b_store(b, "out", V("idx"), BIN(ADD, vy_b_load(b, "a", V("idx")), U(1)));
  vy_b_end(b);
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t a[4] = {10, 20, 30, 0xFFFFFFFFu};
  vy_interp_input in = {a, sizeof a};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(vy_interp_run(p, &in, 1, NULL, NULL, NULL, &out, &err), VY_OK);
  assert_int_equal(out.count, 1);
  uint32_t want[4] = {11, 21, 31, 0};
  expect_words(&out.items[0], want, 4);
  assert_int_equal(out.invocations, 64); /* one workgroup of 64 */
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

/* Binding: legacy mode, longer inputs with BufLen, returned ReadWrite inputs,
 * output byte ranges, input count errors. */
static void test_binding(void **state) {
  (void)state;
  vy_builder *b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), 2);
  const vy_buffer_decl *rw = vy_b_read_write(b, "rw", 1, VY_TYPE_U32);
  vy_b_count(b, rw, 1);
  vy_buffer_decl o = {0};
  o.name.ptr = "o";
  o.name.len = 1;
  o.binding = 2;
  o.access = VY_ACCESS_READ_WRITE;
  o.kind = VY_MEMKIND_GLOBAL;
  o.element.kind = VY_TYPE_U32;
  o.count = 4;
  o.is_output = true;
  o.pipeline_live_out = true;
  o.has_output_range = true;
  o.range_start = 4;
  o.range_end = 12;
  vy_b_buffer(b, &o);
  /* rw[0] = buflen(a) + rw[0]; o[gid] = gid+7 for gid < 4 (grid: 4 elements / 1 = 4 workgroups) */
  vy_b_if(b, BIN(EQ, GID, U(0)));
  vy_b_store(b, "rw", U(0), BIN(ADD, vy_b_buf_len(b, "a"), vy_b_load(b, "rw", U(0))));
  vy_b_end(b);
  vy_b_store(b, "o", GID, BIN(ADD, GID, U(7)));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);

  uint32_t a[5] = {1, 2, 3, 4, 5}; /* longer than count 2: BufLen sees 5 */
  uint32_t r0 = 100, junk = 0xDEAD;
  vy_interp_input in[3] = {{a, sizeof a}, {&r0, 4}, {&junk, 4}};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, in, 2, NULL, &out, &err), VY_OK);
  assert_int_equal(out.count, 2);
  uint32_t want_rw[1] = {105};
  expect_words(&out.items[0], want_rw, 1);
  uint32_t want_o[2] = {8, 9}; /* bytes 4..12 of [7,8,9,10] */
  expect_words(&out.items[1], want_o, 2);
  assert_int_equal(out.invocations, 4);
  vy_interp_outputs_free(&out);

  /* legacy mode: one input per non-workgroup buffer, the output's ignored */
  in[2].data = &junk;
  assert_int_equal(run_p(p, true, in, 3, NULL, &out, &err), VY_OK);
  expect_words(&out.items[1], want_o, 2);
  vy_interp_outputs_free(&out);

  expect_runtime_error(p, true, in, 1, VY_E_RUNTIME, "missing input for buffer `rw`");
  uint32_t short_a = 1;
  vy_interp_input bad[2] = {{&short_a, 4}, {&r0, 4}};
  expect_runtime_error(p, true, bad, 2, VY_E_RUNTIME, "requires at least 8 bytes");
  vy_interp_input many[4] = {{a, 8}, {&r0, 4}, {&junk, 4}, {&junk, 4}};
  expect_runtime_error(p, true, many, 4, VY_E_RUNTIME, "unused input values");
  vy_program_destroy(p);
}

/* Grid rule §4.4 examples, observed through the invocation count. */
static void grid_case(uint32_t wx, uint32_t wy, uint32_t elems, uint64_t want_invocations) {
  vy_builder *b = new_builder(wx, wy, 1);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), elems);
  vy_b_store(b, "out", GID, U(1));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, NULL, 0, NULL, &out, &err), VY_OK);
  assert_int_equal(out.invocations, want_invocations);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

static void test_grid(void **state) {
  (void)state;
  grid_case(64, 1, 1000, 16 * 64);     /* 16 workgroups */
  grid_case(8, 8, 1000, 4 * 4 * 64);   /* total 16 -> base ceil(sqrt 16) = 4 -> [4,4,1] */
  grid_case(8, 8, 17 * 64, 5 * 5 * 64); /* 17 -> 5x5 over-covers */
  grid_case(1, 1, 3, 3);               /* no active axis: [3,1,1] */
  /* no outputs: the largest input decides; pg_nodes at binding 0 counts */
  vy_builder *b = new_builder(2, 1, 1);
  vy_b_count(b, vy_b_read(b, "pg_nodes", 0, VY_TYPE_U32), 10);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 1);
  vy_b_store(b, "out", U(0), U(1));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t pg[10] = {0};
  vy_interp_input in = {pg, sizeof pg};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, &in, 1, NULL, &out, &err), VY_OK);
  assert_int_equal(out.invocations, 10); /* max(1, pg 10) / 2 = 5 workgroups of 2 */
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

/* Barrier + workgroup memory (zeroed per workgroup), 2 workgroups of 4. */
static void test_barrier_workgroup_memory(void **state) {
  (void)state;
  vy_builder *b = new_builder(4, 1, 1);
  vy_b_workgroup(b, "sh", 4, VY_TYPE_U32);
  vy_b_count(b, vy_b_output(b, "pre", 0, VY_TYPE_U32), 8);
  vy_b_count(b, vy_b_read_write(b, "post", 1, VY_TYPE_U32), 8);
  vy_b_store(b, "pre", GID, vy_b_load(b, "sh", LID));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_store(b, "sh", LID, BIN(ADD, GID, U(1)));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_store(b, "post", GID, vy_b_load(b, "sh", BIN(MOD, BIN(ADD, LID, U(1)), U(4))));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t post[8] = {0};
  vy_interp_input in = {post, sizeof post};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, &in, 1, NULL, &out, &err), VY_OK);
  uint32_t want_pre[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  uint32_t want_post[8] = {2, 3, 4, 1, 6, 7, 8, 5};
  expect_words(&out.items[0], want_pre, 8);
  expect_words(&out.items[1], want_post, 8);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

/* A racy read-modify-write whose result is fixed by the round-robin order.
 * Lane 0 takes `then { let a = 1 }` (If, let, pop = 3 steps), lane 1 takes
 * `else { block {} }` (If, block, pop block, pop else = 4 steps). With the
 * Region step first, lane 0 reads x in round 5 and writes in round 6; lane 1
 * reads in round 6, after lane 0's write (lane 0 steps first): x = 2. (If
 * popping an exhausted scope were free, both would read in round 4: x = 1.) */
static void test_racy_interleaving(void **state) {
  (void)state;
  vy_builder *b = new_builder(2, 1, 1);
  vy_b_count(b, vy_b_read_write(b, "x", 0, VY_TYPE_U32), 1);
  vy_b_if(b, BIN(EQ, LID, U(0)));
  vy_b_let(b, "a", U(1));
  vy_b_else(b);
  vy_b_block(b);
  vy_b_end(b);
  vy_b_end(b);
  vy_b_let(b, "t", vy_b_load(b, "x", U(0)));
  vy_b_store(b, "x", U(0), BIN(ADD, V("t"), U(1)));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t x = 0;
  vy_interp_input in = {&x, 4};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, &in, 1, NULL, &out, &err), VY_OK);
  uint32_t want[1] = {2};
  expect_words(&out.items[0], want, 1);
  /* steps: lane 0: region, if, let, pop, let t, store, pop region, pop entry = 8;
   * lane 1: region, if, block, pop, pop, let t, store, pop region, pop entry = 9 */
  assert_int_equal(out.steps, 17);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

/* Atomics: lane order decides the old values; OOB gives 0; cmpxchg, min, max. */
static void test_atomics(void **state) {
  (void)state;
  vy_builder *b = new_builder(4, 1, 1);
  vy_b_count(b, vy_b_read_write(b, "c", 0, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_output(b, "old", 1, VY_TYPE_U32), 4);
  vy_b_let(b, "o", vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_SEQ_CST, "c", U(0), NULL, BIN(ADD, LID, U(1))));
  vy_b_store(b, "old", LID, V("o"));
  vy_b_let(b, "m", vy_b_atomic(b, VY_ATOMIC_MAX, 0, VY_ORDERING_SEQ_CST, "c", U(1), NULL, BIN(MUL, LID, U(3))));
  vy_b_let(b, "n", vy_b_atomic(b, VY_ATOMIC_MIN, 0, VY_ORDERING_SEQ_CST, "c", U(2), NULL, LID));
  vy_b_let(b, "x", vy_b_atomic(b, VY_ATOMIC_COMPARE_EXCHANGE, 0, VY_ORDERING_SEQ_CST, "c", U(3), LID, U(9)));
  vy_b_let(b, "oob", vy_b_atomic(b, VY_ATOMIC_EXCHANGE, 0, VY_ORDERING_SEQ_CST, "c", U(4), NULL, U(5)));
  vy_b_if(b, BIN(NE, V("oob"), U(0)));
  vy_b_trap(b, U(1), "oob");
  vy_b_end(b);
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t c[4] = {0, 0, 7, 2};
  vy_interp_input in = {c, sizeof c};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, &in, 1, NULL, &out, &err), VY_OK);
  /* c[0]: +1 +2 +3 +4 = 10, olds 0,1,3,6; c[1] = max(0,0,3,6,9) = 9; c[2] = min(7,0..3) = 0;
   * c[3]: lanes 0,1 see 2 != lid; lane 2 sees 2 == 2 -> 9; lane 3 sees 9 != 3 */
  uint32_t want_c[4] = {10, 9, 0, 9}, want_old[4] = {0, 1, 3, 6};
  expect_words(&out.items[0], want_c, 4);
  expect_words(&out.items[1], want_old, 4);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

/* Subgroups of width 32: full reduction, ballot, shuffle; the snapshot of a
 * lagging lane lacks a local, which is an error as in vyre. */
static void test_subgroups(void **state) {
  (void)state;
  vy_builder *b = new_builder(4, 1, 1);
  vy_b_count(b, vy_b_output(b, "sum", 0, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_read_write(b, "bal", 1, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_read_write(b, "shf", 2, VY_TYPE_U32), 4);
  vy_b_let(b, "v", BIN(ADD, LID, U(1)));
  vy_b_store(b, "sum", LID, vy_b_subgroup_add(b, V("v")));
  vy_b_store(b, "bal", LID, vy_b_subgroup_ballot(b, BIN(EQ, BIN(MOD, LID, U(2)), U(1))));
  vy_b_store(b, "shf", LID, vy_b_subgroup_shuffle(b, BIN(MUL, V("v"), U(10)), BIN(SUB, U(3), LID)));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t z[4] = {0};
  vy_interp_input in[2] = {{z, 16}, {z, 16}};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, in, 2, NULL, &out, &err), VY_OK);
  uint32_t ws[4] = {10, 10, 10, 10}, wb[4] = {10, 10, 10, 10}, wsh[4] = {40, 30, 20, 10};
  expect_words(&out.items[0], ws, 4);
  expect_words(&out.items[1], wb, 4);
  expect_words(&out.items[2], wsh, 4);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);

  b = new_builder(2, 1, 1);
  vy_b_count(b, vy_b_output(b, "sum", 0, VY_TYPE_U32), 2);
  vy_b_if(b, BIN(EQ, LID, U(0)));
  vy_b_let(b, "pad", U(0));
  vy_b_end(b);
  vy_b_let(b, "v", LID);
  vy_b_store(b, "sum", LID, vy_b_subgroup_add(b, V("v")));
  p = finish(b, VY_FINISH_WRAPPED);
  expect_runtime_error(p, true, NULL, 0, VY_E_RUNTIME, "undeclared variable `v`");
  vy_program_destroy(p);
}

/* AsyncLoad/AsyncStore/AsyncWait and their errors. */
static void test_async(void **state) {
  (void)state;
  vy_builder *b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_read(b, "src", 0, VY_TYPE_U32), 2);
  vy_b_count(b, vy_b_output(b, "dst", 1, VY_TYPE_U32), 3);
  vy_b_count(b, vy_b_read_write(b, "dst2", 2, VY_TYPE_U32), 3);
  vy_b_if(b, BIN(EQ, GID, U(0)));
  vy_b_async_load(b, "src", "dst", U(4), U(12), "t"); /* bytes 4..16 of an 8-byte source */
  vy_b_async_store(b, "src", "dst2", U(8), U(8), "u"); /* 8 bytes at dst2 byte 8: clipped to 4 */
  vy_b_async_wait(b, "u");
  vy_b_async_wait(b, "t");
  vy_b_end(b);
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t src[2] = {0x11111111u, 0x22222222u}, zero[3] = {0, 0, 0};
  vy_interp_input in[2] = {{src, sizeof src}, {zero, sizeof zero}};
  vy_interp_outputs out;
  vy_error err;
  vy_status st_ = run_p(p, true, in, 2, NULL, &out, &err);
  if (st_ != VY_OK) fail_msg("%s", err.message);
  uint32_t want_d[3] = {0x22222222u, 0, 0}, want_d2[3] = {0, 0, 0x11111111u};
  expect_words(&out.items[0], want_d, 3);
  expect_words(&out.items[1], want_d2, 3);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);

  b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_output(b, "d", 0, VY_TYPE_U32), 1);
  vy_b_async_load(b, "d", "d", U(0), U(4), "t");
  p = finish(b, VY_FINISH_WRAPPED);
  expect_runtime_error(p, true, NULL, 0, VY_E_RUNTIME, "still pending");
  vy_program_destroy(p);

  b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_output(b, "d", 0, VY_TYPE_U32), 1);
  vy_b_async_wait(b, "t");
  p = finish(b, VY_FINISH_WRAPPED);
  expect_runtime_error(p, true, NULL, 0, VY_E_RUNTIME, "no matching async transfer");
  vy_program_destroy(p);

  b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_output(b, "d", 0, VY_TYPE_U32), 1);
  vy_b_async_load(b, "d", "d", U(0), U(4), "t");
  vy_b_async_load(b, "d", "d", U(0), U(4), "t");
  p = finish(b, VY_FINISH_WRAPPED);
  expect_runtime_error(p, true, NULL, 0, VY_E_RUNTIME, "started more than once");
  vy_program_destroy(p);
}

/* One-node programs for runtime errors. */
typedef void (*body_fn)(vy_builder *b);

static vy_program *one(body_fn f, uint32_t wx, uint32_t wy) {
  vy_builder *b = new_builder(wx, wy, 1);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 1);
  vy_b_count(b, vy_b_read(b, "in", 1, VY_TYPE_I32), 1);
  f(b);
  return finish(b, VY_FINISH_WRAPPED);
}

static void div_zero(vy_builder *b) {
  vy_b_store(b, "out", U(0), vy_b_cast(b, vy_type_scalar(VY_TYPE_U32),
                                       BIN(DIV, I(7), vy_b_load(b, "in", U(0)))));
}
static void trap(vy_builder *b) { vy_b_trap(b, U(42), "boom"); }
static void shadow(vy_builder *b) {
  vy_b_let(b, "x", U(1));
  vy_b_block(b);
  vy_b_let(b, "x", U(2));
  vy_b_end(b);
}
static void undeclared(vy_builder *b) { vy_b_store(b, "out", U(0), V("nope")); }
static void loopvar(vy_builder *b) {
  vy_b_loop(b, "i", U(0), U(2));
  vy_b_assign(b, "i", U(5));
  vy_b_end(b);
}
static void nonuniform(vy_builder *b) {
  vy_b_loop(b, "i", U(0), U(2));
  vy_b_if(b, BIN(EQ, V("i"), U(0)));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_end(b);
  vy_b_end(b);
}
static void indirect(vy_builder *b) { vy_b_indirect_dispatch(b, "in", 0); }
static void resume(vy_builder *b) { vy_b_resume(b, "r"); }
static void sg_local(vy_builder *b) { vy_b_store(b, "out", U(0), vy_b_subgroup_local_id(b)); }
static void neg_index(vy_builder *b) { vy_b_store(b, "out", vy_b_load(b, "in", U(0)), U(1)); }
static void bool_mix(vy_builder *b) { vy_b_store(b, "out", U(0), vy_b_cast(b, vy_type_scalar(VY_TYPE_U32), BIN(AND, U(1), vy_b_bool(b, true)))); }
static void forever(vy_builder *b) {
  vy_b_loop(b, "i", U(0), U(0xFFFFFFFFu));
  vy_b_store(b, "out", U(0), V("i"));
  vy_b_end(b);
}
static void wg_atomic(vy_builder *b) {
  vy_b_workgroup(b, "w", 1, VY_TYPE_U32);
  vy_b_store(b, "out", U(0), vy_b_atomic(b, VY_ATOMIC_ADD, 0, VY_ORDERING_SEQ_CST, "w", U(0), NULL, U(1)));
}
static void opaque_node(vy_builder *b) { vy_b_opaque_node(b, "my.ext", (const uint8_t *)"x", 1); }
static void call_nohost(vy_builder *b) { vy_b_store(b, "out", U(0), vy_b_call(b, "my.op", 0, NULL)); }

static void test_runtime_errors(void **state) {
  (void)state;
  struct {
    body_fn f;
    bool validate;
    int32_t input;
    vy_status code;
    const char *needle;
  } cases[] = {
      {div_zero, true, 0, VY_E_RUNTIME, "i32 division by zero"},
      {div_zero, true, -1, VY_OK, NULL},
      {trap, true, 0, VY_E_RUNTIME, "trapped: address=42, tag=`boom`"},
      {shadow, false, 0, VY_E_RUNTIME, "duplicate local binding `x`"},
      {undeclared, false, 0, VY_E_RUNTIME, "undeclared variable `nope`"},
      {loopvar, false, 0, VY_E_RUNTIME, "assignment to loop variable `i`"},
      {nonuniform, true, 0, VY_E_RUNTIME, "uniform-control-flow"},
      {indirect, false, 0, VY_E_RUNTIME, "IndirectDispatch"},
      {resume, false, 0, VY_E_RUNTIME, "Resume `r`"},
      {sg_local, true, 0, VY_E_RUNTIME, "no reference semantics"},
      {neg_index, true, -3, VY_E_RUNTIME, "store index cannot be represented as u32"},
      {bool_mix, false, 0, VY_E_RUNTIME, "mismatched operands"},
      {wg_atomic, false, 0, VY_E_RUNTIME, "workgroup memory or missing"},
      {opaque_node, false, 0, VY_E_RUNTIME, "opaque node extension `my.ext`"},
      {call_nohost, false, 0, VY_E_RUNTIME, "no host-op registry"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    vy_program *p = one(cases[i].f, 1, 1);
    vy_interp_input in = {&cases[i].input, 4};
    if (cases[i].code == VY_OK) {
      vy_interp_outputs out;
      vy_error err;
      assert_int_equal(run_p(p, cases[i].validate, &in, 1, NULL, &out, &err), VY_OK);
      vy_interp_outputs_free(&out);
    } else {
      expect_runtime_error(p, cases[i].validate, &in, 1, cases[i].code, cases[i].needle);
    }
    vy_program_destroy(p);
  }
  /* the location names the node path */
  vy_program *p = one(trap, 1, 1);
  int32_t zero = 0;
  vy_interp_input in = {&zero, 4};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, true, &in, 1, NULL, &out, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "at entry[0].body[0]"));
  assert_non_null(strstr(err.message, "invocation (0,0,0)"));
  vy_program_destroy(p);

  /* step budget */
  p = one(forever, 1, 1);
  vy_interp_options o;
  vy_interp_options_default(&o);
  o.step_budget = 1000;
  assert_int_equal(run_p(p, true, &in, 1, &o, &out, &err), VY_E_TIMEOUT);
  assert_int_equal(out.steps, 1000);
  assert_non_null(strstr(err.message, "Fix:"));
  vy_program_destroy(p);

  /* workgroup size 65536 x 65536 overflows u32: clean error, nothing huge allocated */
  p = one(trap, 65536, 65536);
  expect_runtime_error(p, false, &in, 1, VY_E_RUNTIME, "overflows u32");
  vy_program_destroy(p);
  /* 2^31 invocations: refused by the memory limit before allocating */
  p = one(trap, 65536, 32768);
  expect_runtime_error(p, false, &in, 1, VY_E_NOMEM, "memory limit");
  vy_program_destroy(p);
}

/* §4.1: an empty raw entry and a leading Store are refused; other raw
 * entries are wrapped; WORLD collectives are lowered, others refused. */
static void test_preparation(void **state) {
  (void)state;
  vy_builder *b = new_builder(1, 1, 1);
  vy_program *p = finish(b, VY_FINISH_RAW);
  expect_runtime_error(p, false, NULL, 0, VY_E_INVALID_PROGRAM, "entry is empty");
  vy_program_destroy(p);

  b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 1);
  vy_b_store(b, "out", U(0), U(1));
  p = finish(b, VY_FINISH_RAW);
  expect_runtime_error(p, false, NULL, 0, VY_E_INVALID_PROGRAM, "top-level Store");
  vy_program_destroy(p);

  b = new_builder(2, 1, 1);
  vy_b_count(b, vy_b_read(b, "in", 0, VY_TYPE_U32), 3);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 4);
  vy_b_let(b, "pad", U(0));
  vy_b_all_reduce(b, "out", VY_COLLECTIVE_SUM, 0);
  vy_b_all_gather(b, "in", "out", 0);
  p = finish(b, VY_FINISH_RAW); /* raw entry starting with a Let: wrapped */
  uint32_t in3[3] = {5, 6, 7};
  vy_interp_input in = {in3, sizeof in3};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, false, &in, 1, NULL, &out, &err), VY_OK);
  uint32_t want[4] = {5, 6, 7, 0};
  expect_words(&out.items[0], want, 4);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);

  b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 1);
  vy_b_broadcast(b, "out", 1, 0);
  p = finish(b, VY_FINISH_WRAPPED);
  expect_runtime_error(p, false, NULL, 0, VY_E_INVALID_PROGRAM, "root 1");
  vy_program_destroy(p);
}

/* Typed memory: f32 canonicalization on store and load, Bool buffers load
 * as U32, I32 into U64 zero-extends, Float into U32 writes f64 low bytes. */
static void test_typed_memory(void **state) {
  (void)state;
  vy_builder *b = new_builder(1, 1, 1);
  vy_b_count(b, vy_b_read_write(b, "f", 0, VY_TYPE_F32), 3);
  vy_b_count(b, vy_b_read_write(b, "w", 1, VY_TYPE_U64), 1);
  vy_b_count(b, vy_b_read_write(b, "u", 2, VY_TYPE_U32), 2);
  vy_b_store(b, "f", U(0), vy_b_load(b, "f", U(0)));           /* NaN payload -> 0x7FC00000 */
  vy_b_store(b, "f", U(1), vy_b_f32_bits(b, 0x80000001u));     /* -subnormal -> -0 */
  vy_b_store(b, "f", U(2), U(0x3F800000u));                    /* u32 stored into f32: bits */
  vy_b_store(b, "w", U(0), I(-1));                             /* zero-extended */
  vy_b_store(b, "u", U(0), vy_b_f32(b, 1.5f));                 /* low 4 bytes of f64 1.5 = 0 */
  vy_b_store(b, "u", U(1), vy_b_load(b, "u", U(1)));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  uint32_t f[3] = {0x7F800001u, 0, 0}, w[2] = {0, 0}, u[2] = {0, 77};
  vy_interp_input in[3] = {{f, 12}, {w, 8}, {u, 8}};
  vy_interp_outputs out;
  vy_error err;
  assert_int_equal(run_p(p, false, in, 3, NULL, &out, &err), VY_OK);
  uint32_t wf[3] = {0x7FC00000u, 0x80000000u, 0x3F800000u}, ww[2] = {0xFFFFFFFFu, 0}, wu[2] = {0, 77};
  expect_words(&out.items[0], wf, 3);
  expect_words(&out.items[1], ww, 2);
  expect_words(&out.items[2], wu, 2);
  vy_interp_outputs_free(&out);
  vy_program_destroy(p);
}

/* ---- fault injection ---- */

static vy_status fault_body(const vy_allocator *alloc, void *ctx) {
  const vy_program *p = ctx;
  uint32_t src[2] = {1, 2};
  vy_interp_input in = {src, sizeof src};
  vy_interp_outputs out;
  vy_error err;
  vy_status st = vy_interp_run(p, &in, 1, NULL, NULL, alloc, &out, &err);
  vy_interp_outputs_free(&out);
  return st;
}

static void test_fault_injection(void **state) {
  (void)state;
  vy_builder *b = new_builder(2, 1, 1);
  vy_b_count(b, vy_b_read(b, "src", 0, VY_TYPE_U32), 2);
  vy_b_count(b, vy_b_output(b, "dst", 1, VY_TYPE_U32), 4);
  vy_b_workgroup(b, "sh", 2, VY_TYPE_U32);
  vy_b_store(b, "sh", LID, vy_b_load(b, "src", LID));
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_async_load(b, "src", "dst", U(0), U(8), "t");
  vy_b_async_wait(b, "t");
  vy_b_store(b, "dst", BIN(ADD, GID, U(2)), vy_b_subgroup_add(b, vy_b_load(b, "sh", LID)));
  vy_program *p = finish(b, VY_FINISH_WRAPPED);
  unsigned fails = vy_fault_run_all(fault_body, p);
  assert_true(fails > 3);
  vy_program_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_example),     cmocka_unit_test(test_binding),
      cmocka_unit_test(test_grid),             cmocka_unit_test(test_barrier_workgroup_memory),
      cmocka_unit_test(test_racy_interleaving), cmocka_unit_test(test_atomics),
      cmocka_unit_test(test_subgroups),        cmocka_unit_test(test_async),
      cmocka_unit_test(test_runtime_errors),   cmocka_unit_test(test_preparation),
      cmocka_unit_test(test_typed_memory),     cmocka_unit_test(test_fault_injection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
