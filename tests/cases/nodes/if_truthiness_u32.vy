# An If condition of type u32 is true when non-zero (vyre-ir.md §3.1).
# Lane i: out[i] = 1 if x[i] else 2.
# >>> input x = 0,1,2,4294967295
# >>> expect out = 2 1 1 1
# >>> tags: node if truthiness
program workgroup(4) {
  buffer x: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    let i = lid.x
    if x[i] {
      out[i] = 1
    } else {
      out[i] = 2
    }
  }
}
