# A Trap in a branch that is never taken has no effect (vyre-ir.md §2.1).
# >>> input x = 1,2,3,4
# >>> expect out = 2 4 6 8
# >>> tags: node trap
program workgroup(4) {
  buffer x: u32 read @0 count(4)
  buffer out: u32 read_write @1 count(4) output
  region vyre.program.root {
    let i = lid.x
    if x[i] == 0 {
      trap(i, zero_input)
    }
    out[i] = x[i] * 2
  }
}
