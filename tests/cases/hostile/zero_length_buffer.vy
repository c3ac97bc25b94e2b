# A zero-element input (vyre-ir.md §4.2: count 0 needs 0 bytes): every
# load of it is out of range and gives 0, its length is 0.
# >>> input a = zeros:0
# >>> expect out = 0 0 0 0
# >>> tags: hostile memory
program workgroup(4) {
  buffer a: u32 read @0 count(0)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    out[lid.x] = a[lid.x] + len(a)
  }
}
