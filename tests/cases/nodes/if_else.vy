# If runs one branch chosen by truthiness; else-if chains are nested Ifs
# (vyre-ir.md §2.1). Lane i classifies x[i]: < 10 -> 1, < 20 -> 2, else 3.
# >>> input x = 5,15,25,10
# >>> expect out = 1 2 3 2
# >>> tags: node if
program workgroup(4) {
  buffer x: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    let i = lid.x
    let v = x[i]
    if v < 10 {
      out[i] = 1
    } else if v < 20 {
      out[i] = 2
    } else {
      out[i] = 3
    }
  }
}
