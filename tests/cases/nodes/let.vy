# Let binds a new local from its value, evaluated once (vyre-ir.md §2.1).
# One invocation: a = 3, b = a * 4 = 12, c = b - a = 9.
# >>> expect out = 3 12 9
# >>> tags: node let
program {
  buffer out: u32 read_write @0 count(3) output
  region vyre.program.root {
    let a = 3
    let b = a * 4
    let c = b - a
    out[0] = a
    out[1] = b
    out[2] = c
  }
}
