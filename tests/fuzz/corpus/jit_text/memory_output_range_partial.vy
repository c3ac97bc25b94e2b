# A range that ends inside an element returns the partial bytes (vyre-ir.md
# §4.2): u32 1, 2 = 01 00 00 00 02 00 00 00; range(2, 7) = 00 00 02 00 00,
# five bytes: one whole u32 (00 00 02 00 = 131072) and a trailing byte 00.
# >>> expect out = 131072 | 00
# >>> tags: memory output_range
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output range(2, 7)
  region vyre.program.root {
    out[lid.x] = lid.x + 1
  }
}
