#!/usr/bin/env python3
"""binops.py - generates tests/cases/binop/**: every BinOp on every runtime
type the reference accepts (vyre-ir.md §3.2), with edge-case operands, plus
one case per representative runtime error.

Each case loads operand pairs from two input buffers (lane i computes
a[i] OP b[i]) and stores the result; the expected values come from the model
in vyref.py. Where vyre's validator would refuse the program (its static
types, §5.3 and §2.2), the case runs with `no-validate`, since the runtime
semantics still exist and compiled backends must match them.

Run from anywhere: python3 tests/cases/gen/binops.py
"""
import math
import os
import shutil

from vyref import (CASES, I32_MAX, I32_MIN, M32, M64, RefError, canon, expect_list, fres, fval, i32, spec_list,
                   u32, u64, write_case)

INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "bit_and": "&", "bit_or": "|",
         "bit_xor": "^", "shl": "<<", "shr": ">>", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
         "ge": ">=", "and": "&&", "or": "||"}
NAMED = ["abs_diff", "min", "max", "saturating_add", "saturating_sub", "saturating_mul", "rotate_left",
         "rotate_right", "wrapping_add", "wrapping_sub", "mul_high"]
SUBGROUP_BINOPS = ["shuffle", "ballot", "wave_reduce", "wave_broadcast"]
CMP = {"eq", "ne", "lt", "gt", "le", "ge"}
LOGIC = {"and", "or"}

SPEC_ROW = {
    "add": "Add: wrapping (IEEE f32 for floats)", "sub": "Sub: wrapping (IEEE f32 for floats)",
    "mul": "Mul: wrapping (IEEE f32 for floats)",
    "div": "Div: u32/u64 x/0 = MAX, i32 truncates toward 0, f32 IEEE (x/0 = +-inf, 0/0 = NaN)",
    "mod": "Mod: u32/u64 x%0 = 0, i32 takes the sign of the dividend",
    "bit_and": "BitAnd: bitwise", "bit_or": "BitOr: bitwise", "bit_xor": "BitXor: bitwise",
    "shl": "Shl: amount & 31 (u64: & 63)", "shr": "Shr: amount & 31 (u64: & 63), logical for u32/u64, "
           "arithmetic for i32",
    "eq": "Eq: Bool result", "ne": "Ne: Bool result (NaN != x is true)", "lt": "Lt: Bool, signed for i32",
    "gt": "Gt: Bool, signed for i32", "le": "Le: Bool, signed for i32", "ge": "Ge: Bool, signed for i32",
    "and": "And (logical): Bool(a != 0 && b != 0), no short circuit",
    "or": "Or (logical): Bool(a != 0 || b != 0), no short circuit",
    "abs_diff": "AbsDiff: |a - b|, returned as u32 for i32 operands",
    "min": "Min: unsigned/signed; f32 minNum (a NaN operand gives the other)",
    "max": "Max: unsigned/signed; f32 maxNum (a NaN operand gives the other)",
    "saturating_add": "SaturatingAdd: clamps to the type's range",
    "saturating_sub": "SaturatingSub: clamps to the type's range",
    "saturating_mul": "SaturatingMul: clamps to the type's range",
    "rotate_left": "RotateLeft: amount & 31, u32 only", "rotate_right": "RotateRight: amount & 31, u32 only",
    "wrapping_add": "WrappingAdd: identical to Add", "wrapping_sub": "WrappingSub: identical to Sub",
    "mul_high": "MulHigh: high half of the double-width product (u32, u64)",
}

# ---- operand pairs -------------------------------------------------------------

PAIRS = {
    "u32": [(0, 0), (1, 2), (7, 3), (M32, 1), (0x80000000, 0x80000000), (12345678, 1000), (5, 0), (M32, M32),
            (3, 31), (3, 32), (0x80000001, 33), (0xDEADBEEF, 0x0000FFFF), (100, 7), (2, M32)],
    "i32": [(1, 2), (-7, 2), (7, -2), (-7, -2), (I32_MAX, 1), (I32_MIN, -1), (I32_MIN, 1), (-1, -1), (100, 0),
            (-5, 31), (-5, 32), (-8, -1), (123456, -654321), (0, 0), (I32_MIN, I32_MIN), (65536, 65536)],
    "u64": [(0, 0), (1, 2), (M64, 1), (1 << 63, 1 << 63), (1 << 32, 1 << 32), (M32, M32), (10 ** 19, 3), (5, 0),
            (3, 63), (3, 64), (3, 65), (0xDEADBEEFCAFEBABE, 0x123456789), (7, M64)],
    "bool": [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1), (0, 5)],
    # f32 operands are bit patterns: subnormals, NaN payloads and -0.0 included
    "f32": [(0x3FC00000, 0x40100000),  # 1.5, 2.25
            (0xBFC00000, 0x3F000000),  # -1.5, 0.5
            (0x3DCCCCCD, 0x3E4CCCCD),  # 0.1, 0.2
            (0x7F7FFFFF, 0x7F7FFFFF),  # FLT_MAX, FLT_MAX (overflow to inf)
            (0x3F800000, 0x00000000),  # 1, 0
            (0xBF800000, 0x00000000),  # -1, 0
            (0x00000000, 0x00000000),  # 0, 0
            (0x7FC00000, 0x3F800000),  # nan, 1
            (0x3F800000, 0x7FC00001),  # 1, nan with a payload
            (0x7F800000, 0xFF800000),  # inf, -inf
            (0x7F800000, 0x7F800000),  # inf, inf
            (0x00000001, 0x3F800000),  # smallest subnormal (loads as 0), 1
            (0x1E3CE508, 0x1E3CE508),  # 1e-20, 1e-20 (product is subnormal: flushed)
            (0x40E00000, 0x40400000),  # 7, 3
            (0x40000000, 0x80000000),  # 2, -0.0
            (0x807FFFFF, 0x00000000)],  # -subnormal (loads as -0.0), 0
}
# f32 Min/Max of +0 and -0 is unspecified in vyre (Rust f32::min): avoid those pairs
SIGNED_ZERO_PAIRS = {(0x40000000, 0x80000000), (0x807FFFFF, 0x00000000), (0x00000000, 0x00000000)}


# ---- semantics (vyre-ir.md §3.2) -------------------------------------------------

def rot(a, s, left):
    s &= 31
    if s == 0:
        return a
    return u32((a << s) | (a >> (32 - s))) if left else u32((a >> s) | (a << (32 - s)))


def i32_divmod(a, b):
    if b == 0:
        raise RefError("by zero")
    if a == I32_MIN and b == -1:
        raise RefError("overflow")
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - b * q


def eval_int(op, t, a, b):
    """(value, result type) for u32/i32/u64 operands."""
    bits = 64 if t == "u64" else 32
    mask = M64 if t == "u64" else M32
    wrap = (lambda x: i32(x)) if t == "i32" else (lambda x: x & mask)
    lo, hi = (I32_MIN, I32_MAX) if t == "i32" else (0, mask)
    smask = 63 if t == "u64" else 31
    ua, ub = a & mask, b & mask
    if op in ("add", "wrapping_add"):
        return wrap(a + b), t
    if op in ("sub", "wrapping_sub"):
        return wrap(a - b), t
    if op == "mul":
        return wrap(a * b), t
    if op == "div":
        if t == "i32":
            return i32_divmod(a, b)[0], t
        return (mask if b == 0 else a // b), t
    if op == "mod":
        if t == "i32":
            return i32_divmod(a, b)[1], t
        return (0 if b == 0 else a % b), t
    if op == "bit_and":
        return wrap(ua & ub), t
    if op == "bit_or":
        return wrap(ua | ub), t
    if op == "bit_xor":
        return wrap(ua ^ ub), t
    if op == "shl":
        return wrap(ua << (ub & smask)), t
    if op == "shr":
        return (a >> (ub & smask)) if t == "i32" else (ua >> (ub & smask)), t
    if op in CMP:
        return {"eq": a == b, "ne": a != b, "lt": a < b, "gt": a > b, "le": a <= b, "ge": a >= b}[op], "bool"
    if op == "and":
        return (a != 0 and b != 0), "bool"
    if op == "or":
        return (a != 0 or b != 0), "bool"
    if op == "min":
        return min(a, b), t
    if op == "max":
        return max(a, b), t
    if op == "abs_diff":
        return abs(a - b), ("u32" if t == "i32" else t)
    if op == "saturating_add":
        return max(lo, min(hi, a + b)), t
    if op == "saturating_sub":
        return max(lo, min(hi, a - b)), t
    if op == "saturating_mul":
        return max(lo, min(hi, a * b)), t
    if op in ("rotate_left", "rotate_right") and t == "u32":
        return rot(a, b, op == "rotate_left"), t
    if op == "mul_high" and t != "i32":
        return (ua * ub) >> bits, t
    raise RefError("not defined")


def fdiv(x, y):
    if y == 0.0:
        if x == 0.0 or math.isnan(x):
            return math.nan
        neg = (math.copysign(1.0, x) < 0) != (math.copysign(1.0, y) < 0)
        return -math.inf if neg else math.inf
    return x / y


def eval_f32(op, a, b):
    x, y = fval(a), fval(b)  # loads canonicalize, and so does the op on its operands
    if op == "add":
        return fres(x + y), "f32"
    if op == "sub":
        return fres(x - y), "f32"
    if op == "mul":
        return fres(x * y), "f32"
    if op == "div":
        return fres(fdiv(x, y)), "f32"
    if op in CMP:
        return {"eq": x == y, "ne": x != y, "lt": x < y, "gt": x > y, "le": x <= y, "ge": x >= y}[op], "bool"
    if op in ("min", "max"):
        if math.isnan(x):
            return canon(b), "f32"
        if math.isnan(y):
            return canon(a), "f32"
        pick_b = (y < x) if op == "min" else (y > x)
        return canon(b if pick_b else a), "f32"
    raise RefError("not defined")


def eval_bool(op, a, b):
    x, y = a != 0, b != 0
    if op == "eq":
        return x == y, "bool"
    if op == "ne":
        return x != y, "bool"
    if op == "and":
        return x and y, "bool"
    if op == "or":
        return x or y, "bool"
    raise RefError("not defined")


def evaluate(op, t, a, b):
    if op in SUBGROUP_BINOPS:
        raise RefError("not defined")
    if t == "f32":
        return eval_f32(op, a, b)
    if t == "bool":
        return eval_bool(op, a, b)
    return eval_int(op, t, a, b)


# ---- the validator's static view (vyre-ir.md §5.3, §2.2) ------------------------

def static_result(op, t):
    if op in CMP or op in LOGIC:
        return "bool"
    if op in ("add", "sub", "mul", "div", "min", "max", "saturating_add", "saturating_sub", "saturating_mul"):
        return t
    return "u32"


def validates(op, t, out_t):
    """Would vyre's validator accept `out[i] = A OP B` with operands of static type t?"""
    if op in ("add", "sub", "mul", "div", "min", "max", "saturating_add", "saturating_sub", "saturating_mul",
              "abs_diff"):
        if t in ("bool", "u64"):
            return False
        if op.startswith("saturating") and t != "u32":
            return False
        if op == "abs_diff" and t == "i32":
            return False
    if op == "mod" and t not in ("u32", "i32"):
        return False
    if op in ("bit_and", "bit_or", "bit_xor") and t not in ("u32", "i32"):
        return False
    if op in ("shl", "shr", "rotate_left", "rotate_right") and t != "u32":
        return False
    if op in LOGIC and t not in ("u32", "bool"):
        return False
    st = static_result(op, t)
    return st == out_t or (st == "u32" and out_t == "bool") or (st == "bool" and out_t == "u32")


# ---- case text -------------------------------------------------------------------

def expr_text(op, lhs, rhs):
    if op in INFIX:
        return "%s %s %s" % (lhs, INFIX[op], rhs)
    return "%s(%s, %s)" % (op, lhs, rhs)


def operands(t):
    if t == "bool":  # a Bool buffer loads as u32, so Bool values come from a comparison
        return "(a[i] != 0)", "(b[i] != 0)", "u32"
    return "a[i]", "b[i]", t


def program(op, t, out_t, n, lane_guard=True):
    lhs, rhs, in_t = operands(t)
    body = "    let i = gid.x\n"
    stmt = "out[i] = %s" % expr_text(op, lhs, rhs)
    if lane_guard:
        body += "    if i < len(out) {\n      %s\n    }\n" % stmt
    else:
        body += "    %s\n" % stmt
    return ("program workgroup(4) {\n"
            "  buffer a: %s read @0 count(%d)\n"
            "  buffer b: %s read @1 count(%d)\n"
            "  buffer out: %s read_write @2 count(%d) output\n"
            "  region vyre.program.root {\n%s  }\n}\n") % (in_t, n, in_t, n, out_t, n, body)


def gen_ok(op, t):
    pairs = PAIRS[t]
    if t == "i32" and op in ("div", "mod"):
        pairs = [(a, b) for a, b in pairs if b != 0 and not (a == I32_MIN and b == -1)]
    if t == "f32" and op in ("min", "max"):
        pairs = [p for p in pairs if p not in SIGNED_ZERO_PAIRS]
    results = [evaluate(op, t, a, b) for a, b in pairs]
    out_t = results[0][1]
    vals = [r[0] for r in results]
    in_t = "u32" if t == "bool" else t
    a_vals = [p[0] for p in pairs]
    b_vals = [p[1] for p in pairs]
    header = ["%s on %s operands (vyre-ir.md §3.2, %s)." % (op, t, SPEC_ROW[op]),
              "Lane i computes a[i] %s b[i]; a workgroup of 4 over %d lanes, the rest guarded off."
              % (INFIX.get(op, op), len(pairs))]
    if t == "bool":
        header.append("Bool operands come from `x != 0` (a Bool buffer would load as u32, §1.1).")
    if t == "f32":
        header.append("Loads and the op canonicalize: subnormals flush to signed zero, NaNs become 0x7fc00000.")
    if t == "i32" and op in ("div", "mod"):
        header.append("x / 0 and MIN / -1 abort the run: see binop/errors/.")
    directives = ["input a = " + spec_list(a_vals, in_t), "input b = " + spec_list(b_vals, in_t),
                  "expect out = " + expect_list(vals, out_t), "tags: binop " + t]
    if not validates(op, t, out_t):
        header.append("no-validate: vyre's validator types this op/operand pair differently (§5.3, §2.2), but the "
                      "runtime semantics exist.")
        directives.append("no-validate")
    write_case("binop/%s/%s.vy" % (t, op), header, directives, program(op, t, out_t, len(pairs)))


# ---- runtime errors ----------------------------------------------------------------

def error_program(expr, types, out_t):
    bufs = "".join("  buffer %s: %s read @%d count(1)\n" % (n, ty, k) for k, (n, ty) in enumerate(types))
    return ("program {\n%s  buffer out: %s read_write @%d count(1) output\n"
            "  region vyre.program.root {\n    out[0] = %s\n  }\n}\n") % (bufs, out_t, len(types), expr)


ERRORS = [
    # (file, description, expression, input buffers, input values, out type, message, validate?)
    ("add_bool", "Add on Bool operands", "(a[0] != 0) + (b[0] != 0)", [("a", "u32"), ("b", "u32")], ["1", "1"],
     "u32", "not defined for bool operands", False),
    ("lt_bool", "Lt on Bool operands (Bool has Eq/Ne only)", "(a[0] != 0) < (b[0] != 0)",
     [("a", "u32"), ("b", "u32")], ["0", "1"], "bool", "not defined for bool operands", False),
    ("mod_f32", "Mod on f32 operands", "a[0] % b[0]", [("a", "f32"), ("b", "f32")], ["7.5", "2"], "f32",
     "not defined for f32 operands", False),
    ("bit_and_f32", "BitAnd on f32 operands", "a[0] & b[0]", [("a", "f32"), ("b", "f32")], ["1", "1"], "f32",
     "not defined for f32 operands", False),
    ("shl_f32", "Shl on f32 operands", "a[0] << b[0]", [("a", "f32"), ("b", "f32")], ["1", "1"], "f32",
     "not defined for f32 operands", False),
    ("and_f32", "logical And on f32 operands", "a[0] && b[0]", [("a", "f32"), ("b", "f32")], ["1", "1"],
     "bool", "not defined for f32 operands", False),
    ("abs_diff_f32", "AbsDiff on f32 operands", "abs_diff(a[0], b[0])", [("a", "f32"), ("b", "f32")],
     ["1", "2"], "f32", "not defined for f32 operands", False),
    ("saturating_add_f32", "SaturatingAdd on f32 operands", "saturating_add(a[0], b[0])",
     [("a", "f32"), ("b", "f32")], ["1", "2"], "f32", "not defined for f32 operands", False),
    ("wrapping_add_f32", "WrappingAdd on f32 operands", "wrapping_add(a[0], b[0])",
     [("a", "f32"), ("b", "f32")], ["1", "2"], "f32", "not defined for f32 operands", False),
    ("rotate_left_i32", "RotateLeft on i32 operands (u32 only)", "rotate_left(a[0], b[0])",
     [("a", "i32"), ("b", "i32")], ["1", "1"], "u32", "not defined for i32 operands", False),
    ("rotate_right_u64", "RotateRight on u64 operands (u32 only)", "rotate_right(a[0], b[0])",
     [("a", "u64"), ("b", "u64")], ["1", "1"], "u32", "not defined for u64 operands", False),
    ("mul_high_i32", "MulHigh on i32 operands", "mul_high(a[0], b[0])", [("a", "i32"), ("b", "i32")],
     ["3", "4"], "u32", "not defined for i32 operands", False),
    ("shuffle_u32", "the Shuffle BinOp (no reference semantics)", "shuffle(a[0], b[0])",
     [("a", "u32"), ("b", "u32")], ["1", "0"], "u32", "not defined for u32 operands", False),
    ("ballot_u32", "the Ballot BinOp (no reference semantics)", "ballot(a[0], b[0])",
     [("a", "u32"), ("b", "u32")], ["1", "0"], "u32", "not defined for u32 operands", False),
    ("wave_reduce_u32", "the WaveReduce BinOp (no reference semantics)", "wave_reduce(a[0], b[0])",
     [("a", "u32"), ("b", "u32")], ["1", "0"], "u32", "not defined for u32 operands", False),
    ("wave_broadcast_u32", "the WaveBroadcast BinOp (no reference semantics)", "wave_broadcast(a[0], b[0])",
     [("a", "u32"), ("b", "u32")], ["1", "0"], "u32", "not defined for u32 operands", False),
    ("mismatch_u32_i32", "operands of different runtime types (u32 + i32)", "a[0] + b[0]",
     [("a", "u32"), ("b", "i32")], ["1", "1"], "u32", "mismatched operands", False),
    ("mismatch_u32_bool", "u32 && Bool: passes validation (And takes U32 or Bool each, §5.3) but the runtime "
     "types differ (§8.12)", "a[0] && (b[0] != 0)", [("a", "u32"), ("b", "u32")], ["1", "1"], "bool",
     "mismatched operands", True),
    ("mismatch_boolbuf_bool", "a Bool buffer loads as u32, so `flags[0] && true` is u32 && Bool at runtime "
     "(§8.12), though its static type is Bool", "flags[0] && true", [("flags", "bool")], ["1"], "bool",
     "mismatched operands", True),
    ("mismatch_bytes", "Bytes operands (a u16 buffer loads as 2-byte Bytes)", "a[0] == b[0]",
     [("a", "u16"), ("b", "u16")], ["0100", "0100"], "bool", "mismatched operands", True),
    ("div_i32_zero", "i32 division by zero", "a[0] / b[0]", [("a", "i32"), ("b", "i32")], ["7", "0"], "i32",
     "i32 division by zero", True),
    ("div_i32_overflow", "i32 MIN / -1", "a[0] / b[0]", [("a", "i32"), ("b", "i32")], ["-2147483648", "-1"],
     "i32", "i32 division overflow", True),
    ("mod_i32_zero", "i32 remainder by zero", "a[0] % b[0]", [("a", "i32"), ("b", "i32")], ["-7", "0"], "u32",
     "i32 remainder by zero", True),
    ("mod_i32_overflow", "i32 MIN % -1", "a[0] % b[0]", [("a", "i32"), ("b", "i32")], ["-2147483648", "-1"],
     "u32", "i32 remainder overflow", True),
]


def gen_errors():
    for name, what, expr, bufs, vals, out_t, msg, valid in ERRORS:
        header = ["%s aborts the reference run with a runtime error (vyre-ir.md §3.2)." % what]
        directives = ["input %s = %s" % (n, v) for (n, _), v in zip(bufs, vals)]
        directives.append('expect-error VY_E_RUNTIME "%s"' % msg)
        directives.append("tags: binop error")
        if not valid:
            header.append("no-validate: the validator refuses the operand types statically (§5.3).")
            directives.append("no-validate")
        write_case("binop/errors/%s.vy" % name, header, directives, error_program(expr, bufs, out_t))


def main():
    shutil.rmtree(os.path.join(CASES, "binop"), ignore_errors=True)
    for t in ("u32", "i32", "u64", "bool", "f32"):
        for op in list(INFIX) + NAMED:
            try:
                for a, b in PAIRS[t][:1]:
                    evaluate(op, t, a, b)
            except RefError:
                continue  # not defined for this type: covered by binop/errors/
            gen_ok(op, t)
    gen_errors()


if __name__ == "__main__":
    main()
