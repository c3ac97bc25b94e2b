# A barrier inside an If is fine when every lane takes the same branch
# (vyre-ir.md §4.6): the condition depends only on a buffer length.
# >>> input x = 1,2
# >>> expect out = 2 1
# >>> tags: barrier
program workgroup(2) {
  buffer x: u32 read @0 count(2)
  buffer stage: u32 workgroup count(2)
  buffer out: u32 read_write @1 count(2) output
  region vyre.program.root {
    stage[lid.x] = x[lid.x]
    if len(x) == 2 {
      barrier
    }
    out[lid.x] = stage[1 - lid.x]
  }
}
