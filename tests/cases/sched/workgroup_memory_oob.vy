# Workgroup buffers follow the same out-of-range rules (vyre-ir.md §4.3):
# stage has 2 elements; a store to index 5 is dropped, a load of index 5 is 0
# (the index is a local: a constant out-of-range store index is V036).
# >>> expect out = 0 7
# >>> tags: workgroup oob
program {
  buffer stage: u32 workgroup count(2)
  buffer out: u32 read_write @0 count(2) output
  region vyre.program.root {
    if gid.x == 0 {
      let five = 5
      stage[five] = 3
      stage[1] = 7
      out[0] = stage[five]
      out[1] = stage[1]
    }
  }
}
