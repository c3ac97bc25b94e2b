# output_byte_range a..b returns only bytes a..b of the final buffer
# (vyre-ir.md §4.2): out holds 10 20 30 40, range(4, 12) returns 20 30.
# >>> expect out = 20 30
# >>> tags: memory output_range
program workgroup(4) {
  buffer out: u32 read_write @0 count(4) output range(4, 12)
  region vyre.program.root {
    out[lid.x] = (lid.x + 1) * 10
  }
}
