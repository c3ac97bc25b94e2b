# Subnormal f32 operands read as signed zero (vyre-ir.md §3.2, the
# reference canonicalizes every operand), whether the compiler folds them
# as constants or they arrive from memory at run time: fma(tiny, 2^126, 0)
# = 0 (not 2^-23), fma(2, 3, tiny) = 6, sign(tiny) = 0, tiny * 2^126 = 0,
# sqrt(tiny) = 0 and tiny + tiny = 0 (0x00400000 is subnormal too).
# t = [0x00000001, 0x00000010, 0x00400000] loaded at run time give the same.
# >>> input t = 0x00000001,0x00000010,0x00400000
# >>> expect out = 0 6 0 0 0 0 0 6 0 0 0 0
# >>> tags: float jit
program workgroup(1) {
  buffer t: f32 read @0 count(3)
  buffer out: f32 read_write @1 count(12) output
  region vyre.program.root {
    out[0] = fma(f32_bits(0x00000001), 85070591730234615865843651857942052864.0f, 0.0f)
    out[1] = fma(2.0f, 3.0f, f32_bits(0x00000001))
    out[2] = sign(f32_bits(0x00000001))
    out[3] = f32_bits(0x00000001) * 85070591730234615865843651857942052864.0f
    out[4] = sqrt(f32_bits(0x00000010))
    out[5] = f32_bits(0x00400000) + f32_bits(0x00400000)
    out[6] = fma(t[0], 85070591730234615865843651857942052864.0f, 0.0f)
    out[7] = fma(2.0f, 3.0f, t[0])
    out[8] = sign(t[0])
    out[9] = t[0] * 85070591730234615865843651857942052864.0f
    out[10] = sqrt(t[1])
    out[11] = t[2] + t[2]
  }
}
