#!/usr/bin/env python3
"""unops.py - generates tests/cases/unop/**: every UnOp on every runtime type
the reference accepts (vyre-ir.md §3.3) with edge-case operands, plus one case
per representative runtime error.

Expected values come from vyref.py and, for the transcendental functions,
from mpmath at 200 bits rounded once to f32. vyre's reference uses musl's f32
routines (Rust libm); an input goes into a transcendental case only if its
exact result is a special value or lies far (more than 1/100 ulp) from a
rounding boundary, so every faithful implementation rounds it the same way.
Those cases carry the tag `transcendental` (compiled backends may compare
them within a ULP budget).

Run from anywhere: python3 tests/cases/gen/unops.py
"""
import math
import os
import shutil

import mpmath

from vyref import (CASES, I32_MAX, I32_MIN, M32, M64, RefError, canon, expect_list, f32_round, fres, fval,
                   is_nan_bits, spec_list, write_case)

mpmath.mp.prec = 200

INT_OPS = ["negate", "bit_not", "logical_not", "popcount", "clz", "ctz", "reverse_bits"]
EXACT_F_OPS = ["negate", "abs", "sqrt", "floor", "ceil", "trunc", "round", "sign", "is_nan", "is_inf",
               "is_finite", "inverse_sqrt", "reciprocal"]
TRANS = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "exp2", "log", "log2"]

SPEC = {
    "negate": "Negate: 0 - x wrapping (i32 MIN stays MIN); f32 flips the sign",
    "bit_not": "BitNot: !x", "logical_not": "LogicalNot: Bool(x == 0); !b for Bool",
    "popcount": "Popcount: in the operand's own type", "clz": "Clz: Clz(0) = 32 (64 for u64), own type",
    "ctz": "Ctz: Ctz(0) = 32 (64 for u64), own type", "reverse_bits": "ReverseBits: bit reversal",
    "abs": "Abs", "sqrt": "Sqrt: correctly rounded", "floor": "Floor", "ceil": "Ceil", "trunc": "Trunc",
    "round": "Round: ties away from zero", "sign": "Sign: NaN -> NaN, >0 -> 1, <0 -> -1, +-0 -> +0",
    "is_nan": "IsNan: Bool", "is_inf": "IsInf: Bool", "is_finite": "IsFinite: Bool",
    "inverse_sqrt": "InverseSqrt: 1 / sqrtf(x), two f32 roundings", "reciprocal": "Reciprocal: 1 / x in f32",
}

INT_VALUES = {
    "u32": [0, 1, 7, 0x80000000, M32, 0x0000F000, 12345678, 0x00010000],
    "i32": [0, 1, -1, I32_MIN, I32_MAX, -256, 0xF0, 12345],
    "u64": [0, 1, 1 << 63, M64, 1 << 32, 0xF0, 0x0000FFFF00000000, 12345678901234567],
}

F_VALUES = [0x3FC00000, 0xBFC00000, 0x40200000, 0xC0200000, 0x3F000000, 0xBF000000, 0x00000000, 0x80000000,
            0x7F800000, 0xFF800000, 0x7FC00000, 0x7FC00001, 0x00000001, 0x40800000, 0x4B000001, 0x3EFFFFFF,
            0xC06CCCCD, 0x7149F2CA]
# 1.5 -1.5 2.5 -2.5 0.5 -0.5 0 -0 inf -inf nan nan(payload) subnormal 4 8388609 0.49999997 -3.7 1e30


# ---- semantics ----------------------------------------------------------------------

def rev(x, bits):
    return int(format(x, "0%db" % bits)[::-1], 2)


def eval_int(op, t, x):
    bits = 64 if t == "u64" else 32
    mask = (1 << bits) - 1
    ux = x & mask

    def back(v):  # the result in the operand's own type
        v &= mask
        return v - (1 << 32) if t == "i32" and v & 0x80000000 else v

    if op == "negate":
        return back(-ux), t
    if op == "bit_not":
        return back(~ux), t
    if op == "logical_not":
        return ux == 0, "bool"
    if op == "popcount":
        return bin(ux).count("1"), t
    if op == "clz":
        return bits - ux.bit_length(), t
    if op == "ctz":
        return bits if ux == 0 else (ux & -ux).bit_length() - 1, t
    if op == "reverse_bits":
        return back(rev(ux, bits)), t
    raise RefError("not defined")


def zero_signed(r, x):
    return math.copysign(0.0, x) if r == 0 else r


def eval_f32(op, b):
    x = fval(b)
    if op in ("is_nan", "is_inf", "is_finite"):
        return {"is_nan": math.isnan(x), "is_inf": math.isinf(x), "is_finite": math.isfinite(x)}[op], "bool"
    if math.isnan(x):
        return 0x7FC00000, "f32"  # every f32 op of a NaN gives NaN (canonical)
    if op == "negate":
        return canon(f32_round(x) ^ 0x80000000), "f32"
    if op == "abs":
        return fres(abs(x)), "f32"
    if op == "sqrt":
        return fres(math.nan if x < 0 else (x if x == 0 else math.sqrt(x))), "f32"
    if op in ("floor", "ceil", "trunc", "round"):
        if math.isinf(x):
            return fres(x), "f32"
        if op == "floor":
            r = float(math.floor(x))
        elif op == "ceil":
            r = float(math.ceil(x))
        elif op == "trunc":
            r = float(math.trunc(x))
        else:
            r = float(math.floor(abs(x) + 0.5))
            r = math.copysign(r, x)
        return fres(zero_signed(r, x)), "f32"
    if op == "sign":
        return fres(1.0 if x > 0 else -1.0 if x < 0 else 0.0), "f32"
    if op == "inverse_sqrt":
        s = math.nan if x < 0 else (x if x == 0 else math.sqrt(x))
        sb = f32_round(s)
        return fres(fdiv(1.0, fval(sb) if not is_nan_bits(sb) else math.nan)), "f32"
    if op == "reciprocal":
        return fres(fdiv(1.0, x)), "f32"
    raise RefError("not defined")


def fdiv(x, y):
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if y == 0.0:
        if x == 0.0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


# ---- transcendentals -------------------------------------------------------------------

def mp_to_f32(v):
    """Rounds an mpf to f32 bits (nearest even); returns (bits, distance of the exact value from the nearest
    rounding boundary in ulps, 0.5 = exactly representable)."""
    if mpmath.isnan(v):
        return 0x7FC00000, 0.5
    if mpmath.isinf(v):
        return (0x7F800000 if v > 0 else 0xFF800000), 0.5
    if v == 0:
        return 0, 0.5
    sign = 0x80000000 if v < 0 else 0
    a = abs(v)
    m, e = mpmath.frexp(a)  # a = m * 2^e, 0.5 <= m < 1
    exp = int(e) - 1  # a = 1.f * 2^exp
    if exp < -126:
        scale = 149  # subnormal: units of 2^-149
    else:
        scale = 23 - exp
    scaled = a * mpmath.mpf(2) ** scale
    fl = int(mpmath.floor(scaled))
    frac = scaled - fl
    if frac > 0.5 or (frac == 0.5 and fl & 1):
        fl += 1
    margin = float(abs(frac - mpmath.mpf(0.5)))
    if frac == 0:
        margin = 0.5
    if exp < -126:
        bits = fl  # may round up into the smallest normal: the bit pattern is still right
    else:
        if fl == 1 << 24:  # rounded up to the next binade
            fl >>= 1
            exp += 1
        if exp > 127:
            return sign | 0x7F800000, 0.5
        bits = ((exp + 127) << 23) | (fl & 0x7FFFFF)
    return sign | bits, margin


def trans_exact(op, b):
    """The exact result of op at the canonical f32 input, as an mpf (NaN/inf where IEEE says so)."""
    x = fval(b)
    nan, inf = mpmath.mpf("nan"), mpmath.mpf("inf")
    if math.isnan(x):
        return nan
    X = mpmath.mpf(x)
    if math.isinf(x):
        return {"sin": nan, "cos": nan, "tan": nan, "asin": nan, "acos": nan,
                "atan": mpmath.pi / 2 * (1 if x > 0 else -1), "sinh": X, "cosh": inf,
                "tanh": mpmath.mpf(1 if x > 0 else -1), "exp": X if x > 0 else mpmath.mpf(0),
                "exp2": X if x > 0 else mpmath.mpf(0), "log": X if x > 0 else nan,
                "log2": X if x > 0 else nan}[op]
    if op in ("asin", "acos") and abs(x) > 1:
        return nan
    if op in ("log", "log2"):
        if x < 0:
            return nan
        if x == 0:
            return -inf
    f = {"sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "asin": mpmath.asin, "acos": mpmath.acos,
         "atan": mpmath.atan, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh, "exp": mpmath.exp,
         "exp2": lambda v: mpmath.mpf(2) ** v, "log": mpmath.log, "log2": lambda v: mpmath.log(v, 2)}[op]
    return f(X)


# sinf/cosf/tanf (double kernels) and expf/exp2f/logf/log2f (ARM optimized
# routines, double arithmetic) in musl round nearly every input exactly, so
# they get non-trivial inputs checked for a safe margin. sinhf, coshf, tanhf,
# asinf, acosf and atanf are fdlibm-style code in f32 arithmetic whose last bit
# is not the exact rounding (coshf(1) is 1 ulp below it): they get only inputs
# with special, exactly known results, plus MUSL_F32 below.
TRANS_VALUES = {
    "sin": [0x00000000, 0x80000000, 0x3F000000, 0x3F800000, 0xC0000000, 0x40490FDB, 0x42C80000, 0x7F800000,
            0x7FC00000],  # 0 -0 0.5 1 -2 pi 100 inf nan
    "cos": [0x00000000, 0x80000000, 0x3F000000, 0x3E800000, 0xC0000000, 0x40490FDB, 0xFF800000],
    "tan": [0x00000000, 0x80000000, 0x3F000000, 0x3F800000, 0xBF800000, 0x3FC00000],
    "asin": [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x40000000],  # 2 -> NaN
    "acos": [0x3F800000, 0x00000000, 0xBF800000, 0x3FC00000],
    "atan": [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000],
    "sinh": [0x00000000, 0x80000000, 0x42C80000, 0xC2C80000, 0x7F800000],
    "cosh": [0x00000000, 0x80000000, 0x3F800000, 0x42C80000, 0xFF800000],
    "tanh": [0x00000000, 0x80000000, 0x41A00000, 0xFF800000, 0x7F800000],
    "exp": [0x00000000, 0x3F800000, 0xBF800000, 0x3F000000, 0x42C80000, 0xC3480000, 0xFF800000],
    "exp2": [0x00000000, 0x40400000, 0xBF800000, 0x3F000000, 0x43000000, 0xC3150000, 0x41200000],
    "log": [0x3F800000, 0x00000000, 0x80000000, 0xBF800000, 0x40000000, 0x3F000000, 0x41200000, 0x7F800000],
    "log2": [0x3F800000, 0x41000000, 0x3E800000, 0x00000000, 0x40400000, 0xC0000000, 0x41200000],
}


def musl_coshf_1():
    """musl coshf for log(2) <= |x| < log(FLT_MAX): t = expf(x); 0.5f * (t + 1.0f / t), each step in f32.
    expf(1) = 0x402df854 (e rounded exactly)."""
    t = fval(f32_round(math.e))
    r = fval(f32_round(1.0 / t))
    return f32_round(0.5 * fval(f32_round(t + r)))


MUSL_F32 = {("cosh", 0x3F800000): musl_coshf_1}
ODD = {"sin", "tan", "asin", "atan", "sinh", "tanh"}


def trans_result(op, b):
    if (op, b) in MUSL_F32:
        return canon(MUSL_F32[(op, b)]())
    if op in ODD and (b & 0x7FFFFFFF) == 0:
        return b  # odd functions keep the sign of a zero
    bits, margin = mp_to_f32(trans_exact(op, b))
    if margin < 0.01:
        raise AssertionError("%s(%08x) is too close to a rounding boundary for a portable case" % (op, b))
    return canon(bits)


# ---- validator model (vyre-ir.md §5.3) ---------------------------------------------------

def validates(op, t):
    if op == "negate":
        return t in ("u32", "f32")
    if op == "logical_not":
        return t in ("u32", "bool")
    if op in ("bit_not", "popcount", "clz", "ctz", "reverse_bits"):
        return t in ("u32", "i32", "u64")
    return t == "f32"


# ---- case text ------------------------------------------------------------------------

PREFIX = {"negate": "-", "bit_not": "~", "logical_not": "!"}


def expr_text(op, x):
    if op in PREFIX:
        return PREFIX[op] + x
    return "%s(%s)" % (op, x)


def program(op, in_t, out_t, n, operand):
    return ("program workgroup(4) {\n"
            "  buffer x: %s read @0 count(%d)\n"
            "  buffer out: %s read_write @1 count(%d) output\n"
            "  region vyre.program.root {\n"
            "    let i = gid.x\n"
            "    if i < len(out) {\n"
            "      out[i] = %s\n"
            "    }\n  }\n}\n") % (in_t, n, out_t, n, expr_text(op, operand))


def emit(op, t, values, results, out_t, extra_header=(), tags=()):
    in_t = "u32" if t == "bool" else t
    operand = "(x[i] != 0)" if t == "bool" else "x[i]"
    header = ["%s on %s operands (vyre-ir.md §3.3%s)." % (op, t, ", " + SPEC[op] if op in SPEC else "")]
    header += list(extra_header)
    directives = ["input x = " + spec_list(values, in_t), "expect out = " + expect_list(results, out_t),
                  "tags: " + " ".join(("unop", t) + tuple(tags))]
    if not validates(op, t):
        header.append("no-validate: vyre's validator refuses this operand type statically (§5.3), but the runtime "
                      "semantics exist.")
        directives.append("no-validate")
    write_case("unop/%s/%s.vy" % (t, op), header, directives, program(op, in_t, out_t, len(values), operand))


def gen_all():
    for t, vals in INT_VALUES.items():
        for op in INT_OPS:
            res = [eval_int(op, t, v) for v in vals]
            emit(op, t, vals, [r[0] for r in res], res[0][1])
    emit("logical_not", "bool", [0, 1, 2, 0xFFFFFFFF], [True, False, False, False], "bool",
         ["Bool operands come from `x != 0` (a Bool buffer would load as u32, §1.1)."])
    for op in EXACT_F_OPS:
        res = [eval_f32(op, v) for v in F_VALUES]
        emit(op, "f32", F_VALUES, [r[0] for r in res], res[0][1],
             ["Loads and the op canonicalize: subnormals flush to signed zero, NaNs become 0x7fc00000."])
    for op in TRANS:
        vals = TRANS_VALUES[op]
        emit(op, "f32", vals, [trans_result(op, v) for v in vals], "f32",
             ["vyre computes it with musl's %sf (Rust libm). Expected values: the exactly rounded results, for "
              "inputs far from a rounding boundary, or musl's own f32 steps (see gen/unops.py)." % op], ["transcendental"])


ERRORS = [
    # (file, what, expression, input type, input, out type, message)
    ("negate_bool", "Negate on a Bool", "-(x[0] != 0)", "u32", "1", "u32", "not defined for a bool operand"),
    ("popcount_bool", "Popcount on a Bool", "popcount(x[0] != 0)", "u32", "1", "u32",
     "not defined for a bool operand"),
    ("bit_not_f32", "BitNot on an f32", "~x[0]", "f32", "1.5", "f32", "not defined for a f32 operand"),
    ("logical_not_f32", "LogicalNot on an f32", "!x[0]", "f32", "0", "bool", "not defined for a f32 operand"),
    ("sqrt_u32", "Sqrt on a u32", "sqrt(x[0])", "u32", "4", "u32", "not defined for a u32 operand"),
    ("is_nan_i32", "IsNan on an i32", "is_nan(x[0])", "i32", "4", "bool", "not defined for a i32 operand"),
    ("abs_i32", "Abs on an i32 (float-only)", "abs(x[0])", "i32", "-4", "i32", "not defined for a i32 operand"),
    ("unpack4_low_u32", "Unpack4Low (no reference semantics in vyre 0.4.2)", "unpack4_low(x[0])", "u32", "255",
     "u32", "unpack4_low"),
    ("unpack4_high_u32", "Unpack4High (no reference semantics in vyre 0.4.2)", "unpack4_high(x[0])", "u32", "255",
     "u32", "unpack4_high"),
    ("unpack8_low_u32", "Unpack8Low (no reference semantics in vyre 0.4.2)", "unpack8_low(x[0])", "u32", "255",
     "u32", "unpack8_low"),
    ("unpack8_high_u32", "Unpack8High (no reference semantics in vyre 0.4.2)", "unpack8_high(x[0])", "u32",
     "255", "u32", "unpack8_high"),
    ("clz_bytes", "Clz on Bytes (a u16 buffer loads as 2-byte Bytes)", "clz(x[0])", "u16", "0100", "u32",
     "non-primitive operand"),
]


def gen_errors():
    for name, what, expr, in_t, val, out_t, msg in ERRORS:
        body = ("program {\n  buffer x: %s read @0 count(1)\n  buffer out: %s read_write @1 count(1) output\n"
                "  region vyre.program.root {\n    out[0] = %s\n  }\n}\n") % (in_t, out_t, expr)
        write_case("unop/errors/%s.vy" % name,
                   ["%s aborts the reference run with a runtime error (vyre-ir.md §3.3)." % what,
                    "no-validate: the validator refuses the operand type statically (§5.3)."],
                   ["input x = " + val, 'expect-error VY_E_RUNTIME "%s"' % msg, "tags: unop error", "no-validate"],
                   body)


def main():
    shutil.rmtree(os.path.join(CASES, "unop"), ignore_errors=True)
    gen_all()
    gen_errors()


if __name__ == "__main__":
    main()
