# When the program returns a buffer, inputs do not widen the grid
# (vyre-ir.md §4.4: (no outputs) ? max_in : 1): a has 100 elements, the only
# output 3 -> workgroup (1,1,1) -> 3 invocations.
# >>> input a = seq:100
# >>> expect out = 0 1 2
# >>> tags: grid
program {
  buffer a: u32 read @0 count(100)
  buffer out: u32 read_write @1 count(3) output
  region vyre.program.root {
    out[gid.x] = a[gid.x]
  }
}
