/* lower_ops.c - the reference's operators as LLVM IR: BinOp, UnOp, Cast,
 * float canonicalization, raw byte views, truthiness and the u32/u64
 * conversions (vyre-ir.md §3.1-§3.4; the interpreter's interp_ops.c and
 * interp_value.c are the oracle). Operand kinds are static (lower_int.h):
 * a combination the reference rejects raises the same error here, with
 * the operands, so lower_error.c can rebuild the interpreter's message. */
#include "lower_int.h"

static vy_jt jt(vy_jk k) { return (vy_jt){(uint8_t)k, 0}; }
static vy_jv jv(vy_jk k, LLVMValueRef v) { return (vy_jv){jt(k), v}; }
static const vy_jv never = {{VY_JK_NEVER, 0}, NULL};

static LLVMValueRef c32(vy_lw *w, uint32_t x) { return LLVMConstInt(w->t_i32, x, 0); }
static LLVMValueRef c64(vy_lw *w, uint64_t x) { return LLVMConstInt(w->t_i64, x, 0); }
static LLVMValueRef cf(vy_lw *w, float x) { return LLVMConstReal(w->t_f32, x); }

static LLVMValueRef call1(vy_lw *w, const char *name, LLVMValueRef a) {
  LLVMTypeRef t = LLVMTypeOf(a);
  return vy_lw_intrinsic(w, name, &t, 1, &a, 1);
}
static LLVMValueRef call2(vy_lw *w, const char *name, LLVMValueRef a, LLVMValueRef b) {
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef args[2] = {a, b};
  return vy_lw_intrinsic(w, name, &t, 1, args, 2);
}

/* ---- floats ---- */

LLVMValueRef vy_lw_canon(vy_lw *w, LLVMValueRef f) {
  LLVMBuilderRef b = w->b;
  LLVMValueRef bits = LLVMBuildBitCast(b, f, w->t_i32, "fb");
  LLVMValueRef abs = LLVMBuildAnd(b, bits, c32(w, 0x7FFFFFFFu), "fabs");
  LLVMValueRef nan = LLVMBuildICmp(b, LLVMIntUGT, abs, c32(w, 0x7F800000u), "isnan");
  LLVMValueRef tiny = LLVMBuildICmp(b, LLVMIntULT, abs, c32(w, 0x00800000u), "tiny");
  LLVMValueRef flushed = LLVMBuildSelect(b, tiny, LLVMBuildAnd(b, bits, c32(w, 0x80000000u), "sign"), bits, "");
  LLVMValueRef r = LLVMBuildSelect(b, nan, c32(w, 0x7FC00000u), flushed, "canon");
  return LLVMBuildBitCast(b, r, w->t_f32, "");
}

LLVMValueRef vy_lw_canon_bits(vy_lw *w, LLVMValueRef f) {
  return LLVMBuildBitCast(w->b, vy_lw_canon(w, f), w->t_i32, "");
}

/* The f32 `f` with a subnormal replaced by the zero of its sign, by integer
 * operations only (NaN and other values unchanged). */
static LLVMValueRef flush_int(vy_lw *w, LLVMValueRef f) {
  LLVMBuilderRef b = w->b;
  LLVMValueRef bits = LLVMBuildBitCast(b, f, w->t_i32, "fb");
  LLVMValueRef exp = LLVMBuildAnd(b, bits, c32(w, 0x7F800000u), "fexp");
  LLVMValueRef tiny = LLVMBuildICmp(b, LLVMIntEQ, exp, c32(w, 0), "tiny");
  LLVMValueRef r = LLVMBuildSelect(b, tiny, LLVMBuildAnd(b, bits, c32(w, 0x80000000u), "sign"), bits, "ftz");
  return LLVMBuildBitCast(b, r, w->t_f32, "");
}

void vy_lw_flush_float_observers(vy_lw *w, LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      LLVMOpcode op = LLVMGetInstructionOpcode(i);
      if (op != LLVMFCmp && op != LLVMFPExt) continue;
      unsigned n = op == LLVMFCmp ? 2u : 1u;
      for (unsigned k = 0; k < n; k++) {
        LLVMValueRef v = LLVMGetOperand(i, k);
        if (LLVMTypeOf(v) != w->t_f32 || LLVMIsAConstant(v)) continue;
        LLVMPositionBuilderBefore(w->b, i);
        LLVMSetOperand(i, k, flush_int(w, v));
      }
    }
}

/* ---- raw bytes (value.rs to_bytes; interp_value.c vy_iv_raw) ---- */

LLVMValueRef vy_lw_raw(vy_lw *w, vy_jv v, unsigned *nbytes) {
  LLVMBuilderRef b = w->b;
  switch ((vy_jk)v.t.k) {
  case VY_JK_U32:
  case VY_JK_I32:
    *nbytes = 4;
    return v.v;
  case VY_JK_BOOL:
    *nbytes = 4;
    return LLVMBuildZExt(b, v.v, w->t_i32, "");
  case VY_JK_U64:
    *nbytes = 8;
    return v.v;
  case VY_JK_F32: { /* the f64 of the canonical value; NaN gives the canonical f64 NaN explicitly, since
                       fpext keeps the payload on x86 but gives 0x7fffffffe0000000 on NVIDIA GPUs */
    *nbytes = 8;
    LLVMValueRef canon = vy_lw_canon(w, v.v);
    LLVMValueRef wide = LLVMBuildBitCast(b, LLVMBuildFPExt(b, canon, w->t_f64, ""), w->t_i64, "");
    LLVMValueRef abs = LLVMBuildAnd(b, LLVMBuildBitCast(b, canon, w->t_i32, ""), c32(w, 0x7FFFFFFFu), "");
    LLVMValueRef nan = LLVMBuildICmp(b, LLVMIntUGT, abs, c32(w, 0x7F800000u), "isnan");
    return LLVMBuildSelect(b, nan, LLVMConstInt(w->t_i64, 0x7FF8000000000000ull, 0), wide, "canon64");
  }
  case VY_JK_BYTES:
    *nbytes = v.t.n;
    return v.v;
  case VY_JK_NEVER:
    break;
  }
  *nbytes = 0;
  return LLVMConstInt(w->t_i8, 0, 0);
}

LLVMValueRef vy_lw_resize(vy_lw *w, LLVMValueRef x, unsigned from, unsigned to) {
  LLVMTypeRef t = to ? LLVMIntTypeInContext(w->c, 8 * to) : w->t_i8;
  if (from == 0) return LLVMConstInt(t, 0, 0);
  if (to == 0) return LLVMConstInt(w->t_i8, 0, 0);
  if (from == to) return x;
  return from < to ? LLVMBuildZExt(w->b, x, t, "") : LLVMBuildTrunc(w->b, x, t, "");
}

vy_jv vy_lw_bytes(vy_lw *w, vy_jv v, unsigned width) {
  unsigned n;
  LLVMValueRef r = vy_lw_raw(w, v, &n);
  return (vy_jv){{VY_JK_BYTES, (uint8_t)width}, vy_lw_resize(w, r, n, width)};
}

/* ---- truthiness and conversions (value.rs) ---- */

LLVMValueRef vy_lw_truthy(vy_lw *w, vy_jv v) {
  LLVMBuilderRef b = w->b;
  switch ((vy_jk)v.t.k) {
  case VY_JK_BOOL:
    return v.v;
  case VY_JK_U32:
  case VY_JK_I32: /* negative i32 does not fit u32, which counts as true */
  case VY_JK_U64:
    return LLVMBuildICmp(b, LLVMIntNE, v.v, LLVMConstNull(LLVMTypeOf(v.v)), "truthy");
  case VY_JK_F32: { /* != 0.0 on the canonical value: NaN true, subnormal false */
    LLVMValueRef abs = LLVMBuildAnd(b, LLVMBuildBitCast(b, v.v, w->t_i32, ""), c32(w, 0x7FFFFFFFu), "");
    return LLVMBuildICmp(b, LLVMIntUGE, abs, c32(w, 0x00800000u), "truthy");
  }
  case VY_JK_BYTES:
    if (v.t.n > 4) return LLVMConstInt(w->t_i1, 1, 0);
    if (v.t.n == 0) return LLVMConstInt(w->t_i1, 0, 0);
    return LLVMBuildICmp(b, LLVMIntNE, v.v, LLVMConstNull(LLVMTypeOf(v.v)), "truthy");
  case VY_JK_NEVER:
    break;
  }
  return LLVMConstInt(w->t_i1, 0, 0);
}

/* Float in [0, limit) and finite (NaN and inf fail): the condition for
 * try_as_u32 (limit 2^32) and try_as_u64 (2^64) on a canonical value. */
static LLVMValueRef float_out_of(vy_lw *w, LLVMValueRef f, float limit) {
  LLVMValueRef ok = LLVMBuildAnd(w->b, LLVMBuildFCmp(w->b, LLVMRealOGE, f, cf(w, 0.0f), ""),
                                 LLVMBuildFCmp(w->b, LLVMRealOLT, f, cf(w, limit), ""), "");
  return LLVMBuildNot(w->b, ok, "bad");
}

LLVMValueRef vy_lw_as_u32(vy_lw *w, vy_jv v, LLVMValueRef *bad) {
  LLVMBuilderRef b = w->b;
  *bad = NULL;
  switch ((vy_jk)v.t.k) {
  case VY_JK_U32:
    return v.v;
  case VY_JK_I32:
    *bad = LLVMBuildICmp(b, LLVMIntSLT, v.v, c32(w, 0), "neg");
    return v.v;
  case VY_JK_U64:
    *bad = LLVMBuildICmp(b, LLVMIntUGT, v.v, c64(w, UINT32_MAX), "big");
    return LLVMBuildTrunc(b, v.v, w->t_i32, "");
  case VY_JK_BOOL:
    return LLVMBuildZExt(b, v.v, w->t_i32, "");
  case VY_JK_BYTES:
    if (v.t.n > 4) {
      *bad = LLVMConstInt(w->t_i1, 1, 0);
      return c32(w, 0);
    }
    return vy_lw_resize(w, v.v, v.t.n, 4);
  case VY_JK_F32: {
    LLVMValueRef f = vy_lw_canon(w, v.v);
    *bad = float_out_of(w, f, 4294967296.0f);
    return LLVMBuildFPToUI(b, LLVMBuildSelect(b, *bad, cf(w, 0.0f), f, ""), w->t_i32, "");
  }
  case VY_JK_NEVER:
    break;
  }
  *bad = LLVMConstInt(w->t_i1, 1, 0);
  return c32(w, 0);
}

LLVMValueRef vy_lw_as_u64(vy_lw *w, vy_jv v, LLVMValueRef *bad) {
  LLVMBuilderRef b = w->b;
  *bad = NULL;
  switch ((vy_jk)v.t.k) {
  case VY_JK_U32:
    return LLVMBuildZExt(b, v.v, w->t_i64, "");
  case VY_JK_I32:
    *bad = LLVMBuildICmp(b, LLVMIntSLT, v.v, c32(w, 0), "neg");
    return LLVMBuildZExt(b, v.v, w->t_i64, "");
  case VY_JK_U64:
    return v.v;
  case VY_JK_BOOL:
    return LLVMBuildZExt(b, v.v, w->t_i64, "");
  case VY_JK_BYTES:
    if (v.t.n > 8) {
      *bad = LLVMConstInt(w->t_i1, 1, 0);
      return c64(w, 0);
    }
    return vy_lw_resize(w, v.v, v.t.n, 8);
  case VY_JK_F32: {
    LLVMValueRef f = vy_lw_canon(w, v.v);
    *bad = float_out_of(w, f, 18446744073709551616.0f);
    return LLVMBuildFPToUI(b, LLVMBuildSelect(b, *bad, cf(w, 0.0f), f, ""), w->t_i64, "");
  }
  case VY_JK_NEVER:
    break;
  }
  *bad = LLVMConstInt(w->t_i1, 1, 0);
  return c64(w, 0);
}

/* ---- BinOp (typed_ops/mod.rs; interp_ops.c vy_iop_binop) ---- */

static vy_jv bin_fail(vy_lw *w, const vy_cx *x, vy_jv a, vy_jv bb) {
  uint32_t site = vy_lw_site(w, VY_SITE_BINOP, x);
  if (site) {
    w->sites[site].op = x->op;
    w->sites[site].ta = a.t;
    w->sites[site].tb = bb.t;
    vy_lw_raise(w, site, true, a, bb);
  }
  return never;
}

static LLVMValueRef cmp(vy_lw *w, LLVMIntPredicate p, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildICmp(w->b, p, a, b, "");
}

/* Logical and/or of integers: Bool(a != 0 op b != 0). */
static LLVMValueRef logical(vy_lw *w, vy_binop op, LLVMValueRef a, LLVMValueRef b) {
  LLVMValueRef z = LLVMConstNull(LLVMTypeOf(a));
  LLVMValueRef x = cmp(w, LLVMIntNE, a, z), y = cmp(w, LLVMIntNE, b, z);
  return op == VY_BINOP_AND ? LLVMBuildAnd(w->b, x, y, "") : LLVMBuildOr(w->b, x, y, "");
}

/* The quotient of 32-bit integers truncated toward zero, through f64: the
 * exact quotient differs from the next integer by at least 1/|b|, more than
 * the rounding error of the f64 division, so truncating it is exact. Unlike
 * an integer division it cannot trap, so LLVM needs no predication for it
 * (LLVM 19's vectorizer miscompiles a predicated division whose value is
 * uniform: it reads lane 0's result, which may not have run) and it
 * vectorizes. b must not be zero. */
static LLVMValueRef div_f64(vy_lw *w, LLVMValueRef a, LLVMValueRef b, bool is_signed) {
  LLVMBuilderRef B = w->b;
  LLVMValueRef fa = is_signed ? LLVMBuildSIToFP(B, a, w->t_f64, "") : LLVMBuildUIToFP(B, a, w->t_f64, "");
  LLVMValueRef fb = is_signed ? LLVMBuildSIToFP(B, b, w->t_f64, "") : LLVMBuildUIToFP(B, b, w->t_f64, "");
  LLVMValueRef q = LLVMBuildFDiv(B, fa, fb, "");
  LLVMTypeRef types[2] = {w->t_i32, w->t_f64};
  return vy_lw_intrinsic(w, is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat", types, 2, &q, 1);
}

/* Unsigned ops shared by u32 and u64 (bits = 32 or 64). Returns NULL when
 * the op is not defined for the kind. */
static LLVMValueRef bin_unsigned(vy_lw *w, vy_binop op, LLVMValueRef a, LLVMValueRef b, unsigned bits, bool *is_bool) {
  LLVMBuilderRef B = w->b;
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef zero = LLVMConstNull(t), ones = LLVMConstAllOnes(t), mask = LLVMConstInt(t, bits - 1, 0);
  *is_bool = false;
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD:
    return LLVMBuildAdd(B, a, b, "");
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB:
    return LLVMBuildSub(B, a, b, "");
  case VY_BINOP_MUL:
    return LLVMBuildMul(B, a, b, "");
  case VY_BINOP_DIV:
  case VY_BINOP_MOD: {
    LLVMValueRef z = cmp(w, LLVMIntEQ, b, zero), safe = call2(w, "llvm.umax", b, LLVMConstInt(t, 1, 0));
    LLVMValueRef q = bits == 32 ? div_f64(w, a, safe, false) : LLVMBuildUDiv(B, a, safe, "");
    if (bits != 32) w->no_vectorize = true;
    if (op == VY_BINOP_DIV) return LLVMBuildSelect(B, z, ones, q, "");
    return LLVMBuildSelect(B, z, zero, LLVMBuildSub(B, a, LLVMBuildMul(B, q, safe, ""), ""), "");
  }
  case VY_BINOP_BIT_AND:
    return LLVMBuildAnd(B, a, b, "");
  case VY_BINOP_BIT_OR:
    return LLVMBuildOr(B, a, b, "");
  case VY_BINOP_BIT_XOR:
    return LLVMBuildXor(B, a, b, "");
  case VY_BINOP_SHL:
    return LLVMBuildShl(B, a, LLVMBuildAnd(B, b, mask, ""), "");
  case VY_BINOP_SHR:
    return LLVMBuildLShr(B, a, LLVMBuildAnd(B, b, mask, ""), "");
  case VY_BINOP_EQ:
    *is_bool = true;
    return cmp(w, LLVMIntEQ, a, b);
  case VY_BINOP_NE:
    *is_bool = true;
    return cmp(w, LLVMIntNE, a, b);
  case VY_BINOP_LT:
    *is_bool = true;
    return cmp(w, LLVMIntULT, a, b);
  case VY_BINOP_GT:
    *is_bool = true;
    return cmp(w, LLVMIntUGT, a, b);
  case VY_BINOP_LE:
    *is_bool = true;
    return cmp(w, LLVMIntULE, a, b);
  case VY_BINOP_GE:
    *is_bool = true;
    return cmp(w, LLVMIntUGE, a, b);
  case VY_BINOP_AND:
  case VY_BINOP_OR:
    *is_bool = true;
    return logical(w, op, a, b);
  case VY_BINOP_MIN:
    return call2(w, "llvm.umin", a, b);
  case VY_BINOP_MAX:
    return call2(w, "llvm.umax", a, b);
  case VY_BINOP_ABS_DIFF:
    return LLVMBuildSelect(B, cmp(w, LLVMIntUGT, a, b), LLVMBuildSub(B, a, b, ""), LLVMBuildSub(B, b, a, ""), "");
  case VY_BINOP_SATURATING_ADD:
    return call2(w, "llvm.uadd.sat", a, b);
  case VY_BINOP_SATURATING_SUB:
    return call2(w, "llvm.usub.sat", a, b);
  case VY_BINOP_SATURATING_MUL:
  case VY_BINOP_MUL_HIGH: {
    LLVMTypeRef wide = LLVMIntTypeInContext(w->c, 2 * bits);
    LLVMValueRef p = LLVMBuildMul(B, LLVMBuildZExt(B, a, wide, ""), LLVMBuildZExt(B, b, wide, ""), "");
    LLVMValueRef hi = LLVMBuildTrunc(B, LLVMBuildLShr(B, p, LLVMConstInt(wide, bits, 0), ""), t, "hi");
    if (op == VY_BINOP_MUL_HIGH) return hi;
    return LLVMBuildSelect(B, cmp(w, LLVMIntNE, hi, zero), ones, LLVMBuildTrunc(B, p, t, ""), "");
  }
  case VY_BINOP_ROTATE_LEFT:
  case VY_BINOP_ROTATE_RIGHT: {
    if (bits != 32) return NULL;
    LLVMValueRef args[3] = {a, a, LLVMBuildAnd(B, b, mask, "")};
    LLVMTypeRef ty = t;
    return vy_lw_intrinsic(w, op == VY_BINOP_ROTATE_LEFT ? "llvm.fshl" : "llvm.fshr", &ty, 1, args, 3);
  }
  default:
    return NULL;
  }
}

static vy_jv bin_i32(vy_lw *w, const vy_cx *x, vy_jv av, vy_jv bv) {
  LLVMBuilderRef B = w->b;
  LLVMValueRef a = av.v, b = bv.v, r;
  vy_binop op = (vy_binop)x->op;
  switch (op) {
  case VY_BINOP_ADD:
  case VY_BINOP_WRAPPING_ADD:
    return jv(VY_JK_I32, LLVMBuildAdd(B, a, b, ""));
  case VY_BINOP_SUB:
  case VY_BINOP_WRAPPING_SUB:
    return jv(VY_JK_I32, LLVMBuildSub(B, a, b, ""));
  case VY_BINOP_MUL:
    return jv(VY_JK_I32, LLVMBuildMul(B, a, b, ""));
  case VY_BINOP_DIV:
  case VY_BINOP_MOD: {
    LLVMValueRef bad = LLVMBuildOr(
        B, cmp(w, LLVMIntEQ, b, c32(w, 0)),
        LLVMBuildAnd(B, cmp(w, LLVMIntEQ, a, c32(w, 0x80000000u)), cmp(w, LLVMIntEQ, b, c32(w, UINT32_MAX)), ""),
        "divbad");
    uint32_t site = vy_lw_site(w, VY_SITE_BINOP, x);
    if (!site) return never;
    w->sites[site].op = x->op;
    w->sites[site].ta = w->sites[site].tb = av.t;
    vy_lw_check(w, bad, site, av, bv);
    /* through f64 (see div_f64); the divisor is 1 where the op raised */
    LLVMValueRef safe = LLVMBuildSelect(B, cmp(w, LLVMIntEQ, b, c32(w, 0)), c32(w, 1), b, "");
    LLVMValueRef q = div_f64(w, a, safe, true);
    r = op == VY_BINOP_DIV ? q : LLVMBuildSub(B, a, LLVMBuildMul(B, q, safe, ""), "srem");
    return jv(VY_JK_I32, r);
  }
  case VY_BINOP_BIT_AND:
    return jv(VY_JK_I32, LLVMBuildAnd(B, a, b, ""));
  case VY_BINOP_BIT_OR:
    return jv(VY_JK_I32, LLVMBuildOr(B, a, b, ""));
  case VY_BINOP_BIT_XOR:
    return jv(VY_JK_I32, LLVMBuildXor(B, a, b, ""));
  case VY_BINOP_SHL:
    return jv(VY_JK_I32, LLVMBuildShl(B, a, LLVMBuildAnd(B, b, c32(w, 31), ""), ""));
  case VY_BINOP_SHR:
    return jv(VY_JK_I32, LLVMBuildAShr(B, a, LLVMBuildAnd(B, b, c32(w, 31), ""), ""));
  case VY_BINOP_EQ:
    return jv(VY_JK_BOOL, cmp(w, LLVMIntEQ, a, b));
  case VY_BINOP_NE:
    return jv(VY_JK_BOOL, cmp(w, LLVMIntNE, a, b));
  case VY_BINOP_LT:
    return jv(VY_JK_BOOL, cmp(w, LLVMIntSLT, a, b));
  case VY_BINOP_GT:
    return jv(VY_JK_BOOL, cmp(w, LLVMIntSGT, a, b));
  case VY_BINOP_LE:
    return jv(VY_JK_BOOL, cmp(w, LLVMIntSLE, a, b));
  case VY_BINOP_GE:
    return jv(VY_JK_BOOL, cmp(w, LLVMIntSGE, a, b));
  case VY_BINOP_AND:
  case VY_BINOP_OR:
    return jv(VY_JK_BOOL, logical(w, op, a, b));
  case VY_BINOP_MIN:
    return jv(VY_JK_I32, call2(w, "llvm.smin", a, b));
  case VY_BINOP_MAX:
    return jv(VY_JK_I32, call2(w, "llvm.smax", a, b));
  case VY_BINOP_ABS_DIFF: /* |a - b| as U32 */
    return jv(VY_JK_U32,
              LLVMBuildSelect(B, cmp(w, LLVMIntSGT, a, b), LLVMBuildSub(B, a, b, ""), LLVMBuildSub(B, b, a, ""), ""));
  case VY_BINOP_SATURATING_ADD:
    return jv(VY_JK_I32, call2(w, "llvm.sadd.sat", a, b));
  case VY_BINOP_SATURATING_SUB:
    return jv(VY_JK_I32, call2(w, "llvm.ssub.sat", a, b));
  case VY_BINOP_SATURATING_MUL: {
    LLVMValueRef p = LLVMBuildMul(B, LLVMBuildSExt(B, a, w->t_i64, ""), LLVMBuildSExt(B, b, w->t_i64, ""), "");
    p = call2(w, "llvm.smin", call2(w, "llvm.smax", p, LLVMConstInt(w->t_i64, (uint64_t)(int64_t)INT32_MIN, 1)),
              c64(w, INT32_MAX));
    return jv(VY_JK_I32, LLVMBuildTrunc(B, p, w->t_i32, ""));
  }
  default:
    return bin_fail(w, x, av, bv);
  }
}

/* An arithmetic result the builder folded from constant operands: it was
 * computed without the function's denormal mode, so its subnormal is kept
 * where the reference flushes the result ((1e-20 * 1e-20) * 1e30 is 0 in
 * the reference, 1e-10 when the inner product stays subnormal). */
static vy_jv f32_result(vy_lw *w, LLVMValueRef r) { return jv(VY_JK_F32, LLVMIsConstant(r) ? vy_lw_canon(w, r) : r); }

static vy_jv bin_f32(vy_lw *w, const vy_cx *x, vy_jv av, vy_jv bv) {
  LLVMBuilderRef B = w->b;
  LLVMValueRef a = av.v, b = bv.v;
  switch ((vy_binop)x->op) {
  case VY_BINOP_ADD:
    return f32_result(w, LLVMBuildFAdd(B, a, b, ""));
  case VY_BINOP_SUB:
    return f32_result(w, LLVMBuildFSub(B, a, b, ""));
  case VY_BINOP_MUL:
    return f32_result(w, LLVMBuildFMul(B, a, b, ""));
  case VY_BINOP_DIV:
    return f32_result(w, LLVMBuildFDiv(B, a, b, ""));
  case VY_BINOP_EQ:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOEQ, a, b, ""));
  case VY_BINOP_NE:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealUNE, a, b, ""));
  case VY_BINOP_LT:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOLT, a, b, ""));
  case VY_BINOP_GT:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOGT, a, b, ""));
  case VY_BINOP_LE:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOLE, a, b, ""));
  case VY_BINOP_GE:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOGE, a, b, ""));
  case VY_BINOP_MIN:
  case VY_BINOP_MAX: {
    /* interp_ops.c min_f/max_f: a NaN operand gives the other one; else
     * b wins only when strictly smaller (min) / larger (max), so equal
     * operands (+0 vs -0) give the left one. A NaN b fails the compare.
     * Two zeros (or subnormals, zeros to the reference) give a by an
     * integer test: LLVM turns select(b > a, b, a) of operands it knows
     * are not NaN into maxnum, whose PTX max.f32 gives +0 for (-0, +0). */
    bool mn = x->op == VY_BINOP_MIN;
    LLVMValueRef pick_b = LLVMBuildFCmp(B, mn ? LLVMRealOLT : LLVMRealOGT, b, a, "");
    LLVMValueRef r = LLVMBuildSelect(B, pick_b, b, a, "");
    r = LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealUNO, a, a, ""), b, r, "");
    LLVMValueRef ab = LLVMBuildOr(B, LLVMBuildBitCast(B, a, w->t_i32, ""), LLVMBuildBitCast(B, b, w->t_i32, ""), "");
    LLVMValueRef zeros = LLVMBuildICmp(B, LLVMIntULT, LLVMBuildAnd(B, ab, c32(w, 0x7F800000u), ""), c32(w, 0x00800000u),
                                       "zeros");
    return jv(VY_JK_F32, LLVMBuildSelect(B, zeros, a, r, mn ? "fmin" : "fmax"));
  }
  default:
    return bin_fail(w, x, av, bv);
  }
}

vy_jv vy_lw_binop(vy_lw *w, const vy_cx *x, vy_jv a, vy_jv b) {
  if (a.t.k != b.t.k || a.t.k == VY_JK_BYTES) return bin_fail(w, x, a, b);
  bool is_bool;
  LLVMValueRef r;
  switch ((vy_jk)a.t.k) {
  case VY_JK_U32:
  case VY_JK_U64:
    r = bin_unsigned(w, (vy_binop)x->op, a.v, b.v, a.t.k == VY_JK_U32 ? 32 : 64, &is_bool);
    if (!r) return bin_fail(w, x, a, b);
    return is_bool ? jv(VY_JK_BOOL, r) : (vy_jv){a.t, r};
  case VY_JK_I32:
    return bin_i32(w, x, a, b);
  case VY_JK_BOOL:
    switch ((vy_binop)x->op) {
    case VY_BINOP_EQ:
      return jv(VY_JK_BOOL, cmp(w, LLVMIntEQ, a.v, b.v));
    case VY_BINOP_NE:
      return jv(VY_JK_BOOL, cmp(w, LLVMIntNE, a.v, b.v));
    case VY_BINOP_AND:
      return jv(VY_JK_BOOL, LLVMBuildAnd(w->b, a.v, b.v, ""));
    case VY_BINOP_OR:
      return jv(VY_JK_BOOL, LLVMBuildOr(w->b, a.v, b.v, ""));
    default:
      return bin_fail(w, x, a, b);
    }
  case VY_JK_F32:
    return bin_f32(w, x, a, b);
  default:
    return bin_fail(w, x, a, b);
  }
}

/* ---- UnOp (interp_ops.c vy_iop_unop) ---- */

static vy_jv un_fail(vy_lw *w, const vy_cx *x, vy_jv a) {
  uint32_t site = vy_lw_site(w, VY_SITE_UNOP, x);
  if (site) {
    w->sites[site].op = x->op;
    w->sites[site].ta = a.t;
    vy_lw_raise(w, site, true, a, never);
  }
  return never;
}

static vy_jv un_f32(vy_lw *w, const vy_cx *x, vy_jv av) {
  static const struct {
    vy_unop op;
    const char *intrinsic;
  } math[] = {{VY_UNOP_SQRT, "llvm.sqrt"},   {VY_UNOP_FLOOR, "llvm.floor"}, {VY_UNOP_CEIL, "llvm.ceil"},
              {VY_UNOP_ROUND, "llvm.round"}, {VY_UNOP_TRUNC, "llvm.trunc"}, {VY_UNOP_ABS, "llvm.fabs"},
              {VY_UNOP_SIN, "llvm.sin"},     {VY_UNOP_COS, "llvm.cos"},     {VY_UNOP_TAN, "llvm.tan"},
              {VY_UNOP_ASIN, "llvm.asin"},   {VY_UNOP_ACOS, "llvm.acos"},   {VY_UNOP_ATAN, "llvm.atan"},
              {VY_UNOP_SINH, "llvm.sinh"},   {VY_UNOP_COSH, "llvm.cosh"},   {VY_UNOP_TANH, "llvm.tanh"},
              {VY_UNOP_EXP, "llvm.exp"},     {VY_UNOP_EXP2, "llvm.exp2"},   {VY_UNOP_LOG, "llvm.log"},
              {VY_UNOP_LOG2, "llvm.log2"}};
  LLVMBuilderRef B = w->b;
  LLVMValueRef a = av.v;
  vy_unop op = (vy_unop)x->op;
  /* The operand is canonicalized here, not left to MXCSR.DAZ: LLVM folds
   * llvm.floor/ceil/... of a subnormal constant as it is, and libm's logf
   * and friends read a subnormal's bits (log of -1e-38 is NaN, of -0 -inf). */
  for (size_t i = 0; i < sizeof math / sizeof *math; i++)
    if (math[i].op == op) return jv(VY_JK_F32, call1(w, math[i].intrinsic, vy_lw_canon(w, a)));
  switch (op) {
  case VY_UNOP_NEGATE:
    return jv(VY_JK_F32, LLVMBuildFNeg(B, a, ""));
  case VY_UNOP_SIGN: {
    LLVMValueRef r =
        LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealOLT, a, cf(w, 0.0f), ""), cf(w, -1.0f), cf(w, 0.0f), "");
    r = LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealOGT, a, cf(w, 0.0f), ""), cf(w, 1.0f), r, "");
    return jv(VY_JK_F32, LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealUNO, a, a, ""), a, r, "sign"));
  }
  case VY_UNOP_IS_NAN:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealUNO, a, a, ""));
  case VY_UNOP_IS_INF:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOEQ, call1(w, "llvm.fabs", a), cf(w, __builtin_inff()), ""));
  case VY_UNOP_IS_FINITE:
    return jv(VY_JK_BOOL, LLVMBuildFCmp(B, LLVMRealOLT, call1(w, "llvm.fabs", a), cf(w, __builtin_inff()), ""));
  case VY_UNOP_INVERSE_SQRT:
    return f32_result(w, LLVMBuildFDiv(B, cf(w, 1.0f), call1(w, "llvm.sqrt", a), ""));
  case VY_UNOP_RECIPROCAL:
    return f32_result(w, LLVMBuildFDiv(B, cf(w, 1.0f), a, ""));
  default:
    return un_fail(w, x, av);
  }
}

vy_jv vy_lw_unop(vy_lw *w, const vy_cx *x, vy_jv a) {
  LLVMBuilderRef B = w->b;
  vy_unop op = (vy_unop)x->op;
  switch ((vy_jk)a.t.k) {
  case VY_JK_U32:
  case VY_JK_I32:
  case VY_JK_U64: {
    LLVMValueRef v = a.v, r;
    LLVMTypeRef t = LLVMTypeOf(v);
    switch (op) {
    case VY_UNOP_NEGATE:
      r = LLVMBuildSub(B, LLVMConstNull(t), v, "");
      break;
    case VY_UNOP_BIT_NOT:
      r = LLVMBuildNot(B, v, "");
      break;
    case VY_UNOP_LOGICAL_NOT:
      return jv(VY_JK_BOOL, cmp(w, LLVMIntEQ, v, LLVMConstNull(t)));
    case VY_UNOP_POPCOUNT:
      r = call1(w, "llvm.ctpop", v);
      break;
    case VY_UNOP_CLZ:
    case VY_UNOP_CTZ: {
      LLVMValueRef args[2] = {v, LLVMConstInt(w->t_i1, 0, 0)}; /* zero gives the bit width */
      r = vy_lw_intrinsic(w, op == VY_UNOP_CLZ ? "llvm.ctlz" : "llvm.cttz", &t, 1, args, 2);
      break;
    }
    case VY_UNOP_REVERSE_BITS:
      r = call1(w, "llvm.bitreverse", v);
      break;
    default:
      return un_fail(w, x, a);
    }
    return (vy_jv){a.t, r};
  }
  case VY_JK_BOOL:
    if (op == VY_UNOP_LOGICAL_NOT) return jv(VY_JK_BOOL, LLVMBuildNot(B, a.v, ""));
    return un_fail(w, x, a);
  case VY_JK_F32:
    return un_f32(w, x, a);
  default:
    return un_fail(w, x, a);
  }
}

/* ---- Cast (expr_cast.rs; interp_ops.c vy_iop_cast) ---- */

static vy_jv cast_fail(vy_lw *w, const vy_cx *x, vy_jv a) {
  uint32_t site = vy_lw_site(w, VY_SITE_CAST, x);
  if (site) {
    w->sites[site].ta = a.t;
    vy_lw_raise(w, site, true, a, never);
  }
  return never;
}

/* Value with a conditional error: raise CAST when `bad`. */
static vy_jv cast_checked(vy_lw *w, const vy_cx *x, vy_jv a, LLVMValueRef bad, vy_jk k, LLVMValueRef v) {
  if (bad) {
    if (LLVMIsConstant(bad) && LLVMConstIntGetZExtValue(bad)) return cast_fail(w, x, a);
    uint32_t site = vy_lw_site(w, VY_SITE_CAST, x);
    if (!site) return never;
    w->sites[site].ta = a.t;
    vy_lw_check(w, bad, site, a, never);
  }
  return jv(k, v);
}

vy_jv vy_lw_cast(vy_lw *w, const vy_cx *x, vy_jv a) {
  LLVMBuilderRef B = w->b;
  const vy_type *t = &x->src->u.cast.target;
  LLVMValueRef bad = NULL, v;
  switch (t->kind) {
  case VY_TYPE_U32:
  case VY_TYPE_I32: {
    vy_jk k = t->kind == VY_TYPE_U32 ? VY_JK_U32 : VY_JK_I32;
    if (a.t.k == VY_JK_I32) return jv(k, a.v);
    if (a.t.k == VY_JK_F32) /* Rust `as`: truncate, saturate, NaN -> 0 */
      return jv(k, vy_lw_fp_to_int_sat(w, a.v, k == VY_JK_I32));
    v = vy_lw_as_u32(w, a, &bad);
    return cast_checked(w, x, a, bad, k, v);
  }
  case VY_TYPE_U64:
    v = vy_lw_as_u64(w, a, &bad);
    return cast_checked(w, x, a, bad, VY_JK_U64, v);
  case VY_TYPE_F32:
    switch ((vy_jk)a.t.k) {
    case VY_JK_U32:
      return jv(VY_JK_F32, LLVMBuildUIToFP(B, a.v, w->t_f32, ""));
    case VY_JK_I32:
      return jv(VY_JK_F32, LLVMBuildSIToFP(B, a.v, w->t_f32, ""));
    case VY_JK_U64:
      return jv(VY_JK_F32, LLVMBuildUIToFP(B, a.v, w->t_f32, ""));
    case VY_JK_F32:
      return a;
    case VY_JK_BOOL:
      return jv(VY_JK_F32, LLVMBuildUIToFP(B, a.v, w->t_f32, ""));
    default:
      break;
    }
    v = vy_lw_as_u32(w, a, &bad);
    {
      vy_jv r = cast_checked(w, x, a, bad, VY_JK_U32, v);
      if (r.t.k == VY_JK_NEVER) return r;
      return jv(VY_JK_F32, LLVMBuildUIToFP(B, r.v, w->t_f32, ""));
    }
  case VY_TYPE_BOOL:
    return jv(VY_JK_BOOL, vy_lw_truthy(w, a));
  case VY_TYPE_VEC2U32:
    return vy_lw_bytes(w, a, 8);
  case VY_TYPE_VEC4U32:
    return vy_lw_bytes(w, a, 16);
  default: {
    if (a.t.k == VY_JK_BYTES) return a;
    unsigned n;
    LLVMValueRef r = vy_lw_raw(w, a, &n);
    return (vy_jv){{VY_JK_BYTES, (uint8_t)n}, r};
  }
  }
}

LLVMValueRef vy_lw_fp_to_int_sat(vy_lw *w, LLVMValueRef f, bool is_signed) {
  LLVMTypeRef types[2] = {w->t_i32, w->t_f32};
  LLVMValueRef arg = f;
  return vy_lw_intrinsic(w, is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat", types, 2, &arg, 1);
}
