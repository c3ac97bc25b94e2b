# A float Select condition is true when != 0.0: -0.0 is false, NaN is true
# (vyre-ir.md §3.1).
# >>> input x = -0.0,nan,2,0
# >>> expect out = 0 1 1 0
# >>> tags: select truthiness
# >>> no-validate
program workgroup(4) {
  buffer x: f32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    out[lid.x] = select(x[lid.x], 1, 0)
  }
}
