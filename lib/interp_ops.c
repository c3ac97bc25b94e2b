/* interp_ops.c - BinOp, UnOp, Cast and Fma of the reference interpreter
 * (vyre-ir.md §3.2-§3.5; vyre-reference typed_ops/{mod,float_ops}.rs,
 * expr_cast.rs).
 *
 * f32 values travel as an f64 holding an f32. Every float operation narrows
 * its operands to f32 (round to nearest even), canonicalizes them
 * (vy_f32_canon), computes in f32 and canonicalizes the result. The build
 * uses -ffp-contract=off, so a*b+c is never fused behind our back.
 * Transcendentals call the C library's f32 functions (sinf, expf, ...); their
 * last-bit accuracy against correctly rounded results is measured by
 * tests/test_interp_ops.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "interp_int.h"

static const char *kind_name(const vy_ival *v) {
  static const char *const names[] = {"u32", "i32", "u64", "bool", "f32", "bytes"};
  return v->kind <= VY_IV_BYTES ? names[v->kind] : "?";
}

static bool unsupported_bin(vy_binop op, const vy_ival *l, vy_imsg *msg) {
  return vy_imsg_set(msg,
                     "binary op `%s` is not defined for %s operands in the reference interpreter. Fix: cast the "
                     "operands to a type the op supports (see the BinOp table of the spec)",
                     vy_binop_name(op), kind_name(l));
}

/* ---- u32 ---- */

static uint32_t rotl32(uint32_t x, uint32_t n) {
  n &= 31;
  return n ? (x << n) | (x >> (32 - n)) : x;
}

static bool bin_u32(vy_binop op, uint32_t a, uint32_t b, vy_ival *out, const vy_ival *l, vy_imsg *msg) {
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD: *out = vy_iv_u32(a + b); return true;
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB: *out = vy_iv_u32(a - b); return true;
  case VY_BINOP_MUL: *out = vy_iv_u32(a * b); return true;
  case VY_BINOP_DIV: *out = vy_iv_u32(b == 0 ? UINT32_MAX : a / b); return true;
  case VY_BINOP_MOD: *out = vy_iv_u32(b == 0 ? 0 : a % b); return true;
  case VY_BINOP_BIT_AND: *out = vy_iv_u32(a & b); return true;
  case VY_BINOP_BIT_OR: *out = vy_iv_u32(a | b); return true;
  case VY_BINOP_BIT_XOR: *out = vy_iv_u32(a ^ b); return true;
  case VY_BINOP_SHL: *out = vy_iv_u32(a << (b & 31)); return true;
  case VY_BINOP_SHR: *out = vy_iv_u32(a >> (b & 31)); return true;
  case VY_BINOP_ROTATE_LEFT: *out = vy_iv_u32(rotl32(a, b & 31)); return true;
  case VY_BINOP_ROTATE_RIGHT: *out = vy_iv_u32(rotl32(a, (32 - (b & 31)) & 31)); return true;
  case VY_BINOP_EQ: *out = vy_iv_bool(a == b); return true;
  case VY_BINOP_NE: *out = vy_iv_bool(a != b); return true;
  case VY_BINOP_LT: *out = vy_iv_bool(a < b); return true;
  case VY_BINOP_GT: *out = vy_iv_bool(a > b); return true;
  case VY_BINOP_LE: *out = vy_iv_bool(a <= b); return true;
  case VY_BINOP_GE: *out = vy_iv_bool(a >= b); return true;
  case VY_BINOP_AND: *out = vy_iv_bool(a != 0 && b != 0); return true;
  case VY_BINOP_OR: *out = vy_iv_bool(a != 0 || b != 0); return true;
  case VY_BINOP_MIN: *out = vy_iv_u32(a < b ? a : b); return true;
  case VY_BINOP_MAX: *out = vy_iv_u32(a > b ? a : b); return true;
  case VY_BINOP_ABS_DIFF: *out = vy_iv_u32(a > b ? a - b : b - a); return true;
  case VY_BINOP_SATURATING_ADD: *out = vy_iv_u32(a + b < a ? UINT32_MAX : a + b); return true;
  case VY_BINOP_SATURATING_SUB: *out = vy_iv_u32(a < b ? 0 : a - b); return true;
  case VY_BINOP_SATURATING_MUL: {
    uint64_t p = (uint64_t)a * b;
    *out = vy_iv_u32(p > UINT32_MAX ? UINT32_MAX : (uint32_t)p);
    return true;
  }
  case VY_BINOP_MUL_HIGH: *out = vy_iv_u32((uint32_t)(((uint64_t)a * b) >> 32)); return true;
  default: return unsupported_bin(op, l, msg);
  }
}

/* ---- i32 ---- */

static int32_t sat_i32(int64_t x) { return x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : (int32_t)x; }

static bool bin_i32(vy_binop op, int32_t a, int32_t b, vy_ival *out, const vy_ival *l, vy_imsg *msg) {
  uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD: *out = vy_iv_i32((int32_t)(ua + ub)); return true;
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB: *out = vy_iv_i32((int32_t)(ua - ub)); return true;
  case VY_BINOP_MUL: *out = vy_iv_i32((int32_t)(ua * ub)); return true;
  case VY_BINOP_DIV:
  case VY_BINOP_MOD: {
    bool div = op == VY_BINOP_DIV;
    if (b == 0)
      return vy_imsg_set(msg, "i32 %s by zero (%d %s 0) aborts the reference run. Fix: guard the divisor with an If or a "
                              "Select on a non-zero value, or use u32 (whose x/0 is 0xFFFFFFFF)",
                         div ? "division" : "remainder", a, div ? "/" : "%");
    if (a == INT32_MIN && b == -1)
      return vy_imsg_set(msg, "i32 %s overflow (%d %s -1) aborts the reference run. Fix: guard against i32::MIN %s -1",
                         div ? "division" : "remainder", a, div ? "/" : "%", div ? "/" : "%");
    *out = vy_iv_i32(div ? a / b : a % b);
    return true;
  }
  case VY_BINOP_BIT_AND: *out = vy_iv_i32(a & b); return true;
  case VY_BINOP_BIT_OR: *out = vy_iv_i32(a | b); return true;
  case VY_BINOP_BIT_XOR: *out = vy_iv_i32(a ^ b); return true;
  case VY_BINOP_SHL: *out = vy_iv_i32((int32_t)(ua << (ub & 31))); return true;
  case VY_BINOP_SHR: {
    uint32_t s = ub & 31;
    /* arithmetic shift written without implementation-defined behaviour */
    uint32_t r = ua >> s;
    if (a < 0 && s) r |= ~(UINT32_MAX >> s);
    *out = vy_iv_i32((int32_t)r);
    return true;
  }
  case VY_BINOP_EQ: *out = vy_iv_bool(a == b); return true;
  case VY_BINOP_NE: *out = vy_iv_bool(a != b); return true;
  case VY_BINOP_LT: *out = vy_iv_bool(a < b); return true;
  case VY_BINOP_GT: *out = vy_iv_bool(a > b); return true;
  case VY_BINOP_LE: *out = vy_iv_bool(a <= b); return true;
  case VY_BINOP_GE: *out = vy_iv_bool(a >= b); return true;
  case VY_BINOP_AND: *out = vy_iv_bool(a != 0 && b != 0); return true;
  case VY_BINOP_OR: *out = vy_iv_bool(a != 0 || b != 0); return true;
  case VY_BINOP_MIN: *out = vy_iv_i32(a < b ? a : b); return true;
  case VY_BINOP_MAX: *out = vy_iv_i32(a > b ? a : b); return true;
  case VY_BINOP_ABS_DIFF: *out = vy_iv_u32(a > b ? ua - ub : ub - ua); return true;
  case VY_BINOP_SATURATING_ADD: *out = vy_iv_i32(sat_i32((int64_t)a + b)); return true;
  case VY_BINOP_SATURATING_SUB: *out = vy_iv_i32(sat_i32((int64_t)a - b)); return true;
  case VY_BINOP_SATURATING_MUL: *out = vy_iv_i32(sat_i32((int64_t)a * b)); return true;
  default: return unsupported_bin(op, l, msg);
  }
}

/* ---- u64 ---- */

static uint64_t mulhi_u64(uint64_t a, uint64_t b) {
  uint64_t al = a & 0xFFFFFFFFu, ah = a >> 32, bl = b & 0xFFFFFFFFu, bh = b >> 32;
  uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static bool bin_u64(vy_binop op, uint64_t a, uint64_t b, vy_ival *out, const vy_ival *l, vy_imsg *msg) {
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD: *out = vy_iv_u64(a + b); return true;
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB: *out = vy_iv_u64(a - b); return true;
  case VY_BINOP_MUL: *out = vy_iv_u64(a * b); return true;
  case VY_BINOP_DIV: *out = vy_iv_u64(b == 0 ? UINT64_MAX : a / b); return true;
  case VY_BINOP_MOD: *out = vy_iv_u64(b == 0 ? 0 : a % b); return true;
  case VY_BINOP_BIT_AND: *out = vy_iv_u64(a & b); return true;
  case VY_BINOP_BIT_OR: *out = vy_iv_u64(a | b); return true;
  case VY_BINOP_BIT_XOR: *out = vy_iv_u64(a ^ b); return true;
  case VY_BINOP_SHL: *out = vy_iv_u64(a << (b & 63)); return true;
  case VY_BINOP_SHR: *out = vy_iv_u64(a >> (b & 63)); return true;
  case VY_BINOP_EQ: *out = vy_iv_bool(a == b); return true;
  case VY_BINOP_NE: *out = vy_iv_bool(a != b); return true;
  case VY_BINOP_LT: *out = vy_iv_bool(a < b); return true;
  case VY_BINOP_GT: *out = vy_iv_bool(a > b); return true;
  case VY_BINOP_LE: *out = vy_iv_bool(a <= b); return true;
  case VY_BINOP_GE: *out = vy_iv_bool(a >= b); return true;
  case VY_BINOP_AND: *out = vy_iv_bool(a != 0 && b != 0); return true;
  case VY_BINOP_OR: *out = vy_iv_bool(a != 0 || b != 0); return true;
  case VY_BINOP_MIN: *out = vy_iv_u64(a < b ? a : b); return true;
  case VY_BINOP_MAX: *out = vy_iv_u64(a > b ? a : b); return true;
  case VY_BINOP_ABS_DIFF: *out = vy_iv_u64(a > b ? a - b : b - a); return true;
  case VY_BINOP_SATURATING_ADD: *out = vy_iv_u64(a + b < a ? UINT64_MAX : a + b); return true;
  case VY_BINOP_SATURATING_SUB: *out = vy_iv_u64(a < b ? 0 : a - b); return true;
  case VY_BINOP_SATURATING_MUL: *out = vy_iv_u64(mulhi_u64(a, b) ? UINT64_MAX : a * b); return true;
  case VY_BINOP_MUL_HIGH: *out = vy_iv_u64(mulhi_u64(a, b)); return true;
  default: return unsupported_bin(op, l, msg);
  }
}

/* ---- bool ---- */

static bool bin_bool(vy_binop op, bool a, bool b, vy_ival *out, const vy_ival *l, vy_imsg *msg) {
  switch (op) {
  case VY_BINOP_EQ: *out = vy_iv_bool(a == b); return true;
  case VY_BINOP_NE: *out = vy_iv_bool(a != b); return true;
  case VY_BINOP_AND: *out = vy_iv_bool(a && b); return true;
  case VY_BINOP_OR: *out = vy_iv_bool(a || b); return true;
  default: return unsupported_bin(op, l, msg);
  }
}

/* ---- f32 ---- */

static vy_ival fres(float x) { return vy_iv_float((double)vy_f32_canon(x)); }

/* Rust f32::min/max (IEEE minNum/maxNum): a NaN operand yields the other
 * operand. Equal operands (including -0 vs +0, where vyre leaves the sign
 * unspecified) yield the left operand, as LLVM's x86 lowering of minnum does. */
static float min_f(float a, float b) {
  if (isnan(a)) return b;
  if (isnan(b)) return a;
  return b < a ? b : a;
}
static float max_f(float a, float b) {
  if (isnan(a)) return b;
  if (isnan(b)) return a;
  return b > a ? b : a;
}

static bool bin_f32(vy_binop op, double ld, double rd, vy_ival *out, const vy_ival *l, vy_imsg *msg) {
  float a = vy_f32_canon((float)ld), b = vy_f32_canon((float)rd);
  switch (op) {
  case VY_BINOP_ADD: *out = fres(a + b); return true;
  case VY_BINOP_SUB: *out = fres(a - b); return true;
  case VY_BINOP_MUL: *out = fres(a * b); return true;
  case VY_BINOP_DIV: *out = fres(a / b); return true;
  case VY_BINOP_EQ: *out = vy_iv_bool(a == b); return true;
  case VY_BINOP_NE: *out = vy_iv_bool(a != b); return true;
  case VY_BINOP_LT: *out = vy_iv_bool(a < b); return true;
  case VY_BINOP_GT: *out = vy_iv_bool(a > b); return true;
  case VY_BINOP_LE: *out = vy_iv_bool(a <= b); return true;
  case VY_BINOP_GE: *out = vy_iv_bool(a >= b); return true;
  case VY_BINOP_MIN: *out = fres(min_f(a, b)); return true;
  case VY_BINOP_MAX: *out = fres(max_f(a, b)); return true;
  default: return unsupported_bin(op, l, msg);
  }
}

bool vy_iop_binop(vy_binop op, const vy_ival *l, const vy_ival *r, vy_ival *out, vy_imsg *msg) {
  if (l->kind != r->kind || l->kind == VY_IV_BYTES) {
    char a[48], b[48];
    vy_iv_describe(l, a, sizeof a);
    vy_iv_describe(r, b, sizeof b);
    return vy_imsg_set(msg,
                       "binary op `%s` received mismatched operands %s and %s. Fix: insert an explicit Cast so both "
                       "operands have the same primitive type",
                       vy_binop_name(op), a, b);
  }
  switch ((vy_ival_kind)l->kind) {
  case VY_IV_U32: return bin_u32(op, l->v.u32, r->v.u32, out, l, msg);
  case VY_IV_I32: return bin_i32(op, l->v.i32, r->v.i32, out, l, msg);
  case VY_IV_U64: return bin_u64(op, l->v.u64, r->v.u64, out, l, msg);
  case VY_IV_BOOL: return bin_bool(op, l->v.b, r->v.b, out, l, msg);
  case VY_IV_FLOAT: return bin_f32(op, l->v.f, r->v.f, out, l, msg);
  case VY_IV_BYTES: break;
  }
  return unsupported_bin(op, l, msg);
}

/* ---- UnOp ---- */

static bool unsupported_un(vy_unop op, const vy_ival *x, vy_imsg *msg) {
  return vy_imsg_set(msg,
                     "unary op `%s` is not defined for a %s operand in the reference interpreter. Fix: cast the operand "
                     "to a type the op supports (see the UnOp table of the spec)",
                     vy_unop_name(op), kind_name(x));
}

static uint32_t rev32(uint32_t x) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i++) r |= ((x >> i) & 1u) << (31 - i);
  return r;
}

static uint64_t rev64(uint64_t x) { return ((uint64_t)rev32((uint32_t)x) << 32) | rev32((uint32_t)(x >> 32)); }

static bool un_int(vy_unop op, const vy_ival *x, vy_ival *out, vy_imsg *msg) {
  bool wide = x->kind == VY_IV_U64;
  uint64_t v = wide ? x->v.u64 : x->kind == VY_IV_I32 ? (uint32_t)x->v.i32 : x->v.u32;
  unsigned bits = wide ? 64 : 32;
  uint64_t mask = wide ? UINT64_MAX : UINT32_MAX, r;
  switch (op) {
  case VY_UNOP_NEGATE: r = (0 - v) & mask; break;
  case VY_UNOP_BIT_NOT: r = ~v & mask; break;
  case VY_UNOP_LOGICAL_NOT: *out = vy_iv_bool(v == 0); return true;
  case VY_UNOP_POPCOUNT: r = (uint64_t)__builtin_popcountll(v); break;
  case VY_UNOP_CLZ: r = v == 0 ? bits : (uint64_t)(__builtin_clzll(v) - (64 - bits)); break;
  case VY_UNOP_CTZ: r = v == 0 ? bits : (uint64_t)__builtin_ctzll(v); break;
  case VY_UNOP_REVERSE_BITS: r = wide ? rev64(v) : rev32((uint32_t)v); break;
  default: return unsupported_un(op, x, msg);
  }
  if (wide)
    *out = vy_iv_u64(r);
  else if (x->kind == VY_IV_I32)
    *out = vy_iv_i32((int32_t)(uint32_t)r);
  else
    *out = vy_iv_u32((uint32_t)r);
  return true;
}

static float sign_f(float a) {
  if (isnan(a)) return a;
  if (a > 0.0f) return 1.0f;
  if (a < 0.0f) return -1.0f;
  return 0.0f;
}

static bool un_f32(vy_unop op, const vy_ival *x, vy_ival *out, vy_imsg *msg) {
  float a = vy_f32_canon((float)x->v.f), r;
  switch (op) {
  case VY_UNOP_NEGATE: r = -a; break;
  case VY_UNOP_ABS: r = fabsf(a); break;
  case VY_UNOP_SQRT: r = sqrtf(a); break;
  case VY_UNOP_FLOOR: r = floorf(a); break;
  case VY_UNOP_CEIL: r = ceilf(a); break;
  case VY_UNOP_ROUND: r = roundf(a); break;
  case VY_UNOP_TRUNC: r = truncf(a); break;
  case VY_UNOP_SIGN: r = sign_f(a); break;
  case VY_UNOP_IS_NAN: *out = vy_iv_bool(isnan(a)); return true;
  case VY_UNOP_IS_INF: *out = vy_iv_bool(isinf(a)); return true;
  case VY_UNOP_IS_FINITE: *out = vy_iv_bool(isfinite(a)); return true;
  case VY_UNOP_INVERSE_SQRT: r = 1.0f / sqrtf(a); break;
  case VY_UNOP_RECIPROCAL: r = 1.0f / a; break;
  case VY_UNOP_SIN: r = sinf(a); break;
  case VY_UNOP_COS: r = cosf(a); break;
  case VY_UNOP_TAN: r = tanf(a); break;
  case VY_UNOP_ASIN: r = asinf(a); break;
  case VY_UNOP_ACOS: r = acosf(a); break;
  case VY_UNOP_ATAN: r = atanf(a); break;
  case VY_UNOP_SINH: r = sinhf(a); break;
  case VY_UNOP_COSH: r = coshf(a); break;
  case VY_UNOP_TANH: r = tanhf(a); break;
  case VY_UNOP_EXP: r = expf(a); break;
  case VY_UNOP_EXP2: r = exp2f(a); break;
  case VY_UNOP_LOG: r = logf(a); break;
  case VY_UNOP_LOG2: r = log2f(a); break;
  default: return unsupported_un(op, x, msg);
  }
  *out = fres(r);
  return true;
}

bool vy_iop_unop(vy_unop op, const vy_ival *x, vy_ival *out, vy_imsg *msg) {
  switch ((vy_ival_kind)x->kind) {
  case VY_IV_U32:
  case VY_IV_I32:
  case VY_IV_U64: return un_int(op, x, out, msg);
  case VY_IV_BOOL:
    if (op == VY_UNOP_LOGICAL_NOT) {
      *out = vy_iv_bool(!x->v.b);
      return true;
    }
    return unsupported_un(op, x, msg);
  case VY_IV_FLOAT: return un_f32(op, x, out, msg);
  case VY_IV_BYTES:
    return vy_imsg_set(msg,
                       "unary op `%s` received non-primitive operand bytes[%u]. Fix: load or cast to a scalar primitive "
                       "before applying unary ops",
                       vy_unop_name(op), x->len);
  }
  return unsupported_un(op, x, msg);
}

/* ---- Cast ---- */

/* Rust `f as u32` / `f as i32`: truncate toward zero, saturate, NaN -> 0. */
static uint32_t f_as_u32(double f) {
  if (isnan(f) || f <= -1.0 || f < 0.0) return 0;
  if (f >= 4294967296.0) return UINT32_MAX;
  return (uint32_t)f;
}
static int32_t f_as_i32(double f) {
  if (isnan(f)) return 0;
  if (f >= 2147483648.0) return INT32_MAX;
  if (f <= -2147483649.0) return INT32_MIN;
  return (int32_t)f;
}

static bool bad_cast(const vy_type *t, const vy_ival *x, vy_imsg *msg) {
  char d[48];
  vy_iv_describe(x, d, sizeof d);
  return vy_imsg_set(msg, "cast to %s cannot represent %s losslessly. Fix: cast from an in-range scalar value",
                     vy_type_kind_name(t->kind), d);
}

static vy_ival raw_bytes(const vy_ival *x) {
  if (x->kind == VY_IV_BYTES) return *x;
  uint8_t tmp[8];
  size_t n = vy_iv_raw(x, tmp, sizeof tmp);
  return vy_iv_bytes(tmp, n);
}

bool vy_iop_cast(const vy_type *t, const vy_ival *x, vy_ival *out, vy_imsg *msg) {
  uint32_t u;
  uint64_t w;
  switch (t->kind) {
  case VY_TYPE_U32:
    if (x->kind == VY_IV_I32) *out = vy_iv_u32((uint32_t)x->v.i32);
    else if (x->kind == VY_IV_FLOAT) *out = vy_iv_u32(f_as_u32(x->v.f));
    else if (vy_iv_as_u32(x, &u)) *out = vy_iv_u32(u);
    else return bad_cast(t, x, msg);
    return true;
  case VY_TYPE_I32:
    if (x->kind == VY_IV_I32) *out = *x;
    else if (x->kind == VY_IV_FLOAT) *out = vy_iv_i32(f_as_i32(x->v.f));
    else if (vy_iv_as_u32(x, &u)) *out = vy_iv_i32((int32_t)u);
    else return bad_cast(t, x, msg);
    return true;
  case VY_TYPE_U64:
    if (!vy_iv_as_u64(x, &w)) return bad_cast(t, x, msg);
    *out = vy_iv_u64(w);
    return true;
  case VY_TYPE_F32:
    switch ((vy_ival_kind)x->kind) {
    case VY_IV_U32: *out = vy_iv_float((double)(float)x->v.u32); return true;
    case VY_IV_I32: *out = vy_iv_float((double)(float)x->v.i32); return true;
    case VY_IV_U64: *out = vy_iv_float((double)(float)x->v.u64); return true;
    case VY_IV_FLOAT: *out = *x; return true;
    case VY_IV_BOOL: *out = vy_iv_float(x->v.b ? 1.0 : 0.0); return true;
    case VY_IV_BYTES: break;
    }
    if (!vy_iv_as_u32(x, &u)) return bad_cast(t, x, msg);
    *out = vy_iv_float((double)(float)u);
    return true;
  case VY_TYPE_BOOL: *out = vy_iv_bool(vy_iv_truthy(x)); return true;
  case VY_TYPE_VEC2U32:
  case VY_TYPE_VEC4U32: {
    uint8_t tmp[16];
    size_t n = t->kind == VY_TYPE_VEC2U32 ? 8 : 16;
    vy_iv_write_width(x, tmp, n);
    *out = vy_iv_bytes(tmp, n);
    return true;
  }
  default: /* Bytes and every other target: the raw bytes, unchanged */ *out = raw_bytes(x); return true;
  }
}

vy_ival vy_iop_fma(float a, float b, float c) {
  a = vy_f32_canon(a);
  b = vy_f32_canon(b);
  c = vy_f32_canon(c);
  return fres(fmaf(a, b, c));
}
