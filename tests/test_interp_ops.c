/* test_interp_ops.c - the interpreter's BinOp / UnOp / Cast against a
 * separate, deliberately simple reference written here from the spec's tables
 * (vyre-ir.md §3.2-§3.5): wide integer arithmetic instead of bit tricks,
 * float ops computed in double and rounded once (exact for + - * / sqrt),
 * bit loops for the bit-counting ops. Edge values plus thousands of random
 * operands per type. Also measures the ULP error of the C library's f32
 * transcendentals against correctly rounded long double results.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "interp_int.h"

/* ---- the simple reference ---- */

typedef struct rv {
  bool ok;
  vy_ival v;
} rv;

static rv OK(vy_ival v) { return (rv){true, v}; }
static const rv ERR = {false, {0}};

static float bits_f(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}
static uint32_t f_bits(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}

/* canonical_f32 by classification */
static float canon(float x) {
  switch (fpclassify(x)) {
  case FP_NAN: return bits_f(0x7FC00000u);
  case FP_SUBNORMAL: return signbit(x) ? -0.0f : 0.0f;
  default: return x;
  }
}

static vy_ival F(float x) { return vy_iv_float((double)canon(x)); }

static rv ref_u32(vy_binop op, uint32_t a, uint32_t b) {
  uint64_t A = a, B = b, M = 0xFFFFFFFFull;
  unsigned s = b % 32;
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD: return OK(vy_iv_u32((uint32_t)((A + B) & M)));
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB: return OK(vy_iv_u32((uint32_t)((A + (M + 1) - B) & M)));
  case VY_BINOP_MUL: return OK(vy_iv_u32((uint32_t)((A * B) & M)));
  case VY_BINOP_DIV: return OK(vy_iv_u32(b == 0 ? 0xFFFFFFFFu : (uint32_t)(A / B)));
  case VY_BINOP_MOD: return OK(vy_iv_u32(b == 0 ? 0 : (uint32_t)(A % B)));
  case VY_BINOP_BIT_AND: return OK(vy_iv_u32(a & b));
  case VY_BINOP_BIT_OR: return OK(vy_iv_u32(a | b));
  case VY_BINOP_BIT_XOR: return OK(vy_iv_u32(a ^ b));
  case VY_BINOP_SHL: return OK(vy_iv_u32((uint32_t)((A * (1ull << s)) & M)));
  case VY_BINOP_SHR: return OK(vy_iv_u32((uint32_t)(A / (1ull << s))));
  case VY_BINOP_ROTATE_LEFT:
  case VY_BINOP_ROTATE_RIGHT: {
    uint32_t r = 0;
    for (unsigned i = 0; i < 32; i++) {
      unsigned src = op == VY_BINOP_ROTATE_LEFT ? (i + 32 - s) % 32 : (i + s) % 32;
      if ((a >> src) & 1) r |= 1u << i;
    }
    return OK(vy_iv_u32(r));
  }
  case VY_BINOP_EQ: return OK(vy_iv_bool(A == B));
  case VY_BINOP_NE: return OK(vy_iv_bool(A != B));
  case VY_BINOP_LT: return OK(vy_iv_bool(A < B));
  case VY_BINOP_GT: return OK(vy_iv_bool(A > B));
  case VY_BINOP_LE: return OK(vy_iv_bool(A <= B));
  case VY_BINOP_GE: return OK(vy_iv_bool(A >= B));
  case VY_BINOP_AND: return OK(vy_iv_bool(a && b));
  case VY_BINOP_OR: return OK(vy_iv_bool(a || b));
  case VY_BINOP_MIN: return OK(vy_iv_u32(A <= B ? a : b));
  case VY_BINOP_MAX: return OK(vy_iv_u32(A >= B ? a : b));
  case VY_BINOP_ABS_DIFF: return OK(vy_iv_u32((uint32_t)(A > B ? A - B : B - A)));
  case VY_BINOP_SATURATING_ADD: return OK(vy_iv_u32(A + B > M ? 0xFFFFFFFFu : (uint32_t)(A + B)));
  case VY_BINOP_SATURATING_SUB: return OK(vy_iv_u32(A < B ? 0 : (uint32_t)(A - B)));
  case VY_BINOP_SATURATING_MUL: return OK(vy_iv_u32(A * B > M ? 0xFFFFFFFFu : (uint32_t)(A * B)));
  case VY_BINOP_MUL_HIGH: return OK(vy_iv_u32((uint32_t)((A * B) >> 32)));
  default: return ERR;
  }
}

static int32_t wrap32(int64_t x) {
  uint32_t u = (uint32_t)((uint64_t)x & 0xFFFFFFFFu);
  return u >= 0x80000000u ? (int32_t)((int64_t)u - 4294967296ll) : (int32_t)u;
}

static rv ref_i32(vy_binop op, int32_t a, int32_t b) {
  int64_t A = a, B = b;
  unsigned s = (uint32_t)b % 32;
  int64_t p2 = 1ll << s;
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD: return OK(vy_iv_i32(wrap32(A + B)));
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB: return OK(vy_iv_i32(wrap32(A - B)));
  case VY_BINOP_MUL: return OK(vy_iv_i32(wrap32(A * B)));
  case VY_BINOP_DIV:
    if (B == 0 || (A == INT32_MIN && B == -1)) return ERR;
    return OK(vy_iv_i32((int32_t)(A / B)));
  case VY_BINOP_MOD:
    if (B == 0 || (A == INT32_MIN && B == -1)) return ERR;
    return OK(vy_iv_i32((int32_t)(A - (A / B) * B)));
  case VY_BINOP_BIT_AND: return OK(vy_iv_i32(a & b));
  case VY_BINOP_BIT_OR: return OK(vy_iv_i32(a | b));
  case VY_BINOP_BIT_XOR: return OK(vy_iv_i32(a ^ b));
  case VY_BINOP_SHL: return OK(vy_iv_i32(wrap32(A * p2)));
  case VY_BINOP_SHR: /* floor division by 2^s */
    return OK(vy_iv_i32((int32_t)(A >= 0 ? A / p2 : -((-A - 1) / p2) - 1)));
  case VY_BINOP_EQ: return OK(vy_iv_bool(A == B));
  case VY_BINOP_NE: return OK(vy_iv_bool(A != B));
  case VY_BINOP_LT: return OK(vy_iv_bool(A < B));
  case VY_BINOP_GT: return OK(vy_iv_bool(A > B));
  case VY_BINOP_LE: return OK(vy_iv_bool(A <= B));
  case VY_BINOP_GE: return OK(vy_iv_bool(A >= B));
  case VY_BINOP_AND: return OK(vy_iv_bool(a && b));
  case VY_BINOP_OR: return OK(vy_iv_bool(a || b));
  case VY_BINOP_MIN: return OK(vy_iv_i32(A <= B ? a : b));
  case VY_BINOP_MAX: return OK(vy_iv_i32(A >= B ? a : b));
  case VY_BINOP_ABS_DIFF: return OK(vy_iv_u32((uint32_t)(A > B ? A - B : B - A)));
  case VY_BINOP_SATURATING_ADD:
  case VY_BINOP_SATURATING_SUB:
  case VY_BINOP_SATURATING_MUL: {
    int64_t r = op == VY_BINOP_SATURATING_ADD ? A + B : op == VY_BINOP_SATURATING_SUB ? A - B : A * B;
    return OK(vy_iv_i32(r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r));
  }
  default: return ERR;
  }
}

__extension__ typedef unsigned __int128 u128;

static rv ref_u64(vy_binop op, uint64_t a, uint64_t b) {
  u128 A = a, B = b, M = UINT64_MAX;
  unsigned s = (unsigned)(b % 64);
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD: return OK(vy_iv_u64((uint64_t)((A + B) & M)));
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB: return OK(vy_iv_u64((uint64_t)((A + M + 1 - B) & M)));
  case VY_BINOP_MUL: return OK(vy_iv_u64((uint64_t)((A * B) & M)));
  case VY_BINOP_DIV: return OK(vy_iv_u64(b == 0 ? UINT64_MAX : a / b));
  case VY_BINOP_MOD: return OK(vy_iv_u64(b == 0 ? 0 : a % b));
  case VY_BINOP_BIT_AND: return OK(vy_iv_u64(a & b));
  case VY_BINOP_BIT_OR: return OK(vy_iv_u64(a | b));
  case VY_BINOP_BIT_XOR: return OK(vy_iv_u64(a ^ b));
  case VY_BINOP_SHL: return OK(vy_iv_u64((uint64_t)((A << s) & M)));
  case VY_BINOP_SHR: return OK(vy_iv_u64((uint64_t)(A >> s)));
  case VY_BINOP_EQ: return OK(vy_iv_bool(a == b));
  case VY_BINOP_NE: return OK(vy_iv_bool(a != b));
  case VY_BINOP_LT: return OK(vy_iv_bool(a < b));
  case VY_BINOP_GT: return OK(vy_iv_bool(a > b));
  case VY_BINOP_LE: return OK(vy_iv_bool(a <= b));
  case VY_BINOP_GE: return OK(vy_iv_bool(a >= b));
  case VY_BINOP_AND: return OK(vy_iv_bool(a && b));
  case VY_BINOP_OR: return OK(vy_iv_bool(a || b));
  case VY_BINOP_MIN: return OK(vy_iv_u64(a <= b ? a : b));
  case VY_BINOP_MAX: return OK(vy_iv_u64(a >= b ? a : b));
  case VY_BINOP_ABS_DIFF: return OK(vy_iv_u64(a > b ? a - b : b - a));
  case VY_BINOP_SATURATING_ADD: return OK(vy_iv_u64(A + B > M ? UINT64_MAX : a + b));
  case VY_BINOP_SATURATING_SUB: return OK(vy_iv_u64(a < b ? 0 : a - b));
  case VY_BINOP_SATURATING_MUL: return OK(vy_iv_u64(A * B > M ? UINT64_MAX : a * b));
  case VY_BINOP_MUL_HIGH: return OK(vy_iv_u64((uint64_t)((A * B) >> 64)));
  default: return ERR;
  }
}

static rv ref_bool(vy_binop op, bool a, bool b) {
  switch (op) {
  case VY_BINOP_EQ: return OK(vy_iv_bool(a == b));
  case VY_BINOP_NE: return OK(vy_iv_bool(a != b));
  case VY_BINOP_AND: return OK(vy_iv_bool(a && b));
  case VY_BINOP_OR: return OK(vy_iv_bool(a || b));
  default: return ERR;
  }
}

static rv ref_f32(vy_binop op, double ld, double rd) {
  float a = canon((float)ld), b = canon((float)rd);
  double A = a, B = b;
  switch (op) {
  case VY_BINOP_ADD: return OK(F((float)(A + B)));
  case VY_BINOP_SUB: return OK(F((float)(A - B)));
  case VY_BINOP_MUL: return OK(F((float)(A * B)));
  case VY_BINOP_DIV: return OK(F((float)(A / B)));
  case VY_BINOP_EQ: return OK(vy_iv_bool(A == B));
  case VY_BINOP_NE: return OK(vy_iv_bool(!(A == B)));
  case VY_BINOP_LT: return OK(vy_iv_bool(A < B));
  case VY_BINOP_GT: return OK(vy_iv_bool(A > B));
  case VY_BINOP_LE: return OK(vy_iv_bool(A <= B));
  case VY_BINOP_GE: return OK(vy_iv_bool(A >= B));
  case VY_BINOP_MIN:
  case VY_BINOP_MAX: {
    if (isnan(a)) return OK(F(b));
    if (isnan(b)) return OK(F(a));
    bool take_b = op == VY_BINOP_MIN ? B < A : B > A;
    return OK(F(take_b ? b : a));
  }
  default: return ERR;
  }
}

static rv ref_bin(vy_binop op, const vy_ival *l, const vy_ival *r) {
  if (l->kind != r->kind) return ERR;
  switch (l->kind) {
  case VY_IV_U32: return ref_u32(op, l->v.u32, r->v.u32);
  case VY_IV_I32: return ref_i32(op, l->v.i32, r->v.i32);
  case VY_IV_U64: return ref_u64(op, l->v.u64, r->v.u64);
  case VY_IV_BOOL: return ref_bool(op, l->v.b, r->v.b);
  case VY_IV_FLOAT: return ref_f32(op, l->v.f, r->v.f);
  default: return ERR;
  }
}

static rv ref_un_int(vy_unop op, uint64_t x, unsigned bits, vy_ival_kind k) {
  uint64_t mask = bits == 64 ? UINT64_MAX : 0xFFFFFFFFull, r = 0;
  switch (op) {
  case VY_UNOP_NEGATE: r = (mask - x + 1) & mask; break;
  case VY_UNOP_BIT_NOT: r = x ^ mask; break;
  case VY_UNOP_LOGICAL_NOT: return OK(vy_iv_bool(x == 0));
  case VY_UNOP_POPCOUNT:
    for (unsigned i = 0; i < bits; i++) r += (x >> i) & 1;
    break;
  case VY_UNOP_CLZ:
    while (r < bits && !((x >> (bits - 1 - r)) & 1)) r++;
    break;
  case VY_UNOP_CTZ:
    while (r < bits && !((x >> r) & 1)) r++;
    break;
  case VY_UNOP_REVERSE_BITS:
    for (unsigned i = 0; i < bits; i++)
      if ((x >> i) & 1) r |= 1ull << (bits - 1 - i);
    break;
  default: return ERR;
  }
  if (k == VY_IV_U64) return OK(vy_iv_u64(r));
  if (k == VY_IV_I32) return OK(vy_iv_i32((int32_t)(uint32_t)r));
  return OK(vy_iv_u32((uint32_t)r));
}

static rv ref_un_f32(vy_unop op, double xd) {
  float a = canon((float)xd);
  double A = a;
  switch (op) {
  case VY_UNOP_NEGATE: return OK(F(bits_f(f_bits(a) ^ 0x80000000u)));
  case VY_UNOP_ABS: return OK(F(bits_f(f_bits(a) & 0x7FFFFFFFu)));
  case VY_UNOP_SQRT: return OK(F((float)sqrt(A)));
  case VY_UNOP_FLOOR: return OK(F((float)floor(A)));
  case VY_UNOP_CEIL: return OK(F((float)ceil(A)));
  case VY_UNOP_TRUNC: return OK(F((float)trunc(A)));
  case VY_UNOP_ROUND: {
    if (isnan(A) || isinf(A)) return OK(F(a));
    double m = floor(fabs(A) + 0.5);
    return OK(F((float)(signbit(A) ? -m : m)));
  }
  case VY_UNOP_SIGN: return OK(F(isnan(a) ? a : A > 0 ? 1.0f : A < 0 ? -1.0f : 0.0f));
  case VY_UNOP_IS_NAN: return OK(vy_iv_bool(A != A));
  case VY_UNOP_IS_INF: return OK(vy_iv_bool(A == INFINITY || A == -INFINITY));
  case VY_UNOP_IS_FINITE: return OK(vy_iv_bool(A == A && A != INFINITY && A != -INFINITY));
  case VY_UNOP_RECIPROCAL: return OK(F((float)(1.0 / A)));
  case VY_UNOP_INVERSE_SQRT: return OK(F((float)(1.0 / (double)(float)sqrt(A))));
  default: return ERR;
  }
}

static bool is_transcendental(vy_unop op) {
  switch (op) {
  case VY_UNOP_SIN: case VY_UNOP_COS: case VY_UNOP_TAN: case VY_UNOP_ASIN: case VY_UNOP_ACOS:
  case VY_UNOP_ATAN: case VY_UNOP_SINH: case VY_UNOP_COSH: case VY_UNOP_TANH: case VY_UNOP_EXP:
  case VY_UNOP_EXP2: case VY_UNOP_LOG: case VY_UNOP_LOG2: return true;
  default: return false;
  }
}

static rv ref_un(vy_unop op, const vy_ival *x) {
  switch (x->kind) {
  case VY_IV_U32: return ref_un_int(op, x->v.u32, 32, VY_IV_U32);
  case VY_IV_I32: return ref_un_int(op, (uint32_t)x->v.i32, 32, VY_IV_I32);
  case VY_IV_U64: return ref_un_int(op, x->v.u64, 64, VY_IV_U64);
  case VY_IV_BOOL: return op == VY_UNOP_LOGICAL_NOT ? OK(vy_iv_bool(!x->v.b)) : ERR;
  case VY_IV_FLOAT: return ref_un_f32(op, x->v.f);
  default: return ERR;
  }
}

/* try_as_u32 / try_as_u64 of §3.1, written out */
static bool ref_as_u64(const vy_ival *x, uint64_t *o, uint64_t max_incl, bool f_excl_top) {
  double top = (double)max_incl + (f_excl_top ? 1.0 : 0.0);
  switch (x->kind) {
  case VY_IV_U32: *o = x->v.u32; return *o <= max_incl;
  case VY_IV_I32: *o = (uint64_t)(int64_t)x->v.i32; return x->v.i32 >= 0;
  case VY_IV_U64: *o = x->v.u64; return x->v.u64 <= max_incl;
  case VY_IV_BOOL: *o = x->v.b; return true;
  case VY_IV_FLOAT:
    if (!(x->v.f >= 0.0) || isinf(x->v.f)) return false;
    if (f_excl_top ? x->v.f >= top : x->v.f > top) return false;
    *o = (uint64_t)x->v.f;
    return true;
  default: {
    size_t w = max_incl == UINT32_MAX ? 4 : 8;
    if (x->len > w) return false;
    uint64_t r = 0;
    for (size_t i = 0; i < x->len; i++) r |= (uint64_t)vy_iv_byte_at(x, i) << (8 * i);
    *o = r;
    return true;
  }
  }
}

static bool ref_truthy(const vy_ival *x) {
  uint64_t u;
  if (x->kind == VY_IV_FLOAT) return x->v.f != 0.0;
  if (!ref_as_u64(x, &u, UINT32_MAX, false)) return true;
  return u != 0;
}

/* raw LE bytes (value.rs to_bytes) */
static size_t ref_raw(const vy_ival *x, uint8_t *out) {
  uint64_t w;
  size_t n;
  switch (x->kind) {
  case VY_IV_U32: w = x->v.u32; n = 4; break;
  case VY_IV_I32: w = (uint32_t)x->v.i32; n = 4; break;
  case VY_IV_BOOL: w = x->v.b; n = 4; break;
  case VY_IV_U64: w = x->v.u64; n = 8; break;
  case VY_IV_FLOAT: memcpy(&w, &x->v.f, 8); n = 8; break;
  default:
    for (size_t i = 0; i < x->len && i < 16; i++) out[i] = vy_iv_byte_at(x, i);
    return x->len;
  }
  for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(w >> (8 * i));
  return n;
}

static rv ref_cast(vy_type_kind t, const vy_ival *x) {
  uint64_t u;
  uint8_t raw[16] = {0};
  size_t n;
  switch (t) {
  case VY_TYPE_U32:
    if (x->kind == VY_IV_I32) return OK(vy_iv_u32((uint32_t)x->v.i32));
    if (x->kind == VY_IV_FLOAT) {
      double f = x->v.f;
      return OK(vy_iv_u32(isnan(f) || f < 0 ? 0 : f > 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)trunc(f)));
    }
    return ref_as_u64(x, &u, UINT32_MAX, false) ? OK(vy_iv_u32((uint32_t)u)) : ERR;
  case VY_TYPE_I32:
    if (x->kind == VY_IV_I32) return OK(*x);
    if (x->kind == VY_IV_FLOAT) {
      double f = trunc(x->v.f);
      return OK(vy_iv_i32(isnan(f) ? 0 : f > 2147483647.0 ? INT32_MAX : f < -2147483648.0 ? INT32_MIN : (int32_t)f));
    }
    return ref_as_u64(x, &u, UINT32_MAX, false) ? OK(vy_iv_i32(wrap32((int64_t)u))) : ERR;
  case VY_TYPE_U64: return ref_as_u64(x, &u, UINT64_MAX, true) ? OK(vy_iv_u64(u)) : ERR;
  case VY_TYPE_F32:
    switch (x->kind) {
    case VY_IV_U32: return OK(vy_iv_float((float)x->v.u32));
    case VY_IV_I32: return OK(vy_iv_float((float)x->v.i32));
    case VY_IV_U64: return OK(vy_iv_float((float)x->v.u64));
    case VY_IV_FLOAT: return OK(*x);
    case VY_IV_BOOL: return OK(vy_iv_float(x->v.b ? 1.0 : 0.0));
    default: return ref_as_u64(x, &u, UINT32_MAX, false) ? OK(vy_iv_float((float)(uint32_t)u)) : ERR;
    }
  case VY_TYPE_BOOL: return OK(vy_iv_bool(ref_truthy(x)));
  case VY_TYPE_VEC2U32:
  case VY_TYPE_VEC4U32:
    ref_raw(x, raw);
    return OK(vy_iv_bytes(raw, t == VY_TYPE_VEC2U32 ? 8 : 16));
  default:
    n = ref_raw(x, raw);
    return OK(vy_iv_bytes(raw, n));
  }
}

/* ---- comparison ---- */

static bool same(const vy_ival *a, const vy_ival *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case VY_IV_U32: return a->v.u32 == b->v.u32;
  case VY_IV_I32: return a->v.i32 == b->v.i32;
  case VY_IV_U64: return a->v.u64 == b->v.u64;
  case VY_IV_BOOL: return a->v.b == b->v.b;
  case VY_IV_FLOAT: return memcmp(&a->v.f, &b->v.f, 8) == 0;
  default:
    if (a->len != b->len) return false;
    for (size_t i = 0; i < a->len; i++)
      if (vy_iv_byte_at(a, i) != vy_iv_byte_at(b, i)) return false;
    return true;
  }
}

static void check(const char *what, rv want, bool got_ok, const vy_ival *got, const vy_ival *l, const vy_ival *r) {
  char a[64], b[64] = "", g[64] = "", w[64] = "";
  if (want.ok == got_ok && (!got_ok || same(&want.v, got))) return;
  vy_iv_describe(l, a, sizeof a);
  if (r) vy_iv_describe(r, b, sizeof b);
  if (got_ok) vy_iv_describe(got, g, sizeof g);
  if (want.ok) vy_iv_describe(&want.v, w, sizeof w);
  fail_msg("%s(%s, %s): got %s%s, expected %s%s", what, a, b, got_ok ? "" : "ERR", g, want.ok ? "" : "ERR", w);
}

/* ---- operand generation ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next64(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static const uint32_t edge32[] = {0, 1, 2, 31, 32, 33, 63, 64, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFEu, 100};
static const uint32_t edgef[] = {0x00000000u, 0x80000000u, 0x3F800000u, 0xBF800000u, 0x7F800000u, 0xFF800000u,
                                 0x7FC00000u, 0x7F800001u, 0xFFC00001u, 0x00000001u, 0x807FFFFFu, 0x00800000u,
                                 0x7F7FFFFFu, 0x3F000000u, 0x40200000u, 0xBFC00000u, 0x4B000001u, 0x4F800000u};

#define NEDGE32 (sizeof edge32 / sizeof *edge32)
#define NEDGEF (sizeof edgef / sizeof *edgef)

static vy_ival gen(vy_ival_kind k, uint32_t i) {
  uint64_t r = next64();
  switch (k) {
  case VY_IV_U32: return vy_iv_u32(i < NEDGE32 ? edge32[i] : (uint32_t)r >> (r >> 59));
  case VY_IV_I32: return vy_iv_i32((int32_t)(i < NEDGE32 ? edge32[i] : (uint32_t)r >> (r >> 59)));
  case VY_IV_U64:
    return vy_iv_u64(i < NEDGE32 ? (i % 2 ? (uint64_t)edge32[i] << 32 | edge32[i] : edge32[i]) : r >> (r >> 58 & 63));
  case VY_IV_BOOL: return vy_iv_bool(r & 1);
  case VY_IV_FLOAT: {
    uint32_t b = i < NEDGEF ? edgef[i] : (uint32_t)r;
    float f = bits_f(b);
    /* mostly canonical f32 values, sometimes an f64 that is no f32 (F64 loads) */
    if (i >= NEDGEF && (r >> 40) % 8 == 0) return vy_iv_float((double)f * (1.0 + 1e-12));
    return vy_iv_float(i % 3 == 2 ? (double)f : (double)canon(f));
  }
  default: {
    uint8_t buf[12];
    for (int j = 0; j < 12; j++) buf[j] = (uint8_t)(r >> (j * 5));
    return vy_iv_bytes(buf, (size_t)(r >> 60) % 13);
  }
  }
}

#define ROUNDS 3000u

static void test_binops(void **state) {
  (void)state;
  for (int op = 0; op < VY_BINOP_COUNT; op++)
    for (int k = VY_IV_U32; k <= VY_IV_FLOAT; k++)
      for (uint32_t i = 0; i < ROUNDS; i++) {
        vy_ival l = gen((vy_ival_kind)k, i % (NEDGEF + 1)), r = gen((vy_ival_kind)k, i < 400 ? i / 20 : i);
        vy_ival got;
        vy_imsg m;
        bool ok = vy_iop_binop((vy_binop)op, &l, &r, &got, &m);
        check(vy_binop_name((vy_binop)op), ref_bin((vy_binop)op, &l, &r), ok, &got, &l, &r);
        if (!ok) assert_non_null(strstr(m.text, "Fix:"));
      }
  /* every mixed pairing and anything with Bytes is an error */
  for (int k1 = VY_IV_U32; k1 <= VY_IV_BYTES; k1++)
    for (int k2 = VY_IV_U32; k2 <= VY_IV_BYTES; k2++) {
      if (k1 == k2 && k1 != VY_IV_BYTES) continue;
      vy_ival l = gen((vy_ival_kind)k1, 50), r = gen((vy_ival_kind)k2, 60), got;
      vy_imsg m;
      assert_false(vy_iop_binop(VY_BINOP_EQ, &l, &r, &got, &m));
      assert_non_null(strstr(m.text, "mismatched operands"));
    }
}

static void test_unops(void **state) {
  (void)state;
  for (int op = 0; op < VY_UNOP_COUNT; op++) {
    if (is_transcendental((vy_unop)op)) continue; /* measured in test_transcendental_ulp */
    for (int k = VY_IV_U32; k <= VY_IV_BYTES; k++)
      for (uint32_t i = 0; i < ROUNDS; i++) {
        vy_ival x = gen((vy_ival_kind)k, i), got;
        vy_imsg m;
        bool ok = vy_iop_unop((vy_unop)op, &x, &got, &m);
        check(vy_unop_name((vy_unop)op), ref_un((vy_unop)op, &x), ok, &got, &x, NULL);
      }
  }
  /* spec examples: Round ties away, Sign(-0) = +0, i32 Negate keeps MIN, Clz(0) = 32 */
  vy_ival x = vy_iv_float(2.5), got;
  vy_imsg m;
  assert_true(vy_iop_unop(VY_UNOP_ROUND, &x, &got, &m) && got.v.f == 3.0);
  x = vy_iv_float(-0.5);
  assert_true(vy_iop_unop(VY_UNOP_ROUND, &x, &got, &m) && got.v.f == -1.0);
  x = vy_iv_float(-0.0);
  assert_true(vy_iop_unop(VY_UNOP_SIGN, &x, &got, &m) && got.v.f == 0.0 && !signbit(got.v.f));
  x = vy_iv_i32(INT32_MIN);
  assert_true(vy_iop_unop(VY_UNOP_NEGATE, &x, &got, &m) && got.v.i32 == INT32_MIN);
  x = vy_iv_u32(0);
  assert_true(vy_iop_unop(VY_UNOP_CLZ, &x, &got, &m) && got.v.u32 == 32);
}

static void test_casts(void **state) {
  (void)state;
  static const vy_type_kind targets[] = {VY_TYPE_U32,     VY_TYPE_I32,     VY_TYPE_U64, VY_TYPE_F32, VY_TYPE_BOOL,
                                         VY_TYPE_VEC2U32, VY_TYPE_VEC4U32, VY_TYPE_BYTES, VY_TYPE_U8, VY_TYPE_F64};
  for (size_t t = 0; t < sizeof targets / sizeof *targets; t++)
    for (int k = VY_IV_U32; k <= VY_IV_BYTES; k++)
      for (uint32_t i = 0; i < ROUNDS; i++) {
        vy_ival x = gen((vy_ival_kind)k, i), got;
        if (k == VY_IV_FLOAT && i % 7 == 0) x = vy_iv_float((double)(int64_t)next64() / (double)(1ull << (i % 40)));
        vy_type ty = {.kind = targets[t]};
        vy_imsg m;
        bool ok = vy_iop_cast(&ty, &x, &got, &m);
        check(vy_type_kind_name(targets[t]), ref_cast(targets[t], &x), ok, &got, &x, NULL);
      }
}

static void test_fma_and_values(void **state) {
  (void)state;
  for (uint32_t i = 0; i < ROUNDS; i++) {
    float a = canon(bits_f((uint32_t)next64())), b = canon(bits_f((uint32_t)next64())),
          c = canon(bits_f((uint32_t)next64()));
    if (i < NEDGEF) a = canon(bits_f(edgef[i]));
    /* the exact product fits a double; the sum rounds once in long double
     * (64-bit mantissa) and then to float: exact except in double-rounding
     * corner cases, which we skip by comparing to fmal too */
    long double exact = (long double)a * (long double)b + (long double)c;
    float want = canon((float)exact);
    vy_ival got = vy_iop_fma(a, b, c);
    float wantl = canon((float)fmal(a, b, c));
    if (got.v.f != (double)want && got.v.f != (double)wantl && !(isnan(got.v.f) && isnan(want)))
      fail_msg("fma(%a, %a, %a) = %a, expected %a", a, b, c, got.v.f, (double)want);
  }
  /* truthiness and try_as_u32 edges (§3.1) */
  vy_ival v = vy_iv_float(-0.0);
  assert_false(vy_iv_truthy(&v));
  v = vy_iv_float(NAN);
  assert_true(vy_iv_truthy(&v));
  v = vy_iv_i32(-1);
  assert_true(vy_iv_truthy(&v));
  uint32_t u;
  assert_false(vy_iv_as_u32(&v, &u));
  v = vy_iv_float(4294967295.0);
  assert_true(vy_iv_as_u32(&v, &u) && u == 0xFFFFFFFFu);
  v = vy_iv_float(4294967296.0);
  assert_false(vy_iv_as_u32(&v, &u));
  uint8_t five[5] = {1, 0, 0, 0, 0};
  v = vy_iv_bytes(five, 5);
  assert_false(vy_iv_as_u32(&v, &u));
  assert_true(vy_iv_truthy(&v));
  /* canonicalization */
  assert_int_equal(vy_f32_bits(vy_f32_canon(bits_f(0xFFC12345u))), 0x7FC00000u);
  assert_int_equal(vy_f32_bits(vy_f32_canon(bits_f(0x80000005u))), 0x80000000u);
  assert_int_equal(vy_f32_bits(vy_f32_canon(bits_f(0x00800000u))), 0x00800000u);
}

/* ---- ULP measurement of the C library's f32 transcendentals ---- */

static double ulp_diff(float got, long double exact) {
  if (isnan(got) && isnan(exact)) return 0;
  float cr = (float)exact; /* correctly rounded (up to double rounding from long double) */
  if (isnan(got) || isnan(cr)) return INFINITY;
  if (got == cr) return 0;
  if (isinf(got) || isinf(cr)) return INFINITY;
  int32_t a = (int32_t)f_bits(got), b = (int32_t)f_bits(cr);
  if (a < 0) a = (int32_t)(0x80000000u - (uint32_t)a);
  if (b < 0) b = (int32_t)(0x80000000u - (uint32_t)b);
  return fabs((double)a - (double)b);
}

static void test_transcendental_ulp(void **state) {
  (void)state;
  struct {
    vy_unop op;
    long double (*ref)(long double);
    float lo, hi;
  } fns[] = {
      {VY_UNOP_SIN, sinl, -100.0f, 100.0f},  {VY_UNOP_COS, cosl, -100.0f, 100.0f},  {VY_UNOP_TAN, tanl, -10.0f, 10.0f},
      {VY_UNOP_ASIN, asinl, -1.0f, 1.0f},    {VY_UNOP_ACOS, acosl, -1.0f, 1.0f},    {VY_UNOP_ATAN, atanl, -100.0f, 100.0f},
      {VY_UNOP_SINH, sinhl, -80.0f, 80.0f},  {VY_UNOP_COSH, coshl, -80.0f, 80.0f},  {VY_UNOP_TANH, tanhl, -20.0f, 20.0f},
      {VY_UNOP_EXP, expl, -80.0f, 80.0f},    {VY_UNOP_EXP2, exp2l, -120.0f, 120.0f}, {VY_UNOP_LOG, logl, 0.0f, 1e30f},
      {VY_UNOP_LOG2, log2l, 0.0f, 1e30f},
  };
  const uint32_t N = 200000;
  for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
    double worst = 0;
    float worst_x = 0;
    for (uint32_t i = 0; i < N; i++) {
      float x;
      if (i % 2) { /* uniform over the range */
        x = fns[f].lo + (fns[f].hi - fns[f].lo) * (float)((next64() >> 11) * 0x1p-53);
      } else { /* random bit patterns: every binade, specials */
        x = bits_f((uint32_t)next64());
      }
      x = canon(x);
      vy_ival in = vy_iv_float(x), got;
      vy_imsg m;
      assert_true(vy_iop_unop(fns[f].op, &in, &got, &m));
      long double exact = fns[f].ref((long double)x);
      float want = canon((float)exact);
      double d = ulp_diff((float)got.v.f, (long double)want);
      if (d > worst) {
        worst = d;
        worst_x = x;
      }
    }
    print_message("ULP %-6s max %.0f (at %a) over %u inputs\n", vy_unop_name(fns[f].op), worst, (double)worst_x, N);
    /* vyre's conformance allows 4 ULP for elementary f32 functions */
    assert_true(worst <= 4.0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_binops),         cmocka_unit_test(test_unops),
      cmocka_unit_test(test_casts),          cmocka_unit_test(test_fma_and_values),
      cmocka_unit_test(test_transcendental_ulp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
