# Fma takes each operand through try_as_f32, where a u32 is an f32 *bit
# pattern*, not a number (vyre-ir.md §3.5): fma(0x3f800000, 0x40000000,
# 0x3f800000) = 1 * 2 + 1 = 3. The validator wants f32 operands (V028).
# >>> expect out = 3
# >>> tags: float fma
# >>> no-validate
program {
  buffer out: f32 read_write @0 count(1) output
  region vyre.program.root {
    out[0] = fma(0x3F800000, 0x40000000, 0x3F800000)
  }
}
