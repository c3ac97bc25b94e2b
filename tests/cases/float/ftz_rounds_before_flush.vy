# The reference rounds an f32 result first and flushes it to zero only if
# the ROUNDED value is subnormal (vyre-ir.md §3.2). With a = 1 - 2^-24
# (0x3f7fffff) and b = 2^-126 (0x00800000), a * b = 2^-126 - 2^-150 lies
# halfway between 0x007fffff and 0x00800000; ties-to-even gives 0x00800000,
# the smallest normal, which stays. c = 1 - 2^-23 (0x3f7ffffe) gives
# c * b = 2^-126 - 2^-149 = 0x007fffff exactly, subnormal: flushed to +0.
# Hardware that flushes before rounding (x86 FTZ, possibly a GPU's .ftz)
# would give 0 for the first. Operands are loaded, so no compiler folds them.
# >>> input a = 0x3f7fffff,0x3f7ffffe
# >>> input b = 0x00800000
# >>> expect out = 0x00800000 0
# >>> tags: float ftz
program workgroup(1) {
  buffer a: f32 read @0 count(2)
  buffer b: f32 read @1 count(1)
  buffer out: f32 read_write @2 count(2) output
  region vyre.program.root {
    out[0] = a[0] * b[0]
    out[1] = a[1] * b[0]
  }
}
