# An output range a..a is valid and returns zero bytes (vyre-ir.md §4.2:
# a <= b <= len -> bytes[a..b]).
# >>> expect out =
# >>> tags: memory output_range
program workgroup(2) {
  buffer out: u32 read_write @0 count(2) output range(4, 4)
  region vyre.program.root {
    out[lid.x] = 7
  }
}
