/* test_host.c - the host-op registry and interpreter Calls through libffi
 * with real C functions (host.h). Expected values are computed by hand from
 * the functions below and host.h's marshalling rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "interp_int.h"
#include "vyre/builder.h"
#include "vyre/host.h"
#include "vyre/interp.h"

static uint32_t add_scaled(uint32_t a, float f) { return a + (uint32_t)(f * 2.0f); }
static int32_t isub(int32_t a, int32_t b) { return a - b; }
static double halve(double x) { return x / 2.0; }
static float fmix(float a, uint32_t b) { return a * (float)b; }
static uint64_t widen(uint64_t v) { return v; }
static unsigned calls;
static void bump(void) { calls++; }
static bool is_odd(uint8_t v) { return v & 1; }
static uint32_t sum8(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f, uint32_t g, uint32_t h) {
  return a + b + c + d + e + f + g + h;
}

static vy_host_registry *make_registry(void) {
  vy_host_registry *r = NULL;
  vy_error err;
  assert_int_equal(vy_host_registry_create(NULL, &r, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.add_scaled", "u32(u32, f32)", (vy_host_fn)add_scaled, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.isub", "i32(i32,i32)", (vy_host_fn)isub, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.halve", "f64(f64)", (vy_host_fn)halve, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.fmix", " f32 ( f32 , u32 ) ", (vy_host_fn)fmix, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.widen", "u64(u64)", (vy_host_fn)widen, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.bump", "void()", (vy_host_fn)bump, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.is_odd", "bool(u8)", (vy_host_fn)is_odd, &err), VY_OK);
  assert_int_equal(vy_host_register(r, "t.sum8", "u32(u32,u32,u32,u32,u32,u32,u32,u32)", (vy_host_fn)sum8, &err),
                   VY_OK);
  return r;
}

static void test_registry(void **state) {
  (void)state;
  vy_host_registry *r = make_registry();
  vy_error err;
  assert_int_equal(vy_host_registry_count(r), 8);
  vy_host_signature sig;
  assert_true(vy_host_registry_lookup(r, "t.fmix", 6, &sig));
  assert_int_equal(sig.nparams, 2);
  assert_int_equal(sig.params[0], VY_TYPE_F32);
  assert_int_equal(sig.params[1], VY_TYPE_U32);
  assert_true(sig.has_result);
  assert_int_equal(sig.result, VY_TYPE_F32);
  assert_true(vy_host_registry_lookup(r, "t.bump", 6, &sig));
  assert_false(sig.has_result);
  assert_false(vy_host_registry_lookup(r, "t.nope", 6, NULL));
  /* refused registrations leave the registry unchanged */
  assert_int_equal(vy_host_register(r, "t.isub", "i32(i32,i32)", (vy_host_fn)isub, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "already registered"));
  assert_int_equal(vy_host_register(r, "t.x", "u32(u32", (vy_host_fn)isub, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_host_register(r, "t.x", "u32(vec2)", (vy_host_fn)isub, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_host_register(r, "t.x", "u32(void)", (vy_host_fn)isub, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_host_register(r, "t.x", "u32()", NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_host_register(r, "", "u32()", (vy_host_fn)isub, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  vy_type_kind bad = VY_TYPE_VEC2U32;
  vy_host_signature bs = {1, &bad, false, VY_TYPE_U32};
  assert_int_equal(vy_host_register_typed(r, "t.y", &bs, (vy_host_fn)bump, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_host_registry_count(r), 8);
  assert_string_equal(vy_host_type_name(VY_TYPE_I64), "i64");
  assert_null(vy_host_type_name(VY_TYPE_BYTES));
  vy_host_registry_destroy(r);
  vy_host_registry_destroy(NULL);
}

#define U(v) vy_b_u32(b, (v))
#define GID vy_b_invocation_id(b, 0)

static uint32_t word(const vy_bytes *o, size_t i) {
  uint32_t w;
  memcpy(&w, o->data + 4 * i, 4);
  return w;
}

/* A program calling every registered function. */
static void test_calls(void **state) {
  (void)state;
  vy_host_registry *r = make_registry();
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_count(b, vy_b_read(b, "x", 0, VY_TYPE_U32), 2);
  vy_b_count(b, vy_b_output(b, "u", 1, VY_TYPE_U32), 2);
  vy_b_count(b, vy_b_read_write(b, "f", 2, VY_TYPE_F32), 2);
  vy_b_count(b, vy_b_read_write(b, "w", 3, VY_TYPE_U64), 2);
  vy_b_count(b, vy_b_read_write(b, "m", 4, VY_TYPE_U32), 4);
  const vy_expr *xi = vy_b_load(b, "x", GID);
  const vy_expr *a1[2] = {xi, vy_b_f32(b, 1.5f)};
  vy_b_store(b, "u", GID, vy_b_call(b, "t.add_scaled", 2, a1)); /* x + 3 */
  const vy_expr *a2[2] = {vy_b_f32(b, 0.25f), xi};
  vy_b_store(b, "f", GID, vy_b_call(b, "t.fmix", 2, a2)); /* 0.25 * x */
  const vy_expr *a4[1] = {vy_b_cast(b, vy_type_scalar(VY_TYPE_U64), xi)};
  vy_b_store(b, "w", GID, vy_b_call(b, "t.widen", 1, a4)); /* 8-byte result stored into u64 */
  vy_b_if(b, vy_b_bin(b, VY_BINOP_EQ, GID, U(0)));
  vy_b_let(b, "v", vy_b_call(b, "t.bump", 0, NULL));
  const vy_expr *a5[2] = {vy_b_i32(b, 5), vy_b_i32(b, 7)};
  vy_b_store(b, "m", U(0), vy_b_cast(b, vy_type_scalar(VY_TYPE_U32), vy_b_call(b, "t.isub", 2, a5))); /* -2 */
  const vy_expr *a6[1] = {vy_b_cast(b, vy_type_scalar(VY_TYPE_U8), U(0x103))};
  vy_b_store(b, "m", U(1), vy_b_call(b, "t.is_odd", 1, a6)); /* u8 gets 0x03 -> true -> Bytes[1] 01 */
  const vy_expr *a7[8] = {U(1), U(2), U(3), U(4), U(5), U(6), U(7), U(8)};
  vy_b_store(b, "m", U(2), vy_b_call(b, "t.sum8", 8, a7));
  vy_b_end(b);
  vy_program *p = NULL;
  vy_error err;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_OK);
  vy_builder_destroy(b);

  uint32_t x[2] = {10, 0xFFFFFFFFu}, f[2] = {0}, w[4] = {0}, m[4] = {9, 9, 9, 9};
  vy_interp_input in[4] = {{x, 8}, {f, 8}, {w, 16}, {m, 16}};
  vy_interp_outputs out;
  calls = 0;
  vy_status st = vy_interp_run(p, in, 4, r, NULL, NULL, &out, &err);
  if (st != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(out.count, 4);
  assert_int_equal(word(&out.items[0], 0), 13);
  assert_int_equal(word(&out.items[0], 1), 2); /* 0xFFFFFFFF + 3 wraps */
  float f0, f1;
  memcpy(&f0, out.items[1].data, 4);
  memcpy(&f1, out.items[1].data + 4, 4);
  assert_true(f0 == 2.5f && f1 == 0.25f * 4294967295.0f);
  assert_int_equal(word(&out.items[2], 0), 10);
  assert_int_equal(word(&out.items[2], 2), 0xFFFFFFFFu);
  assert_int_equal(word(&out.items[2], 3), 0);
  assert_int_equal(word(&out.items[3], 0), (uint32_t)-2);
  assert_int_equal(word(&out.items[3], 1), 1);
  assert_int_equal(word(&out.items[3], 2), 36);
  assert_int_equal(word(&out.items[3], 3), 9);
  assert_int_equal(calls, 1);
  vy_interp_outputs_free(&out);

  /* without a registry every Call is a runtime error (vyre: no DialectLookup) */
  assert_int_equal(vy_interp_run(p, in, 4, NULL, NULL, NULL, &out, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "no host-op registry"));
  vy_program_destroy(p);
  vy_host_registry_destroy(r);
}

/* Runtime errors of calls that validation would refuse. */
static void test_call_errors(void **state) {
  (void)state;
  vy_host_registry *r = make_registry();
  const char *ids[2] = {"t.isub", "t.unknown"};
  const char *needle[2] = {"received 1 arguments but the signature requires 2", "unsupported call `t.unknown`"};
  for (int k = 0; k < 2; k++) {
    vy_builder *b = NULL;
    assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
    vy_b_count(b, vy_b_output(b, "o", 0, VY_TYPE_U32), 1);
    const vy_expr *a[1] = {vy_b_i32(b, 1)};
    vy_b_let(b, "v", vy_b_call(b, ids[k], 1, a));
    vy_program *p = NULL;
    vy_error err;
    assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_OK);
    vy_builder_destroy(b);
    vy_interp_prepared *pp = NULL;
    assert_int_equal(vy_interp_prepare_ex(p, r, NULL, false, &pp, &err), VY_OK);
    vy_interp_outputs out;
    assert_int_equal(vy_interp_execute(pp, NULL, 0, NULL, &out, &err), VY_E_RUNTIME);
    if (!strstr(err.message, needle[k])) fail_msg("%s", err.message);
    vy_interp_prepared_destroy(pp);
    vy_program_destroy(p);
  }
  vy_host_registry_destroy(r);
}

static vy_status fault_body(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  vy_host_registry *r = NULL;
  vy_error err;
  vy_status st = vy_host_registry_create(alloc, &r, &err);
  if (st != VY_OK) return st;
  for (int i = 0; i < 12 && st == VY_OK; i++) {
    char id[16];
    snprintf(id, sizeof id, "f.op%d", i);
    st = vy_host_register(r, id, "u32(u32, f32, u64)", (vy_host_fn)add_scaled, &err);
  }
  vy_host_registry_destroy(r);
  return st;
}

static void test_fault_injection(void **state) {
  (void)state;
  assert_true(vy_fault_run_all(fault_body, NULL) > 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_registry),
      cmocka_unit_test(test_calls),
      cmocka_unit_test(test_call_errors),
      cmocka_unit_test(test_fault_injection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
