#!/usr/bin/env python3
"""casts.py - generates tests/cases/cast/**: every Cast pair class of
vyre-ir.md §3.4 (target u32, i32, u64, f32, bool, bytes, vec2<u32>,
vec4<u32>, and an "other" type, from u32, i32, u64, Bool, f32 and Bytes
runtime values), plus the casts that abort the run.

Bytes values come from loads of u16 (2 bytes), vec2<u32> (8) and vec4<u32>
(16) buffers (§1.1). Results that are Bytes are stored into a vec4<u32>
buffer, which keeps up to 16 of their bytes zero-padded (§4.3), so the raw
bytes stay visible. Where vyre's validator refuses the cast or the store
(§5.3), the case runs with `no-validate`.

Run from anywhere: python3 tests/cases/gen/casts.py
"""
import math
import os
import shutil
import struct

from vyref import (CASES, I32_MAX, I32_MIN, M32, M64, RefError, canon, expect_list, f32_round, fres, fval, i32,
                   spec_list, write_case)

# ---- source values ---------------------------------------------------------------------

SOURCES = {
    # name: (buffer element, operand expression, values as written to the buffer)
    "u32": ("u32", "x[i]", [0, 1, 7, 0x7FFFFFFF, 0x80000000, M32, 16777217, 16777219]),
    "i32": ("i32", "x[i]", [0, 1, -1, I32_MIN, I32_MAX, -7, 16777217]),
    "u64": ("u64", "x[i]", [0, 1, 7, M32, 1 << 32, (1 << 53) + 1, M64]),
    "bool": ("u32", "(x[i] != 0)", [0, 1, 5]),
    "f32": ("f32", "x[i]", [0x00000000, 0x80000000, 0x3FC00000, 0xBFC00000, 0x40200000, 0x4F32D05E, 0x4F9502F9,
                             0xCF32D05E, 0x7FC00000, 0x7F800000, 0xFF800000, 0x4EFFFFFF, 0x4F000000, 0x00000001,
                             0x3F7FFFFF]),
    # 0 -0 1.5 -1.5 2.5 3e9 5e9 -3e9 nan inf -inf 2147483520 2147483648 subnormal 0.99999994
    "bytes2": ("u16", "x[i]", [b"\x01\x00", b"\xff\xff", b"\x00\x80", b"\x00\x00"]),
    "bytes8": ("vec2<u32>", "x[i]", [b"\x01\0\0\0\0\0\0\0", b"\xff" * 8, b"\0\0\0\0\x01\0\0\0", b"\0" * 8]),
    "bytes16": ("vec4<u32>", "x[i]", [bytes(range(1, 17)), b"\0" * 16]),
}
STATIC = {"u32": "u32", "i32": "i32", "u64": "u64", "bool": "bool", "f32": "f32", "bytes2": "u16",
          "bytes8": "vec2<u32>", "bytes16": "vec4<u32>"}


# ---- runtime values and §3.4 ----------------------------------------------------------------

def runtime(src, v):
    """(kind, payload) of the loaded operand."""
    if src == "bool":
        return ("bool", v != 0)
    if src == "f32":
        return ("float", fval(v))  # the load canonicalizes
    if src.startswith("bytes"):
        return ("bytes", v)
    return (src, v)


def raw(val):
    k, v = val
    if k == "bytes":
        return v
    if k in ("u32", "i32"):
        return struct.pack("<I", v & M32)
    if k == "bool":
        return struct.pack("<I", 1 if v else 0)
    if k == "u64":
        return struct.pack("<Q", v)
    return struct.pack("<d", v)  # Float: the f64 bytes


def try_u32(val):
    k, v = val
    if k == "u32":
        return v
    if k == "i32":
        return v if v >= 0 else None
    if k == "u64":
        return v if v <= M32 else None
    if k == "bool":
        return 1 if v else 0
    if k == "bytes":
        return int.from_bytes(v, "little") if len(v) <= 4 else None
    if math.isfinite(v) and 0 <= v <= M32:
        return int(v)
    return None


def try_u64(val):
    k, v = val
    if k in ("u32", "u64"):
        return v
    if k == "i32":
        return v if v >= 0 else None
    if k == "bool":
        return 1 if v else 0
    if k == "bytes":
        return int.from_bytes(v, "little") if len(v) <= 8 else None
    if math.isfinite(v) and 0 <= v < 2.0 ** 64:
        return int(v)
    return None


def truthy(val):
    k, v = val
    if k == "float":
        return v != 0.0  # NaN is true, -0.0 false
    u = try_u32(val)
    return True if u is None else u != 0


def f_as_int(v, lo, hi):  # Rust `as`: truncate, saturate, NaN -> 0
    if math.isnan(v):
        return 0
    if v <= lo:
        return lo
    if v >= hi:
        return hi
    return int(v)


def cast(target, val):
    k, v = val
    if target == "u32":
        if k == "i32":
            return ("u32", v & M32)
        if k == "float":
            return ("u32", f_as_int(v, 0, M32))
        u = try_u32(val)
        if u is None:
            raise RefError("cast")
        return ("u32", u)
    if target == "i32":
        if k == "i32":
            return val
        if k == "float":
            return ("i32", f_as_int(v, I32_MIN, I32_MAX))
        u = try_u32(val)
        if u is None:
            raise RefError("cast")
        return ("i32", i32(u))
    if target == "u64":
        u = try_u64(val)
        if u is None:
            raise RefError("cast")
        return ("u64", u)
    if target == "f32":
        if k == "float":
            return val
        if k == "bool":
            return ("float", 1.0 if v else 0.0)
        if k in ("u32", "i32", "u64"):
            return ("float", fval(f32_round(float(v))) if abs(v) < 2 ** 53 else int_to_f32(v))
        u = try_u32(val)
        if u is None:
            raise RefError("cast")
        return ("float", fval(f32_round(float(u))))
    if target == "bool":
        return ("bool", truthy(val))
    b = raw(val)
    if target == "vec2<u32>":
        return ("bytes", (b + bytes(8))[:8])
    if target == "vec4<u32>":
        return ("bytes", (b + bytes(16))[:16])
    return ("bytes", b)  # bytes and every other target: raw bytes unchanged


def int_to_f32(v):
    """Exact round-to-nearest-even of a large integer to f32 (one rounding)."""
    n = abs(v)
    shift = max(0, n.bit_length() - 24)
    q, r = divmod(n, 1 << shift)
    half = 1 << shift >> 1
    if shift and (r > half or (r == half and q & 1)):
        q += 1
    x = float(q << shift)  # exact: at most 25 significant bits
    return math.copysign(x, v)


# ---- the store into the output buffer (§4.3) ---------------------------------------------

def stored(out_t, val):
    k, v = val
    if out_t == "f32":
        if k == "float":
            return fres(v)
        if k == "u32":
            return canon(v)
        return 0
    if out_t == "vec4<u32>":
        return (raw(val) + bytes(16))[:16].hex()
    width = 8 if out_t == "u64" else 4
    n = int.from_bytes((raw(val) + bytes(width))[:width], "little")
    if out_t == "i32":
        return i32(n)
    return n


OUT_BUF = {"u32": "u32", "i32": "i32", "u64": "u64", "f32": "f32", "bool": "bool"}


def out_buffer(target):
    return OUT_BUF.get(target, "vec4<u32>")


# ---- validator model (§5.3) ------------------------------------------------------------------

INTS = {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "bool"}


def legal_cast(src, dst):
    if src == dst:
        return True
    if src in INTS and dst in INTS:
        return True
    if src in ("u32", "i32", "bool") and dst in ("vec2<u32>", "vec4<u32>"):
        return True
    if src == "u64" and dst == "vec2<u32>":
        return True
    if src == "vec2<u32>" and dst in ("u32", "i32", "u64", "bool"):
        return True
    if src == "vec4<u32>" and dst in ("u32", "i32", "vec2<u32>", "bool", "u64"):
        return True
    if (src in ("u32", "i32", "bool") and dst == "f32") or (src == "f32" and dst in ("u32", "i32", "bool")):
        return True
    return False


def validates(src, target, out_t):
    s = STATIC[src]
    if target == "bytes" and s != "bytes":
        return False  # V023
    if not legal_cast(s, target):
        return False  # V012
    return target == out_t or (target == "u32" and out_t in ("bool", "bytes")) or \
        (target in ("bool", "bytes") and out_t == "u32")


# ---- files ------------------------------------------------------------------------------------

def value_spec(src, v):
    buf = SOURCES[src][0]
    if src.startswith("bytes"):
        return v.hex()
    return spec_list([v], "f32" if buf == "f32" else buf)


def program(target, src, n):
    buf, operand, _ = SOURCES[src]
    return ("program workgroup(4) {\n"
            "  buffer x: %s read @0 count(%d)\n"
            "  buffer out: %s read_write @1 count(%d) output\n"
            "  region vyre.program.root {\n"
            "    let i = gid.x\n"
            "    if i < len(out) {\n"
            "      out[i] = cast<%s>(%s)\n"
            "    }\n  }\n}\n") % (buf, n, out_buffer(target), n, target, operand)


RULE = {
    "u32": "u32 target: i32 reinterprets, u64 must fit, f32 truncates and saturates (NaN -> 0), Bytes of <= 4 "
           "bytes read little-endian",
    "i32": "i32 target: u32 reinterprets, u64 must fit u32, f32 truncates and saturates (NaN -> 0), Bytes via u32",
    "u64": "u64 target: u32 zero-extends, i32 must be >= 0, f32 must be finite in [0, 2^64), Bytes of <= 8 bytes",
    "f32": "f32 target: integers round to nearest even, Bool gives 1.0/0.0, Bytes via u32",
    "bool": "Bool target: truthiness (§3.1): a value that does not fit u32 counts as true, -0.0 false, NaN true",
    "bytes": "Bytes target: the raw little-endian bytes (a Float gives the 8 bytes of its f64)",
    "vec2<u32>": "vec2<u32> target: the raw bytes zero-padded or truncated to 8",
    "vec4<u32>": "vec4<u32> target: the raw bytes zero-padded or truncated to 16",
    "u8": "other targets (u8, ...): the raw bytes unchanged; narrowing happens only at a store",
}

PAIRS = [(t, s) for t in ("u32", "i32", "u64", "f32", "bool") for s in ("u32", "i32", "u64", "bool", "f32", "bytes2")]
PAIRS += [("u64", "bytes8"), ("bool", "bytes8"), ("bytes", "u32"), ("bytes", "f32"),
          ("bytes", "bool"), ("bytes", "bytes2"), ("vec2<u32>", "u32"), ("vec2<u32>", "u64"),
          ("vec2<u32>", "bytes16"), ("vec4<u32>", "u32"), ("vec4<u32>", "bool"), ("u8", "u32"), ("u8", "f32")]


def gen_pair(target, src):
    buf, _, values = SOURCES[src]
    kept = []
    for v in values:
        try:
            kept.append((v, cast(target, runtime(src, v))))
        except RefError:
            pass  # this source value aborts the run: see cast/errors/
    assert kept, "%s from %s: every value aborts" % (target, src)
    out_t = out_buffer(target)
    results = [stored(out_t, r) for _, r in kept]
    name = "cast/to_%s/from_%s.vy" % (target.replace("<u32>", ""), src)
    header = ["cast<%s> of %s values (vyre-ir.md §3.4, %s)." % (target, src, RULE[target])]
    if src == "bool":
        header.append("Bool values come from `x != 0`.")
    if src.startswith("bytes"):
        header.append("Bytes values are loads of a %s buffer." % buf)
    if out_t == "vec4<u32>":
        header.append("The Bytes result is stored into a vec4<u32> buffer: its bytes, zero-padded to 16 (§4.3).")
    if out_t == "f32":
        header.append("The store narrows to f32 and canonicalizes (§4.3).")
    if len(kept) < len(values):
        header.append("Source values whose cast aborts the run are in cast/errors/.")
    directives = ["input x = " + ",".join(value_spec(src, v) for v, _ in kept)]
    if out_t == "vec4<u32>":
        directives.append("expect out = " + " ".join(results))
    else:
        directives.append("expect out = " + expect_list(results, out_t))
    directives.append("tags: cast")
    if not validates(src, target, out_t):
        header.append("no-validate: vyre's validator refuses this cast or store statically (§5.3).")
        directives.append("no-validate")
    write_case(name, header, directives, program(target, src, len(kept)))


ERRORS = [
    ("u64_to_u32", "u32", "u64", 1 << 32), ("u64_to_i32", "i32", "u64", M64),
    ("i32_to_u64", "u64", "i32", -1), ("nan_to_u64", "u64", "f32", 0x7FC00000),
    ("negative_f32_to_u64", "u64", "f32", 0xBF000000), ("inf_to_u64", "u64", "f32", 0x7F800000),
    ("bytes8_to_u32", "u32", "bytes8", b"\0" * 8), ("bytes8_to_f32", "f32", "bytes8", b"\x01" + b"\0" * 7),
    ("bytes16_to_u64", "u64", "bytes16", bytes(16)),
]


def gen_errors():
    for name, target, src, v in ERRORS:
        try:
            cast(target, runtime(src, v))
            raise AssertionError("%s does not fail" % name)
        except RefError:
            pass
        buf, operand, _ = SOURCES[src]
        body = ("program {\n  buffer x: %s read @0 count(1)\n  buffer out: %s read_write @1 count(1) output\n"
                "  region vyre.program.root {\n    out[0] = cast<%s>(%s)\n  }\n}\n") % (
                    buf, out_buffer(target), target, operand.replace("[i]", "[0]"))
        header = ["cast<%s> of the %s value %s cannot be represented: the run aborts (vyre-ir.md §3.4)."
                  % (target, src, value_spec(src, v))]
        directives = ["input x = " + value_spec(src, v), 'expect-error VY_E_RUNTIME "cast to %s cannot represent"'
                      % target, "tags: cast error"]
        if not validates(src, target, out_buffer(target)):
            header.append("no-validate: vyre's validator refuses this cast statically (§5.3).")
            directives.append("no-validate")
        write_case("cast/errors/%s.vy" % name, header, directives, body)


def main():
    shutil.rmtree(os.path.join(CASES, "cast"), ignore_errors=True)
    for target, src in PAIRS:
        gen_pair(target, src)
    gen_errors()


if __name__ == "__main__":
    main()
