# A float stored into a u32 buffer writes the low 4 bytes of its f64 bit
# pattern (vyre-ir.md §4.3). 1.5 as f64 is 0x3ff8000000000000: low word 0.
# 0.1f as f64 is 0x3fb99999a0000000 (the f32 mantissa 0x4ccccd shifted up
# 29 bits): low word 0xa0000000 = 2684354560.
# >>> expect out = 0 2684354560
# >>> tags: memory store float
# >>> no-validate
program {
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if gid.x == 0 {
      out[0] = 1.5
      out[1] = 0.1
    }
  }
}
