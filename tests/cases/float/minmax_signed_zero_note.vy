# f32 Min/Max return the non-NaN operand (vyre-ir.md §3.2). For equal
# operands of different sign (+0 vs -0) vyre leaves the sign unspecified
# (Rust f32::min), so this case only checks sign-independent facts:
# min(-0, 0) == 0 and max(-0, 0) == 0 compare equal to zero, min(nan, nan)
# is NaN.
# >>> expect out = 1 1 1
# >>> tags: float minmax
program {
  buffer out: u32 read_write @0 count(3) output
  region vyre.program.root {
    out[0] = min(-0.0, 0.0) == 0.0
    out[1] = max(-0.0, 0.0) == 0.0
    out[2] = is_nan(min(nan, nan))
  }
}
