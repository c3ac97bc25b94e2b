# An output range that does not fit the final buffer returns the whole
# buffer (vyre-ir.md §4.2, memory.rs output_value). rw is runtime-sized
# (count 0) and bound with 8 bytes; range(0, 100) is invalid at run time.
# vyre's decoder refuses a range beyond count * size (0 here): no-wire.
# >>> input rw = 1,2
# >>> expect rw = 2 3
# >>> tags: memory output_range
# >>> no-wire
program workgroup(2) {
  buffer rw: u32 read_write @0 range(0, 100)
  region vyre.program.root {
    rw[lid.x] = rw[lid.x] + 1
  }
}
