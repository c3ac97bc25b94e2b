/* test_jit_cpu.c - the llvm-cpu backend: identity and capabilities,
 * values of elementwise, barrier, subgroup, atomic and host-call kernels,
 * f32 bit-exactness at the edges (the product that rounds up to the
 * smallest normal, NaN payloads, subnormals, min/max of zeros and NaN,
 * saturating casts), integer division, runtime errors with the
 * interpreter's status and message, DispatchConfig, compile once /
 * dispatch many from several threads, Streamable, the machine code's
 * vector width, the transcendental ULP bound, kernel memory release,
 * `vyre-jit emit` and allocation failures.
 *
 * Expected values come from plain C loops in this file (computed on the
 * test's thread in the default float environment, with the spec's
 * canonicalization written out here) or, for the transcendentals, from
 * the reference interpreter within the documented ULP bound. */
#define _GNU_SOURCE /* popen, mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_cpu_int.h"
#include "fault_alloc.h"
#include "ulp_sweep.h"
#include "vyre/jit.h"
#include "vyre/vyre.h"
#include "backends.h"

static vy_context *g_ctx;
static vy_backend *g_cpu, *g_ref;

/* ---- helpers ---- */

static uint32_t fbits(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}

static float bitsf(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}

/* The spec's canonical f32 (vyre-ir.md §3.2), written out independently. */
static float canon(float x) {
  uint32_t b = fbits(x);
  if ((b & 0x7F800000u) == 0x7F800000u && (b & 0x7FFFFFu)) return bitsf(0x7FC00000u);
  if ((b & 0x7F800000u) == 0 && (b & 0x7FFFFFu)) return bitsf(b & 0x80000000u);
  return x;
}

/* Dispatches on llvm-cpu; fails the test on error. */
static void run_ok(vy_program *p, const vy_input *in, size_t n, const vy_dispatch_config *cfg, vy_outputs *out) {
  vy_error err;
  vy_status st = vy_dispatch(g_cpu, p, in, n, cfg, out, &err);
  if (st != VY_OK) fail_msg("llvm-cpu: %s: %s", vy_status_name(st), err.message);
}

/* Runs on both backends and requires the same outputs byte for byte. */
static void same_as_reference(vy_program *p, const vy_input *in, size_t n) {
  vy_outputs a, b;
  run_ok(p, in, n, NULL, &a);
  vy_error err;
  vy_status st = vy_dispatch(g_ref, p, in, n, NULL, &b, &err);
  if (st != VY_OK) fail_msg("reference: %s", err.message);
  assert_int_equal(a.count, b.count);
  for (size_t i = 0; i < a.count; i++) {
    assert_int_equal(a.items[i].len, b.items[i].len);
    assert_memory_equal(a.items[i].data, b.items[i].data, a.items[i].len);
  }
  vy_outputs_free(&a);
  vy_outputs_free(&b);
}

static bool cpu_has(const char *flag) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return false;
  char line[8192];
  bool found = false;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "flags", 5) != 0) continue;
    size_t len = strlen(flag);
    for (char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
      if (p[-1] == ' ' && (p[len] == ' ' || p[len] == '\n')) found = true;
    break;
  }
  fclose(f);
  return found;
}

/* ---- identity ---- */

static void identity_and_caps(void **state) {
  (void)state;
  assert_string_equal(vy_backend_id(g_cpu), "llvm-cpu");
  vy_backend_caps c;
  vy_backend_capabilities(g_cpu, &c);
  assert_int_equal(c.subgroup_size, 32);
  assert_true(c.subgroup_ops);
  assert_true(c.dispatches);
  assert_int_equal(c.threads, 2);
  assert_non_null(vy_backend_executable(g_cpu));
  assert_non_null(vy_backend_streamable(g_cpu));
  const char *want[] = {"vyre.node.let", "vyre.node.barrier", "vyre.node.async_load", "vyre.node.trap"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    assert_true(vy_backend_supports_op(g_cpu, want[i], strlen(want[i])));
  assert_false(vy_backend_supports_op(g_cpu, "vyre.node.indirect_dispatch", 27));
  /* refused before any work, naming the op, the node and the backend */
  vy_program *p = vt_parse("program {\n  buffer c: u32 read @0 count(4)\n  region r {\n    if true {\n"
                        "      indirect_dispatch(c, 0)\n    }\n  }\n}\n");
  vy_outputs out;
  vy_error err;
  uint32_t four[4] = {0};
  vy_input in = {four, sizeof four};
  assert_int_equal(vy_dispatch(g_cpu, p, &in, 1, NULL, &out, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "vyre.node.indirect_dispatch"));
  assert_non_null(strstr(err.message, "entry[0].body[0].then[0]"));
  assert_non_null(strstr(err.message, "`llvm-cpu`"));
  vy_program_destroy(p);
  /* a construct llvm-cpu documents as unsupported: a variable whose runtime
   * kind changes (a bool buffer loads as u32, vyre-ir.md §4.3) */
  p = vt_parse("program {\n  buffer b: bool read @0 count(1)\n  buffer o: u32 read_write @1 count(1)\n  region r {\n"
            "    let x = b[0]\n    x = true\n    o[0] = 1\n  }\n}\n");
  uint8_t word[4] = {0}, four_b[4] = {0};
  vy_input in2[2] = {{word, 4}, {four_b, 4}};
  assert_int_equal(vy_dispatch(g_cpu, p, in2, 2, NULL, &out, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "runtime kind"));
  assert_non_null(strstr(err.message, "Fix:"));
  vy_program_destroy(p);
}

/* ---- elementwise values ---- */

static const char saxpy_src[] = "program workgroup(64) {\n"
                                "  buffer x: f32 read @0\n"
                                "  buffer y: f32 read_write @1\n"
                                "  buffer a: f32 uniform @2 count(1)\n"
                                "  region vyre.program.root {\n"
                                "    let i = gid.x\n"
                                "    if i < len(y) {\n"
                                "      y[i] = fma(a[0], x[i], y[i])\n"
                                "    }\n"
                                "  }\n"
                                "}\n";

static void saxpy_values(void **state) {
  (void)state;
  vy_program *p = vt_parse(saxpy_src);
  /* y longer than x (x[i] past the end loads 0), not a multiple of 64 */
  enum { NY = 1003, NX = 990 };
  static float x[NX], y[NY], a = 1.5f;
  for (int i = 0; i < NX; i++) x[i] = (float)i * 0.25f - 7.0f;
  for (int i = 0; i < NY; i++) y[i] = (float)(i % 17) - 3.5f;
  vy_input in[3] = {{x, sizeof x}, {y, sizeof y}, {&a, sizeof a}};
  vy_outputs out;
  run_ok(p, in, 3, NULL, &out);
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, sizeof y);
  const float *r = (const float *)out.items[0].data;
  for (int i = 0; i < NY; i++) {
    float want = canon(fmaf(a, i < NX ? x[i] : 0.0f, y[i]));
    if (fbits(r[i]) != fbits(want)) fail_msg("y[%d]: %a, expected %a", i, r[i], want);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* Products, quotients and fmas whose exact value lies just below the
 * smallest normal and rounds up to it: the reference rounds first and
 * keeps FLT_MIN; x86's flush-to-zero would give 0. Also subnormal inputs,
 * NaN payloads, signed zeros. */
static void f32_edges(void **state) {
  (void)state;
  vy_program *p =
      vt_parse("program workgroup(8) {\n"
            "  buffer a: f32 read @0\n  buffer b: f32 read @1\n"
            "  buffer mul: f32 read_write @2\n  buffer div: f32 read_write @3\n"
            "  buffer fm: f32 read_write @4\n  buffer add: f32 read_write @5\n"
            "  buffer copy: f32 read_write @6\n  buffer mn: f32 read_write @7\n  buffer mx: f32 read_write @8\n"
            "  region r {\n    let i = gid.x\n    if i < len(a) {\n"
            "      mul[i] = a[i] * b[i]\n      div[i] = a[i] / b[i]\n      fm[i] = fma(a[i], b[i], 0.0f)\n"
            "      add[i] = a[i] + b[i]\n      copy[i] = a[i]\n"
            "      mn[i] = min(a[i], b[i])\n      mx[i] = max(a[i], b[i])\n    }\n  }\n}\n");
  const float tie = 1.0f - 0x1p-24f, fmin = 0x1p-126f;
  float a[] = {tie,
               0x1p-126f * 3.0f,
               fmin,
               0x1p-100f,
               bitsf(0x000116C2u),
               bitsf(0x80000001u),
               bitsf(0x7FC00001u),
               bitsf(0xFF800001u),
               0.0f,
               -0.0f,
               3.0f,
               bitsf(0x7FC00000u),
               1.0f,
               -2.0f,
               1e30f,
               0x1.fffffep-127f};
  float b[] = {fmin,
               1.0f / 3.0f,
               1.0f + 0x1p-23f,
               0x1p-26f,
               0.0f,
               bitsf(0x00000005u),
               1.0f,
               2.0f,
               -0.0f,
               0.0f,
               bitsf(0x7FC00000u),
               3.0f,
               0x1p-127f,
               0.0f,
               1e-30f,
               1.0f};
  enum { N = sizeof a / sizeof *a };
  static uint8_t zeros[7][N * 4];
  vy_input in[9] = {{a, sizeof a}, {b, sizeof b}};
  for (int k = 0; k < 7; k++) in[2 + k] = (vy_input){zeros[k], sizeof zeros[k]};
  vy_outputs out;
  run_ok(p, in, 9, NULL, &out);
  assert_int_equal(out.count, 7);
  for (int i = 0; i < N; i++) {
    float x = canon(a[i]), y = canon(b[i]);
    float mn = isnan(x) ? y : isnan(y) ? x : (y < x ? y : x);
    float mx = isnan(x) ? y : isnan(y) ? x : (y > x ? y : x);
    float want[7] = {canon(x * y), canon(x / y), canon(fmaf(x, y, 0.0f)), canon(x + y), x, canon(mn), canon(mx)};
    for (int k = 0; k < 7; k++) {
      uint32_t got;
      memcpy(&got, out.items[k].data + 4 * i, 4);
      if (got != fbits(want[k]))
        fail_msg("output %d, element %d (%a, %a): 0x%08x, expected 0x%08x", k, i, a[i], b[i], got, fbits(want[k]));
    }
  }
  /* the boundary itself, checked by hand: the tie rounds up to FLT_MIN */
  uint32_t m0;
  memcpy(&m0, out.items[0].data, 4);
  assert_int_equal(m0, 0x00800000u);
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* Rust `as` casts (saturating, NaN -> 0) and float truthiness. */
static void casts_saturate(void **state) {
  (void)state;
  vy_program *p = vt_parse("program workgroup(4) {\n  buffer x: f32 read @0\n  buffer u: u32 read_write @1\n"
                        "  buffer s: i32 read_write @2\n  buffer t: u32 read_write @3\n"
                        "  region r {\n    let i = gid.x\n    if i < len(x) {\n      u[i] = cast<u32>(x[i])\n"
                        "      s[i] = cast<i32>(x[i])\n      t[i] = select(x[i], 1, 0)\n    }\n  }\n}\n");
  float x[] = {
      NAN,   INFINITY,           -INFINITY, -1.5f, 1.5f, 4294967040.0f, 4294967296.0f, 2147483648.0f, -2147483904.0f,
      -0.0f, bitsf(0x00000003u), 123456.78f};
  enum { N = sizeof x / sizeof *x };
  uint32_t u_want[N] = {0, UINT32_MAX, 0, 0, 1, 4294967040u, UINT32_MAX, 2147483648u, 0, 0, 0, 123456};
  int32_t s_want[N] = {0, INT32_MAX, INT32_MIN, -1, 1, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MIN, 0, 0, 123456};
  uint32_t t_want[N] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1}; /* NaN is truthy, subnormal and -0 are not */
  static uint8_t z[3][N * 4];
  vy_input in[4] = {{x, sizeof x}, {z[0], sizeof z[0]}, {z[1], sizeof z[1]}, {z[2], sizeof z[2]}};
  vy_outputs out;
  run_ok(p, in, 4, NULL, &out);
  assert_memory_equal(out.items[0].data, u_want, sizeof u_want);
  assert_memory_equal(out.items[1].data, s_want, sizeof s_want);
  assert_memory_equal(out.items[2].data, t_want, sizeof t_want);
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* u32 and i32 division (llvm-cpu divides through f64): against C on
 * boundary and random operands. */
static void integer_division(void **state) {
  (void)state;
  vy_program *p = vt_parse("program workgroup(16) {\n  buffer a: u32 read @0\n  buffer b: u32 read @1\n"
                        "  buffer q: u32 read_write @2\n  buffer r: u32 read_write @3\n"
                        "  buffer sq: i32 read_write @4\n  buffer sr: i32 read_write @5\n"
                        "  region g {\n    let i = gid.x\n    if i < len(a) {\n      q[i] = a[i] / b[i]\n"
                        "      r[i] = a[i] % b[i]\n      let sb = select(cast<i32>(b[i]) == 0i, 1i, cast<i32>(b[i]))\n"
                        "      let sa = select(cast<i32>(a[i]) == -2147483648i && sb == -1i, 0i, cast<i32>(a[i]))\n"
                        "      sq[i] = sa / sb\n      sr[i] = cast<i32>(sa % sb)\n    }\n  }\n}\n");
  enum { N = 4096 };
  static uint32_t a[N], b[N];
  static uint8_t z[4][N * 4];
  static const uint32_t edge[][2] = {{UINT32_MAX, 1},
                                     {UINT32_MAX, UINT32_MAX},
                                     {UINT32_MAX, UINT32_MAX - 1},
                                     {UINT32_MAX - 1, UINT32_MAX},
                                     {0, 0},
                                     {7, 0},
                                     {0x80000000u, 0xFFFFFFFFu},
                                     {0x80000000u, 2},
                                     {4294967294u, 65535},
                                     {4294967295u, 65537},
                                     {1u << 31, 3},
                                     {0x7FFFFFFFu, 0xFFFFFFFEu}};
  uint64_t s = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < N; i++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    a[i] = (uint32_t)s;
    b[i] = (uint32_t)(s >> 32) >> (s % 32);
  }
  for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) a[i] = edge[i][0], b[i] = edge[i][1];
  vy_input in[6] = {{a, sizeof a}, {b, sizeof b}, {z[0], N * 4}, {z[1], N * 4}, {z[2], N * 4}, {z[3], N * 4}};
  vy_outputs out;
  run_ok(p, in, 6, NULL, &out);
  for (int i = 0; i < N; i++) {
    uint32_t q = b[i] ? a[i] / b[i] : UINT32_MAX, r = b[i] ? a[i] % b[i] : 0, gq, gr;
    int32_t sb = (int32_t)b[i] ? (int32_t)b[i] : 1, sa = ((int32_t)a[i] == INT32_MIN && sb == -1) ? 0 : (int32_t)a[i];
    int32_t sq = sa / sb, sr = sa % sb, gsq, gsr;
    memcpy(&gq, out.items[0].data + 4 * i, 4);
    memcpy(&gr, out.items[1].data + 4 * i, 4);
    memcpy(&gsq, out.items[2].data + 4 * i, 4);
    memcpy(&gsr, out.items[3].data + 4 * i, 4);
    if (gq != q || gr != r || gsq != sq || gsr != sr)
      fail_msg("%u, %u: got %u %u %d %d, expected %u %u %d %d", a[i], b[i], gq, gr, gsq, gsr, q, r, sq, sr);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* Loops with workgroup-uniform bounds run with the invocations innermost,
 * under divergent Ifs with per-invocation masks, returns included. */
static void interchanged_loops(void **state) {
  (void)state;
  vy_program *p = vt_parse("program workgroup(8, 8) {\n  buffer a: f32 read @0\n  buffer b: f32 read @1\n"
                        "  buffer c: f32 read_write @2\n  buffer bias: f32 read @3\n  region r {\n"
                        "    let n = len(bias)\n    let col = gid.x\n    let row = gid.y\n"
                        "    if row < n && col < n {\n      let acc = 0.0f\n      loop k in 0..n {\n"
                        "        acc = fma(a[row * n + k], b[k * n + col], acc)\n      }\n"
                        "      c[row * n + col] = acc + bias[col]\n    }\n  }\n}\n");
  enum { N = 37 };
  static float a[N * N], b[N * N], c[N * N], bias[N];
  for (int i = 0; i < N * N; i++) a[i] = (float)(i % 13) * 0.37f - 1.5f, b[i] = (float)(i % 7) * 0.11f + 0.25f;
  for (int i = 0; i < N; i++) bias[i] = (float)i;
  vy_input in[4] = {{a, sizeof a}, {b, sizeof b}, {c, sizeof c}, {bias, sizeof bias}};
  vy_dispatch_config cfg; /* 5 x 5 workgroups of 8 x 8 cover 37 x 37 */
  vy_dispatch_config_default(&cfg);
  cfg.has_grid_override = true;
  cfg.grid_override[0] = cfg.grid_override[1] = 5, cfg.grid_override[2] = 1;
  vy_outputs out;
  run_ok(p, in, 4, &cfg, &out);
  for (int r = 0; r < N; r++)
    for (int q = 0; q < N; q++) {
      float acc = 0.0f;
      for (int k = 0; k < N; k++) acc = fmaf(a[r * N + k], b[k * N + q], acc);
      float want = canon(acc + bias[q]), got;
      memcpy(&got, out.items[0].data + 4 * (r * N + q), 4);
      if (fbits(got) != fbits(want)) fail_msg("c[%d][%d] = %a, expected %a", r, q, got, want);
    }
  vy_outputs_free(&out);
  vy_program_destroy(p);
  p = vt_parse("program workgroup(64) {\n  buffer x: u32 read @0\n  buffer o: u32 read_write @1\n  region r {\n"
            "    let i = gid.x\n    let n = len(x)\n    let acc = 0\n    if i % 3 == 1 {\n"
            "      loop k in 0..n {\n        acc = acc + x[(k + i) % n] * k\n      }\n"
            "      if acc % 2 == 0 {\n        return\n      }\n      o[i] = acc\n    } else {\n"
            "      loop k in 0..n / 2 {\n        acc = acc ^ x[k]\n      }\n      o[i] = acc + 1\n    }\n  }\n}\n");
  enum { M = 300, O = 200 };
  static uint32_t x[M], o[O];
  for (int i = 0; i < M; i++) x[i] = (uint32_t)(i * 2654435761u) >> 5;
  memset(o, 0xCD, sizeof o);
  vy_input in2[2] = {{x, sizeof x}, {o, sizeof o}};
  same_as_reference(p, in2, 2);
  run_ok(p, in2, 2, NULL, &out);
  for (uint32_t i = 0; i < O; i++) {
    uint32_t acc = 0, want = 0xCDCDCDCDu, got;
    if (i % 3 == 1) {
      for (uint32_t k = 0; k < M; k++) acc += x[(k + i) % M] * k;
      if (acc % 2) want = acc;
    } else {
      for (uint32_t k = 0; k < M / 2; k++) acc ^= x[k];
      want = acc + 1;
    }
    memcpy(&got, out.items[0].data + 4 * i, 4);
    assert_int_equal(got, want);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* ---- runtime errors ---- */

/* Runs src (without the validator when !validate, to reach the runtime
 * rules vyre's validator also guards) and checks the error. */
static void expect_error(const char *src, const vy_input *in, size_t n, bool validate, vy_status code,
                         const char *const *needles) {
  vy_program *p = vt_parse(src);
  vy_outputs out = {0};
  vy_error err;
  vy_kernel *k = NULL;
  vy_status st = vy_cpu_compile_ex(g_cpu, p, NULL, validate, &k, &err);
  if (st == VY_OK) st = vy_kernel_dispatch(k, in, n, NULL, &out, &err);
  vy_kernel_destroy(k);
  if (st != code) fail_msg("expected %s, got %s: %s", vy_status_name(code), vy_status_name(st), err.message);
  for (size_t i = 0; needles[i]; i++)
    if (!strstr(err.message, needles[i])) fail_msg("message lacks \"%s\": %s", needles[i], err.message);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(out.count, 0);
  vy_program_destroy(p);
}

static void runtime_errors(void **state) {
  (void)state;
  int32_t v[8] = {7, 1, 2, 3, 4, 5, 6, 7}, d[8] = {1, 1, 1, 1, 1, 0, 1, 1};
  static uint8_t z[32];
  vy_input in[3] = {{v, sizeof v}, {d, sizeof d}, {z, sizeof z}};
  /* i32 division by zero in invocation 5: the interpreter's message (operator text, node path, line, invocation) */
  expect_error(
      "program workgroup(4) {\n  buffer a: i32 read @0\n  buffer b: i32 read @1\n"
      "  buffer o: i32 read_write @2\n  region r {\n    let i = gid.x\n    o[i] = a[i] / b[i]\n  }\n}\n",
      in, 3, true, VY_E_RUNTIME,
      (const char *[]){"i32 division by zero (5 / 0)", "entry[0].body[1]", "line 7", "invocation (5,0,0)", NULL});
  /* a trap, an index that does not fit u32, a non-uniform barrier If */
  expect_error("program workgroup(4) {\n  buffer o: u32 read_write @0 count(8)\n  region r {\n"
               "    if gid.x == 6 {\n      trap(42, boom)\n    }\n  }\n}\n",
               &in[2], 1, true, VY_E_RUNTIME,
               (const char *[]){"trapped: address=42", "boom", "invocation (6,0,0)", NULL});
  expect_error("program workgroup(4) {\n  buffer a: i32 read @0\n  buffer o: i32 read_write @1 count(8)\n"
               "  region r {\n    o[0] = a[cast<i32>(gid.x) - 3i]\n  }\n}\n",
               (vy_input[]){in[0], in[2]}, 2, true, VY_E_RUNTIME,
               (const char *[]){"load index cannot be represented as u32", "invocation (0,0,0)", NULL});
  expect_error("program workgroup(4) {\n  buffer o: u32 read_write @0 count(8)\n  region r {\n"
               "    if lid.x < 2 {\n      barrier\n    }\n  }\n}\n",
               &in[2], 1, false, VY_E_RUNTIME, (const char *[]){"uniform-control-flow", "entry[0].body[0]", NULL});
  /* a barrier Loop whose bounds differ: llvm-cpu's documented refusal at run time */
  expect_error("program workgroup(4) {\n  buffer o: u32 read_write @0 count(8)\n  region r {\n"
               "    loop k in 0..lid.x {\n      barrier\n    }\n  }\n}\n",
               &in[2], 1, false, VY_E_UNSUPPORTED, (const char *[]){"llvm-cpu", "bounds differ", NULL});
}

/* ---- barriers, workgroup memory, subgroups, atomics ---- */

static const char reduce_src[] = "program workgroup(256) {\n"
                                 "  buffer x: u32 read @0\n"
                                 "  buffer sums: u32 read_write @1\n"
                                 "  buffer tmp: u32 workgroup count(256)\n"
                                 "  region vyre.program.root {\n"
                                 "    let l = lid.x\n"
                                 "    tmp[l] = x[gid.x] * 3\n"
                                 "    barrier\n"
                                 "    loop s in 0..8 {\n"
                                 "      let stride = 128 >> s\n"
                                 "      if l < stride {\n"
                                 "        tmp[l] = tmp[l] + tmp[l + stride]\n"
                                 "      }\n"
                                 "      barrier\n"
                                 "    }\n"
                                 "    if l == 0 {\n"
                                 "      sums[wgid.x] = tmp[0]\n"
                                 "    }\n"
                                 "  }\n"
                                 "}\n";

static void barrier_reduction(void **state) {
  (void)state;
  vy_program *p = vt_parse(reduce_src);
  enum { WG = 37, N = 256 * WG - 100 };
  static uint32_t x[N], sums[WG];
  for (int i = 0; i < N; i++) x[i] = (uint32_t)(i * 2654435761u) >> 7;
  vy_input in[2] = {{x, sizeof x}, {sums, sizeof sums}};
  vy_dispatch_config c; /* the grid rule would size the grid by `sums` (§4.4): one workgroup per sum instead */
  vy_dispatch_config_default(&c);
  c.has_grid_override = true;
  c.grid_override[0] = WG, c.grid_override[1] = c.grid_override[2] = 1;
  vy_outputs out;
  run_ok(p, in, 2, &c, &out);
  for (int w = 0; w < WG; w++) {
    uint32_t s = 0;
    for (int i = 0; i < 256; i++) s += w * 256 + i < N ? x[w * 256 + i] * 3 : 0;
    uint32_t got;
    memcpy(&got, out.items[0].data + 4 * w, 4);
    assert_int_equal(got, s);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* Returns before a barrier; later regions skip the returned invocations. */
static void return_before_barrier(void **state) {
  (void)state;
  vy_program *p = vt_parse("program workgroup(64) {\n  buffer o: u32 read_write @0\n  buffer w: u32 workgroup count(64)\n"
                        "  region r {\n    let l = lid.x\n    w[l] = l + 1\n    if l % 3 == 0 {\n      return\n    }\n"
                        "    barrier\n    o[gid.x] = w[63 - l] + l * 1000\n  }\n}\n");
  enum { N = 64 * 5 };
  static uint32_t o[N];
  memset(o, 0xAB, sizeof o);
  vy_input in = {o, sizeof o};
  same_as_reference(p, &in, 1);
  vy_outputs out;
  run_ok(p, &in, 1, NULL, &out);
  for (int i = 0; i < N; i++) {
    uint32_t l = (uint32_t)i % 64, want = l % 3 == 0 ? 0xABABABABu : (63 - l + 1) + l * 1000, got;
    memcpy(&got, out.items[0].data + 4 * i, 4);
    assert_int_equal(got, want);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

static void subgroup_ops(void **state) {
  (void)state;
  /* 80 lanes: subgroups of 32, 32 and 16 */
  vy_program *p = vt_parse("program workgroup(80) {\n  buffer x: u32 read @0\n  buffer s: u32 read_write @1\n"
                        "  buffer b: u32 read_write @2\n  buffer h: u32 read_write @3\n"
                        "  region r {\n    let l = lid.x\n    let v = x[gid.x]\n"
                        "    s[gid.x] = subgroup_add(v)\n    b[gid.x] = subgroup_ballot(v % 3 == 0)\n"
                        "    h[gid.x] = subgroup_shuffle(v, (l * 7 + 3) % 40)\n  }\n}\n");
  enum { N = 160 };
  static uint32_t x[N], z[3][N];
  for (int i = 0; i < N; i++) x[i] = (uint32_t)(i * 37 + 11) % 101;
  vy_input in[4] = {{x, sizeof x}, {z[0], sizeof z[0]}, {z[1], sizeof z[1]}, {z[2], sizeof z[2]}};
  same_as_reference(p, in, 4);
  vy_outputs out;
  run_ok(p, in, 4, NULL, &out);
  for (int i = 0; i < N; i++) {
    int l = i % 80, start = i - l + l / 32 * 32, n = l / 32 == 2 ? 16 : 32;
    uint32_t sum = 0, ballot = 0, src = (uint32_t)(l * 7 + 3) % 40;
    for (int j = 0; j < n; j++) {
      sum += x[start + j];
      if (x[start + j] % 3 == 0) ballot |= 1u << j;
    }
    uint32_t shuf = src < (uint32_t)n ? x[start + src] : 0, got[3];
    for (int k = 0; k < 3; k++) memcpy(&got[k], out.items[k].data + 4 * i, 4);
    assert_int_equal(got[0], sum);
    assert_int_equal(got[1], ballot);
    assert_int_equal(got[2], shuf);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

static void atomics_histogram(void **state) {
  (void)state;
  vy_program *p = vt_parse("program workgroup(128) {\n  buffer x: u32 read @0\n  buffer h: u32 read_write @1 count(64)\n"
                        "  buffer m: u32 read_write @2 count(1)\n"
                        "  region r {\n    let i = gid.x\n    if i < len(x) {\n"
                        "      let old = atomic_add(h[x[i] % 64], 1)\n      let o2 = atomic_max(m[0], x[i])\n"
                        "      let o3 = atomic_add(h[64 + i], 5)\n    }\n  }\n}\n");
  enum { N = 10000 };
  static uint32_t x[N], h[64], m[1];
  for (int i = 0; i < N; i++) x[i] = (uint32_t)(i * 2654435761u) >> 9;
  vy_input in[3] = {{x, sizeof x}, {h, sizeof h}, {m, sizeof m}};
  vy_dispatch_config c; /* one invocation per element of x (the grid rule would follow h) */
  vy_dispatch_config_default(&c);
  c.has_grid_override = true;
  c.grid_override[0] = (N + 127) / 128, c.grid_override[1] = c.grid_override[2] = 1;
  vy_outputs out;
  run_ok(p, in, 3, &c, &out);
  uint32_t want[64] = {0}, mx = 0;
  for (int i = 0; i < N; i++) {
    want[x[i] % 64]++;
    if (x[i] > mx) mx = x[i];
  }
  assert_memory_equal(out.items[0].data, want, sizeof want); /* out-of-range atomics wrote nothing */
  assert_memory_equal(out.items[1].data, &mx, 4);
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* Commutative atomics on output buffers whose old values nobody reads are
 * accumulated per worker and merged (one small buffer lives in registers);
 * an atomic whose old value is read stays a real atomic. */
static void private_atomics(void **state) {
  (void)state;
  vy_program *p =
      vt_parse("program workgroup(32) {\n  buffer x: u32 read @0\n"
            "  buffer hadd: u32 read_write @1 count(100) output\n"
            "  buffer one: u32 read_write @2 count(1) live_out\n"
            "  buffer hmax: u32 read_write @3 count(8) live_out\n"
            "  buffer hxor: u32 read_write @4 count(40) live_out\n"
            "  buffer seen: u32 read_write @5 count(1) live_out\n"
            "  region r {\n    let i = gid.x\n    if i < len(x) {\n      let v = x[i]\n"
            "      let a = atomic_add(hadd[v % 101], v & 7)\n"
            "      if v % 5 == 0 {\n        let b = atomic_add(one[0], 1)\n      }\n"
            "      let c = atomic_lru_update(hmax[v % 8], v)\n      let d = atomic_max(hmax[v % 8], v >> 3)\n"
            "      let e = atomic_xor(hxor[v % 40], v)\n"
            "      let f = atomic_or(seen[0], 1 << (v % 32))\n      if f == 12345 {\n        return\n      }\n"
            "    }\n  }\n}\n");
  enum { N = 20000 };
  static uint32_t x[N];
  for (int i = 0; i < N; i++) x[i] = (uint32_t)(i * 2654435761u) >> 7;
  vy_input in = {x, sizeof x};
  vy_dispatch_config c;
  vy_dispatch_config_default(&c);
  c.has_grid_override = true;
  c.grid_override[0] = N / 32, c.grid_override[1] = c.grid_override[2] = 1;
  vy_outputs out;
  run_ok(p, &in, 1, &c, &out);
  uint32_t hadd[100] = {0}, one = 0, hmax[8] = {0}, hxor[40] = {0}, seen = 0;
  for (int i = 0; i < N; i++) {
    uint32_t v = x[i];
    if (v % 101 < 100) hadd[v % 101] += v & 7; /* index 100 is out of range: dropped */
    if (v % 5 == 0) one++;
    if (v > hmax[v % 8]) hmax[v % 8] = v;
    hxor[v % 40] ^= v;
    seen |= 1u << (v % 32);
  }
  assert_int_equal(out.count, 5);
  assert_memory_equal(out.items[0].data, hadd, sizeof hadd);
  assert_memory_equal(out.items[1].data, &one, 4);
  assert_memory_equal(out.items[2].data, hmax, sizeof hmax);
  assert_memory_equal(out.items[3].data, hxor, sizeof hxor);
  assert_memory_equal(out.items[4].data, &seen, 4);
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* ---- host calls ---- */

static float host_mad(float a, float b) { return a * b + 1.0f; }
static uint64_t host_wide(uint32_t a) { return (uint64_t)a * 3000000000u; }
static uint32_t host_mix(bool f, int8_t s, uint8_t u) { return (f ? 1000u : 0u) + (uint32_t)(int32_t)s * 10u + u; }

static void host_calls(void **state) {
  (void)state;
  vy_host_registry *reg;
  vy_error err;
  assert_int_equal(vy_host_registry_create(NULL, &reg, &err), VY_OK);
  assert_int_equal(vy_host_register(reg, "t.mad", "f32(f32, f32)", (vy_host_fn)host_mad, &err), VY_OK);
  assert_int_equal(vy_host_register(reg, "t.wide", "u64(u32)", (vy_host_fn)host_wide, &err), VY_OK);
  assert_int_equal(vy_host_register(reg, "t.mix", "u32(bool, i8, u8)", (vy_host_fn)host_mix, &err), VY_OK);
  vy_context_options o;
  vy_context_options_init(&o);
  o.host_ops = reg;
  o.threads = 2;
  vy_context *ctx;
  vy_backend *be;
  assert_int_equal(vy_context_create(&o, &ctx, &err), VY_OK);
  assert_int_equal(vy_jit_register_backends(ctx), VY_OK);
  assert_int_equal(vy_backend_open(ctx, "llvm-cpu", &be, &err), VY_OK);
  vy_program *p = vt_parse(
      "program workgroup(8) {\n  buffer x: u32 read @0\n  buffer f: f32 read_write @1\n"
      "  buffer w: u64 read_write @2\n  buffer m: u32 read_write @3\n"
      "  region r {\n    let i = gid.x\n    if i < len(x) {\n"
      "      f[i] = call t.mad(cast<f32>(x[i]), 0.5f)\n"
      "      w[i] = cast<u64>(call t.wide(x[i]))\n"
      "      m[i] = call t.mix(x[i] % 2 == 0, cast<i8>(cast<i32>(x[i]) - 5i), cast<u8>(x[i] + 250))\n    }\n  }\n}\n");
  enum { N = 20 };
  static uint32_t x[N], f[N], m[N];
  static uint64_t w[N];
  for (int i = 0; i < N; i++) x[i] = (uint32_t)i * 3;
  vy_input in[4] = {{x, sizeof x}, {f, sizeof f}, {w, sizeof w}, {m, sizeof m}};
  vy_outputs out;
  vy_status st = vy_dispatch(be, p, in, 4, NULL, &out, &err);
  if (st) fail_msg("%s", err.message);
  for (int i = 0; i < N; i++) {
    float fw = canon(host_mad((float)x[i], 0.5f));
    uint64_t ww = host_wide(x[i]);
    /* bool gets Bool(x even) = 0/1; cast<i8>/cast<u8> keep the 4 raw bytes (§3.4) and the call passes the low one */
    uint32_t mw = host_mix(x[i] % 2 == 0, (int8_t)(uint8_t)(x[i] - 5), (uint8_t)(x[i] + 250));
    float gf;
    uint64_t gw;
    uint32_t gm;
    memcpy(&gf, out.items[0].data + 4 * i, 4);
    memcpy(&gw, out.items[1].data + 8 * i, 8);
    memcpy(&gm, out.items[2].data + 4 * i, 4);
    assert_int_equal(fbits(gf), fbits(fw));
    assert_int_equal(gw, ww);
    assert_int_equal(gm, mw);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  vy_host_registry_destroy(reg);
}

/* ---- DispatchConfig, kernels, streams ---- */

static const char inc_src[] =
    "program workgroup(4) {\n  buffer y: u32 read_write @0\n  region r {\n"
    "    let i = gid.x\n    if i < len(y) {\n      y[i] = y[i] + 1 + wgid.x * 100\n    }\n  }\n}\n";

static void dispatch_config(void **state) {
  (void)state;
  vy_program *p = vt_parse(inc_src);
  uint32_t y[16] = {0};
  vy_input in = {y, sizeof y};
  vy_dispatch_config c;
  vy_outputs out;
  vy_error err;
  /* grid_override: only workgroups 0 and 1 run */
  vy_dispatch_config_default(&c);
  c.has_grid_override = true;
  c.grid_override[0] = 2, c.grid_override[1] = c.grid_override[2] = 1;
  run_ok(p, &in, 1, &c, &out);
  for (int i = 0; i < 16; i++) {
    uint32_t got;
    memcpy(&got, out.items[0].data + 4 * i, 4);
    assert_int_equal(got, i < 8 ? 1u + (uint32_t)(i / 4) * 100 : 0u);
  }
  vy_outputs_free(&out);
  /* fixpoint: three launches on the same buffers */
  vy_dispatch_config_default(&c);
  c.has_fixpoint_iterations = true;
  c.fixpoint_iterations = 3;
  run_ok(p, &in, 1, &c, &out);
  for (int i = 0; i < 16; i++) {
    uint32_t got;
    memcpy(&got, out.items[0].data + 4 * i, 4);
    assert_int_equal(got, 3u * (1 + (uint32_t)(i / 4) * 100));
  }
  vy_outputs_free(&out);
  /* workgroup_override: 8-wide workgroups, two of them */
  vy_dispatch_config_default(&c);
  c.has_workgroup_override = true;
  c.workgroup_override[0] = 8, c.workgroup_override[1] = c.workgroup_override[2] = 1;
  run_ok(p, &in, 1, &c, &out);
  for (int i = 0; i < 16; i++) {
    uint32_t got;
    memcpy(&got, out.items[0].data + 4 * i, 4);
    assert_int_equal(got, 1u + (uint32_t)(i / 8) * 100);
  }
  vy_outputs_free(&out);
  /* max_output_bytes, fixpoint 0 */
  vy_dispatch_config_default(&c);
  c.max_output_bytes = 63;
  assert_int_equal(vy_dispatch(g_cpu, p, &in, 1, &c, &out, &err), VY_E_DISPATCH_FAILED);
  c.max_output_bytes = 0;
  c.has_fixpoint_iterations = true;
  c.fixpoint_iterations = 0;
  assert_int_equal(vy_dispatch(g_cpu, p, &in, 1, &c, &out, &err), VY_E_INVALID_PROGRAM);
  /* a kernel keeps its workgroup size: another override at dispatch is refused */
  vy_kernel *k;
  vy_dispatch_config_default(&c);
  assert_int_equal(vy_compile(g_cpu, p, &c, &k, &err), VY_OK);
  c.has_workgroup_override = true;
  c.workgroup_override[0] = 2, c.workgroup_override[1] = c.workgroup_override[2] = 1;
  assert_int_equal(vy_kernel_dispatch(k, &in, 1, &c, &out, &err), VY_E_INVALID_ARGUMENT);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
}

static void timeout_stops(void **state) {
  (void)state;
  /* every workgroup spins for a long time; the timeout stops the run at a workgroup boundary */
  vy_program *p = vt_parse("program workgroup(1) {\n  buffer y: u32 read_write @0\n  region r {\n"
                        "    let s = 0\n    loop k in 0..2000000 {\n      s = s * 1664525 + k\n    }\n"
                        "    y[gid.x] = s\n  }\n}\n");
  static uint32_t y[4000];
  vy_input in = {y, sizeof y};
  vy_dispatch_config c;
  vy_dispatch_config_default(&c);
  c.timeout_ns = 20 * 1000 * 1000;
  vy_outputs out;
  vy_error err;
  assert_int_equal(vy_dispatch(g_cpu, p, &in, 1, &c, &out, &err), VY_E_TIMEOUT);
  assert_non_null(strstr(err.message, "timeout"));
  vy_program_destroy(p);
}

typedef struct thread_job {
  vy_kernel *k;
  int seed;
  bool ok;
} thread_job;

static void *dispatch_thread(void *arg) {
  thread_job *j = arg;
  enum { N = 5000 };
  uint32_t *y = malloc(N * 4);
  j->ok = y != NULL;
  for (int rep = 0; rep < 20 && j->ok; rep++) {
    for (int i = 0; i < N; i++) y[i] = (uint32_t)(i + j->seed + rep);
    vy_input in = {y, N * 4};
    vy_outputs out;
    if (vy_kernel_dispatch(j->k, &in, 1, NULL, &out, NULL) != VY_OK) {
      j->ok = false;
      break;
    }
    for (int i = 0; i < N && j->ok; i++) {
      uint32_t got;
      memcpy(&got, out.items[0].data + 4 * i, 4);
      j->ok = got == y[i] + 1 + (uint32_t)(i / 4) * 100;
    }
    vy_outputs_free(&out);
  }
  free(y);
  return NULL;
}

static void kernel_from_threads(void **state) {
  (void)state;
  vy_program *p = vt_parse(inc_src);
  vy_kernel *k;
  assert_int_equal(vy_compile(g_cpu, p, NULL, &k, NULL), VY_OK);
  uint64_t scratch;
  uint32_t nsites;
  vy_cpu_kernel_stats(k, &scratch, &nsites);
  assert_int_equal(nsites, 1); /* no error can happen: site 0 only */
  pthread_t t[4];
  thread_job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (thread_job){k, i * 1000, false};
    assert_int_equal(pthread_create(&t[i], NULL, dispatch_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_true(jobs[i].ok);
  }
  vy_kernel_destroy(k);
  vy_program_destroy(p);
}

typedef struct chunks {
  uint32_t data[3][8];
  size_t n, next;
} chunks;

static vy_status next_chunk(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  (void)err;
  chunks *c = ud;
  if (c->next == c->n) {
    *done = true;
    return VY_OK;
  }
  chunk->data = c->data[c->next];
  chunk->len = c->next == 1 ? 12 : 32; /* chunk 1 is three elements long */
  c->next++;
  return VY_OK;
}

static bool put_chunk(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  (void)err;
  uint32_t *firsts = ud;
  assert_int_equal(st, VY_OK);
  memcpy(&firsts[index * 2], outs->items[0].data, 4);
  firsts[index * 2 + 1] = (uint32_t)outs->items[0].len;
  return true;
}

static void streams(void **state) {
  (void)state;
  vy_program *p = vt_parse(inc_src);
  chunks c = {.n = 3};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 8; i++) c.data[k][i] = (uint32_t)(k * 10 + i);
  uint32_t firsts[6] = {0};
  vy_chunk_source src = {next_chunk, &c};
  vy_output_sink sink = {put_chunk, firsts};
  assert_int_equal(vy_stream(g_cpu, p, NULL, 0, &src, &sink, NULL, NULL), VY_OK);
  uint32_t want[6] = {1, 32, 11, 12, 21, 32};
  assert_memory_equal(firsts, want, sizeof want);
  vy_program_destroy(p);
}

/* ---- machine code ---- */

/* The kernel's assembly on this host. */
static char *asm_of(const char *src, unsigned width) {
  vy_jit_cpu_options o;
  vy_jit_cpu_options_default(&o);
  o.prefer_vector_width = width;
  assert_int_equal(vy_jit_cpu_configure(g_cpu, &o, NULL), VY_OK);
  vy_program *p = vt_parse(src);
  vy_bytes text = {0};
  vy_error err;
  vy_status st = vy_jit_cpu_emit(g_cpu, p, VY_JIT_CPU_ASM, &text, &err);
  vy_jit_cpu_options_default(&o);
  vy_jit_cpu_configure(g_cpu, &o, NULL);
  vy_program_destroy(p);
  if (st) fail_msg("%s", err.message);
  char *s = strdup((const char *)text.data);
  vy_bytes_free(&text);
  return s;
}

/* Whether some line holds a packed single-precision instruction (mnemonic
 * `ps`-suffixed, e.g. vfmadd231ps, vaddps, vmovups) on register class reg. */
static bool has_packed(const char *text, const char *mnemonic_part, const char *reg) {
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    char buf[256];
    if (len < sizeof buf) {
      memcpy(buf, line, len);
      buf[len] = 0;
      if (strstr(buf, mnemonic_part) && strstr(buf, reg)) return true;
    }
    line = end ? end + 1 : NULL;
  }
  return false;
}

static void vector_width(void **state) {
  (void)state;
#if defined(__x86_64__)
  bool avx2 = cpu_has("avx2"), avx512 = cpu_has("avx512f");
  if (!avx2 && !avx512) {
    printf("  (host has neither AVX2 nor AVX-512: not checked)\n");
    return;
  }
  /* LLVM's preferred width on AVX2 and (by default) AVX-512 hosts is 256 bits */
  char *s = asm_of(saxpy_src, 0);
  assert_true(has_packed(s, "vfmadd", "%ymm") || has_packed(s, "vfmadd", "%zmm"));
  assert_true(has_packed(s, "ps", "%ymm"));
  free(s);
  s = asm_of(reduce_src, 0); /* a barrier and workgroup memory: the regions are vectorized too */
  assert_true(has_packed(s, "vpaddd", "%ymm") || has_packed(s, "vpaddd", "%zmm"));
  free(s);
  if (avx512) { /* asking for 512 gives zmm */
    s = asm_of(saxpy_src, 512);
    assert_true(has_packed(s, "vfmadd", "%zmm"));
    free(s);
    s = asm_of(reduce_src, 512);
    assert_true(has_packed(s, "vpaddd", "%zmm") || has_packed(s, "vpmulld", "%zmm"));
    free(s);
  }
#else
  printf("  (not an x86-64 host: not checked)\n");
#endif
}

/* ---- transcendentals ---- */

static void transcendental_ulp(void **state) {
  (void)state;
  assert_true(vy_ulp_sweep(g_cpu, g_ref, "  ") <= 4); /* the bound documented in include/vyre/jit.h */
}

/* ---- resources ---- */

/* Executable mappings of this process (JIT code pages). */
static int exec_mappings(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f) return -1;
  char line[512];
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, " r-xp ") || strstr(line, " r-x-")) n++;
  fclose(f);
  return n;
}

static void kernels_are_freed(void **state) {
  (void)state;
  vy_program *p = vt_parse(saxpy_src);
  vy_kernel *k;
  assert_int_equal(vy_compile(g_cpu, p, NULL, &k, NULL), VY_OK); /* warm up the JIT's allocations */
  vy_kernel_destroy(k);
  int before = exec_mappings();
  for (int i = 0; i < 40; i++) {
    assert_int_equal(vy_compile(g_cpu, p, NULL, &k, NULL), VY_OK);
    vy_kernel_destroy(k);
  }
  int after = exec_mappings();
  printf("  executable mappings: %d before, %d after 40 compile/destroy cycles\n", before, after);
  assert_true(after <= before + 4);
  vy_program_destroy(p);
}

static vy_status everything(const vy_allocator *a, void *ud) {
  (void)ud;
  vy_context_options o;
  vy_context_options_init(&o);
  o.alloc = a;
  o.threads = 2;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_program *p = NULL;
  vy_kernel *k = NULL;
  vy_outputs out = {0};
  vy_error err;
  vy_status st = vy_context_create(&o, &ctx, &err);
  if (st == VY_OK) st = vy_jit_register_backends(ctx);
  if (st == VY_OK) st = vy_backend_open(ctx, "llvm-cpu", &be, &err);
  if (st == VY_OK) st = vy_text_parse(reduce_src, strlen(reduce_src), "t", a, &p, &err);
  if (st == VY_OK) st = vy_compile(be, p, NULL, &k, &err);
  static uint32_t x[300], sums[2];
  vy_input in[2] = {{x, sizeof x}, {sums, sizeof sums}};
  if (st == VY_OK) st = vy_kernel_dispatch(k, in, 2, NULL, &out, &err);
  if (st == VY_OK) vy_outputs_free(&out);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  if (st != VY_OK && st != VY_E_NOMEM) fail_msg("unexpected %s: %s", vy_status_name(st), err.message);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  assert_true(vy_fault_run_all(everything, NULL) > 10);
}

/* ---- the CLI ---- */

static void cli_emit(void **state) {
  (void)state;
  const char *cli = getenv("VY_CLI");
  if (!cli) {
    printf("  (VY_CLI not set: not checked)\n");
    return;
  }
  char path[] = "/tmp/vy_emit_XXXXXX.vy";
  int fd = mkstemps(path, 3);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, saxpy_src, strlen(saxpy_src)), (ssize_t)strlen(saxpy_src));
  close(fd);
  char cmd[1024], buf[4096];
  snprintf(cmd, sizeof cmd, "%s emit llvm %s", cli, path);
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  char sink[4096];
  while (fread(sink, 1, sizeof sink, f) > 0) continue; /* read it all: the tool must not get SIGPIPE */
  assert_int_equal(pclose(f), 0);
  assert_non_null(strstr(buf, "define void @vyre_cpu_emit(ptr"));
  snprintf(cmd, sizeof cmd, "%s emit asm %s | grep -c 'vyre_cpu_emit:'", cli, path);
  f = popen(cmd, "r");
  n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  assert_int_equal(pclose(f), 0);
  assert_int_equal(atoi(buf), 1);
  snprintf(cmd, sizeof cmd, "%s emit wasm %s 2>/dev/null", cli, path);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
  unlink(path);
}

static int setup(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  vy_error err;
  if (vy_context_create(&o, &g_ctx, &err) || vy_jit_register_backends(g_ctx) ||
      vy_backend_open(g_ctx, "llvm-cpu", &g_cpu, &err) || vy_backend_open(g_ctx, "reference", &g_ref, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  vy_backend_close(g_cpu);
  vy_backend_close(g_ref);
  vy_context_destroy(g_ctx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(identity_and_caps),
      cmocka_unit_test(saxpy_values),
      cmocka_unit_test(f32_edges),
      cmocka_unit_test(casts_saturate),
      cmocka_unit_test(integer_division),
      cmocka_unit_test(interchanged_loops),
      cmocka_unit_test(runtime_errors),
      cmocka_unit_test(barrier_reduction),
      cmocka_unit_test(return_before_barrier),
      cmocka_unit_test(subgroup_ops),
      cmocka_unit_test(atomics_histogram),
      cmocka_unit_test(private_atomics),
      cmocka_unit_test(host_calls),
      cmocka_unit_test(dispatch_config),
      cmocka_unit_test(timeout_stops),
      cmocka_unit_test(kernel_from_threads),
      cmocka_unit_test(streams),
      cmocka_unit_test(vector_width),
      cmocka_unit_test(transcendental_ulp),
      cmocka_unit_test(kernels_are_freed),
      cmocka_unit_test(allocation_failures),
      cmocka_unit_test(cli_emit),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
